//! Sinks: where a pipeline's records go.
//!
//! File sinks ([`text_file`], [`csv_file`], [`json_lines_file`]), [`stdout`], [`stderr`] and [`csv_to`] gather every
//! record on worker 0, which writes them in one place; [`collect`] and [`for_each`] run on every
//! worker. [`changes_to`] writes a collection's changes as `+`/`-` lines, epoch by epoch.

mod changes_to;
mod collect;
mod csv_to;
mod encode;
mod file;
mod for_each;
mod stderr;
mod stdout;
mod writer;

pub use self::changes_to::{changes_to, ChangesTo, ChangesWriter};
pub use self::collect::{collect, Collect, CollectWriter, Collector};
pub use self::csv_to::{csv_to, CsvTo};
pub use self::encode::{CsvEncoding, Encode, JsonEncoding, TextEncoding};
pub(crate) use self::file::file_or_stdout;
pub use self::file::{csv_file, json_lines_file, text_file, FileOrStdout, FileSink, FileWriter};
pub use self::for_each::{for_each, ForEach};
pub use self::stderr::{stderr, StderrSink};
pub use self::stdout::{stdout, StdoutSink};
pub use self::writer::EncodedWriter;
