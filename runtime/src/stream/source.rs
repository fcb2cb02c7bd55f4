//! The source operator: drives a [`SourceReader`] on every worker.
//!
//! A source with an idleness timeout ([`Source::idleness`]) closes its current epoch when its
//! reader has produced nothing for that long: the batch moves to the next epoch and the
//! operator's capabilities follow, so the epoch completes (on this worker) and windows waiting
//! for it fire although the source is still open. It does so once per stall: the watermark
//! derives from the records of complete epochs, so an empty epoch after the closed one would not
//! move it further.

use std::time::{Duration, Instant};

use std::collections::BTreeMap;

use timely::dataflow::channels::pact::Pipeline;
use timely::dataflow::operators::generic::builder_rc::OperatorBuilder;
use timely::dataflow::operators::generic::OutputBuilder;
use timely::dataflow::operators::Probe;
use timely::progress::Antichain;

use super::Stream;
use crate::checkpoint::{Position, StateWriter};
use crate::context::{Dataflow, Epoch};
use crate::error::{Result, RillError};
use crate::io::{BadRecord, Batch, ReadStatus, Source, SourceReader};

/// How many records a source emits before it yields to the rest of the dataflow. A batch travels
/// through the record-at-a-time operators as one container, and `flat_map` can multiply it (a
/// line becomes ten words): small enough that those containers stay in cache.
const BATCH_RECORDS: usize = 1024;

impl<'scope> Dataflow<'scope> {
    /// Reads `source` on every worker. A record that fails to decode fails the job with an error
    /// naming its file and line; use [`Dataflow::source_with_errors`] to route such records instead.
    pub fn source<S: Source>(&mut self, name: &str, source: S) -> Stream<'scope, S::Item> {
        let failure = self.env.failure.clone();
        let name_owned = name.to_owned();
        let (records, errors) = self.source_with_errors(name, source);
        errors.inspect(name, move |bad: &BadRecord| {
            failure.fail(RillError::new(format!(
                "{bad}\n  (in {name_owned}; to route bad records instead of failing, bind a second output: `let (records, bad) = source(...);`)"
            )))
        });
        records
    }

    /// Reads `source` on every worker; records that fail to decode go to the second stream.
    pub fn source_with_errors<S: Source>(
        &mut self,
        name: &str,
        source: S,
    ) -> (Stream<'scope, S::Item>, Stream<'scope, BadRecord>) {
        let env = self.env.clone();
        let mut builder = OperatorBuilder::new(name.to_owned(), self.scope);
        let address = builder.operator_info().address;
        let activator = self.scope.activator_for(address);
        let (records_out, records) = builder.new_output::<Vec<S::Item>>();
        let (errors_out, errors) = builder.new_output::<Vec<BadRecord>>();
        let mut records_out = OutputBuilder::from(records_out);
        let mut errors_out = OutputBuilder::from(errors_out);
        let mut checkpoint = self.checkpoints.as_ref().and_then(|flow| {
            // An output without records whose frontier is the source's own progress, for the
            // coordinator; the record outputs also wait for the coordinator's announcements.
            let (progress_out, progress) = builder.new_output::<Vec<()>>();
            progress.probe_with(&flow.sources);
            let waits = [(0, Antichain::from_elem(0)), (1, Antichain::from_elem(0))];
            let announcements =
                builder.new_input_connection(flow.announcements.clone(), Pipeline, waits);
            Some(SourceCheckpoint {
                writer: StateWriter::register(&env, name)?,
                announcements,
                boundaries: BTreeMap::new(),
                _progress: progress_out,
            })
        });
        let name = name.to_owned();
        let operator_env = env.clone();
        let idleness = source.idleness();

        builder.build(move |capabilities| {
            let mut capabilities = Some(capabilities);
            let mut batch: Batch<S::Item> = Batch::new(0, BATCH_RECORDS);
            let opened = source.open(operator_env.worker).and_then(|mut reader| {
                if let Some(checkpoint) = checkpoint.as_ref() {
                    checkpoint.restore(&mut reader, &mut batch)?;
                }
                Ok(reader)
            });
            let mut reader = match opened {
                Ok(reader) => Some(reader),
                Err(error) => {
                    operator_env.failure.fail(error.context(&name));
                    None
                }
            };
            let mut idle = Idle::new(idleness);
            move |_frontiers| {
                if let (Some(checkpoint), Some(checkpointing)) =
                    (checkpoint.as_mut(), operator_env.checkpointing.as_ref())
                {
                    checkpoint
                        .announcements
                        .for_each(|_, ids| ids.drain(..).for_each(|id| checkpointing.announce(id)));
                }
                let (Some(caps), Some(source)) = (capabilities.as_mut(), reader.as_mut()) else {
                    capabilities = None;
                    if let Some(checkpoint) = checkpoint.as_mut() {
                        checkpoint.write_due();
                    }
                    return;
                };
                let before = checkpoint.as_ref().map(|_| source.position());
                let status = source.read(&mut batch);
                let wake = match status {
                    Ok(ReadStatus::Done) | Err(_) => None,
                    Ok(_) => idle.after_read(&mut batch),
                };
                let epoch: Epoch = batch.epoch();
                if let (Some(checkpoint), Some(before)) = (checkpoint.as_mut(), before) {
                    let after = matches!(status, Ok(ReadStatus::Done)).then(|| source.position());
                    if let Err(error) = checkpoint.record(epoch, before, after) {
                        operator_env.failure.fail(error.context(&name));
                    }
                }
                for cap in caps.iter_mut() {
                    if *cap.time() < epoch {
                        cap.downgrade(&epoch);
                    }
                }
                operator_env.metrics.add_in(batch.records.len() as u64);
                if !batch.records.is_empty() {
                    records_out
                        .activate()
                        .session(&caps[0])
                        .give_container(&mut batch.records);
                }
                if !batch.bad.is_empty() {
                    errors_out
                        .activate()
                        .session(&caps[1])
                        .give_container(&mut batch.bad);
                }
                batch.clear();
                match status {
                    Ok(ReadStatus::More) => activator.activate(),
                    Ok(ReadStatus::Wait(delay)) => {
                        activator.activate_after(wake.map_or(delay, |wake| wake.min(delay)))
                    }
                    Ok(ReadStatus::Done) => {
                        capabilities = None;
                        reader = None;
                    }
                    Err(error) => {
                        operator_env.failure.fail(error.context(&name));
                        capabilities = None;
                        reader = None;
                    }
                }
                if let Some(checkpoint) = checkpoint.as_mut() {
                    checkpoint.write_due();
                }
            }
        });
        (
            Stream {
                inner: records,
                env: env.clone(),
            },
            Stream { inner: errors, env },
        )
    }
}

/// A source's part in checkpoints: the announcements it waits for (input handle `A`), where each
/// epoch starts, and its progress output (`P`).
struct SourceCheckpoint<A, P> {
    writer: StateWriter,
    announcements: A,
    /// `epoch -> position`: the records from `position` on belong to `epoch` or later. The last
    /// entry, at `Epoch::MAX`, is the end of the input.
    boundaries: BTreeMap<Epoch, Position>,
    _progress: P,
}

impl<A, P> SourceCheckpoint<A, P> {
    /// Seeks a freshly opened reader to its position in the restored checkpoint, if any.
    fn restore<R: SourceReader>(&self, reader: &mut R, batch: &mut Batch<R::Item>) -> Result<()> {
        if let Some((epoch, position)) = self.writer.restore::<(Epoch, Position)>()? {
            reader.seek(&position)?;
            if epoch != Epoch::MAX {
                batch.set_epoch(epoch);
            }
        }
        Ok(())
    }

    /// After a read at `epoch` that started at `before` (and, if it ended the input, ended at
    /// `after`): notes where `epoch` starts if it is new.
    fn record(
        &mut self,
        epoch: Epoch,
        before: Option<Position>,
        after: Option<Option<Position>>,
    ) -> Result<()> {
        let unsupported =
            || RillError::new("this source cannot be checkpointed: its reader reports no position");
        if self
            .boundaries
            .last_key_value()
            .is_none_or(|(last, _)| *last < epoch)
        {
            self.boundaries
                .insert(epoch, before.ok_or_else(unsupported)?);
        }
        if let Some(end) = after {
            self.boundaries
                .insert(Epoch::MAX, end.ok_or_else(unsupported)?);
        }
        Ok(())
    }

    /// Writes the position after every announced checkpoint the reader has moved past.
    fn write_due(&mut self) {
        while let Some(id) = self.writer.due(None) {
            let Some((&epoch, position)) = self.boundaries.range(id + 1..).next() else {
                break;
            };
            self.writer.write(id, &(epoch, position.clone()));
            self.boundaries = self.boundaries.split_off(&epoch);
        }
    }
}

/// A reader's idleness: when it last produced something, and whether its stall closed an epoch.
struct Idle {
    timeout: Option<Duration>,
    active: Instant,
    closed: bool,
}

impl Idle {
    fn new(timeout: Option<Duration>) -> Self {
        Idle {
            timeout,
            active: Instant::now(),
            closed: false,
        }
    }

    /// After a read that did not end the input: moves an empty batch to the next epoch once the
    /// reader has been idle for the timeout; returns how long until that is due, if it is not yet.
    fn after_read<T>(&mut self, batch: &mut Batch<T>) -> Option<Duration> {
        let timeout = self.timeout?;
        if !batch.is_empty() {
            self.active = Instant::now();
            self.closed = false;
            return Some(timeout);
        }
        if self.closed {
            return None;
        }
        let idle = self.active.elapsed();
        if idle < timeout {
            return Some(timeout - idle);
        }
        batch.set_epoch(batch.epoch().saturating_add(1));
        self.closed = true;
        None
    }
}
