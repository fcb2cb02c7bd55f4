//! Revenue per region from a CSV file, with malformed lines routed aside instead of failing.
//!
//! ```text
//! cargo run --release --example sales                         # the bundled examples/data/sales.csv
//! cargo run --release --example sales -- --input sales.csv --output revenue.csv --workers 4
//! ```
//!
//! Lines that do not decode into a [`Sale`] are reported on stderr as
//! `skipped sales.csv:7: field `cents`: invalid digit found in string` and left out of the totals;
//! the job still succeeds. (Bind only one name, `let sales = source(...)`, and the first such
//! line fails the job with that message instead.) Output: `region,cents` lines.

use std::path::PathBuf;

use clap::Parser;
use rill::prelude::*;
use serde::{Deserialize, Serialize};

/// Sums sales per region.
#[derive(Parser)]
struct Args {
    /// CSV input with a `region,product,cents` header.
    #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/data/sales.csv"))]
    input: PathBuf,
    /// Where to write `region,cents` lines (default: stdout).
    #[arg(long)]
    output: Option<PathBuf>,
    #[command(flatten)]
    run: RunOptions,
}

/// One line of the input.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Sale {
    pub region: String,
    pub product: String,
    pub cents: u64,
}

fn main() -> Result<(), RillError> {
    let args = Args::parse();
    let (input, output) = (args.input, args.output);
    let job = dataflow! {
        #![name = "sales"]
        let (sales, bad_lines) = source(csv::<Sale>(&input));
        sales
            -> key_by(|sale: &Sale| sale.region.clone())
            -> sum(|sale: Sale| sale.cents)
            -> sink(csv_to(output.as_ref()));
        bad_lines -> map(|bad: BadRecord| format!("skipped {bad}")) -> sink(stderr());
    };
    job.run_with(&args.run)?;
    Ok(())
}
