//! Session windows of `1min` with `fold` and `process`: a record that bridges two sessions
//! within the lateness merges them (the merged session fires again), a record for a session
//! already forgotten is late.

use rill::prelude::*;

/// `(timestamp ms, user)`, two per epoch.
const CLICKS: [(u64, &str); 6] = [
    // epoch 0: sessions [0, 60000) and [100000, 160000) of `u`; the watermark becomes 100000,
    // so [0, 60000) fires.
    (0, "u"),
    (100_000, "u"),
    // epoch 1 meets watermark 100000: [0, 60000) is kept until 60000 + 1min, and 50000 bridges
    // it with [100000, 160000): one session [0, 160000), which fires at watermark 300000.
    (50_000, "u"),
    (300_000, "v"),
    // epoch 2 meets watermark 300000: `u`'s session was forgotten at 160000 + 1min, 20000 is late.
    (20_000, "u"),
    (400_000, "v"),
];

fn click(i: u64) -> (u64, String) {
    let (ts, user) = CLICKS[i as usize];
    (ts, user.to_string())
}

fn main() -> Result<(), RillError> {
    let folded = Collector::new();
    let processed = Collector::new();
    let late_folded = Collector::new();
    let late_processed = Collector::new();
    let (f, p, lf, lp) = (
        folded.clone(),
        processed.clone(),
        late_folded.clone(),
        late_processed.clone(),
    );
    let job = dataflow! {
        let clicks = source(generate(6, 0, |i, _| click(i)).events_per_epoch(2))
            -> timestamps(|c: &(u64, String)| c.0, monotonous())
            -> key_by(|c: &(u64, String)| c.1.clone());
        let (sessions, late_fold) = clicks
            -> window(session(1min), lateness(1min))
            -> fold(Vec::new(), |times: &mut Vec<u64>, c: (u64, String)| times.push(c.0));
        let (summaries, late_process) = clicks
            -> window(session(60s), lateness(60_000ms))
            -> process(|w: &WindowResult<String, ()>, all: &[(u64, String)]| {
                vec![(w.key.clone(), w.start, w.end, all.len())]
            });
        sessions
            -> map(|mut w: WindowResult<String, Vec<u64>>| { w.value.sort(); w })
            -> sink(collect(&f));
        summaries -> sink(collect(&p));
        late_fold -> sink(collect(&lf));
        late_process -> sink(collect(&lp));
    };
    job.run_with(&RunOptions {
        quiet: true,
        ..RunOptions::default()
    })?;
    let session = |key: &str, start: u64, end: u64, value: Vec<u64>| WindowResult {
        key: key.to_string(),
        start,
        end,
        value,
    };
    assert_eq!(
        folded.sorted(),
        [
            session("u", 0, 60_000, vec![0]),
            session("u", 0, 160_000, vec![0, 50_000, 100_000]),
            session("v", 300_000, 360_000, vec![300_000]),
            session("v", 400_000, 460_000, vec![400_000]),
        ]
    );
    let summary = |key: &str, start: u64, end: u64, n: usize| (key.to_string(), start, end, n);
    assert_eq!(
        processed.sorted(),
        [
            summary("u", 0, 60_000, 1),
            summary("u", 0, 160_000, 3),
            summary("v", 300_000, 360_000, 1),
            summary("v", 400_000, 460_000, 1),
        ]
    );
    let late = [Late {
        timestamp: 20_000,
        watermark: 300_000,
        record: (20_000, "u".to_string()),
    }];
    assert_eq!(late_folded.sorted(), late);
    assert_eq!(late_processed.sorted(), late);
    Ok(())
}
