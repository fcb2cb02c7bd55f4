//! `collect`: records gathered into a shared vector, for in-process runs and tests.

use std::collections::HashMap;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use rill_runtime::{Epoch, Placement, Result, Sink, SinkWriter, WorkerInfo};

/// A shared vector that [`collect`] sinks append to; clones share the same vector.
///
/// ```
/// use rill_runtime::{Sink, SinkWriter, WorkerInfo};
/// use rill_stdlib::sink::{collect, Collector};
///
/// let results = Collector::new();
/// let mut writer = collect(&results).open(WorkerInfo::SINGLE)?;
/// writer.write(0, &mut vec![3, 1, 2])?;
/// assert_eq!(results.len(), 3);
/// assert_eq!(results.sorted(), [1, 2, 3]);
/// assert!(results.is_empty());
/// # Ok::<(), rill_runtime::RillError>(())
/// ```
///
/// The collector also learns which epochs are complete, so that a program feeding a running job
/// (see [`InputHandle`](crate::source::InputHandle)) can wait for the results of an epoch with
/// [`Collector::wait_for_epoch`] and take them.
#[derive(Debug)]
pub struct Collector<T> {
    records: Arc<Mutex<Vec<T>>>,
    progress: Arc<Progress>,
}

/// What the writers of a collector have reported, and a condition variable to wait for it.
#[derive(Debug, Default)]
struct Progress {
    writers: Mutex<Writers>,
    changed: Condvar,
}

/// The writers of a collector: those open, with the latest epoch each completed, and the number
/// that have finished (or were dropped with a failed job).
#[derive(Debug, Default)]
struct Writers {
    open: HashMap<u64, Option<Epoch>>,
    next_id: u64,
    ended: usize,
}

impl Progress {
    fn lock(&self) -> MutexGuard<'_, Writers> {
        self.writers
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Changes what `writers` knows with `change`, and wakes those waiting.
    fn report(&self, change: impl FnOnce(&mut Writers)) {
        change(&mut self.lock());
        self.changed.notify_all();
    }
}

impl<T> Clone for Collector<T> {
    fn clone(&self) -> Self {
        Collector {
            records: Arc::clone(&self.records),
            progress: Arc::clone(&self.progress),
        }
    }
}

impl<T> Default for Collector<T> {
    fn default() -> Self {
        Collector {
            records: Arc::default(),
            progress: Arc::default(),
        }
    }
}

impl<T> Collector<T> {
    /// An empty collector.
    pub fn new() -> Self {
        Self::default()
    }

    /// Takes the records collected so far, in arrival order, leaving the collector empty.
    pub fn take(&self) -> Vec<T> {
        std::mem::take(&mut *self.lock())
    }

    /// Takes the records collected so far, sorted, leaving the collector empty.
    pub fn sorted(&self) -> Vec<T>
    where
        T: Ord,
    {
        let mut records = self.take();
        records.sort();
        records
    }

    /// The number of records collected so far.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether no record has been collected (or all were taken).
    pub fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }

    /// Blocks until every writer of this process has completed `epoch` — its records of `epoch`
    /// and of the epochs before are all collected — or has finished (the job ended, or failed).
    ///
    /// A job that runs in the background ([`Job::spawn`](rill_runtime::Job::spawn)) fed by an
    /// [`InputHandle`](crate::source::InputHandle) can then be driven in lockstep: make the
    /// updates of an epoch, [`advance`](crate::source::InputHandle::advance), wait for the
    /// epoch, and [`take`](Collector::take) exactly the records it produced. Waits until the job
    /// has opened its writers, so it never returns if the job fails before building its
    /// dataflow; returns at once if the job has finished.
    pub fn wait_for_epoch(&self, epoch: Epoch) {
        let mut writers = self.progress.lock();
        // All of a process's workers build their dataflow (opening their writers) before any
        // epoch can complete, so once one writer has opened, waiting for those open suffices.
        while (writers.open.is_empty() && writers.ended == 0)
            || writers
                .open
                .values()
                .any(|done| done.is_none_or(|done| done < epoch))
        {
            writers = self
                .progress
                .changed
                .wait(writers)
                .unwrap_or_else(|poisoned| poisoned.into_inner());
        }
    }

    fn lock(&self) -> MutexGuard<'_, Vec<T>> {
        self.records
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Appends the records every worker holds to `collector`.
pub fn collect<T>(collector: &Collector<T>) -> Collect<T> {
    Collect {
        collector: collector.clone(),
    }
}

/// The sink [`collect`] describes.
#[derive(Debug, Clone)]
pub struct Collect<T> {
    collector: Collector<T>,
}

impl<T: 'static> Sink<T> for Collect<T> {
    type Writer = CollectWriter<T>;

    fn placement(&self) -> Placement {
        Placement::EachWorker
    }

    fn open(self, _worker: WorkerInfo) -> Result<CollectWriter<T>> {
        let mut id = 0;
        self.collector.progress.report(|writers| {
            id = writers.next_id;
            writers.next_id += 1;
            writers.open.insert(id, None);
        });
        Ok(CollectWriter {
            collector: self.collector,
            id,
        })
    }
}

/// One worker's writer of a [`Collect`] sink: appends records and reports finished epochs.
#[derive(Debug)]
pub struct CollectWriter<T> {
    collector: Collector<T>,
    /// Its number among the collector's writers.
    id: u64,
}

impl<T> CollectWriter<T> {
    /// Reports that this writer will write no more.
    fn end(&mut self) {
        let id = self.id;
        self.collector.progress.report(|writers| {
            if writers.open.remove(&id).is_some() {
                writers.ended += 1;
            }
        });
    }
}

impl<T: 'static> SinkWriter<T> for CollectWriter<T> {
    fn write(&mut self, _epoch: Epoch, records: &mut Vec<T>) -> Result<()> {
        self.collector.lock().append(records);
        Ok(())
    }

    fn epoch_done(&mut self, epoch: Epoch) -> Result<()> {
        let id = self.id;
        self.collector.progress.report(|writers| {
            if let Some(done) = writers.open.get_mut(&id) {
                *done = Some(epoch);
            }
        });
        Ok(())
    }

    fn finish(&mut self) -> Result<()> {
        self.end();
        Ok(())
    }
}

impl<T> Drop for CollectWriter<T> {
    /// A writer dropped unfinished (its job failed) writes no more either.
    fn drop(&mut self) {
        self.end();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workers_append_to_one_vector() {
        let collector = Collector::new();
        assert_eq!(collect(&collector).placement(), Placement::EachWorker);
        let mut first = collect(&collector).open(WorkerInfo::SINGLE).unwrap();
        let mut second = collect(&collector).open(WorkerInfo::SINGLE).unwrap();
        first.write(0, &mut vec!["b", "a"]).unwrap();
        second.write(0, &mut vec!["c"]).unwrap();
        first.finish().unwrap();
        assert_eq!(collector.take(), ["b", "a", "c"]);
        assert!(collector.is_empty());
    }

    #[test]
    fn waits_for_every_open_writer_to_complete_the_epoch() {
        let collector = Collector::new();
        let waiter = {
            let collector = collector.clone();
            std::thread::spawn(move || {
                collector.wait_for_epoch(2);
                collector.sorted()
            })
        };
        let mut first = collect(&collector).open(WorkerInfo::SINGLE).unwrap();
        let mut second = collect(&collector).open(WorkerInfo::SINGLE).unwrap();
        first.write(1, &mut vec![1]).unwrap();
        first.epoch_done(2).unwrap();
        second.write(2, &mut vec![2]).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        assert!(
            !waiter.is_finished(),
            "one writer has not completed epoch 2"
        );
        second.epoch_done(1).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        assert!(
            !waiter.is_finished(),
            "one writer has completed only epoch 1"
        );
        second.epoch_done(3).unwrap();
        assert_eq!(waiter.join().unwrap(), [1, 2]);
    }

    #[test]
    fn finished_and_dropped_writers_wait_no_more() {
        let collector = Collector::<u8>::new();
        let mut finished = collect(&collector).open(WorkerInfo::SINGLE).unwrap();
        let dropped = collect(&collector).open(WorkerInfo::SINGLE).unwrap();
        finished.finish().unwrap();
        drop(finished);
        drop(dropped);
        collector.wait_for_epoch(7);
    }
}
