//! A CSV source bound to two names (records and bad records), a generator source with epochs,
//! and the csv_file and stdout sinks. Files live in a fresh temporary directory.

use rill::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Trade {
    symbol: String,
    amount: u64,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::temp_dir().join(format!("rill-ui-csv-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let input = dir.join("trades.csv");
    let output = dir.join("totals.csv");
    std::fs::write(&input, "symbol,amount\nACME,10\nINIT,x\nACME,5\n")?;
    let bad_lines = Collector::new();
    let lines = bad_lines.clone();
    let out = output.clone();
    let ticks = generate(6, 1, |i, _| i).events_per_epoch(2);
    let job = dataflow! {
        let (trades, bad) = source(csv::<Trade>(&input));
        trades
            -> key_by(|t: &Trade| t.symbol.clone())
            -> sum(|t: Trade| t.amount)
            -> sink(csv_file(&out));
        bad -> map(|b: BadRecord| b.line) -> sink(collect(&lines));
        source(ticks) -> filter(|i: &u64| *i > 100) -> sink(stdout());
    };
    job.run_with(&RunOptions {
        quiet: true,
        ..RunOptions::default()
    })?;
    assert_eq!(bad_lines.take(), [3]);
    let written = std::fs::read_to_string(&output)?;
    assert!(written.contains("ACME,15"), "{written}");
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}
