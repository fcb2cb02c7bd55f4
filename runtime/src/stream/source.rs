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
use std::rc::Rc;

use timely::dataflow::channels::pact::Pipeline;
use timely::dataflow::operators::generic::builder_rc::OperatorBuilder;
use timely::dataflow::operators::generic::OutputBuilder;
use timely::dataflow::operators::Probe;
use timely::progress::Antichain;

use super::Stream;
use crate::checkpoint::{Position, StateWriter};
use crate::context::{Dataflow, Epoch, WorkerInfo};
use crate::error::{Result, RillError};
use crate::io::{BadRecord, Batch, ReadStatus, Source, SourceReader, Waker};

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
        let activator = self.scope.activator_for(Rc::clone(&address));
        let waker = Waker::new(self.scope.worker().sync_activator_for(address.to_vec()));
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
                _progress: progress_out,
            })
        });
        let name = name.to_owned();
        let operator_env = env.clone();
        let idleness = source.idleness();

        builder.build(move |capabilities| {
            let mut capabilities = Some(capabilities);
            let opened = open_shares(
                source,
                operator_env.worker,
                checkpoint.as_ref(),
                idleness,
                &waker,
            );
            let mut shares = opened.unwrap_or_else(|error| {
                operator_env.failure.fail(error.context(&name));
                Vec::new()
            });
            move |_frontiers| {
                if let (Some(checkpoint), Some(checkpointing)) =
                    (checkpoint.as_mut(), operator_env.checkpointing.as_ref())
                {
                    checkpoint
                        .announcements
                        .for_each(|_, ids| ids.drain(..).for_each(|id| checkpointing.announce(id)));
                }
                // The share furthest behind reads next, so that the shares' epochs keep in step.
                let next = shares
                    .iter()
                    .enumerate()
                    .filter(|(_, share)| share.reader.is_some())
                    .min_by_key(|(_, share)| share.batch.epoch())
                    .map(|(at, _)| at);
                let (Some(caps), Some(at)) = (capabilities.as_mut(), next) else {
                    capabilities = None;
                    if let Some(checkpoint) = checkpoint.as_mut() {
                        checkpoint.write_due(&mut shares);
                    }
                    return;
                };
                let share = &mut shares[at];
                let status = share.read(checkpoint.is_some());
                if let Err(error) = &status {
                    operator_env.failure.fail(error.clone().context(&name));
                }
                let epoch = share.batch.epoch();
                let batch = &mut share.batch;
                operator_env.metrics.add_in(batch.records.len() as u64);
                if !batch.records.is_empty() {
                    records_out
                        .activate()
                        .session(&caps[0].delayed(&epoch))
                        .give_container(&mut batch.records);
                }
                if !batch.bad.is_empty() {
                    errors_out
                        .activate()
                        .session(&caps[1].delayed(&epoch))
                        .give_container(&mut batch.bad);
                }
                batch.clear();
                let low = shares
                    .iter()
                    .filter(|share| share.reader.is_some())
                    .map(|share| share.batch.epoch())
                    .min();
                match (low, status) {
                    (None, _) => capabilities = None,
                    (Some(low), status) => {
                        for cap in caps.iter_mut() {
                            if *cap.time() < low {
                                cap.downgrade(&low);
                            }
                        }
                        match status {
                            // The share furthest behind waits: so do the others.
                            Ok(Some(delay)) => activator.activate_after(delay),
                            _ => activator.activate(),
                        }
                    }
                }
                if let Some(checkpoint) = checkpoint.as_mut() {
                    checkpoint.write_due(&mut shares);
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

/// Where a share of a source's input is, in a checkpoint: which share (the worker index and
/// count it was opened with), the epoch of its next record, and the reader's position there
/// (`Epoch::MAX`: the share has ended).
type ShareState = ((usize, usize), Epoch, Position);

/// One share of a source's input being read. A worker reads its own share; restored on fewer
/// workers than wrote the checkpoint, it reads the shares of several old workers side by side.
struct Share<R: SourceReader> {
    /// The worker index and count the reader was opened with.
    of: (usize, usize),
    /// `None` once the share has ended.
    reader: Option<R>,
    batch: Batch<R::Item>,
    idle: Idle,
    /// With checkpoints, `epoch -> position`: the records from `position` on belong to `epoch`
    /// or later. The last entry, at `Epoch::MAX`, is the end of the share.
    boundaries: BTreeMap<Epoch, Position>,
}

impl<R: SourceReader> Share<R> {
    fn new(of: (usize, usize), mut reader: R, idleness: Option<Duration>, waker: &Waker) -> Self {
        reader.wake_with(waker.clone());
        Share {
            of,
            reader: Some(reader),
            batch: Batch::new(0, BATCH_RECORDS),
            idle: Idle::new(idleness),
            boundaries: BTreeMap::new(),
        }
    }

    /// Reads one batch (noting where its epoch starts if `positions`); returns when to read
    /// again (`None`: at once). Drops the reader when the share ends or fails.
    fn read(&mut self, positions: bool) -> Result<Option<Duration>> {
        let Some(reader) = self.reader.as_mut() else {
            return Ok(None);
        };
        let before = positions.then(|| reader.position());
        let status = reader.read(&mut self.batch);
        let wake = match status {
            Ok(ReadStatus::Done) | Err(_) => None,
            Ok(_) => self.idle.after_read(&mut self.batch),
        };
        let ended = matches!(status, Ok(ReadStatus::Done));
        let recorded = match before {
            Some(before) => {
                let after = ended.then(|| reader.position());
                self.record(before, after)
            }
            None => Ok(()),
        };
        if ended || status.is_err() || recorded.is_err() {
            self.reader = None;
        }
        recorded?;
        match status? {
            ReadStatus::More | ReadStatus::Done => Ok(None),
            ReadStatus::Wait(delay) => Ok(Some(wake.map_or(delay, |wake| wake.min(delay)))),
        }
    }

    /// After a read at the batch's epoch that started at `before` (and, if it ended the share,
    /// ended at `after`): notes where the epoch starts if it is new.
    fn record(&mut self, before: Option<Position>, after: Option<Option<Position>>) -> Result<()> {
        let unsupported =
            || RillError::new("this source cannot be checkpointed: its reader reports no position");
        let epoch = self.batch.epoch();
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

    /// Where the share will be after checkpoint `id`, if it has read that far: the first epoch
    /// after `id` it has records of, and the position of those records.
    fn after(&self, id: Epoch) -> Option<ShareState> {
        let (&epoch, position) = self.boundaries.range(id + 1..).next()?;
        Some((self.of, epoch, position.clone()))
    }
}

/// Opens this worker's shares of `source`: its own, or those the restored checkpoint gives it
/// (a rescaled run divides the old workers' shares among the new workers), each at its position.
fn open_shares<S: Source>(
    source: S,
    worker: WorkerInfo,
    checkpoint: Option<&SourceCheckpoint<impl Sized, impl Sized>>,
    idleness: Option<Duration>,
    waker: &Waker,
) -> Result<Vec<Share<S::Reader>>> {
    let restored = match checkpoint {
        Some(checkpoint) => checkpoint.writer.restore::<Vec<ShareState>>()?,
        None => None,
    };
    let Some(states) = restored.map(|parts| parts.concat()) else {
        let reader = source.open(worker)?;
        let share = Share::new((worker.index, worker.peers), reader, idleness, waker);
        return Ok(vec![share]);
    };
    let workers: Vec<WorkerInfo> = states
        .iter()
        .map(|((index, peers), _, _)| WorkerInfo {
            index: *index,
            peers: *peers,
            ..worker
        })
        .collect();
    let readers = source.open_shares(&workers)?;
    let mut shares = Vec::with_capacity(states.len());
    for ((of, epoch, position), mut reader) in states.into_iter().zip(readers) {
        reader.seek(&position)?;
        let mut share = Share::new(of, reader, idleness, waker);
        if epoch != Epoch::MAX {
            share.batch.set_epoch(epoch);
        }
        shares.push(share);
    }
    Ok(shares)
}

/// A source's part in checkpoints: the announcements it waits for (input handle `A`), and its
/// progress output (`P`).
struct SourceCheckpoint<A, P> {
    writer: StateWriter,
    announcements: A,
    _progress: P,
}

impl<A, P> SourceCheckpoint<A, P> {
    /// Writes where every share will be after each announced checkpoint all of them have moved
    /// past.
    fn write_due<R: SourceReader>(&mut self, shares: &mut [Share<R>]) {
        while let Some(id) = self.writer.due(None) {
            let Some(states) = shares
                .iter()
                .map(|share| share.after(id))
                .collect::<Option<Vec<ShareState>>>()
            else {
                break;
            };
            self.writer.write(id, &states);
            for (share, (_, epoch, _)) in shares.iter_mut().zip(&states) {
                share.boundaries = share.boundaries.split_off(epoch);
            }
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
