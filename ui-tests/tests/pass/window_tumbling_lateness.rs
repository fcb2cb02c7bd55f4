//! Tumbling windows with `count()` over three epochs: a record within the lateness updates a
//! window that already fired (which fires again), a record past it goes to the late output.

use std::time::Duration;

use rill::prelude::*;

/// `(timestamp ms, key)`, two per epoch.
const EVENTS: [(u64, &str); 6] = [
    // epoch 0; the watermark then is 1200: [0, 1000) fires for `a`.
    (100, "a"),
    (1_200, "b"),
    // epoch 1 meets watermark 1200: 900 is within 1000 + 500ms, so [0, 1000) of `a` is updated.
    (900, "a"),
    (2_600, "a"),
    // epoch 2 meets watermark 2600: [0, 1000) of `b` expired at 1500, so 400 is late.
    (400, "b"),
    (2_700, "b"),
];

fn event(i: u64) -> (u64, String) {
    let (ts, key) = EVENTS[i as usize];
    (ts, key.to_string())
}

fn main() -> Result<(), RillError> {
    let results = Collector::new();
    let too_late = Collector::new();
    let (r, l) = (results.clone(), too_late.clone());
    let size = Duration::from_secs(1);
    let job = dataflow! {
        let (counts, late) = source(generate(6, 0, |i, _| event(i)).events_per_epoch(2))
            -> timestamps(|e: &(u64, String)| e.0, monotonous())
            -> key_by(|e: &(u64, String)| e.1.clone())
            -> window(tumbling(size), lateness(500ms))
            -> count();
        counts -> sink(collect(&r));
        late -> sink(collect(&l));
    };
    job.run_with(&RunOptions {
        quiet: true,
        ..RunOptions::default()
    })?;
    let window = |key: &str, start: u64, value: u64| WindowResult {
        key: key.to_string(),
        start,
        end: start + 1_000,
        value,
    };
    assert_eq!(
        results.sorted(),
        [
            window("a", 0, 1),
            window("a", 0, 2),
            window("a", 2_000, 1),
            window("b", 1_000, 1),
            window("b", 2_000, 1),
        ]
    );
    assert_eq!(
        too_late.sorted(),
        [Late {
            timestamp: 400,
            watermark: 2_600,
            record: (400, "b".to_string()),
        }]
    );
    Ok(())
}
