//! A keyed process function with state, event-time timers and a side output: each key counts
//! its records and reports the count one second after its last record (a timer set for an
//! earlier record finds a later `last` and does nothing); large values go to the side output.

use rill::prelude::*;

/// `(timestamp ms, key, value)`, two per epoch.
const EVENTS: [(u64, &str, u64); 6] = [
    (0, "a", 1),
    (100, "b", 500),
    (500, "a", 2),
    (2_000, "a", 3),
    (2_100, "b", 7),
    (3_000, "c", 1),
];

fn event(i: u64) -> (u64, String, u64) {
    let (ts, key, value) = EVENTS[i as usize];
    (ts, key.to_string(), value)
}

/// A key's record count and last timestamp.
type Seen = (u64, u64);
type Ctx<'a> = ProcessContext<'a, String, Seen, (String, u64, u64), (String, u64, u64)>;

fn main() -> Result<(), RillError> {
    let reports = Collector::new();
    let large = Collector::new();
    let (r, l) = (reports.clone(), large.clone());
    let job = dataflow! {
        let (main, side) = source(generate(6, 0, |i, _| event(i)).events_per_epoch(2))
            -> timestamps(|e: &(u64, String, u64)| e.0, monotonous())
            -> key_by(|e: &(u64, String, u64)| e.1.clone())
            -> keyed_process(
                state((0u64, 0u64)),
                |ctx: &mut Ctx, e: (u64, String, u64)| {
                    let (ts, key, value) = e;
                    let seen = ctx.state();
                    seen.0 += 1;
                    seen.1 = ts;
                    ctx.set_timer(ts + 1_000);
                    if value >= 100 {
                        ctx.side((key, ts, value));
                    }
                },
                |ctx: &mut Ctx, timer: Timer| {
                    assert_eq!(timer.domain, TimeDomain::EventTime);
                    let (count, last) = *ctx.state();
                    if timer.time == last + 1_000 {
                        let key = ctx.key().clone();
                        ctx.emit((key, count, timer.time));
                        ctx.clear();
                    }
                });
        main -> sink(collect(&r));
        side -> sink(collect(&l));
    };
    job.run_with(&RunOptions {
        quiet: true,
        ..RunOptions::default()
    })?;
    // Watermarks 100, 2000, 3000 after the epochs: `b`'s timer at 1100 fires at 2000 (clearing
    // `b`, which starts again at 2100), `a`'s timers at 1000 and 1500 find `last` 2000 and do
    // nothing, its timer at 3000 fires at 3000; `b` at 3100 and `c` at 4000 fire at the end.
    let report = |key: &str, count: u64, time: u64| (key.to_string(), count, time);
    assert_eq!(
        reports.sorted(),
        [
            report("a", 3, 3_000),
            report("b", 1, 1_100),
            report("b", 1, 3_100),
            report("c", 1, 4_000),
        ]
    );
    assert_eq!(large.sorted(), [("b".to_string(), 100, 500)]);
    Ok(())
}
