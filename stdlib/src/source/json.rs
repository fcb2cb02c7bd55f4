//! `json_lines`: a file of JSON values, one per line, decoded with serde.

use std::marker::PhantomData;
use std::path::{Path, PathBuf};

use rill_runtime::checkpoint::Position;
use rill_runtime::{open_each, Batch, ReadStatus, Result, Source, SourceReader, WorkerInfo};
use serde::de::DeserializeOwned;

use super::split::LineSplit;

/// Reads the file at `path` as one JSON value per line (JSON Lines), decoding each into a `T`
/// with serde, at epoch 0 (or [`JsonLines::lines_per_epoch`] lines per epoch). Blank lines are
/// skipped.
///
/// Workers split the file by byte range, as in [`text_lines`](super::text_lines). A line that
/// does not decode becomes a [`BadRecord`] whose problem is serde_json's message with the
/// column, e.g. `invalid type: string "x", expected u64 at column 12`.
///
/// ```
/// use rill_runtime::{Batch, ReadStatus, Source, SourceReader, WorkerInfo};
/// use rill_stdlib::source::json_lines;
///
/// #[derive(serde::Deserialize, Debug, PartialEq)]
/// struct Click { user: u64, page: String }
///
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("clicks.jsonl");
/// std::fs::write(&path, "{\"user\": 7, \"page\": \"/\"}\n\n{\"user\": \"x\"}\n")?;
/// let mut reader = json_lines::<Click>(&path).open(WorkerInfo::SINGLE)?;
/// let mut batch = Batch::new(0, 100);
/// while reader.read(&mut batch)? != ReadStatus::Done {}
/// assert_eq!(batch.records, [Click { user: 7, page: "/".into() }]);
/// assert_eq!(batch.bad[0].line, 3);
/// assert_eq!(batch.bad[0].problem, "invalid type: string \"x\", expected u64 at column 12");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn json_lines<T: DeserializeOwned + 'static>(path: impl AsRef<Path>) -> JsonLines<T> {
    JsonLines {
        path: path.as_ref().to_path_buf(),
        per_epoch: None,
        record: PhantomData,
    }
}

/// The source [`json_lines`] describes.
#[derive(Debug)]
pub struct JsonLines<T> {
    path: PathBuf,
    per_epoch: Option<u64>,
    record: PhantomData<fn() -> T>,
}

impl<T> JsonLines<T> {
    /// Makes the file a stream: puts `k` lines in each epoch, line `n` (1-based, counting every
    /// line of the file, blank ones included) in epoch `(n - 1) / k`, so a timed stream's watermark advances as
    /// the file is read and out-of-order lines can be late. Default: every line at epoch 0.
    /// Panics if `k` is 0.
    pub fn lines_per_epoch(self, k: u64) -> Self {
        assert!(k > 0, "lines_per_epoch must be at least 1");
        JsonLines {
            per_epoch: Some(k),
            ..self
        }
    }
}

impl<T> Clone for JsonLines<T> {
    fn clone(&self) -> Self {
        JsonLines {
            path: self.path.clone(),
            per_epoch: self.per_epoch,
            record: PhantomData,
        }
    }
}

impl<T: DeserializeOwned + 'static> Source for JsonLines<T> {
    type Item = T;
    type Reader = JsonLinesReader<T>;

    fn open_shares(self, workers: &[WorkerInfo]) -> Result<Vec<Self::Reader>> {
        open_each(self, workers)
    }

    fn open(self, worker: WorkerInfo) -> Result<JsonLinesReader<T>> {
        Ok(JsonLinesReader {
            split: LineSplit::open(&self.path, worker)?.lines_per_epoch(self.per_epoch),
            record: PhantomData,
        })
    }
}

/// One worker's reader of a [`JsonLines`] source.
pub struct JsonLinesReader<T> {
    split: LineSplit,
    record: PhantomData<fn() -> T>,
}

impl<T: DeserializeOwned + 'static> SourceReader for JsonLinesReader<T> {
    type Item = T;

    fn position(&self) -> Option<Position> {
        self.split.position()
    }

    fn seek(&mut self, position: &Position) -> Result<()> {
        self.split.seek(position)
    }

    fn read(&mut self, batch: &mut Batch<T>) -> Result<ReadStatus> {
        self.split.decode_into(batch, |line| {
            if line.text.iter().all(u8::is_ascii_whitespace) {
                return None;
            }
            Some(serde_json::from_slice::<T>(line.text).map_err(|error| problem(&error)))
        })
    }
}

/// serde_json's message with only the column: the line is the record's own, not serde_json's 1.
fn problem(error: &serde_json::Error) -> String {
    let message = error.to_string();
    let position = format!(" at line {} column {}", error.line(), error.column());
    match message.strip_suffix(&position) {
        Some(what) => format!("{what} at column {}", error.column()),
        None => message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{drain_all, worker};
    use rill_runtime::BadRecord;
    use serde::Deserialize;

    #[derive(Debug, Clone, PartialEq, Deserialize)]
    struct Event {
        id: u64,
        name: String,
    }

    #[test]
    fn decodes_values_and_reports_bad_lines() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("events.jsonl");
        let content = "{\"id\": 1, \"name\": \"a\"}\r\n   \n{\"id\": \"two\", \"name\": \"b\"}\n{\"id\": 3\n{\"id\": 4, \"name\": \"d\"}";
        std::fs::write(&path, content).unwrap();
        let mut drained = drain_all(&json_lines::<Event>(&path), 1).pop().unwrap();
        let ids: Vec<u64> = drained.records.iter().map(|(_, e)| e.id).collect();
        assert_eq!(ids, [1, 4]);
        let origin = path.display().to_string();
        assert_eq!(
            drained.bad.remove(0),
            BadRecord {
                origin: origin.clone(),
                line: 3,
                problem: "invalid type: string \"two\", expected u64 at column 12".into(),
                text: "{\"id\": \"two\", \"name\": \"b\"}".into(),
            }
        );
        assert_eq!(drained.bad[0].line, 4);
        assert_eq!(
            drained.bad[0].problem,
            "EOF while parsing an object at column 8"
        );
    }

    #[test]
    fn split_among_workers_keeps_every_line_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("events.jsonl");
        let content: String = (0..100)
            .map(|i| format!("{{\"id\": {i}, \"name\": \"n{i}\"}}\n"))
            .collect();
        std::fs::write(&path, content).unwrap();
        for peers in 1..=5 {
            let ids: Vec<u64> = drain_all(&json_lines::<Event>(&path), peers)
                .into_iter()
                .flat_map(|d| d.records)
                .map(|(_, e)| e.id)
                .collect();
            assert_eq!(ids, (0..100).collect::<Vec<_>>());
        }
    }

    #[test]
    fn lines_per_epoch_follows_absolute_line_numbers() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("events.jsonl");
        let content: String = (1..=50)
            .map(|n| format!("{{\"id\": {n}, \"name\": \"n{n}\"}}\n"))
            .collect();
        std::fs::write(&path, content).unwrap();
        for peers in 1..=4 {
            for limit in [1, 4, 1000] {
                let mut records = Vec::new();
                for w in 0..peers {
                    let reader = json_lines::<Event>(&path)
                        .lines_per_epoch(7)
                        .open(worker(w, peers))
                        .unwrap();
                    let drained = crate::test_support::drain_with(reader, limit);
                    records.extend(drained.records.into_iter().map(|(e, ev)| (e, ev.id)));
                }
                let expected: Vec<(u64, u64)> = (1..=50).map(|n| ((n - 1) / 7, n)).collect();
                assert_eq!(records, expected, "{peers} workers, batches of {limit}");
            }
        }
    }

    #[test]
    fn invalid_utf8_is_a_bad_record() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bytes.jsonl");
        std::fs::write(&path, b"\"ok\"\n\"bad \xff\"\n").unwrap();
        let reader = json_lines::<String>(&path).open(worker(0, 1)).unwrap();
        let drained = crate::test_support::drain(reader);
        assert_eq!(drained.records, [(0, "ok".to_string())]);
        assert_eq!(drained.bad[0].line, 2);
    }
}
