//! `text_lines`: a text file, one record per line.

use std::path::{Path, PathBuf};

use rill_runtime::{Batch, ReadStatus, Result, RillError, Source, SourceReader, WorkerInfo};

use super::split::LineSplit;

/// Reads the file at `path` as one `String` per line, without the `\n` or `\r\n`, at epoch 0.
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
    }
}

/// The source [`text_lines`] describes.
#[derive(Debug, Clone)]
pub struct TextLines {
    path: PathBuf,
}

impl Source for TextLines {
    type Item = String;
    type Reader = TextLinesReader;

    fn open(self, worker: WorkerInfo) -> Result<TextLinesReader> {
        Ok(TextLinesReader {
            split: LineSplit::open(&self.path, worker)?,
        })
    }
}

/// One worker's reader of a [`TextLines`] source.
pub struct TextLinesReader {
    split: LineSplit,
}

impl SourceReader for TextLinesReader {
    type Item = String;

    fn read(&mut self, batch: &mut Batch<String>) -> Result<ReadStatus> {
        while !batch.is_full() {
            let Some(line) = self.split.next_line()? else {
                return Ok(ReadStatus::Done);
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
