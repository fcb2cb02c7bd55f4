//! `generate`: deterministic synthetic records, for examples, tests and benchmarks.

use std::marker::PhantomData;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rill_runtime::checkpoint::Position;
use rill_runtime::{open_each, Batch, Epoch, ReadStatus, Result, Source, SourceReader, WorkerInfo};

use super::rng::Rng;

/// Generates `count` records: record `i` is `f(i, rng)`, where `rng` is an [`Rng`] seeded from
/// `seed` and `i` alone, so the records are the same whatever the number of workers.
///
/// Record `i` belongs to epoch `i / events_per_epoch` (see [`Generate::events_per_epoch`]), or a
/// later one after an idle stall ([`Generate::idle_after`]). Within each epoch, every worker
/// generates a contiguous share of the epoch's indices, so all workers move through the epochs
/// together; [`Generate::rate`] throttles the source.
///
/// ```
/// use rill_runtime::{Batch, ReadStatus, Source, SourceReader, WorkerInfo};
/// use rill_stdlib::source::generate;
///
/// let dice = generate(5, 42, |i, rng| (i, 1 + rng.below(6)));
/// let mut reader = dice.open(WorkerInfo::SINGLE)?;
/// let mut batch = Batch::new(0, 100);
/// assert_eq!(reader.read(&mut batch)?, ReadStatus::Done);
/// assert_eq!(batch.records.len(), 5);
/// assert!(batch.records.iter().all(|&(_, roll)| (1..=6).contains(&roll)));
/// # Ok::<(), rill_runtime::RillError>(())
/// ```
pub fn generate<T, F>(count: u64, seed: u64, f: F) -> Generate<T, F>
where
    T: 'static,
    F: Fn(u64, &mut Rng) -> T + 'static,
{
    Generate::new(Some(count), seed, f)
}

/// Like [`generate`], but never ends: a stream for jobs that run until stopped.
pub fn generate_unbounded<T, F>(seed: u64, f: F) -> Generate<T, F>
where
    T: 'static,
    F: Fn(u64, &mut Rng) -> T + 'static,
{
    Generate::new(None, seed, f)
}

/// The source [`generate`] and [`generate_unbounded`] describe.
pub struct Generate<T, F> {
    count: Option<u64>,
    seed: u64,
    /// Shared by the readers of several shares (a checkpoint restored on fewer workers).
    f: Arc<F>,
    per_epoch: u64,
    rate: Option<f64>,
    idle_after: Option<Duration>,
    record: PhantomData<fn() -> T>,
}

impl<T, F> Clone for Generate<T, F> {
    fn clone(&self) -> Self {
        Generate {
            f: Arc::clone(&self.f),
            ..*self
        }
    }
}

impl<T, F> Generate<T, F> {
    fn new(count: Option<u64>, seed: u64, f: F) -> Self {
        Generate {
            count,
            seed,
            f: Arc::new(f),
            per_epoch: 100_000,
            rate: None,
            idle_after: None,
            record: PhantomData,
        }
    }

    /// Puts `k` records in each epoch (default 100 000): record `i` belongs to epoch `i / k`.
    /// Panics if `k` is 0.
    pub fn events_per_epoch(self, k: u64) -> Self {
        assert!(k > 0, "events_per_epoch must be at least 1");
        Generate {
            per_epoch: k,
            ..self
        }
    }

    /// Generates at most `per_second` records per second over all workers.
    /// Panics unless `per_second` is positive and finite.
    pub fn rate(self, per_second: f64) -> Self {
        assert!(
            per_second.is_finite() && per_second > 0.0,
            "rate must be positive and finite"
        );
        Generate {
            rate: Some(per_second),
            ..self
        }
    }

    /// Closes the current epoch when a worker has generated nothing for `timeout` of wall-clock
    /// time (e.g. between the records of a slow [`Generate::rate`]), so that windows over it fire
    /// while it is still running: Flink's `withIdleness`, see
    /// [`rill_runtime::Source::idleness`]. The records that follow belong to a later epoch than
    /// `i / events_per_epoch` (the epoch of a worker's records then depends on timing; the
    /// records themselves do not).
    pub fn idle_after(self, timeout: Duration) -> Self {
        Generate {
            idle_after: Some(timeout),
            ..self
        }
    }
}

impl<T, F> Source for Generate<T, F>
where
    T: 'static,
    F: Fn(u64, &mut Rng) -> T + 'static,
{
    type Item = T;
    type Reader = GenerateReader<T, F>;

    fn open_shares(self, workers: &[WorkerInfo]) -> Result<Vec<Self::Reader>> {
        open_each(self, workers)
    }

    fn idleness(&self) -> Option<Duration> {
        self.idle_after
    }

    fn open(self, worker: WorkerInfo) -> Result<GenerateReader<T, F>> {
        let peers = worker.peers.max(1);
        let throttle = self.rate.map(|rate| Throttle::new(rate / peers as f64));
        let mut reader = GenerateReader {
            source: self,
            index: worker.index,
            peers,
            epoch: 0,
            next: 0,
            end: 0,
            throttle,
        };
        (reader.next, reader.end) = reader.share(0);
        Ok(reader)
    }
}

/// One worker's reader of a [`Generate`] source.
pub struct GenerateReader<T, F> {
    source: Generate<T, F>,
    index: usize,
    peers: usize,
    /// The epoch of `next..end`, this worker's share of it not generated yet.
    epoch: Epoch,
    next: u64,
    end: u64,
    throttle: Option<Throttle>,
}

impl<T, F> GenerateReader<T, F> {
    /// This worker's indices in `epoch`: a contiguous part of the epoch's indices.
    fn share(&self, epoch: Epoch) -> (u64, u64) {
        let k = self.source.per_epoch;
        let start = epoch.saturating_mul(k);
        let end = start
            .saturating_add(k)
            .min(self.source.count.unwrap_or(u64::MAX))
            .max(start);
        let part =
            |w: usize| start + ((end - start) as u128 * w as u128 / self.peers as u128) as u64;
        (part(self.index), part(self.index + 1))
    }

    /// Moves to the next epoch in which this worker has records; `false` when none is left.
    fn settle(&mut self) -> bool {
        while self.next == self.end {
            let k = self.source.per_epoch;
            let mut epoch = self.epoch + 1;
            if self.index as u128 * k as u128 / self.peers as u128
                == (self.index + 1) as u128 * k as u128 / self.peers as u128
            {
                // This worker has no share of a full epoch: only a last, partial one can help.
                match self.source.count {
                    Some(count) => epoch = epoch.max(count.saturating_sub(1) / k),
                    None => return false,
                }
            }
            let Some(start) = epoch.checked_mul(k) else {
                return false;
            };
            if self.source.count.is_some_and(|count| start >= count) {
                return false;
            }
            self.epoch = epoch;
            (self.next, self.end) = self.share(epoch);
        }
        true
    }
}

impl<T, F> SourceReader for GenerateReader<T, F>
where
    T: 'static,
    F: Fn(u64, &mut Rng) -> T + 'static,
{
    type Item = T;

    fn position(&self) -> Option<Position> {
        Position::of(&(self.epoch, self.next)).ok()
    }

    fn seek(&mut self, position: &Position) -> Result<()> {
        let (epoch, next): (Epoch, u64) = position.decode("a generator")?;
        self.epoch = epoch;
        (_, self.end) = self.share(epoch);
        self.next = next;
        Ok(())
    }

    fn read(&mut self, batch: &mut Batch<T>) -> Result<ReadStatus> {
        if !self.settle() {
            return Ok(ReadStatus::Done);
        }
        // The batch's epoch is a floor (an idle source's batch moves ahead).
        if batch.epoch() < self.epoch {
            if !batch.is_empty() {
                return Ok(ReadStatus::More);
            }
            batch.set_epoch(self.epoch);
        }
        let mut budget = match self.throttle.as_mut().map(Throttle::allowance) {
            None => u64::MAX,
            Some(Ok(allowed)) => allowed,
            Some(Err(_)) if !batch.is_empty() => return Ok(ReadStatus::More),
            Some(Err(pause)) => return Ok(ReadStatus::Wait(pause)),
        };
        let first = self.next;
        while self.next < self.end && budget > 0 && !batch.is_full() {
            let mut rng = Rng::for_record(self.source.seed, self.next);
            batch.push((self.source.f)(self.next, &mut rng));
            self.next += 1;
            budget -= 1;
        }
        if let Some(throttle) = &mut self.throttle {
            throttle.emitted += self.next - first;
        }
        Ok(if self.settle() {
            ReadStatus::More
        } else {
            ReadStatus::Done
        })
    }
}

/// Keeps one worker's output at or below a rate.
struct Throttle {
    per_second: f64,
    started: Option<Instant>,
    emitted: u64,
}

impl Throttle {
    fn new(per_second: f64) -> Self {
        Throttle {
            per_second,
            started: None,
            emitted: 0,
        }
    }

    /// How many records may be emitted now, or how long to wait until the next one may.
    fn allowance(&mut self) -> Result<u64, Duration> {
        let elapsed = self.started.get_or_insert_with(Instant::now).elapsed();
        let due = (elapsed.as_secs_f64() * self.per_second) as u64 + 1;
        if due > self.emitted {
            Ok(due - self.emitted)
        } else {
            let next_due = Duration::from_secs_f64(self.emitted as f64 / self.per_second);
            Err(next_due
                .saturating_sub(elapsed)
                .max(Duration::from_micros(100)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{drain, drain_all, worker};

    /// Record `i` is `(i, a random number)`.
    type Numbers = Generate<(u64, u64), fn(u64, &mut Rng) -> (u64, u64)>;

    fn numbers(count: u64) -> Numbers {
        generate(count, 9, |i, rng| (i, rng.next_u64()))
    }

    /// Every worker's `(epoch, record)` pairs, merged and sorted by index.
    fn union(source: &Numbers, peers: usize) -> Vec<(Epoch, (u64, u64))> {
        let mut all: Vec<_> = drain_all(source, peers)
            .into_iter()
            .flat_map(|d| d.records)
            .collect();
        all.sort_by_key(|&(_, (i, _))| i);
        all
    }

    #[test]
    fn records_do_not_depend_on_the_worker_count() {
        let source = numbers(1000).events_per_epoch(64);
        let one = union(&source, 1);
        assert_eq!(one.len(), 1000);
        assert!(one
            .iter()
            .enumerate()
            .all(|(n, &(epoch, (i, _)))| i == n as u64 && epoch == i / 64));
        for peers in 2..=7 {
            assert_eq!(union(&source, peers), one, "{peers} workers");
        }
    }

    #[test]
    fn each_worker_has_a_contiguous_share_of_each_epoch() {
        let shares = drain_all(&numbers(20).events_per_epoch(10), 2);
        let indices: Vec<Vec<(Epoch, u64)>> = shares
            .into_iter()
            .map(|d| d.records.into_iter().map(|(e, (i, _))| (e, i)).collect())
            .collect();
        assert_eq!(
            indices[0],
            [
                (0, 0),
                (0, 1),
                (0, 2),
                (0, 3),
                (0, 4),
                (1, 10),
                (1, 11),
                (1, 12),
                (1, 13),
                (1, 14)
            ]
        );
        assert_eq!(indices[1][0], (0, 5));
    }

    #[test]
    fn a_read_never_mixes_epochs() {
        let mut reader = numbers(25).events_per_epoch(10).open(worker(0, 1)).unwrap();
        let mut sizes = Vec::new();
        loop {
            let mut batch = Batch::new(0, 1000);
            let status = reader.read(&mut batch).unwrap();
            let epochs: Vec<Epoch> = batch.records.iter().map(|&(i, _)| i / 10).collect();
            assert!(
                epochs.iter().all(|&e| e == batch.epoch()),
                "{epochs:?} in {}",
                batch.epoch()
            );
            sizes.push(batch.records.len());
            if status == ReadStatus::Done {
                break;
            }
        }
        assert_eq!(sizes, [10, 10, 5]);
    }

    #[test]
    fn more_workers_than_records_per_epoch() {
        let source = numbers(23).events_per_epoch(2);
        assert_eq!(union(&source, 5), union(&source, 1));
        let empty = numbers(0);
        assert!(union(&empty, 3).is_empty());
    }

    #[test]
    fn unbounded_keeps_going() {
        let source = generate_unbounded(1, |i, _: &mut Rng| i).events_per_epoch(3);
        let mut reader = source.open(worker(1, 2)).unwrap();
        let mut seen = Vec::new();
        for _ in 0..3 {
            let mut batch = Batch::new(0, 1000);
            assert_eq!(reader.read(&mut batch).unwrap(), ReadStatus::More);
            seen.extend(batch.records.iter().map(|&i| (batch.epoch(), i)));
        }
        // Worker 1 of 2 owns indices 1 and 2 of every 3.
        assert_eq!(seen, [(0, 1), (0, 2), (1, 4), (1, 5), (2, 7), (2, 8)]);
    }

    #[test]
    fn records_go_to_the_batchs_epoch_when_it_moved_ahead() {
        let mut reader = numbers(45).events_per_epoch(10).open(worker(0, 1)).unwrap();
        let mut batch = Batch::new(0, 4);
        assert_eq!(reader.read(&mut batch).unwrap(), ReadStatus::More);
        assert_eq!((batch.epoch(), batch.records.len()), (0, 4));
        // The engine closes epoch 0 (the source was idle): the rest of the generator's epoch 0
        // goes to epoch 3, and so do its epochs 1 and 2; epochs go on from there.
        batch.clear();
        batch.set_epoch(3);
        let mut seen = Vec::new();
        loop {
            let status = reader.read(&mut batch).unwrap();
            seen.extend(batch.records.iter().map(|&(i, _)| (batch.epoch(), i)));
            batch.clear();
            if status == ReadStatus::Done {
                break;
            }
        }
        let expected: Vec<(Epoch, u64)> = (4..45).map(|i| (i.max(30) / 10, i)).collect();
        assert_eq!(seen, expected);
        assert_eq!(
            numbers(10).idle_after(Duration::from_millis(5)).idleness(),
            Some(Duration::from_millis(5))
        );
        assert_eq!(numbers(10).idleness(), None);
    }

    #[test]
    fn rate_limits_output() {
        let started = Instant::now();
        let drained = drain(numbers(30).rate(300.0).open(worker(0, 1)).unwrap());
        assert_eq!(drained.records.len(), 30);
        assert!(
            started.elapsed() >= Duration::from_millis(90),
            "{:?}",
            started.elapsed()
        );
    }
}
