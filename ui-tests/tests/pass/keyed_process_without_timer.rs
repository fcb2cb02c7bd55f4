//! A keyed process function without a timer function and with one output: a running sum per key,
//! taken in timestamp order within an epoch whatever order the records arrive in.

use std::time::Duration;

use rill::prelude::*;

/// `(timestamp ms, key, value)`: `x` arrives out of order.
const EVENTS: [(u64, &str, u64); 4] = [(300, "x", 3), (100, "x", 1), (200, "x", 2), (150, "y", 10)];

fn event(i: u64) -> (u64, String, u64) {
    let (ts, key, value) = EVENTS[i as usize];
    (ts, key.to_string(), value)
}

fn main() -> Result<(), RillError> {
    let sums = Collector::new();
    let s = sums.clone();
    let ttl = Duration::from_secs(60);
    let job = dataflow! {
        // Duration literals work in source options too.
        let running = source(generate(4, 0, |i, _| event(i)).idle_after(30s))
            -> timestamps(|e: &(u64, String, u64)| e.0, bounded(1s))
            -> key_by(|e: &(u64, String, u64)| e.1.clone())
            -> keyed_process(
                state(0u64).ttl(ttl),
                |ctx: &mut ProcessContext<String, u64, (String, u64, u64), ()>, e: (u64, String, u64)| {
                    *ctx.state() += e.2;
                    let sum = *ctx.state();
                    ctx.emit((e.1, e.0, sum));
                });
        running -> sink(collect(&s));
    };
    job.run_with(&RunOptions {
        quiet: true,
        ..RunOptions::default()
    })?;
    let sum = |key: &str, ts: u64, total: u64| (key.to_string(), ts, total);
    assert_eq!(
        sums.sorted(),
        [
            sum("x", 100, 1),
            sum("x", 200, 3),
            sum("x", 300, 6),
            sum("y", 150, 10)
        ]
    );
    Ok(())
}
