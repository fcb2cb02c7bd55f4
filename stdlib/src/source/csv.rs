//! `csv`: a CSV file decoded with serde, one record per line.

use std::marker::PhantomData;
use std::path::{Path, PathBuf};

use ::csv::{ByteRecord, DeserializeErrorKind, ErrorKind};
use csv_core::{
    ReadRecordResult, Reader as LineParser, ReaderBuilder as LineParserBuilder, Terminator,
};
use rill_runtime::checkpoint::Position;
use rill_runtime::{open_each, Batch, ReadStatus, Result, Source, SourceReader, WorkerInfo};
use serde::de::DeserializeOwned;

use super::split::{first_line, LineSplit};

/// Reads the CSV file at `path`, decoding each line into a `T` with serde, at epoch 0 (or
/// [`Csv::lines_per_epoch`] lines per epoch).
///
/// By default line 1 is a header whose names map columns to the fields of `T` (every worker
/// reads it); call [`Csv::no_header`] to map columns by position instead, and
/// [`Csv::delimiter`] for a delimiter other than `,`. Blank lines are skipped. Each record must
/// fit on one line (quoted fields must not span lines) because workers split the file by byte
/// range, as in [`text_lines`](super::text_lines).
///
/// A line that does not decode becomes a [`BadRecord`] naming the file, the line and the
/// problem, e.g. ``field `amount`: invalid digit found in string``.
///
/// ```
/// use rill_runtime::{Batch, ReadStatus, Source, SourceReader, WorkerInfo};
/// use rill_stdlib::source::csv;
///
/// #[derive(serde::Deserialize, Debug, PartialEq)]
/// struct Trade { symbol: String, amount: u64 }
///
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("trades.csv");
/// std::fs::write(&path, "symbol;amount\nACME;10\nINIT;x\n")?;
/// let mut reader = csv::<Trade>(&path).delimiter(b';').open(WorkerInfo::SINGLE)?;
/// let mut batch = Batch::new(0, 100);
/// while reader.read(&mut batch)? != ReadStatus::Done {}
/// assert_eq!(batch.records, [Trade { symbol: "ACME".into(), amount: 10 }]);
/// assert_eq!(batch.bad[0].line, 3);
/// assert_eq!(batch.bad[0].problem, "field `amount`: invalid digit found in string");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn csv<T: DeserializeOwned + 'static>(path: impl AsRef<Path>) -> Csv<T> {
    Csv {
        path: path.as_ref().to_path_buf(),
        header: true,
        delimiter: b',',
        per_epoch: None,
        record: PhantomData,
    }
}

/// The source [`csv`] describes.
#[derive(Debug)]
pub struct Csv<T> {
    path: PathBuf,
    header: bool,
    delimiter: u8,
    per_epoch: Option<u64>,
    record: PhantomData<fn() -> T>,
}

impl<T> Clone for Csv<T> {
    fn clone(&self) -> Self {
        Csv {
            path: self.path.clone(),
            ..*self
        }
    }
}

impl<T> Csv<T> {
    /// The file has no header line: columns map to the fields of `T` by position.
    pub fn no_header(self) -> Self {
        Csv {
            header: false,
            ..self
        }
    }

    /// Separates fields with `delimiter` instead of `,`.
    pub fn delimiter(self, delimiter: u8) -> Self {
        Csv { delimiter, ..self }
    }

    /// Makes the file a stream: puts `k` lines in each epoch, line `n` (1-based, counting every
    /// line of the file, the header included) in epoch `(n - 1) / k`, so a timed stream's watermark advances as
    /// the file is read and out-of-order lines can be late. Default: every line at epoch 0.
    /// Panics if `k` is 0.
    pub fn lines_per_epoch(self, k: u64) -> Self {
        assert!(k > 0, "lines_per_epoch must be at least 1");
        Csv {
            per_epoch: Some(k),
            ..self
        }
    }
}

impl<T: DeserializeOwned + 'static> Source for Csv<T> {
    type Item = T;
    type Reader = CsvReader<T>;

    fn open_shares(self, workers: &[WorkerInfo]) -> Result<Vec<Self::Reader>> {
        open_each(self, workers)
    }

    fn open(self, worker: WorkerInfo) -> Result<CsvReader<T>> {
        let split = LineSplit::open(&self.path, worker)?.lines_per_epoch(self.per_epoch);
        let mut parser = FieldParser::new(self.delimiter);
        let headers = match self
            .header
            .then(|| first_line(&self.path))
            .transpose()?
            .flatten()
        {
            Some(line) => {
                let mut headers = ByteRecord::new();
                parser.parse(&line, &mut headers);
                Some(headers)
            }
            None => None,
        };
        Ok(CsvReader {
            split,
            parser,
            headers,
            fields: ByteRecord::new(),
            record: PhantomData,
        })
    }
}

/// One worker's reader of a [`Csv`] source.
pub struct CsvReader<T> {
    split: LineSplit,
    parser: FieldParser,
    headers: Option<ByteRecord>,
    fields: ByteRecord,
    record: PhantomData<fn() -> T>,
}

impl<T: DeserializeOwned + 'static> SourceReader for CsvReader<T> {
    type Item = T;

    fn position(&self) -> Option<Position> {
        self.split.position()
    }

    fn seek(&mut self, position: &Position) -> Result<()> {
        self.split.seek(position)
    }

    fn read(&mut self, batch: &mut Batch<T>) -> Result<ReadStatus> {
        let CsvReader {
            split,
            parser,
            headers,
            fields,
            ..
        } = self;
        split.decode_into(batch, |line| {
            if line.text.is_empty() || (line.number == 1 && headers.is_some()) {
                return None;
            }
            parser.parse(line.text, fields);
            Some(
                fields
                    .deserialize::<T>(headers.as_ref())
                    .map_err(|error| problem(&error, fields, headers.as_ref())),
            )
        })
    }
}

/// What went wrong decoding `fields`, naming the column by its header (or 1-based position).
fn problem(error: &::csv::Error, fields: &ByteRecord, headers: Option<&ByteRecord>) -> String {
    let ErrorKind::Deserialize { err, .. } = error.kind() else {
        return error.to_string();
    };
    if let DeserializeErrorKind::UnexpectedEndOfRow = err.kind() {
        return format!("too few fields: found {}", fields.len());
    }
    let Some(index) = err.field() else {
        return err.kind().to_string();
    };
    match headers.and_then(|h| h.get(index as usize)) {
        Some(name) => format!("field `{}`: {}", String::from_utf8_lossy(name), err.kind()),
        None => format!("field {}: {}", index + 1, err.kind()),
    }
}

/// Splits one line (without its terminator) into CSV fields, unquoting them.
struct FieldParser {
    parser: LineParser,
    output: Vec<u8>,
    ends: Vec<usize>,
}

impl FieldParser {
    fn new(delimiter: u8) -> Self {
        // Lines arrive without their terminator, so a lone `\r` is data, not a line end.
        let parser = LineParserBuilder::new()
            .delimiter(delimiter)
            .terminator(Terminator::Any(b'\n'))
            .build();
        FieldParser {
            parser,
            output: Vec::new(),
            ends: Vec::new(),
        }
    }

    /// Replaces the contents of `fields` with the fields of `line`.
    fn parse(&mut self, line: &[u8], fields: &mut ByteRecord) {
        // Unquoting never lengthens a field, and a line has at most one field per byte plus one,
        // so the buffers rarely need to grow below.
        self.output
            .resize(self.output.len().max(line.len()).max(1), 0);
        self.ends.resize(self.ends.len().max(line.len() + 1), 0);
        self.parser.reset();
        let mut input = line;
        let (mut written, mut ended) = (0, 0);
        loop {
            // Once `input` is empty, the next call reads it as the end of the data.
            let (result, read, out, ends) = self.parser.read_record(
                input,
                &mut self.output[written..],
                &mut self.ends[ended..],
            );
            input = &input[read..];
            written += out;
            ended += ends;
            match result {
                ReadRecordResult::InputEmpty => {}
                ReadRecordResult::OutputFull => self.output.resize(self.output.len() * 2, 0),
                ReadRecordResult::OutputEndsFull => self.ends.resize(self.ends.len() * 2, 0),
                ReadRecordResult::Record | ReadRecordResult::End => break,
            }
        }
        fields.clear();
        let mut start = 0;
        for &end in &self.ends[..ended] {
            fields.push_field(&self.output[start..end]);
            start = end;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{drain, drain_all, worker};
    use rill_runtime::BadRecord;
    use serde::Deserialize;

    #[derive(Debug, Clone, PartialEq, Deserialize)]
    struct Payment {
        name: String,
        amount: u64,
    }

    fn write(content: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("payments.csv");
        std::fs::write(&path, content).unwrap();
        (dir, path)
    }

    fn payment(name: &str, amount: u64) -> Payment {
        Payment {
            name: name.into(),
            amount,
        }
    }

    #[test]
    fn header_maps_columns_to_fields_and_bad_lines_are_reported() {
        let (_dir, path) =
            write("amount,name\r\n10,alice\r\n\r\nten,bob\r\n30,\"carol, jr\"\r\n40\r\n");
        let drained = drain(csv::<Payment>(&path).open(worker(0, 1)).unwrap());
        let records: Vec<Payment> = drained.records.into_iter().map(|(_, p)| p).collect();
        assert_eq!(records, [payment("alice", 10), payment("carol, jr", 30)]);
        let origin = path.display().to_string();
        assert_eq!(
            drained.bad,
            [
                BadRecord {
                    origin: origin.clone(),
                    line: 4,
                    problem: "field `amount`: invalid digit found in string".into(),
                    text: "ten,bob".into(),
                },
                BadRecord {
                    origin,
                    line: 6,
                    problem: "too few fields: found 1".into(),
                    text: "40".into(),
                },
            ]
        );
    }

    #[test]
    fn every_worker_knows_the_header() {
        let mut content = String::from("name,amount\n");
        for i in 0..200 {
            content.push_str(&format!("p{i},{i}\n"));
        }
        content.push_str("broken,-1\n");
        let (_dir, path) = write(&content);
        for peers in 1..=7 {
            let shares = drain_all(&csv::<Payment>(&path), peers);
            let amounts: Vec<u64> = shares
                .iter()
                .flat_map(|d| &d.records)
                .map(|(_, p)| p.amount)
                .collect();
            assert_eq!(amounts, (0..200).collect::<Vec<_>>(), "{peers} workers");
            let bad: Vec<u64> = shares.iter().flat_map(|d| &d.bad).map(|b| b.line).collect();
            assert_eq!(bad, [202], "{peers} workers");
        }
    }

    #[test]
    fn lines_per_epoch_counts_the_header_and_blank_lines() {
        // Line 1 is the header, line 4 is blank: record `i` is on line `i + 2` (or `i + 3` after
        // the blank line), in epoch `(line - 1) / 3`.
        let mut content = String::from("name,amount\n");
        for i in 0..40 {
            content.push_str(&format!("p{i},{i}\n"));
            if i == 1 {
                content.push('\n');
            }
        }
        content.push_str("bad,x\n");
        let (_dir, path) = write(&content);
        let expected: Vec<(u64, u64)> = (0..40u64)
            .map(|i| {
                let line = if i <= 1 { i + 2 } else { i + 3 };
                ((line - 1) / 3, i)
            })
            .collect();
        for peers in 1..=4 {
            for limit in [1, 2, 1000] {
                let mut records = Vec::new();
                let mut bad = Vec::new();
                for w in 0..peers {
                    let reader = csv::<Payment>(&path)
                        .lines_per_epoch(3)
                        .open(worker(w, peers))
                        .unwrap();
                    let drained = crate::test_support::drain_with(reader, limit);
                    records.extend(drained.records.into_iter().map(|(e, p)| (e, p.amount)));
                    bad.extend(drained.bad.into_iter().map(|b| b.line));
                }
                assert_eq!(records, expected, "{peers} workers, batches of {limit}");
                assert_eq!(bad, [43]);
            }
        }
    }

    #[test]
    fn no_header_and_custom_delimiter() {
        let (_dir, path) = write("alice;1\nbob;x\n\"semi;colon\";3");
        let drained = drain(
            csv::<(String, u64)>(&path)
                .no_header()
                .delimiter(b';')
                .open(worker(0, 1))
                .unwrap(),
        );
        let records: Vec<(String, u64)> = drained.records.into_iter().map(|(_, r)| r).collect();
        assert_eq!(
            records,
            [("alice".to_string(), 1), ("semi;colon".to_string(), 3)]
        );
        assert_eq!(drained.bad[0].line, 2);
        assert_eq!(
            drained.bad[0].problem,
            "field 2: invalid digit found in string"
        );
    }

    #[test]
    fn empty_file_and_header_only() {
        let (_dir, path) = write("");
        assert!(drain(csv::<Payment>(&path).open(worker(0, 1)).unwrap())
            .records
            .is_empty());
        let (_dir, path) = write("name,amount\n");
        let drained = drain(csv::<Payment>(&path).open(worker(0, 1)).unwrap());
        assert!(drained.records.is_empty() && drained.bad.is_empty());
    }

    #[test]
    fn invalid_utf8_is_a_bad_record() {
        let (_dir, path) = write("");
        std::fs::write(&path, b"name,amount\nok,1\nn\xffo,2\n").unwrap();
        let drained = drain(csv::<Payment>(&path).open(worker(0, 1)).unwrap());
        assert_eq!(drained.records.len(), 1);
        assert_eq!(drained.bad[0].line, 3);
        assert!(
            drained.bad[0]
                .problem
                .starts_with("field `name`: invalid utf-8"),
            "{}",
            drained.bad[0].problem
        );
    }

    #[test]
    fn long_lines_and_lone_carriage_returns() {
        let long = "y".repeat(100_000);
        let (_dir, path) = write(&format!("name,amount\n{long},1\na\rb,2\n"));
        let drained = drain(csv::<Payment>(&path).open(worker(0, 1)).unwrap());
        let names: Vec<String> = drained.records.into_iter().map(|(_, p)| p.name).collect();
        assert_eq!(names, [long, "a\rb".to_string()]);
    }
}
