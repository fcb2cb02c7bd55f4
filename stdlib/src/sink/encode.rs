//! How records become bytes: one [`Encode`] per output format.

use std::fmt::Display;
use std::io::Write;
use std::sync::{Arc, Mutex, MutexGuard};

use serde::Serialize;

/// Turns records of type `T` into bytes, one record at a time. Implement it to write a format of
/// your own with [`FileSink::new`](super::FileSink::new).
pub trait Encode<T>: 'static {
    /// Appends the encoding of `record` to `out`, or says why it cannot be encoded.
    fn encode(&mut self, record: &T, out: &mut Vec<u8>) -> Result<(), String>;
    /// The output already holds records of an earlier run (a restored checkpoint's): go on as
    /// after them, e.g. without a second header row. The default does nothing.
    fn continuing(&mut self) {}
}

/// Each record on its own line, as its `Display` form.
#[derive(Debug, Clone, Copy, Default)]
pub struct TextEncoding;

impl<T: Display> Encode<T> for TextEncoding {
    fn encode(&mut self, record: &T, out: &mut Vec<u8>) -> Result<(), String> {
        writeln!(out, "{record}").map_err(|e| e.to_string())
    }
}

/// Each record as one JSON value on its own line (JSON Lines).
#[derive(Debug, Clone, Copy, Default)]
pub struct JsonEncoding;

impl<T: Serialize> Encode<T> for JsonEncoding {
    fn encode(&mut self, record: &T, out: &mut Vec<u8>) -> Result<(), String> {
        serde_json::to_writer(&mut *out, record).map_err(|e| e.to_string())?;
        out.push(b'\n');
        Ok(())
    }
}

/// Each record as one CSV row, with the csv crate's serde serializer: tuples and primitives
/// become plain rows; structs too, after a header row of their field names if headers are on.
pub struct CsvEncoding {
    headers: bool,
    writer: ::csv::Writer<Encoded>,
    encoded: Encoded,
}

impl CsvEncoding {
    /// Writes a header row before the first struct record if `headers` is true.
    pub fn new(headers: bool) -> Self {
        let encoded = Encoded::default();
        let writer = ::csv::WriterBuilder::new()
            .has_headers(headers)
            .from_writer(encoded.clone());
        CsvEncoding {
            headers,
            writer,
            encoded,
        }
    }
}

/// Where the csv writer puts its bytes until [`CsvEncoding::encode`] moves them out
/// (`csv::Writer` lends no mutable access to its inner writer).
#[derive(Clone, Default)]
struct Encoded(Arc<Mutex<Vec<u8>>>);

impl Encoded {
    fn lock(&self) -> MutexGuard<'_, Vec<u8>> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Write for Encoded {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.lock().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Clone for CsvEncoding {
    /// A fresh encoder with the same settings (its header row not written yet).
    fn clone(&self) -> Self {
        CsvEncoding::new(self.headers)
    }
}

impl<T: Serialize> Encode<T> for CsvEncoding {
    fn continuing(&mut self) {
        let headers = self.headers;
        *self = CsvEncoding::new(false);
        self.headers = headers;
    }

    fn encode(&mut self, record: &T, out: &mut Vec<u8>) -> Result<(), String> {
        self.writer.serialize(record).map_err(|e| e.to_string())?;
        self.writer.flush().map_err(|e| e.to_string())?;
        out.append(&mut self.encoded.lock());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Serialize;

    #[derive(Serialize)]
    struct Row {
        word: String,
        count: u64,
    }

    fn encode_all<T, E: Encode<T>>(mut encoding: E, records: &[T]) -> String {
        let mut out = Vec::new();
        for record in records {
            encoding.encode(record, &mut out).unwrap();
        }
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn csv_rows_with_and_without_headers() {
        let rows = [
            Row {
                word: "a, b".into(),
                count: 1,
            },
            Row {
                word: "c".into(),
                count: 2,
            },
        ];
        assert_eq!(
            encode_all(CsvEncoding::new(true), &rows),
            "word,count\n\"a, b\",1\nc,2\n"
        );
        assert_eq!(
            encode_all(CsvEncoding::new(false), &rows),
            "\"a, b\",1\nc,2\n"
        );
        let tuples = [("word".to_string(), 3u64)];
        assert_eq!(encode_all(CsvEncoding::new(true), &tuples), "word,3\n");
    }

    #[test]
    fn json_and_text_lines() {
        let rows = [Row {
            word: "q\"uote".into(),
            count: 1,
        }];
        assert_eq!(
            encode_all(JsonEncoding, &rows),
            "{\"word\":\"q\\\"uote\",\"count\":1}\n"
        );
        assert_eq!(encode_all(TextEncoding, &[1.5, 2.0]), "1.5\n2\n");
    }

    #[test]
    fn unencodable_records_say_why() {
        let map = std::collections::BTreeMap::from([("k", 1)]);
        let mut out = Vec::new();
        assert!(CsvEncoding::new(false).encode(&map, &mut out).is_err());
    }
}
