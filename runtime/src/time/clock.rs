//! The event-time clock of an operator: records in epoch order, each with the watermark of the
//! epochs before its own, and the watermark after every completed epoch.

use std::collections::BTreeMap;

use timely::dataflow::channels::pact::{Exchange, Pipeline};
use timely::dataflow::operators::generic::builder_rc::OperatorBuilder;
use timely::dataflow::operators::generic::OutputBuilder;
use timely::dataflow::StreamVec;

use std::path::Path;

use timely::container::CapacityContainerBuilder;
use timely::dataflow::operators::Capability;

use super::Millis;
use crate::checkpoint::{
    from_frame, to_frame, RestoreChunks, StateWriter, WriteChunks, FINAL_CHECKPOINT,
};
use crate::context::Epoch;
use crate::error::{Result, RillError};
use crate::key::{worker_for_key, Key, Record};
use crate::stream::{KeyedStream, Stream};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// What an event-time operator does with records and watermarks.
pub(crate) trait OnEvents<K, T> {
    /// A record, with the watermark of the epochs before its own.
    fn record(&mut self, key: K, timestamp: Millis, record: T, watermark: Millis);
    /// The watermark after a completed epoch (`Millis::MAX` at the end of the input).
    fn watermark(&mut self, watermark: Millis);
}

/// A keyed record with its timestamp.
type Stamped<K, T> = (K, (Millis, T));

/// Records waiting for their epoch, and the largest timestamps each epoch reported.
pub(crate) struct EventClock<K, T> {
    stash: BTreeMap<Epoch, Vec<Stamped<K, T>>>,
    marks: BTreeMap<Epoch, Millis>,
    largest: Option<Millis>,
    out_of_orderness: Millis,
    /// Whether each epoch's records are handed over sorted by timestamp, once the epoch is complete
    /// (for functions whose result depends on the order of a key's records).
    sorted: bool,
}

impl<K, T> EventClock<K, T> {
    /// A clock for records whose order within an epoch does not matter (they are handed over as
    /// soon as no earlier epoch can send more).
    pub(crate) fn new(out_of_orderness: Millis) -> Self {
        EventClock {
            stash: BTreeMap::new(),
            marks: BTreeMap::new(),
            largest: None,
            out_of_orderness,
            sorted: false,
        }
    }

    /// A clock that hands over each epoch's records once the epoch is complete, sorted by
    /// timestamp: the same order whatever the number of workers (up to equal timestamps).
    pub(crate) fn sorted(out_of_orderness: Millis) -> Self {
        EventClock {
            sorted: true,
            ..EventClock::new(out_of_orderness)
        }
    }

    /// The largest timestamps some worker saw in `epoch`.
    pub(crate) fn marks(&mut self, epoch: Epoch, marks: &[Millis]) {
        let mark = self.marks.entry(epoch).or_insert(0);
        *mark = marks.iter().copied().fold(*mark, Millis::max);
    }

    /// Records of `epoch`, read after [`EventClock::advance`] with the same `low`: records of
    /// the current epoch go to `on` at once (unless they must be sorted), later ones wait.
    pub(crate) fn records(
        &mut self,
        epoch: Epoch,
        batch: &mut Vec<Stamped<K, T>>,
        low: Option<Epoch>,
        on: &mut impl OnEvents<K, T>,
    ) {
        if low == Some(epoch) && !self.sorted {
            let watermark = self.watermark();
            for (key, (ts, record)) in batch.drain(..) {
                on.record(key, ts, record, watermark);
            }
        } else {
            self.stash.entry(epoch).or_default().append(batch);
        }
    }

    /// The watermark of the epochs completed so far.
    pub(crate) fn watermark(&self) -> Millis {
        self.largest
            .map_or(0, |largest| largest.saturating_sub(self.out_of_orderness))
    }

    /// Hands `on` every record the frontier (least epoch `low`, `None` at the end of the input)
    /// allows, in epoch order, and the watermark after every epoch it has passed.
    pub(crate) fn advance(&mut self, low: Option<Epoch>, on: &mut impl OnEvents<K, T>) {
        self.complete_before(low, on);
        match low {
            // The current epoch: no earlier record can come, so its records go in now (unless they
            // must be sorted first, which needs all of them).
            Some(_) if self.sorted => {}
            Some(low) => {
                for (key, (ts, record)) in self.stash.remove(&low).unwrap_or_default() {
                    on.record(key, ts, record, self.watermark());
                }
            }
            None => on.watermark(Millis::MAX),
        }
    }

    /// Hands `on` the records and watermarks of every epoch up to checkpoint `id` and no later
    /// one (of all epochs, and the end of the input, for the final checkpoint).
    pub(crate) fn complete_through(&mut self, id: Epoch, on: &mut impl OnEvents<K, T>) {
        if id == FINAL_CHECKPOINT {
            self.advance(None, on);
        } else {
            self.complete_before(Some(id + 1), on);
        }
    }

    /// The clock's part of a checkpoint: the largest timestamp of the completed epochs. (The
    /// records and marks of later epochs are not part of it: the sources replay them.)
    pub(crate) fn snapshot(&self) -> Result<Vec<u8>> {
        to_frame(&self.largest)
    }

    /// Restores what [`EventClock::snapshot`] wrote. Restored from several parts (a rescaled
    /// run), the clock takes the largest of their timestamps: every worker saw the same marks.
    pub(crate) fn restore(&mut self, frame: &[u8], origin: &Path) -> Result<()> {
        let largest: Option<Millis> = from_frame(origin, frame)?;
        self.largest = self.largest.max(largest);
        Ok(())
    }

    /// Hands `on` the records and watermarks of every epoch before `low`, in epoch order.
    fn complete_before(&mut self, low: Option<Epoch>, on: &mut impl OnEvents<K, T>) {
        loop {
            let next = [self.stash.keys().next(), self.marks.keys().next()]
                .into_iter()
                .flatten()
                .min()
                .copied();
            let Some(epoch) = next.filter(|e| low.is_none_or(|low| *e < low)) else {
                break;
            };
            let mut records = self.stash.remove(&epoch).unwrap_or_default();
            if self.sorted {
                records.sort_by_key(|(_, (ts, _))| *ts);
            }
            for (key, (ts, record)) in records {
                on.record(key, ts, record, self.watermark());
            }
            if let Some(mark) = self.marks.remove(&epoch) {
                self.largest = self.largest.max(Some(mark));
            }
            on.watermark(self.watermark());
        }
    }
}

/// Sends `records` (and empties it) at `capability`.
fn give<O: 'static>(
    output: &mut OutputBuilder<Epoch, CapacityContainerBuilder<Vec<O>>>,
    capability: &Capability<Epoch>,
    records: &mut Vec<O>,
) {
    if !records.is_empty() {
        output
            .activate()
            .session(capability)
            .give_container(records);
        records.clear();
    }
}

/// An event-time operator's logic: what it does with records and watermarks ([`OnEvents`]), what
/// it does on its own after them, and its two outputs.
pub(crate) trait EventLogic<K, T>: OnEvents<K, T> + 'static {
    /// Records of the first output.
    type First: 'static;
    /// Records of the second output.
    type Second: 'static;
    /// Work after an invocation's records and watermarks (processing-time timers); returns how
    /// long until the operator must run again, if it must.
    fn after_events(&mut self) -> Option<std::time::Duration> {
        None
    }
    /// The records produced so far on each output, handed over and cleared after every invocation.
    fn outputs(&mut self) -> (&mut Vec<Self::First>, &mut Vec<Self::Second>);
    /// The operator's keyed state as a checkpoint holds it, restored chunk by chunk.
    type State: RestoreChunks;
    /// The operator's keyed state, for a checkpoint (chunked: an incremental checkpoint writes
    /// only the chunks that changed).
    fn keyed_state(&self) -> impl WriteChunks + '_;
    /// The operator's state that belongs to no key.
    type Unkeyed: Serialize + DeserializeOwned;
    /// The operator's state that belongs to no key, for a checkpoint.
    fn unkeyed_state(&self) -> Self::Unkeyed;
    /// Restores the state of a checkpoint: the keyed state this worker owns, and the unkeyed
    /// state of every part it was read from (several in a rescaled run).
    fn restore(&mut self, state: Self::State, unkeyed: Vec<Self::Unkeyed>);
}

/// Builds an event-time operator: `pairs` exchanged by key, `marks` (broadcast) beside them, both
/// fed to `logic` through `clock`, and the two outputs of `logic` at the frontier's epoch.
pub(crate) fn event_operator<'scope, K: Key, T: Record, L: EventLogic<K, T>>(
    name: &str,
    pairs: KeyedStream<'scope, K, (Millis, T)>,
    marks: StreamVec<'scope, Epoch, Millis>,
    mut clock: EventClock<K, T>,
    mut logic: L,
) -> (Stream<'scope, L::First>, Stream<'scope, L::Second>) {
    let env = pairs.env.clone();
    let peers = env.worker.peers;
    let scope = marks.scope();
    let mut builder = OperatorBuilder::new(name.to_owned(), scope);
    let activator = scope.activator_for(builder.operator_info().address);
    let route = Exchange::new(move |(key, _): &(K, (Millis, T))| worker_for_key(key, peers));
    let mut records = builder.new_input(pairs.pairs, route);
    let mut marks = builder.new_input(marks, Pipeline);
    let (first_out, first) = builder.new_output::<Vec<L::First>>();
    let (second_out, second) = builder.new_output::<Vec<L::Second>>();
    let (mut first_out, mut second_out) = (
        OutputBuilder::from(first_out),
        OutputBuilder::from(second_out),
    );
    let mut writer = StateWriter::register(&env, name);
    if let Some(writer) = writer.as_ref() {
        if let Err(error) = restore_event_state(writer, &mut clock, &mut logic) {
            env.failure.fail(error.context(name));
        }
    }
    // A restored run produces nothing for the epochs it restored: start the outputs after them,
    // so that what it produces is not taken for output the checkpoint already covers.
    let restored = writer.as_ref().and_then(StateWriter::restored_id);
    builder.build(move |mut capabilities| {
        if let Some(after) = restored.map(|id| id.saturating_add(1)) {
            capabilities
                .iter_mut()
                .for_each(|cap| cap.downgrade(&after));
        }
        let mut capabilities = Some(capabilities);
        move |frontiers| {
            let low = frontiers
                .iter()
                .filter_map(|f| f.frontier().first().copied())
                .min();
            marks.for_each(|time, batch| clock.marks(*time.time(), batch));
            let Some(caps) = capabilities.as_mut() else {
                return;
            };
            // Before an epoch after an announced checkpoint: complete the epochs up to it, send
            // what they produced (at an epoch up to it), and write the state.
            while let Some(id) = writer.as_ref().and_then(|w| w.due(low)) {
                clock.complete_through(id, &mut logic);
                let (first, second) = logic.outputs();
                give(&mut first_out, &caps[0], first);
                give(&mut second_out, &caps[1], second);
                let unkeyed = clock
                    .snapshot()
                    .and_then(|c| Ok(vec![c, to_frame(&logic.unkeyed_state())?]));
                if let Some(writer) = writer.as_mut() {
                    writer.write_chunked(id, unkeyed, &logic.keyed_state());
                }
                let after = id.saturating_add(1);
                caps.iter_mut()
                    .filter(|cap| *cap.time() < after)
                    .for_each(|cap| cap.downgrade(&after));
            }
            clock.advance(low, &mut logic);
            records.for_each(|time, batch| clock.records(*time.time(), batch, low, &mut logic));
            let wake = logic.after_events();
            let (first, second) = logic.outputs();
            give(&mut first_out, &caps[0], first);
            give(&mut second_out, &caps[1], second);
            match low {
                Some(low) => {
                    caps.iter_mut()
                        .filter(|cap| *cap.time() < low)
                        .for_each(|cap| cap.downgrade(&low));
                    if let Some(delay) = wake {
                        activator.activate_after(delay);
                    }
                }
                None => capabilities = None,
            }
        }
    });
    (
        Stream {
            inner: first,
            env: env.clone(),
        },
        Stream { inner: second, env },
    )
}

/// Restores an event-time operator's clock and state from the restored checkpoint, if any: the
/// key groups it owns (out of every part in a rescaled run; the clock takes the largest
/// timestamp of all).
fn restore_event_state<K, T, L: EventLogic<K, T>>(
    writer: &StateWriter,
    clock: &mut EventClock<K, T>,
    logic: &mut L,
) -> Result<()> {
    let Some((state, parts)) = writer.restore_chunked::<L::State>()? else {
        return Ok(());
    };
    let origin = writer.origin();
    let mut unkeyed = Vec::with_capacity(parts.len());
    for frames in parts {
        let [clock_frame, logic_frame] = frames.as_slice() else {
            return Err(RillError::new(format!(
                "{}: expected the clock's and the operator's unkeyed state",
                origin.display()
            )));
        };
        clock.restore(clock_frame, &origin)?;
        unkeyed.push(from_frame(&origin, logic_frame)?);
    }
    logic.restore(state, unkeyed);
    Ok(())
}
