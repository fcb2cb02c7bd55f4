//! `stderr`: records printed as text lines on standard error.

use std::io;

use rill_runtime::{Placement, Result, Sink, WorkerInfo};

use super::encode::TextEncoding;
use super::writer::EncodedWriter;

/// Prints every record, gathered on worker 0, on standard error in its `Display` form, one a
/// line: for reports such as skipped input lines. Gathering keeps the lines of all workers and
/// processes whole and in one place.
pub fn stderr() -> StderrSink {
    StderrSink
}

/// The sink [`stderr`] describes.
#[derive(Debug, Clone, Copy)]
pub struct StderrSink;

impl<T: std::fmt::Display + 'static> Sink<T> for StderrSink {
    type Writer = EncodedWriter<io::Stderr, TextEncoding>;

    fn placement(&self) -> Placement {
        Placement::Gathered
    }

    fn open(self, _worker: WorkerInfo) -> Result<Self::Writer> {
        Ok(EncodedWriter::new(
            io::stderr(),
            TextEncoding,
            "to stderr".to_string(),
        ))
    }
}
