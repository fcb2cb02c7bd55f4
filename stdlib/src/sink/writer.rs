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

impl<W: Write, E> EncodedWriter<W, E> {
    /// Encodes `records` and appends them to `bytes`.
    fn encode<T>(&mut self, records: &mut Vec<T>, bytes: &mut Vec<u8>) -> Result<()>
    where
        E: Encode<T>,
    {
        for record in records.drain(..) {
            self.encoding.encode(&record, bytes).map_err(|problem| {
                RillError::new(format!(
                    "cannot encode a record for {}: {problem}",
                    self.destination
                ))
            })?;
        }
        Ok(())
    }
}

impl<T, W: Write + 'static, E: Encode<T>> SinkWriter<T> for EncodedWriter<W, E> {
    fn write(&mut self, _epoch: Epoch, records: &mut Vec<T>) -> Result<()> {
        let mut buffer = std::mem::take(&mut self.buffer);
        buffer.clear();
        let encoded = self.encode(records, &mut buffer);
        let written = encoded.and_then(|()| SinkWriter::<T>::write_staged(self, 0, &buffer));
        self.buffer = buffer;
        written
    }

    fn stage(&mut self, _epoch: Epoch, records: &mut Vec<T>, staged: &mut Vec<u8>) -> Result<bool> {
        self.encode(records, staged).map(|()| true)
    }

    fn write_staged(&mut self, _epoch: Epoch, staged: &[u8]) -> Result<()> {
        self.out.write_all(staged).map_err(|e| self.io_error(e))
    }

    fn epoch_done(&mut self, _epoch: Epoch) -> Result<()> {
        self.flush()
    }

    fn finish(&mut self) -> Result<()> {
        self.flush()
    }
}
