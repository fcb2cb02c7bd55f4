//! Card alerts: a keyed process function with state and an event-time timer (Flink's
//! fraud-detection walkthrough, in event time).
//!
//! ```text
//! cargo run --release --example card_alerts
//! cargo run --release --example card_alerts -- --events 1000000 --workers 4 --output alerts.csv
//! ```
//!
//! A transaction under $1 flags its card; if the card's next transaction, within a minute of event
//! time, is over $500, the job raises an alert (`card,small_ts,large_ts,cents` lines). A timer one
//! minute after the small transaction clears the flag and reports it on the side output, printed
//! on stderr as `expired card,small_ts` lines, unless a later transaction cleared it first.

use std::path::PathBuf;

use clap::Parser;
use rill::prelude::*;
use serde::{Deserialize, Serialize};

/// One minute of event time, in ms.
pub const MINUTE: u64 = 60_000;

/// Raises alerts for small-then-large transaction pairs.
#[derive(Parser)]
struct Args {
    /// How many transactions to generate.
    #[arg(long, default_value_t = 20_000)]
    events: u64,
    /// How many cards make them.
    #[arg(long, default_value_t = 50)]
    cards: u64,
    /// Transactions per epoch.
    #[arg(long, default_value_t = 1_000)]
    epoch_size: u64,
    /// Seed of the generator.
    #[arg(long, default_value_t = 17)]
    seed: u64,
    /// Where to write the alerts (default: stdout).
    #[arg(long)]
    output: Option<PathBuf>,
    #[command(flatten)]
    run: RunOptions,
}

/// A card transaction.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transaction {
    pub ts_ms: u64,
    pub card: u64,
    pub cents: u64,
}

/// A small transaction followed by a large one on the same card within a minute.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Alert {
    pub card: u64,
    pub small_ts: u64,
    pub large_ts: u64,
    pub cents: u64,
}

/// Transaction `index`: about one a second, up to 5 minutes out of order, with a timestamp that
/// no other transaction has (`ts % 1000 == index % 1000`).
pub fn transaction(index: u64, cards: u64, rng: &mut Rng) -> Transaction {
    let ts_ms = (index + rng.below(300)) * 1_000 + index % 1_000;
    let cents = match rng.below(100) {
        0..=9 => 1 + rng.below(99),
        10..=14 => 50_001 + rng.below(50_000),
        _ => 1_000 + rng.below(20_000),
    };
    Transaction {
        ts_ms,
        card: rng.below(cards),
        cents,
    }
}

fn main() -> Result<(), RillError> {
    let args = Args::parse();
    let cards = args.cards;
    let transactions = generate(args.events, args.seed, move |i, rng| {
        transaction(i, cards, rng)
    })
    .events_per_epoch(args.epoch_size);
    let output = args.output;
    let job = dataflow! {
        #![name = "card_alerts"]
        let (alerts, expired_flags) = source(transactions)
            -> timestamps(|t: &Transaction| t.ts_ms, bounded(5min))
            -> key_by(|t: &Transaction| t.card)
            -> keyed_process(
                state(None::<u64>),
                |ctx: &mut ProcessContext<u64, Option<u64>, Alert, (u64, u64)>, t: Transaction| {
                    if let Some(small_ts) = ctx.state().take() {
                        if t.cents > 50_000 && t.ts_ms < small_ts + MINUTE {
                            ctx.emit(Alert { card: t.card, small_ts, large_ts: t.ts_ms, cents: t.cents });
                        }
                    }
                    if t.cents < 100 {
                        *ctx.state() = Some(t.ts_ms);
                        ctx.set_timer(t.ts_ms + MINUTE);
                    }
                },
                |ctx: &mut ProcessContext<u64, Option<u64>, Alert, (u64, u64)>, timer: Timer| {
                    if *ctx.state() == Some(timer.time - MINUTE) {
                        let card = *ctx.key();
                        ctx.side((card, timer.time - MINUTE));
                        ctx.clear();
                    }
                });
        alerts -> sink(csv_to(output.as_ref()));
        expired_flags
            -> map(|(card, small_ts): (u64, u64)| format!("expired {card},{small_ts}"))
            -> sink(stderr());
    };
    job.run_with(&args.run)?;
    Ok(())
}
