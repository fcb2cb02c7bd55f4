//! Sources: where a pipeline's records come from.
//!
//! Files ([`text_lines`], [`csv`], [`json_lines`]) are split among workers by byte range;
//! [`from_iter`] deals items round-robin; [`generate`] and [`words`] make deterministic
//! synthetic data whose records do not depend on the number of workers. [`changes_file`] reads
//! updates to a collection from a file, and an [`InputHandle`] takes them from the program while
//! the job runs.

mod changes;
mod csv;
mod generate;
mod handle;
mod iter;
mod json;
mod rng;
mod split;
mod text;
mod words;

pub use self::changes::{changes_file, ChangesFile, ChangesFileReader};
pub use self::csv::{csv, Csv, CsvReader};
pub use self::generate::{generate, generate_unbounded, Generate, GenerateReader};
pub use self::handle::{InputHandle, InputReader};
pub use self::iter::{
    from_iter, from_shared, FromIter, FromIterReader, FromShared, FromSharedReader,
};
pub use self::json::{json_lines, JsonLines, JsonLinesReader};
pub use self::rng::{Rng, Zipf};
pub use self::text::{text_lines, TextLines, TextLinesReader};
pub use self::words::{word, words};
