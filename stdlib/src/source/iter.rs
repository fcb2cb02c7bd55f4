//! `from_iter` and `from_shared`: records from Rust values in memory.

use std::iter::{Skip, StepBy};
use std::sync::Arc;

use rill_runtime::{open_each, Batch, ReadStatus, Result, Source, SourceReader, WorkerInfo};

/// Reads the items of `items` at epoch 0; item `i` is read by worker `i % peers`.
///
/// Every worker evaluates the same expression and keeps its own share, so each item is read
/// exactly once overall and the items need not be `Send`.
///
/// ```
/// use rill_runtime::{Batch, ReadStatus, Source, SourceReader, WorkerInfo};
/// use rill_stdlib::source::from_iter;
///
/// let second_of_two = WorkerInfo { index: 1, peers: 2, process: 0, processes: 1 };
/// let mut reader = from_iter(1..=5).open(second_of_two)?;
/// let mut batch = Batch::new(0, 100);
/// assert_eq!(reader.read(&mut batch)?, ReadStatus::Done);
/// assert_eq!(batch.records, [2, 4]);
/// # Ok::<(), rill_runtime::RillError>(())
/// ```
pub fn from_iter<I>(items: I) -> FromIter<I>
where
    I: IntoIterator + 'static,
    I::IntoIter: 'static,
    I::Item: 'static,
{
    FromIter { items }
}

/// The source [`from_iter`] describes.
#[derive(Debug, Clone)]
pub struct FromIter<I> {
    items: I,
}

impl<I> Source for FromIter<I>
where
    I: IntoIterator + 'static,
    I::IntoIter: 'static,
    I::Item: 'static,
{
    type Item = I::Item;
    type Reader = FromIterReader<I::IntoIter>;

    fn open(self, worker: WorkerInfo) -> Result<Self::Reader> {
        let share = self
            .items
            .into_iter()
            .skip(worker.index)
            .step_by(worker.peers.max(1));
        Ok(FromIterReader { share })
    }
}

/// One worker's reader of a [`FromIter`] source.
pub struct FromIterReader<It> {
    share: StepBy<Skip<It>>,
}

impl<It: Iterator + 'static> SourceReader for FromIterReader<It>
where
    It::Item: 'static,
{
    type Item = It::Item;

    fn read(&mut self, batch: &mut Batch<It::Item>) -> Result<ReadStatus> {
        while !batch.is_full() {
            match self.share.next() {
                Some(item) => batch.push(item),
                None => return Ok(ReadStatus::Done),
            }
        }
        Ok(ReadStatus::More)
    }
}

/// Reads the items of a shared slice at epoch 0; item `i` is read by worker `i % peers`, which
/// clones only its own items.
///
/// A job's build function runs on a copy of everything it captures, once per worker; `from_iter`
/// over a captured `Vec` therefore copies the whole `Vec` for every extra worker. An `Arc` is
/// copied by reference: use `from_shared` for large inputs held in memory.
///
/// ```
/// use std::sync::Arc;
/// use rill_runtime::{Batch, ReadStatus, Source, SourceReader, WorkerInfo};
/// use rill_stdlib::source::from_shared;
///
/// let lines: Arc<[String]> = vec!["a".to_string(), "b".into(), "c".into()].into();
/// let second_of_two = WorkerInfo { index: 1, peers: 2, process: 0, processes: 1 };
/// let mut reader = from_shared(lines).open(second_of_two)?;
/// let mut batch = Batch::new(0, 100);
/// assert_eq!(reader.read(&mut batch)?, ReadStatus::Done);
/// assert_eq!(batch.records, ["b"]);
/// # Ok::<(), rill_runtime::RillError>(())
/// ```
pub fn from_shared<T: Clone + 'static>(items: Arc<[T]>) -> FromShared<T> {
    FromShared { items }
}

/// The source [`from_shared`] describes.
#[derive(Debug, Clone)]
pub struct FromShared<T> {
    items: Arc<[T]>,
}

impl<T: Clone + 'static> Source for FromShared<T> {
    type Item = T;
    type Reader = FromSharedReader<T>;

    fn open_shares(self, workers: &[WorkerInfo]) -> Result<Vec<Self::Reader>> {
        open_each(self, workers)
    }

    fn open(self, worker: WorkerInfo) -> Result<Self::Reader> {
        Ok(FromSharedReader {
            items: self.items,
            next: worker.index,
            step: worker.peers.max(1),
        })
    }
}

/// One worker's reader of a [`FromShared`] source.
pub struct FromSharedReader<T> {
    items: Arc<[T]>,
    next: usize,
    step: usize,
}

impl<T: Clone + 'static> SourceReader for FromSharedReader<T> {
    type Item = T;

    fn read(&mut self, batch: &mut Batch<T>) -> Result<ReadStatus> {
        while !batch.is_full() {
            let Some(item) = self.items.get(self.next) else {
                return Ok(ReadStatus::Done);
            };
            batch.push(item.clone());
            self.next += self.step;
        }
        Ok(ReadStatus::More)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{drain_all, drain_with, worker};

    #[test]
    fn items_are_dealt_round_robin() {
        let source = from_iter(vec!["a", "b", "c", "d", "e"]);
        let shares: Vec<Vec<&str>> = drain_all(&source, 3)
            .into_iter()
            .map(|d| d.records.into_iter().map(|(_, r)| r).collect())
            .collect();
        assert_eq!(shares, [vec!["a", "d"], vec!["b", "e"], vec!["c"]]);
    }

    #[test]
    fn more_workers_than_items() {
        let shares = drain_all(&from_iter(0..2), 5);
        let sizes: Vec<usize> = shares.iter().map(|d| d.records.len()).collect();
        assert_eq!(sizes, [1, 1, 0, 0, 0]);
    }

    #[test]
    fn reads_in_batches() {
        let drained = drain_with(from_iter(0..10).open(worker(0, 1)).unwrap(), 3);
        let items: Vec<i32> = drained.records.into_iter().map(|(_, r)| r).collect();
        assert_eq!(items, (0..10).collect::<Vec<_>>());
    }

    #[test]
    fn shared_items_are_dealt_round_robin() {
        let items: Arc<[u32]> = (0..10).collect::<Vec<_>>().into();
        let shares: Vec<Vec<u32>> = drain_all(&from_shared(items), 3)
            .into_iter()
            .map(|d| d.records.into_iter().map(|(_, r)| r).collect())
            .collect();
        assert_eq!(shares, [vec![0, 3, 6, 9], vec![1, 4, 7], vec![2, 5, 8]]);
    }
}
