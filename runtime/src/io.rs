//! The contracts between the engine and the outside world: what a source reads and a sink writes.
//!
//! A [`Source`] is a description (a path, a seed...) that every worker opens into a
//! [`SourceReader`] for its own share of the input. A [`Sink`] is opened into a [`SinkWriter`] on
//! the workers that write. Concrete formats live in `rill-stdlib`.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::checkpoint::Position;
use crate::context::{Epoch, WorkerInfo};
use crate::error::Result;

/// An input record that could not be decoded: where it was and what was wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct BadRecord {
    /// The file (or other origin) the record came from.
    pub origin: String,
    /// Its 1-based line number.
    pub line: u64,
    /// What was wrong with it.
    pub problem: String,
    /// The offending text, as read.
    pub text: String,
}

impl fmt::Display for BadRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.origin, self.line, self.problem)
    }
}

/// Records one call of [`SourceReader::read`] produced, all at the same epoch.
pub struct Batch<T> {
    epoch: Epoch,
    limit: usize,
    /// Decoded records, in input order.
    pub records: Vec<T>,
    /// Records that failed to decode, in input order.
    pub bad: Vec<BadRecord>,
}

impl<T> Batch<T> {
    /// An empty batch at `epoch` that is full after `limit` records.
    pub fn new(epoch: Epoch, limit: usize) -> Self {
        Batch {
            epoch,
            limit,
            records: Vec::new(),
            bad: Vec::new(),
        }
    }
    /// The epoch every record of this batch belongs to.
    pub fn epoch(&self) -> Epoch {
        self.epoch
    }
    /// Moves the batch to `epoch`, or leaves it where it is if that is later: epochs never go
    /// back, and the engine moves an idle source's batch ahead ([`Source::idleness`]). Only
    /// allowed while the batch is empty.
    pub fn set_epoch(&mut self, epoch: Epoch) {
        debug_assert!(self.is_empty(), "a batch holds records of one epoch");
        self.epoch = self.epoch.max(epoch);
    }
    /// Adds a decoded record.
    pub fn push(&mut self, record: T) {
        self.records.push(record);
    }
    /// Adds a record that failed to decode.
    pub fn push_bad(&mut self, bad: BadRecord) {
        self.bad.push(bad);
    }
    /// Whether the reader should stop and return.
    pub fn is_full(&self) -> bool {
        self.records.len() + self.bad.len() >= self.limit
    }
    /// Whether nothing was added.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty() && self.bad.is_empty()
    }
    /// Empties the batch for reuse, keeping its epoch.
    pub fn clear(&mut self) {
        self.records.clear();
        self.bad.clear();
    }
}

/// What a reader says after filling a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadStatus {
    /// More input follows; call again soon.
    More,
    /// No input right now; call again after this long (rate-limited or polling sources).
    Wait(Duration),
    /// The input is exhausted.
    Done,
}

/// A source description, opened once on every worker.
pub trait Source: 'static {
    /// The records it produces.
    type Item: 'static;
    /// This worker's reader.
    type Reader: SourceReader<Item = Self::Item>;
    /// Opens the share of the input that `worker` reads (e.g. a byte range of a file).
    fn open(self, worker: WorkerInfo) -> Result<Self::Reader>;
    /// Opens the shares of several workers on one worker: a checkpoint restored on fewer workers
    /// than wrote it gives each worker the shares of the old workers it replaces. The default
    /// opens one share and refuses several; a source that can be cloned implements it with
    /// [`open_each`].
    fn open_shares(self, workers: &[WorkerInfo]) -> Result<Vec<Self::Reader>>
    where
        Self: Sized,
    {
        match workers {
            [] => Ok(Vec::new()),
            [worker] => Ok(vec![self.open(*worker)?]),
            _ => Err(crate::error::RillError::new(format!(
                "this source cannot read the shares of {} workers on one (restoring a checkpoint \
                 on fewer workers than wrote it): it does not implement `Source::open_shares`",
                workers.len()
            ))),
        }
    }
    /// The idleness timeout (Flink's `withIdleness`): a reader that has produced nothing for
    /// this long of wall-clock time, and has not ended, closes its current epoch — the engine
    /// moves its batch to the next epoch, once per stall — so that windows waiting for that
    /// epoch fire while the source is quiet. `None` (the default): an epoch stays open until the
    /// reader moves on.
    fn idleness(&self) -> Option<Duration> {
        None
    }
}

/// Schedules a source's operator from any thread (timely's `SyncActivator`), so that a reader
/// waiting for input does not have to poll: see [`SourceReader::wake_with`].
#[derive(Clone)]
pub struct Waker(Arc<timely::scheduling::SyncActivator>);

impl Waker {
    pub(crate) fn new(activator: timely::scheduling::SyncActivator) -> Self {
        Waker(Arc::new(activator))
    }

    /// Schedules the operator (and unparks its worker). Returns `false` once the job has ended.
    pub fn wake(&self) -> bool {
        self.0.activate().is_ok()
    }
}

impl fmt::Debug for Waker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Waker")
    }
}

/// Opens a copy of `source` for each of `workers`: [`Source::open_shares`] for a source that
/// can be cloned.
pub fn open_each<S: Source + Clone>(source: S, workers: &[WorkerInfo]) -> Result<Vec<S::Reader>> {
    workers.iter().map(|w| source.clone().open(*w)).collect()
}

/// One worker's share of a source.
pub trait SourceReader: 'static {
    /// The records it produces.
    type Item: 'static;
    /// Fills `batch` until it is full, the epoch ends, or the input does. Sets the batch's epoch
    /// (never lower than before) before pushing records of a later epoch.
    ///
    /// The batch's epoch is a floor: the engine keeps the batch between calls and may move it
    /// ahead while it is empty (an idle source, [`Source::idleness`]). A record of an epoch below
    /// the batch's belongs to the batch's epoch: [`Batch::set_epoch`] leaves a later epoch as it
    /// is, so a reader that compares its own epoch with the batch's compares
    /// `own.max(batch.epoch())`.
    fn read(&mut self, batch: &mut Batch<Self::Item>) -> Result<ReadStatus>;

    /// Where the reader is: the next `read` goes on from here. Checkpoints record it; `None` (the
    /// default) means the reader cannot resume, and a job that takes checkpoints refuses it.
    fn position(&self) -> Option<Position> {
        None
    }

    /// Hands the reader a [`Waker`] for its source operator, right after it was opened: a reader
    /// that waits for input from another thread (a program feeding an input handle) keeps it and
    /// has that thread wake the operator, instead of polling. The default ignores it.
    fn wake_with(&mut self, waker: Waker) {
        let _ = waker;
    }

    /// Moves the reader to a position that [`SourceReader::position`] returned, right after it
    /// was opened for the same share of the input (the same worker index and count, also when a
    /// rescaled run reads the shares of old workers).
    fn seek(&mut self, position: &Position) -> Result<()> {
        let _ = position;
        Err(crate::error::RillError::new(
            "this source cannot resume from a checkpoint",
        ))
    }
}

/// Which workers write a sink's records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// Every record is sent to worker 0, which writes them all (one file, one terminal).
    Gathered,
    /// Every worker writes the records it holds (callbacks, in-process collectors).
    EachWorker,
}

/// A sink description, opened on the workers that write.
pub trait Sink<T>: 'static {
    /// This worker's writer.
    type Writer: SinkWriter<T>;
    /// Which workers write.
    fn placement(&self) -> Placement;
    /// Opens the writer of `worker`. Called only on workers that write (worker 0 if gathered).
    fn open(self, worker: WorkerInfo) -> Result<Self::Writer>;
}

/// One worker's end of a sink.
pub trait SinkWriter<T>: 'static {
    /// Writes records of `epoch`; records of later epochs may follow before `epoch_done(epoch)`.
    fn write(&mut self, epoch: Epoch, records: &mut Vec<T>) -> Result<()>;
    /// Every record of `epoch` and earlier has been written: a point to flush.
    fn epoch_done(&mut self, epoch: Epoch) -> Result<()>;
    /// The input has ended: flush and close.
    fn finish(&mut self) -> Result<()>;

    /// In a job that takes checkpoints, which holds output back until a checkpoint covers it:
    /// encodes `records` (of `epoch`) and appends them to `staged`, as
    /// [`SinkWriter::write_staged`] will write them. Holding encoded bytes costs less than
    /// holding records. Returns `Ok(false)`, leaving `records` alone, if the writer takes
    /// records only (the default).
    fn stage(&mut self, epoch: Epoch, records: &mut Vec<T>, staged: &mut Vec<u8>) -> Result<bool> {
        let _ = (epoch, records, staged);
        Ok(false)
    }

    /// Writes output of `epoch` that [`SinkWriter::stage`] encoded.
    fn write_staged(&mut self, epoch: Epoch, staged: &[u8]) -> Result<()> {
        let _ = (epoch, staged);
        Err(crate::RillError::new(
            "this sink writer does not stage encoded output",
        ))
    }

    /// In a job that takes checkpoints: everything written so far is the output of checkpoint
    /// `id`, which is complete; make it durable and visible. An exactly-once writer records the
    /// commit, so that [`SinkWriter::recover`] can find it. The default does nothing.
    fn commit(&mut self, id: Epoch) -> Result<()> {
        let _ = id;
        Ok(())
    }

    /// When a job restores checkpoint `restored`: rolls the output back to the last commit at or
    /// before it and returns that commit's id, so that the engine writes only what came after.
    /// The default, `None`, cannot tell: the engine writes again all output it held back, which
    /// may repeat some (at-least-once).
    fn recover(&mut self, restored: Epoch) -> Result<Option<Epoch>> {
        let _ = restored;
        Ok(None)
    }
}
