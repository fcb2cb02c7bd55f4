//! `InputHandle`: updates that a program feeds into a running job, epoch by epoch.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use rill_runtime::{Batch, Epoch, ReadStatus, Result, Source, SourceReader, Waker, WorkerInfo};

/// How long an idle reader first waits before it looks at the queue again; the wait doubles
/// while the queue stays empty, up to [`LONGEST_PAUSE`].
const SHORTEST_PAUSE: Duration = Duration::from_micros(50);
/// The longest an idle reader waits, which bounds how late it notices new updates or epochs.
const LONGEST_PAUSE: Duration = Duration::from_millis(5);
/// The longest an idle reader waits when the handle wakes it (on `advance`, `close`, and the
/// first update after the readers emptied the queue): only a safety net.
const LONGEST_PAUSE_WOKEN: Duration = Duration::from_millis(100);

/// A source the program feeds while the job runs: `(record, diff)` updates to a collection,
/// epoch by epoch. Pipe it into `from_changes()`.
///
/// The handle starts at epoch 0. [`insert`](InputHandle::insert),
/// [`retract`](InputHandle::retract) and [`update`](InputHandle::update) add updates at the
/// open epoch; [`advance`](InputHandle::advance) closes it, so that the job can complete it,
/// and opens the next; [`close`](InputHandle::close) ends the input, and the job finishes once
/// it has processed everything. Clones share one queue: keep one to feed the job, and give
/// another to `source(...)`.
///
/// Every worker of the process reads from the same queue, each taking some of the updates. A
/// reader's epochs never go back: it emits the updates at the front of the queue at their epoch,
/// and when the queue is empty it moves to the open epoch, which lets the job complete the
/// epochs before it.
///
/// In a run of several processes each process builds the job with a handle of its own: feed
/// each update in one process only (e.g. the one whose `--process` is 0), but advance and close
/// the handle in every process, or the job waits for them forever.
///
/// ```
/// use rill_runtime::{Batch, ReadStatus, Source, SourceReader, WorkerInfo};
/// use rill_stdlib::source::InputHandle;
///
/// let input = InputHandle::new();
/// let mut reader = input.clone().open(WorkerInfo::SINGLE)?;
/// input.insert("apple");
/// input.update("pear", 2);
/// assert_eq!(input.advance(), 1);
/// input.retract("apple");
/// input.close();
/// let mut batch = Batch::new(0, 100);
/// assert_eq!(reader.read(&mut batch)?, ReadStatus::More);
/// assert_eq!((batch.epoch(), &batch.records[..]), (0, &[("apple", 1), ("pear", 2)][..]));
/// batch.clear();
/// assert_eq!(reader.read(&mut batch)?, ReadStatus::More);
/// assert_eq!((batch.epoch(), &batch.records[..]), (1, &[("apple", -1)][..]));
/// batch.clear();
/// assert_eq!(reader.read(&mut batch)?, ReadStatus::Done);
/// # Ok::<(), rill_runtime::RillError>(())
/// ```
pub struct InputHandle<T> {
    shared: Arc<Mutex<Queue<T>>>,
}

/// The updates not read yet and the state of the input.
struct Queue<T> {
    /// Updates in the order they were made, with their epochs (which never decrease).
    updates: VecDeque<(Epoch, (T, isize))>,
    /// The open epoch: where new updates go.
    epoch: Epoch,
    closed: bool,
    /// The readers' operators, woken when there is something new to read.
    wakers: Vec<Waker>,
}

impl<T> Queue<T> {
    /// Wakes the readers' operators (dropping those of jobs that have ended).
    fn wake(&mut self) {
        self.wakers.retain(Waker::wake);
    }
}

impl<T> Clone for InputHandle<T> {
    fn clone(&self) -> Self {
        InputHandle {
            shared: Arc::clone(&self.shared),
        }
    }
}

impl<T> Default for InputHandle<T> {
    fn default() -> Self {
        InputHandle {
            shared: Arc::new(Mutex::new(Queue {
                updates: VecDeque::new(),
                epoch: 0,
                closed: false,
                wakers: Vec::new(),
            })),
        }
    }
}

impl<T> InputHandle<T> {
    /// An open input at epoch 0, with no updates.
    pub fn new() -> Self {
        Self::default()
    }

    /// Inserts one copy of `record` at the open epoch. Panics if the input is closed.
    pub fn insert(&self, record: T) {
        self.update(record, 1);
    }

    /// Retracts one copy of `record` at the open epoch. Panics if the input is closed.
    pub fn retract(&self, record: T) {
        self.update(record, -1);
    }

    /// Inserts (`diff > 0`) or retracts (`diff < 0`) `|diff|` copies of `record` at the open
    /// epoch; a `diff` of 0 changes nothing. Panics if the input is closed.
    pub fn update(&self, record: T, diff: isize) {
        let mut queue = self.lock();
        assert!(!queue.closed, "InputHandle: an update after `close()`");
        if diff != 0 {
            let epoch = queue.epoch;
            queue.updates.push_back((epoch, (record, diff)));
            if queue.updates.len() == 1 {
                queue.wake();
            }
        }
    }

    /// Closes the open epoch: no update will be added to it, so the job can complete it.
    /// Returns the new open epoch, the one after. Panics if the input is closed.
    pub fn advance(&self) -> Epoch {
        let mut queue = self.lock();
        assert!(!queue.closed, "InputHandle: `advance()` after `close()`");
        queue.epoch += 1;
        queue.wake();
        queue.epoch
    }

    /// Ends the input: the job finishes once it has processed the updates made so far.
    pub fn close(&self) {
        let mut queue = self.lock();
        queue.closed = true;
        queue.wake();
    }

    fn lock(&self) -> MutexGuard<'_, Queue<T>> {
        self.shared
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl<T: Send + 'static> Source for InputHandle<T> {
    type Item = (T, isize);
    type Reader = InputReader<T>;

    fn open(self, _worker: WorkerInfo) -> Result<InputReader<T>> {
        Ok(InputReader {
            handle: self,
            pause: SHORTEST_PAUSE,
            longest_pause: LONGEST_PAUSE,
        })
    }
}

/// One worker's reader of an [`InputHandle`].
pub struct InputReader<T> {
    handle: InputHandle<T>,
    /// How long to wait if the queue is empty.
    pause: Duration,
    /// How long the wait may grow: longer once the handle wakes the reader.
    longest_pause: Duration,
}

impl<T: Send + 'static> SourceReader for InputReader<T> {
    type Item = (T, isize);

    fn wake_with(&mut self, waker: Waker) {
        self.handle.lock().wakers.push(waker);
        self.longest_pause = LONGEST_PAUSE_WOKEN;
    }

    fn read(&mut self, batch: &mut Batch<(T, isize)>) -> Result<ReadStatus> {
        let mut queue = self.handle.lock();
        let Some(&(epoch, _)) = queue.updates.front() else {
            if queue.closed {
                return Ok(ReadStatus::Done);
            }
            if batch.is_empty() && batch.epoch() < queue.epoch {
                batch.set_epoch(queue.epoch);
            }
            let pause = self.pause;
            self.pause = (pause * 2).min(self.longest_pause);
            return Ok(ReadStatus::Wait(pause));
        };
        self.pause = SHORTEST_PAUSE;
        if epoch != batch.epoch() {
            if !batch.is_empty() {
                return Ok(ReadStatus::More);
            }
            batch.set_epoch(epoch);
        }
        while !batch.is_full() && queue.updates.front().is_some_and(|(e, _)| *e == epoch) {
            if let Some((_, update)) = queue.updates.pop_front() {
                batch.push(update);
            }
        }
        Ok(ReadStatus::More)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{drain_with, worker};

    #[test]
    fn an_idle_reader_waits_at_the_open_epoch() {
        let input = InputHandle::<u32>::new();
        let mut reader = input.clone().open(worker(0, 1)).unwrap();
        let mut batch = Batch::new(0, 10);
        assert!(matches!(reader.read(&mut batch), Ok(ReadStatus::Wait(_))));
        assert_eq!(batch.epoch(), 0);
        input.advance();
        assert_eq!(input.advance(), 2);
        assert!(matches!(reader.read(&mut batch), Ok(ReadStatus::Wait(_))));
        assert_eq!(batch.epoch(), 2);
        input.update(7, 0);
        input.update(7, -3);
        input.close();
        assert_eq!(reader.read(&mut batch).unwrap(), ReadStatus::More);
        assert_eq!((batch.epoch(), &batch.records[..]), (2, &[(7, -3)][..]));
        batch.clear();
        assert_eq!(reader.read(&mut batch).unwrap(), ReadStatus::Done);
    }

    #[test]
    fn waits_grow_while_idle_and_shrink_after_updates() {
        let input = InputHandle::<u32>::new();
        let mut reader = input.clone().open(worker(0, 1)).unwrap();
        let mut batch = Batch::new(0, 10);
        let waits: Vec<ReadStatus> = (0..10).map(|_| reader.read(&mut batch).unwrap()).collect();
        assert_eq!(waits[0], ReadStatus::Wait(SHORTEST_PAUSE));
        assert_eq!(waits[1], ReadStatus::Wait(SHORTEST_PAUSE * 2));
        assert_eq!(waits[9], ReadStatus::Wait(LONGEST_PAUSE));
        input.insert(1);
        assert_eq!(reader.read(&mut batch).unwrap(), ReadStatus::More);
        batch.clear();
        assert_eq!(
            reader.read(&mut batch).unwrap(),
            ReadStatus::Wait(SHORTEST_PAUSE)
        );
    }

    #[test]
    fn a_batch_holds_one_epoch_and_at_most_its_limit() {
        let input = InputHandle::new();
        for epoch in 0..3 {
            for i in 0..5 {
                input.insert(epoch * 10 + i);
            }
            input.advance();
        }
        input.close();
        let drained = drain_with(input.open(worker(0, 1)).unwrap(), 2);
        let expected: Vec<(Epoch, (u64, isize))> = (0..3)
            .flat_map(|epoch| (0..5).map(move |i| (epoch, (epoch * 10 + i, 1))))
            .collect();
        assert_eq!(drained.records, expected);
    }

    #[test]
    #[should_panic(expected = "InputHandle: an update after `close()`")]
    fn updates_after_close_are_refused() {
        let input = InputHandle::new();
        input.close();
        input.insert(1);
    }

    #[test]
    fn concurrent_readers_share_the_updates_and_never_go_back() {
        let input = InputHandle::new();
        let readers: Vec<_> = (0..4)
            .map(|w| {
                let reader = input.clone().open(worker(w, 4)).unwrap();
                std::thread::spawn(move || drain_with(reader, 3).records)
            })
            .collect();
        let mut expected = Vec::new();
        for epoch in 0..50u64 {
            for i in 0..epoch % 7 {
                input.insert((epoch, i));
                expected.push((epoch, ((epoch, i), 1)));
            }
            if epoch % 5 == 0 {
                std::thread::sleep(Duration::from_millis(1));
            }
            assert_eq!(input.advance(), epoch + 1);
        }
        input.close();
        let mut all = Vec::new();
        for reader in readers {
            let records = reader.join().unwrap();
            assert!(records.windows(2).all(|pair| pair[0].0 <= pair[1].0));
            assert!(records.iter().all(|&(epoch, ((of, _), _))| epoch == of));
            all.extend(records);
        }
        all.sort();
        assert_eq!(all, expected);
    }
}
