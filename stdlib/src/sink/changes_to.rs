//! `changes_to`: a collection's changes as `+ record` / `- record` lines, epoch after epoch.

use std::collections::BTreeMap;
use std::fmt::Display;
use std::path::{Path, PathBuf};

use rill_runtime::{Change, Epoch, Placement, Result, Sink, SinkWriter, WorkerInfo};

use super::encode::TextEncoding;
use super::file_or_stdout;
use super::FileOrStdout;

/// Writes the changes of a collection (`collection -> changes()`), gathered on worker 0, as
/// lines: to the file at `path` if there is one, else to standard output.
///
/// Each change is a line `+ record` (inserted) or `- record` (retracted), the record in its
/// `Display` form; a change of several copies shows the count, `+2 record`. The changes of an
/// epoch (their [`Change::epoch`]) are written once the epoch is complete, under a line
/// `# epoch N`, sorted; epochs come in order, and an epoch that changed nothing writes nothing.
/// Replaying the lines epoch by epoch rebuilds the collection as it was after each epoch.
///
/// In a job that takes checkpoints, writing to a file is exactly-once (see
/// [`FileWriter`](super::FileWriter)); standard output is at-least-once.
///
/// ```
/// use rill_runtime::{Change, Sink, SinkWriter, WorkerInfo};
/// use rill_stdlib::sink::changes_to;
///
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("changes.txt");
/// let change = |data, epoch, diff| Change { data, epoch, diff };
/// let mut writer = Sink::<Change<&str>>::open(changes_to(Some(&path)), WorkerInfo::SINGLE)?;
/// writer.write(1, &mut vec![change("b", 1, 1)])?;
/// writer.write(0, &mut vec![change("b", 0, 2), change("a", 0, 1)])?;
/// writer.epoch_done(0)?;
/// writer.write(1, &mut vec![change("a", 1, -1)])?;
/// writer.finish()?;
/// assert_eq!(
///     std::fs::read_to_string(&path)?,
///     "# epoch 0\n+ a\n+2 b\n# epoch 1\n- a\n+ b\n"
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn changes_to<P: AsRef<Path>>(path: Option<P>) -> ChangesTo {
    ChangesTo {
        path: path.map(|p| p.as_ref().to_path_buf()),
    }
}

/// The sink [`changes_to`] describes.
#[derive(Debug, Clone)]
pub struct ChangesTo {
    path: Option<PathBuf>,
}

impl<T: Display + Ord + 'static> Sink<Change<T>> for ChangesTo {
    type Writer = ChangesWriter<T>;

    fn placement(&self) -> Placement {
        Placement::Gathered
    }

    fn open(self, _worker: WorkerInfo) -> Result<ChangesWriter<T>> {
        Ok(ChangesWriter {
            out: file_or_stdout(self.path.as_deref(), TextEncoding)?,
            pending: BTreeMap::new(),
        })
    }
}

/// The writer of a [`changes_to`] sink: holds each epoch's changes until the epoch is complete.
pub struct ChangesWriter<T> {
    out: FileOrStdout<TextEncoding>,
    /// The changes of epochs not complete yet.
    pending: BTreeMap<Epoch, Vec<Change<T>>>,
}

impl<T: Display + Ord> ChangesWriter<T> {
    /// Writes the changes of the epochs up to `last` (all if `None`), in order.
    fn write_through(&mut self, last: Option<Epoch>) -> Result<()> {
        while let Some(entry) = self.pending.first_entry() {
            if last.is_some_and(|last| *entry.key() > last) {
                break;
            }
            let (epoch, mut changes) = entry.remove_entry();
            changes.sort();
            let header = format!("# epoch {epoch}");
            SinkWriter::<String>::write(&mut self.out, epoch, &mut vec![header])?;
            SinkWriter::<Change<T>>::write(&mut self.out, epoch, &mut changes)?;
        }
        Ok(())
    }
}

impl<T: Display + Ord + 'static> SinkWriter<Change<T>> for ChangesWriter<T> {
    /// Holds the changes by their own epoch, which may be later than the epoch they travel at.
    fn write(&mut self, _epoch: Epoch, records: &mut Vec<Change<T>>) -> Result<()> {
        for change in records.drain(..) {
            self.pending.entry(change.epoch).or_default().push(change);
        }
        Ok(())
    }

    fn epoch_done(&mut self, epoch: Epoch) -> Result<()> {
        self.write_through(Some(epoch))?;
        SinkWriter::<Change<T>>::epoch_done(&mut self.out, epoch)
    }

    fn finish(&mut self) -> Result<()> {
        self.write_through(None)?;
        SinkWriter::<Change<T>>::finish(&mut self.out)
    }

    /// Commits what the engine wrote: it ends every group with `epoch_done`, so nothing of a
    /// committed epoch is still pending.
    fn commit(&mut self, id: Epoch) -> Result<()> {
        SinkWriter::<Change<T>>::commit(&mut self.out, id)
    }

    fn recover(&mut self, restored: Epoch) -> Result<Option<Epoch>> {
        SinkWriter::<Change<T>>::recover(&mut self.out, restored)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(data: u32, epoch: Epoch, diff: isize) -> Change<u32> {
        Change { data, epoch, diff }
    }

    #[test]
    fn epochs_are_written_in_order_once_complete() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        let sink = changes_to(Some(&path));
        assert_eq!(Sink::<Change<u32>>::placement(&sink), Placement::Gathered);
        let mut writer = Sink::<Change<u32>>::open(sink, WorkerInfo::SINGLE).unwrap();
        writer
            .write(
                1,
                &mut vec![change(9, 3, -1), change(1, 3, 1), change(9, 1, 1)],
            )
            .unwrap();
        writer.epoch_done(0).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "");
        writer.epoch_done(2).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "# epoch 1\n+ 9\n");
        writer.write(4, &mut vec![change(5, 4, 3)]).unwrap();
        writer.finish().unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "# epoch 1\n+ 9\n# epoch 3\n+ 1\n- 9\n# epoch 4\n+3 5\n"
        );
    }

    #[test]
    fn no_path_writes_to_stdout() {
        let mut writer =
            Sink::<Change<u32>>::open(changes_to(None::<&Path>), WorkerInfo::SINGLE).unwrap();
        writer.write(0, &mut vec![change(1, 0, 1)]).unwrap();
        writer.finish().unwrap();
    }
}
