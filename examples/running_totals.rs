//! Running totals per key over an unbounded-style stream: how much each customer has spent so far.
//!
//! ```text
//! cargo run --release --example running_totals
//! cargo run --release --example running_totals -- --events 10000000 --workers 2 --output totals.csv
//! cargo run --release --example running_totals -- --customers 1000000 --rate 20000 --epoch-size 2000 \
//!     --events 400000 --checkpoint-dir chk --output totals.csv     # 20 s of a live stream
//! ```
//!
//! A seeded generator produces purchases, `--epoch-size` of them per epoch. When an epoch is
//! complete, the job emits `customer,total_cents` for every customer who bought something in that
//! epoch, with the total over all their purchases so far (Flink's keyed running `sum`).

use std::path::PathBuf;

use clap::Parser;
use rill::prelude::*;
use rill::stdlib::source::Zipf;
use serde::{Deserialize, Serialize};

/// Sums each customer's purchases, epoch by epoch.
#[derive(Parser)]
struct Args {
    /// How many purchases to generate.
    #[arg(long, default_value_t = 1_000_000)]
    events: u64,
    /// Purchases per epoch: totals are reported once per epoch.
    #[arg(long, default_value_t = 100_000)]
    epoch_size: u64,
    /// How many customers buy things.
    #[arg(long, default_value_t = 1_000)]
    customers: u64,
    /// Draw customers from a Zipf distribution with this exponent (customer `k - 1` has
    /// weight `1 / k^s`) instead of uniformly: a few customers buy most things.
    #[arg(long, value_name = "S")]
    zipf: Option<f64>,
    /// Generate at most this many purchases per second (default: as fast as the job goes).
    #[arg(long)]
    rate: Option<f64>,
    /// Seed of the generator: the same seed gives the same purchases.
    #[arg(long, default_value_t = 7)]
    seed: u64,
    /// Where to write `customer,total_cents` lines (default: stdout).
    #[arg(long)]
    output: Option<PathBuf>,
    #[command(flatten)]
    run: RunOptions,
}

/// One purchase.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Purchase {
    /// Who bought.
    pub customer: u64,
    /// What it cost, in cents.
    pub cents: u64,
}

/// A purchase by one of `customers` customers, uniformly, or by `zipf` rank if given.
pub fn purchase(customers: u64, zipf: Option<&Zipf>, rng: &mut Rng) -> Purchase {
    let customer = match zipf {
        Some(zipf) => zipf.sample(rng) - 1,
        None => rng.below(customers),
    };
    Purchase {
        customer,
        cents: 1 + rng.below(10_000),
    }
}

fn main() -> Result<(), RillError> {
    let args = Args::parse();
    let (customers, output) = (args.customers, args.output);
    let zipf = args.zipf.map(|s| Zipf::new(customers, s));
    let purchases = generate(args.events, args.seed, move |_, rng| {
        purchase(customers, zipf.as_ref(), rng)
    })
    .events_per_epoch(args.epoch_size);
    let purchases = match args.rate {
        Some(rate) => purchases.rate(rate),
        None => purchases,
    };
    let job = dataflow! {
        #![name = "running_totals"]
        source(purchases)
            -> key_by(|p: &Purchase| p.customer)
            -> sum(|p: Purchase| p.cents)
            -> sink(csv_to(output.as_ref()));
    };
    job.run_with(&args.run)?;
    Ok(())
}
