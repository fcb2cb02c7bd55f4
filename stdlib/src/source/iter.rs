//! `from_iter`: records from any Rust iterator.

use std::iter::{Skip, StepBy};

use rill_runtime::{Batch, ReadStatus, Result, Source, SourceReader, WorkerInfo};

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
}
