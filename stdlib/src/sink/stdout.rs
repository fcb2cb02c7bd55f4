//! `stdout`: records printed as CSV rows on the terminal.

use std::io;

use rill_runtime::{Placement, Result, Sink, WorkerInfo};
use serde::Serialize;

use super::encode::CsvEncoding;
use super::writer::EncodedWriter;

/// Prints every record, gathered on worker 0, on standard output as one CSV row without a
/// header: `("word", 3)` prints `word,3`, a struct prints its fields in order.
pub fn stdout() -> StdoutSink {
    StdoutSink
}

/// The sink [`stdout`] describes.
#[derive(Debug, Clone, Copy)]
pub struct StdoutSink;

impl<T: Serialize + 'static> Sink<T> for StdoutSink {
    type Writer = EncodedWriter<io::Stdout, CsvEncoding>;

    fn placement(&self) -> Placement {
        Placement::Gathered
    }

    fn open(self, _worker: WorkerInfo) -> Result<Self::Writer> {
        Ok(EncodedWriter::new(
            io::stdout(),
            CsvEncoding::new(false),
            "to stdout".to_string(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rill_runtime::SinkWriter;

    #[test]
    fn gathered_and_writes_without_error() {
        assert_eq!(
            Sink::<(String, u64)>::placement(&stdout()),
            Placement::Gathered
        );
        let mut writer = Sink::<(String, u64)>::open(stdout(), WorkerInfo::SINGLE).unwrap();
        writer
            .write(0, &mut vec![("word".to_string(), 3u64)])
            .unwrap();
        SinkWriter::<(String, u64)>::finish(&mut writer).unwrap();
    }
}
