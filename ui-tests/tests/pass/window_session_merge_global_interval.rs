//! A user `Aggregate` that merges, on session windows that merge, and a global window fired by a
//! processing-time trigger (`global_interval`), whose input ends before the first firing: each
//! key fires once, at the end of the input, with its total.

use rill::prelude::*;

/// `(timestamp ms, key, value)`.
type Reading = (u64, String, u64);

/// Readings of key `k` at 100, 300 and 200 ms (the last one, a later epoch, bridges the first
/// two sessions of gap 150 ms) and at 1000 ms; key `j` at 50 ms.
fn reading(i: u64) -> Reading {
    const READINGS: [(u64, &str, u64); 5] = [
        (100, "k", 1),
        (300, "k", 2),
        (50, "j", 4),
        (1000, "k", 8),
        (200, "k", 16),
    ];
    let (ts, key, value) = READINGS[i as usize];
    (ts, key.to_string(), value)
}

/// The sum of the values, with merged accumulators.
struct Total;

impl Aggregate<Reading> for Total {
    type Acc = u64;
    type Out = u64;
    fn create(&mut self) -> u64 {
        0
    }
    fn add(&mut self, acc: &mut u64, record: Reading) {
        *acc += record.2;
    }
    fn can_merge(&self) -> bool {
        true
    }
    fn merge(&mut self, a: u64, b: u64) -> u64 {
        a + b
    }
    fn result(&mut self, acc: &u64) -> u64 {
        *acc
    }
}

fn window(key: &str, start: u64, end: u64, value: u64) -> WindowResult<String, u64> {
    WindowResult {
        key: key.to_string(),
        start,
        end,
        value,
    }
}

fn main() -> Result<(), RillError> {
    let sessions = Collector::new();
    let globals = Collector::new();
    let (s, g) = (sessions.clone(), globals.clone());
    let job = dataflow! {
        let readings = source(generate(5, 0, |i, _| reading(i)).events_per_epoch(4))
            -> timestamps(|r: &Reading| r.0, bounded(1s))
            -> key_by(|r: &Reading| r.1.clone());
        readings
            -> window(session(150ms), lateness(1s))
            -> aggregate(Total)
            -> sink(collect(&s));
        readings
            -> window(global_interval(1h))
            -> sum(|r: Reading| r.2)
            -> sink(collect(&g));
    };
    job.run_with(&RunOptions {
        quiet: true,
        ..RunOptions::default()
    })?;
    // Epoch 0 (watermark 0 before, 0 after: 1000 - 1s): nothing fires. Epoch 1 bridges
    // [100, 250) and [300, 450) into [100, 450). At the end every session fires.
    assert_eq!(
        sessions.sorted(),
        [
            window("j", 50, 200, 4),
            window("k", 100, 450, 19),
            window("k", 1000, 1150, 8),
        ]
    );
    assert_eq!(
        globals.sorted(),
        [window("j", 50, 51, 4), window("k", 100, 1001, 27)]
    );
    Ok(())
}
