//! `changes_file`: a text file of updates to a collection, one `<epoch> <+|-> <fields...>` a line.

use std::marker::PhantomData;
use std::path::{Path, PathBuf};

use ::csv::{ByteRecord, DeserializeErrorKind, ErrorKind};
use rill_runtime::checkpoint::Position;
use rill_runtime::{
    open_each, BadRecord, Batch, Epoch, ReadStatus, Result, Source, SourceReader, WorkerInfo,
};
use serde::de::DeserializeOwned;

use super::split::{Line, LineSplit, Next};

/// Reads the file at `path` as updates `(record, diff)` to a collection of `T`s: each line
/// `<epoch> <sign> <fields...>` inserts (`+`) or retracts (`-`) one copy of the record its fields
/// make, at its epoch; `+3` and `-2` insert or retract several copies. Pipe the source into
/// `from_changes()` to get a collection that changes over epochs:
///
/// ```text
/// # epoch 0: two edges; epoch 1: one of them goes, another comes
/// 0 + 1 2
/// 0 + 2 3
/// 1 - 1 2
/// 1 + 3 4
/// ```
///
/// Tokens are separated by spaces or tabs. The fields are decoded into `T` with serde like an
/// unquoted CSV row without a header (a tuple, a struct with fields in order, a single value);
/// fields beyond those `T` takes are ignored. Blank lines and lines starting with `#` are
/// skipped.
///
/// Workers split the file by byte range, as in [`text_lines`](super::text_lines), and each
/// emits its lines at their epochs, so the epochs must not decrease along the file. A line whose
/// epoch is lower than that of an earlier line (in any worker's share), or whose epoch, sign or
/// fields do not decode, becomes a [`BadRecord`] naming the file, the line and the problem: the
/// job fails with that message, or routes it when the source is bound to two names,
/// `let (changes, bad) = source(changes_file::<(u64, u64)>(path));`.
///
/// ```
/// use rill_runtime::{Batch, ReadStatus, Source, SourceReader, WorkerInfo};
/// use rill_stdlib::source::changes_file;
///
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("edges.changes");
/// std::fs::write(&path, "0 + 1 2\n0 +2 2 3\n1 - 1 2\n0 + 5 6\n")?;
/// let mut reader = changes_file::<(u64, u64)>(&path).open(WorkerInfo::SINGLE)?;
/// let mut batch = Batch::new(0, 100);
/// assert_eq!(reader.read(&mut batch)?, ReadStatus::More);
/// assert_eq!((batch.epoch(), &batch.records[..]), (0, &[((1, 2), 1), ((2, 3), 2)][..]));
/// batch.clear();
/// assert_eq!(reader.read(&mut batch)?, ReadStatus::Done);
/// assert_eq!((batch.epoch(), &batch.records[..]), (1, &[((1, 2), -1)][..]));
/// assert_eq!(batch.bad[0].line, 4);
/// assert_eq!(batch.bad[0].problem, "epoch 0 after epoch 1 on line 3: epochs must not decrease along the file");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn changes_file<T: DeserializeOwned + 'static>(path: impl AsRef<Path>) -> ChangesFile<T> {
    ChangesFile {
        path: path.as_ref().to_path_buf(),
        record: PhantomData,
    }
}

/// The source [`changes_file`] describes.
#[derive(Debug)]
pub struct ChangesFile<T> {
    path: PathBuf,
    record: PhantomData<fn() -> T>,
}

impl<T> Clone for ChangesFile<T> {
    fn clone(&self) -> Self {
        ChangesFile {
            path: self.path.clone(),
            record: PhantomData,
        }
    }
}

impl<T: DeserializeOwned + 'static> Source for ChangesFile<T> {
    type Item = (T, isize);
    type Reader = ChangesFileReader<T>;

    fn open_shares(self, workers: &[WorkerInfo]) -> Result<Vec<Self::Reader>> {
        open_each(self, workers)
    }

    fn open(self, worker: WorkerInfo) -> Result<ChangesFileReader<T>> {
        let highest = if worker.index == 0 {
            None
        } else {
            highest_epoch(LineSplit::before(&self.path, worker)?)?
        };
        Ok(ChangesFileReader {
            split: LineSplit::open(&self.path, worker)?,
            highest,
            fields: ByteRecord::new(),
            record: PhantomData,
        })
    }
}

/// One worker's reader of a [`ChangesFile`] source.
pub struct ChangesFileReader<T> {
    split: LineSplit,
    /// The highest epoch of the lines read so far (this worker's and those before its share),
    /// with the number of the line that has it.
    highest: Option<(Epoch, u64)>,
    fields: ByteRecord,
    record: PhantomData<fn() -> T>,
}

impl<T: DeserializeOwned + 'static> SourceReader for ChangesFileReader<T> {
    type Item = (T, isize);

    fn position(&self) -> Option<Position> {
        self.split.position()
    }

    fn seek(&mut self, position: &Position) -> Result<()> {
        self.split.seek(position)
    }

    fn read(&mut self, batch: &mut Batch<(T, isize)>) -> Result<ReadStatus> {
        while !batch.is_full() {
            let line = match self.split.next_in(batch)? {
                Next::Line(line) => line,
                Next::LaterEpoch => return Ok(ReadStatus::More),
                Next::End => return Ok(ReadStatus::Done),
            };
            let Some(update) = decode::<T>(&line, &mut self.highest, &mut self.fields) else {
                continue;
            };
            match update {
                Err(problem) => batch.push_bad(BadRecord {
                    origin: line.origin.to_string(),
                    line: line.number,
                    problem,
                    text: String::from_utf8_lossy(line.text).into_owned(),
                }),
                Ok((epoch, record)) => {
                    if epoch != batch.epoch() {
                        if !batch.is_empty() {
                            self.split.unread();
                            return Ok(ReadStatus::More);
                        }
                        batch.set_epoch(epoch);
                    }
                    batch.push(record);
                }
            }
        }
        Ok(ReadStatus::More)
    }
}

/// An update of a collection of `T`s at its epoch: `(epoch, (record, diff))`.
type Update<T> = (Epoch, (T, isize));

/// The update on `line`, at its epoch; `None` for a blank or comment line. Raises `highest` to
/// the line's epoch, and refuses an epoch below it.
fn decode<T: DeserializeOwned>(
    line: &Line<'_>,
    highest: &mut Option<(Epoch, u64)>,
    fields: &mut ByteRecord,
) -> Option<std::result::Result<Update<T>, String>> {
    let mut tokens = tokens(line.text);
    let epoch = match epoch(tokens.next()?)? {
        Ok(epoch) => epoch,
        Err(problem) => return Some(Err(problem)),
    };
    match *highest {
        Some((above, at)) if epoch < above => {
            return Some(Err(format!(
                "epoch {epoch} after epoch {above} on line {at}: epochs must not decrease along the file"
            )))
        }
        Some((above, _)) if epoch == above => {}
        _ => *highest = Some((epoch, line.number)),
    }
    let diff = match tokens.next().map(sign) {
        Some(Ok(diff)) => diff,
        Some(Err(problem)) => return Some(Err(problem)),
        None => return Some(Err("no sign after the epoch: expected `+` or `-`".into())),
    };
    fields.clear();
    tokens.for_each(|field| fields.push_field(field));
    Some(
        fields
            .deserialize::<T>(None)
            .map(|record| (epoch, (record, diff)))
            .map_err(|error| problem(&error, fields)),
    )
}

/// The highest epoch of the lines of `split` (those whose epoch decodes), and its line.
fn highest_epoch(mut split: LineSplit) -> Result<Option<(Epoch, u64)>> {
    let mut highest: Option<(Epoch, u64)> = None;
    while let Some(line) = split.next_line()? {
        if let Some(Ok(epoch)) = tokens(line.text).next().and_then(epoch) {
            if highest.is_none_or(|(above, _)| epoch > above) {
                highest = Some((epoch, line.number));
            }
        }
    }
    Ok(highest)
}

/// The whitespace-separated tokens of a line.
fn tokens(text: &[u8]) -> impl Iterator<Item = &[u8]> {
    text.split(|byte| byte.is_ascii_whitespace())
        .filter(|token| !token.is_empty())
}

/// The epoch a line's first token gives; `None` if the line is a comment.
fn epoch(token: &[u8]) -> Option<std::result::Result<Epoch, String>> {
    if token.starts_with(b"#") {
        return None;
    }
    Some(
        std::str::from_utf8(token)
            .ok()
            .and_then(|text| text.parse::<Epoch>().ok())
            .ok_or_else(|| {
                format!(
                    "bad epoch `{}`: expected a non-negative integer",
                    String::from_utf8_lossy(token)
                )
            }),
    )
}

/// The diff a sign token gives: `+` is 1, `-` is -1, `+3` is 3, `-2` is -2.
fn sign(token: &[u8]) -> std::result::Result<isize, String> {
    let bad = || {
        format!(
            "bad sign `{}`: expected `+` or `-`, or a count like `+3` or `-2`",
            String::from_utf8_lossy(token)
        )
    };
    let (negative, count) = match token.split_first() {
        Some((b'+', count)) => (false, count),
        Some((b'-', count)) => (true, count),
        _ => return Err(bad()),
    };
    let count: isize = if count.is_empty() {
        1
    } else {
        std::str::from_utf8(count)
            .ok()
            .filter(|digits| digits.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|digits| digits.parse().ok())
            .filter(|&count| count > 0)
            .ok_or_else(bad)?
    };
    Ok(if negative { -count } else { count })
}

/// What went wrong decoding `fields`, naming the field by its 1-based position.
fn problem(error: &::csv::Error, fields: &ByteRecord) -> String {
    let ErrorKind::Deserialize { err, .. } = error.kind() else {
        return error.to_string();
    };
    if let DeserializeErrorKind::UnexpectedEndOfRow = err.kind() {
        return format!("too few fields: found {}", fields.len());
    }
    match err.field() {
        Some(index) => format!("field {}: {}", index + 1, err.kind()),
        None => err.kind().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{drain_with, worker};
    use serde::Deserialize;

    fn write(content: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("updates.changes");
        std::fs::write(&path, content).unwrap();
        (dir, path)
    }

    /// Every worker's `(epoch, update)` pairs and `(line, problem)` of bad lines, in worker order,
    /// read in batches of `limit`.
    fn read_all<T: DeserializeOwned + 'static>(
        path: &Path,
        peers: usize,
        limit: usize,
    ) -> (Vec<Update<T>>, Vec<(u64, String)>) {
        let (mut records, mut bad) = (Vec::new(), Vec::new());
        for w in 0..peers {
            let reader = changes_file::<T>(path).open(worker(w, peers)).unwrap();
            let drained = drain_with(reader, limit);
            records.extend(drained.records);
            bad.extend(drained.bad.into_iter().map(|b| (b.line, b.problem)));
        }
        (records, bad)
    }

    #[test]
    fn updates_at_their_epochs_whatever_the_split() {
        let mut content = String::from("# a comment line\n\n");
        let mut expected = Vec::new();
        for epoch in 0..30u64 {
            for i in 0..epoch % 4 {
                let diff: isize = if i % 2 == 0 { 1 } else { -2 };
                let sign = if diff == 1 {
                    "+".into()
                } else {
                    diff.to_string()
                };
                content.push_str(&format!("{epoch}\t{sign}  {i} {}\n", epoch * 10));
                expected.push((epoch, ((i, epoch * 10), diff)));
            }
            if epoch % 7 == 0 {
                content.push_str("   # indented comment\n  \n");
            }
        }
        let (_dir, path) = write(&content);
        for peers in 1..=5 {
            for limit in [1, 2, 1000] {
                let (records, bad) = read_all::<(u64, u64)>(&path, peers, limit);
                assert_eq!(records, expected, "{peers} workers, batches of {limit}");
                assert!(bad.is_empty(), "{bad:?}");
            }
        }
    }

    #[test]
    fn bad_lines_are_the_same_whatever_the_split() {
        let mut content = String::new();
        for line in 1..=60u64 {
            let epoch = line / 3;
            let text = match line % 10 {
                // Lower than the epoch of the line before it.
                3 if line > 3 => format!("{} + 1 1", epoch - 2),
                5 => format!("{epoch} * 1 1"),
                7 => format!("{epoch} + x 1"),
                9 => format!("e{epoch} + 1 1"),
                _ => format!("{epoch} + {line} 0"),
            };
            content.push_str(&text);
            content.push('\n');
        }
        let (_dir, path) = write(&content);
        let (one, bad) = read_all::<(u64, u64)>(&path, 1, 1000);
        assert_eq!(one.len(), 60 - 6 * 4 + 1);
        assert_eq!(bad.len(), 6 * 4 - 1);
        assert_eq!(
            bad[..4],
            [
                (
                    5,
                    "bad sign `*`: expected `+` or `-`, or a count like `+3` or `-2`".into()
                ),
                (7, "field 1: invalid digit found in string".into()),
                (9, "bad epoch `e3`: expected a non-negative integer".into()),
                (
                    13,
                    "epoch 2 after epoch 4 on line 12: epochs must not decrease along the file"
                        .into()
                ),
            ]
        );
        for peers in 2..=5 {
            for limit in [1, 3, 1000] {
                assert_eq!(
                    read_all::<(u64, u64)>(&path, peers, limit),
                    (one.clone(), bad.clone()),
                    "{peers} workers, batches of {limit}"
                );
            }
        }
    }

    #[test]
    fn a_lower_epoch_is_bad_even_in_the_next_share() {
        // Whichever worker reads the last line, it knows that line 2 had epoch 9.
        let (_dir, path) = write("0 + 1\n9 + 2\n3 + 3\n");
        for peers in 1..=5 {
            let (records, bad) = read_all::<u64>(&path, peers, 1000);
            assert_eq!(records, [(0, (1, 1)), (9, (2, 1))], "{peers} workers");
            assert_eq!(
                bad,
                [(
                    3,
                    "epoch 3 after epoch 9 on line 2: epochs must not decrease along the file"
                        .into()
                )],
                "{peers} workers"
            );
        }
    }

    #[test]
    fn signs_and_counts() {
        assert_eq!(sign(b"+"), Ok(1));
        assert_eq!(sign(b"-"), Ok(-1));
        assert_eq!(sign(b"+3"), Ok(3));
        assert_eq!(sign(b"-12"), Ok(-12));
        for bad in [&b"+0"[..], b"-+1", b"++", b"x", b"3", b"+-1", b"+ 1"] {
            assert!(sign(bad).is_err(), "{}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn missing_sign_and_fields() {
        let (_dir, path) = write("4\n4 +\n4 + 7\n");
        let (records, bad) = read_all::<(u64, u64)>(&path, 1, 1000);
        assert!(records.is_empty());
        assert_eq!(
            bad,
            [
                (1, "no sign after the epoch: expected `+` or `-`".into()),
                (2, "invalid length 0, expected a tuple of size 2".into()),
                (3, "invalid length 1, expected a tuple of size 2".into()),
            ]
        );
        let (records, bad) = read_all::<u64>(&path, 1, 1000);
        assert_eq!(records, [(4, (7, 1))]);
        assert_eq!(bad[1], (2, "too few fields: found 0".into()));
    }

    #[test]
    fn structs_and_strings() {
        #[derive(Debug, PartialEq, Deserialize)]
        struct Edge {
            from: String,
            to: String,
        }
        let (_dir, path) = write("0 + a b\n2 -2 a b\n2 + a\n");
        let (records, bad) = read_all::<Edge>(&path, 1, 1000);
        let edge = || Edge {
            from: "a".into(),
            to: "b".into(),
        };
        assert_eq!(records, [(0, (edge(), 1)), (2, (edge(), -2))]);
        assert_eq!(
            bad,
            [(
                3,
                "invalid length 1, expected struct Edge with 2 elements".into()
            )]
        );
    }

    #[test]
    fn missing_file_names_the_path() {
        let error = changes_file::<u64>("/no/such/file.changes")
            .open(worker(1, 2))
            .err()
            .unwrap();
        assert_eq!(
            error.message(),
            "cannot open input `/no/such/file.changes`: No such file or directory"
        );
    }
}
