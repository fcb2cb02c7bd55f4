//! The writer behind every byte-oriented sink: encode a batch, write it, flush at epoch ends.

use std::io::Write;

use rill_runtime::{Epoch, Result, RillError, SinkWriter};

use super::encode::Encode;
use crate::io_message::describe;

/// Writes records encoded by `E` to `W`, flushing at every epoch's end and at the finish.
pub struct EncodedWriter<W, E> {
    out: W,
    encoding: E,
    buffer: Vec<u8>,
    /// Names the destination in messages, e.g. ``output `out.csv` `` or `stdout`.
    destination: String,
}

impl<W: Write, E> EncodedWriter<W, E> {
    /// Writes to `out`, naming it `destination` in error messages.
    pub(crate) fn new(out: W, encoding: E, destination: String) -> Self {
        EncodedWriter {
            out,
            encoding,
            buffer: Vec::new(),
            destination,
        }
    }

    /// Flushes the buffered output.
    pub(crate) fn flush(&mut self) -> Result<()> {
        self.out.flush().map_err(|e| self.io_error(e))
    }

    /// The destination itself.
    pub(crate) fn destination_mut(&mut self) -> &mut W {
        &mut self.out
    }

    /// The encoding.
    pub(crate) fn encoding_mut(&mut self) -> &mut E {
        &mut self.encoding
    }

    /// An error about the destination, naming it.
    pub(crate) fn io_error(&self, error: std::io::Error) -> RillError {
        RillError::new(format!(
            "cannot write {}: {}",
            self.destination,
            describe(&error)
        ))
    }
}

impl<T, W: Write + 'static, E: Encode<T>> SinkWriter<T> for EncodedWriter<W, E> {
    fn write(&mut self, _epoch: Epoch, records: &mut Vec<T>) -> Result<()> {
        self.buffer.clear();
        for record in records.drain(..) {
            self.encoding
                .encode(&record, &mut self.buffer)
                .map_err(|problem| {
                    RillError::new(format!(
                        "cannot encode a record for {}: {problem}",
                        self.destination
                    ))
                })?;
        }
        self.out
            .write_all(&self.buffer)
            .map_err(|e| self.io_error(e))
    }

    fn epoch_done(&mut self, _epoch: Epoch) -> Result<()> {
        self.flush()
    }

    fn finish(&mut self) -> Result<()> {
        self.flush()
    }
}
