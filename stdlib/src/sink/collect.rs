//! `collect`: records gathered into a shared vector, for in-process runs and tests.

use std::sync::{Arc, Mutex, MutexGuard};

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
#[derive(Debug)]
pub struct Collector<T> {
    records: Arc<Mutex<Vec<T>>>,
}

impl<T> Clone for Collector<T> {
    fn clone(&self) -> Self {
        Collector {
            records: Arc::clone(&self.records),
        }
    }
}

impl<T> Default for Collector<T> {
    fn default() -> Self {
        Collector {
            records: Arc::default(),
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

/// The sink [`collect`] describes, and its writer.
#[derive(Debug, Clone)]
pub struct Collect<T> {
    collector: Collector<T>,
}

impl<T: 'static> Sink<T> for Collect<T> {
    type Writer = Collect<T>;

    fn placement(&self) -> Placement {
        Placement::EachWorker
    }

    fn open(self, _worker: WorkerInfo) -> Result<Collect<T>> {
        Ok(self)
    }
}

impl<T: 'static> SinkWriter<T> for Collect<T> {
    fn write(&mut self, _epoch: Epoch, records: &mut Vec<T>) -> Result<()> {
        self.collector.lock().append(records);
        Ok(())
    }

    fn epoch_done(&mut self, _epoch: Epoch) -> Result<()> {
        Ok(())
    }

    fn finish(&mut self) -> Result<()> {
        Ok(())
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
}
