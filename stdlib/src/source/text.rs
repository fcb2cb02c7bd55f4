//! `text_lines`: a text file, one record per line.

use std::path::{Path, PathBuf};

use rill_runtime::checkpoint::Position;
use rill_runtime::{
    open_each, Batch, ReadStatus, Result, RillError, Source, SourceReader, WorkerInfo,
};

use super::split::{LineSplit, Next};

/// Reads the file at `path` as one `String` per line, without the `\n` or `\r\n`, at epoch 0
/// (or [`TextLines::lines_per_epoch`] lines per epoch).
///
/// Workers split the file by byte range, so each reads a contiguous part of it and every line
/// is read exactly once. A line that is not valid UTF-8 fails the job with an error naming the
/// file and line.
///
/// ```
/// use rill_runtime::{Batch, ReadStatus, Source, SourceReader, WorkerInfo};
/// use rill_stdlib::source::text_lines;
///
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("poem.txt");
/// std::fs::write(&path, "roses are red\r\nviolets are blue")?;
/// let mut reader = text_lines(&path).open(WorkerInfo::SINGLE)?;
/// let mut batch = Batch::new(0, 100);
/// while reader.read(&mut batch)? != ReadStatus::Done {}
/// assert_eq!(batch.records, ["roses are red", "violets are blue"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn text_lines(path: impl AsRef<Path>) -> TextLines {
    TextLines {
        path: path.as_ref().to_path_buf(),
        per_epoch: None,
    }
}

/// The source [`text_lines`] describes.
#[derive(Debug, Clone)]
pub struct TextLines {
    path: PathBuf,
    per_epoch: Option<u64>,
}

impl TextLines {
    /// Makes the file a stream: puts `k` lines in each epoch, line `n` (1-based, counting every
    /// line of the file) in epoch `(n - 1) / k`, so a timed stream's watermark advances as
    /// the file is read and out-of-order lines can be late. Default: every line at epoch 0.
    /// Panics if `k` is 0.
    pub fn lines_per_epoch(self, k: u64) -> Self {
        assert!(k > 0, "lines_per_epoch must be at least 1");
        TextLines {
            per_epoch: Some(k),
            ..self
        }
    }
}

impl Source for TextLines {
    type Item = String;
    type Reader = TextLinesReader;

    fn open_shares(self, workers: &[WorkerInfo]) -> Result<Vec<Self::Reader>> {
        open_each(self, workers)
    }

    fn open(self, worker: WorkerInfo) -> Result<TextLinesReader> {
        Ok(TextLinesReader {
            split: LineSplit::open(&self.path, worker)?.lines_per_epoch(self.per_epoch),
        })
    }
}

/// One worker's reader of a [`TextLines`] source.
pub struct TextLinesReader {
    split: LineSplit,
}

impl SourceReader for TextLinesReader {
    type Item = String;

    fn position(&self) -> Option<Position> {
        self.split.position()
    }

    fn seek(&mut self, position: &Position) -> Result<()> {
        self.split.seek(position)
    }

    fn read(&mut self, batch: &mut Batch<String>) -> Result<ReadStatus> {
        while !batch.is_full() {
            let line = match self.split.next_in(batch)? {
                Next::Line(line) => line,
                Next::LaterEpoch => return Ok(ReadStatus::More),
                Next::End => return Ok(ReadStatus::Done),
            };
            match std::str::from_utf8(line.text) {
                Ok(text) => batch.push(text.to_string()),
                Err(e) => {
                    return Err(RillError::new(format!(
                        "{}:{}: line is not valid UTF-8 ({e})",
                        line.origin, line.number
                    )))
                }
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
    fn reads_lines_in_order_across_workers() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("in.txt");
        let lines: Vec<String> = (0..300).map(|i| format!("line {i}")).collect();
        std::fs::write(&path, lines.join("\n")).unwrap();
        for peers in 1..=4 {
            let all: Vec<String> = drain_all(&text_lines(&path), peers)
                .into_iter()
                .flat_map(|d| d.records)
                .map(|(epoch, line)| {
                    assert_eq!(epoch, 0);
                    line
                })
                .collect();
            assert_eq!(all, lines);
        }
    }

    #[test]
    fn lines_per_epoch_puts_line_n_in_epoch_n_minus_1_over_k() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("in.txt");
        let lines: Vec<String> = (1..=103).map(|n| format!("line {n}")).collect();
        std::fs::write(&path, lines.join("\n") + "\n").unwrap();
        for peers in 1..=4 {
            for limit in [1, 3, 7, 1000] {
                let mut all = Vec::new();
                for w in 0..peers {
                    let reader = text_lines(&path)
                        .lines_per_epoch(10)
                        .open(worker(w, peers))
                        .unwrap();
                    // `drain_with` gives every record its batch's epoch: a batch mixing epochs
                    // would show up as a wrong epoch here.
                    all.extend(drain_with(reader, limit).records);
                }
                let expected: Vec<(u64, String)> = lines
                    .iter()
                    .enumerate()
                    .map(|(i, line)| (i as u64 / 10, line.clone()))
                    .collect();
                assert_eq!(all, expected, "{peers} workers, batches of {limit}");
            }
        }
    }

    #[test]
    fn default_is_one_epoch() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("in.txt");
        std::fs::write(&path, "a\nb\nc\n").unwrap();
        let drained = drain_with(text_lines(&path).open(worker(0, 1)).unwrap(), 1);
        assert!(drained.records.iter().all(|(epoch, _)| *epoch == 0));
        let drained = drain_with(
            text_lines(&path)
                .lines_per_epoch(1)
                .open(worker(0, 1))
                .unwrap(),
            10,
        );
        let epochs: Vec<u64> = drained.records.iter().map(|(e, _)| *e).collect();
        assert_eq!(epochs, [0, 1, 2]);
    }

    #[test]
    #[should_panic(expected = "lines_per_epoch must be at least 1")]
    fn zero_lines_per_epoch_is_refused() {
        let _ = text_lines("x").lines_per_epoch(0);
    }

    #[test]
    fn small_batches_are_filled_to_their_limit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("in.txt");
        std::fs::write(&path, "a\nb\nc\nd\ne\n").unwrap();
        let drained = drain_with(text_lines(&path).open(worker(0, 1)).unwrap(), 2);
        let lines: Vec<_> = drained.records.into_iter().map(|(_, l)| l).collect();
        assert_eq!(lines, ["a", "b", "c", "d", "e"]);
    }

    #[test]
    fn invalid_utf8_names_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.txt");
        std::fs::write(&path, b"fine\nalso fine\nbad \xff byte\n").unwrap();
        let mut reader = text_lines(&path).open(worker(0, 1)).unwrap();
        let error = reader.read(&mut Batch::new(0, 100)).err().unwrap();
        let expected = format!("{}:3: line is not valid UTF-8", path.display());
        assert!(error.message().starts_with(&expected), "{error}");
    }

    #[test]
    fn missing_file_is_an_error_at_open() {
        let error = text_lines("/no/such/input.txt")
            .open(worker(0, 1))
            .err()
            .unwrap();
        assert_eq!(
            error.message(),
            "cannot open input `/no/such/input.txt`: No such file or directory"
        );
    }
}
