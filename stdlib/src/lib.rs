//! What Rill pipelines call: sources that read files or generate data, and sinks that write
//! records out.
//!
//! Every constructor here is what a user writes inside `dataflow!`, e.g.
//! `source(text_lines("in.txt"))` or `sink(csv_file("out.csv"))`. Sources implement
//! [`rill_runtime::Source`] and sinks [`rill_runtime::Sink`]; both are plain Rust I/O that the
//! runtime drives, one reader or writer per worker.

#![warn(missing_docs)]

pub mod graph;
mod io_message;
pub mod prelude;
pub mod sink;
pub mod source;
#[cfg(test)]
mod test_support;
