//! Word count: the number of times each word occurs in a text.
//!
//! ```text
//! cargo run --release --example wordcount                       # the bundled sample text
//! cargo run --release --example wordcount -- --input book.txt --output counts.csv --workers 4
//! cargo run --release --example wordcount -- --hosts hosts.txt  # every process of hosts.txt on this machine
//! ```
//!
//! Words are split on whitespace, trimmed of punctuation and lower-cased. The output has one
//! `word,count` line per distinct word (in no particular order), on stdout or in `--output`.

use std::path::PathBuf;

use clap::Parser;
use rill::prelude::*;

/// Counts the words of a text file.
#[derive(Parser)]
struct Args {
    /// The text to count the words of.
    #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/data/sample.txt"))]
    input: PathBuf,
    /// Where to write `word,count` lines (default: stdout).
    #[arg(long)]
    output: Option<PathBuf>,
    #[command(flatten)]
    run: RunOptions,
}

/// The words of a line: split on whitespace, trimmed of punctuation, lower-cased.
pub fn words(line: &str) -> impl Iterator<Item = String> + '_ {
    line.split_whitespace()
        .map(|word| {
            word.trim_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase()
        })
        .filter(|word| !word.is_empty())
}

fn main() -> Result<(), RillError> {
    let args = Args::parse();
    let input = args.input;
    let output = args.output;
    let job = dataflow! {
        #![name = "wordcount"]
        let lines = source(text_lines(&input));
        lines
            -> flat_map(|line: String| words(&line).collect::<Vec<_>>())
            -> key_by(|word: &String| word.clone())
            -> count()
            -> sink(csv_to(output.as_ref()));
    };
    job.run_with(&args.run)?;
    Ok(())
}
