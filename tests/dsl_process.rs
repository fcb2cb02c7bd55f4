//! Keyed process functions written with `dataflow!`: state with a time to live, processing-time
//! timers and side outputs, against results computed by hand.

use rill::prelude::*;
use std::time::Duration;

fn options(workers: usize) -> RunOptions {
    RunOptions {
        quiet: true,
        workers,
        ..Default::default()
    }
}

/// `(timestamp, key)` events, one per epoch so that the watermark moves between them.
fn events() -> Vec<(u64, u64)> {
    vec![
        (0, 1),
        (1_000, 1),
        (1_500, 2),
        (20_000, 1),
        (20_500, 2),
        (21_000, 1),
    ]
}

#[test]
fn state_expires_after_its_time_to_live() {
    for workers in [1, 3] {
        let (out, input) = (Collector::new(), events());
        let o = out.clone();
        let job = dataflow! {
            source(generate(input.len() as u64, 0, move |i, _| input[i as usize]).events_per_epoch(1))
                -> timestamps(|e: &(u64, u64)| e.0, monotonous())
                -> key_by(|e: &(u64, u64)| e.1)
                -> keyed_process(
                    state(0u64).ttl(5s),
                    |ctx: &mut ProcessContext<u64, u64, (u64, u64, u64), ()>, e: (u64, u64)| {
                        *ctx.state() += 1;
                        let seen = *ctx.state();
                        ctx.emit((e.1, e.0, seen));
                    })
                -> sink(collect(&o));
        };
        job.run_with(&options(workers)).unwrap();
        // Key 1: 0, 1000 (2 records), then 20000 after the state expired (watermark 20000 >= 1000 + 5000).
        let expected = vec![
            (1, 0, 1),
            (1, 1_000, 2),
            (1, 20_000, 1),
            (1, 21_000, 2),
            (2, 1_500, 1),
            (2, 20_500, 1),
        ];
        assert_eq!(out.sorted(), expected, "{workers} workers");
    }
}

#[test]
fn processing_time_timers_fire_and_side_outputs_are_bound() {
    for workers in [1, 2] {
        let (main, side) = (Collector::new(), Collector::new());
        let (m, s, input) = (main.clone(), side.clone(), events());
        let job = dataflow! {
            let (records, timers) = source(from_iter(input))
                -> timestamps(|e: &(u64, u64)| e.0, bounded(1s))
                -> key_by(|e: &(u64, u64)| e.1)
                -> keyed_process(
                    state(()),
                    |ctx: &mut ProcessContext<u64, (), u64, (u64, TimeDomain)>, e: (u64, u64)| {
                        ctx.emit(e.0);
                        ctx.set_processing_timer(Duration::ZERO);
                    },
                    |ctx: &mut ProcessContext<u64, (), u64, (u64, TimeDomain)>, timer: Timer| {
                        let key = *ctx.key();
                        ctx.side((key, timer.domain));
                    });
            records -> sink(collect(&m));
            timers -> sink(collect(&s));
        };
        job.run_with(&options(workers)).unwrap();
        assert_eq!(main.sorted(), vec![0, 1_000, 1_500, 20_000, 20_500, 21_000]);
        // One timer per key and time: at least one processing-time timer per key fired.
        let fired: Vec<(u64, TimeDomain)> = side.sorted();
        assert!(
            fired
                .iter()
                .all(|(_, domain)| *domain == TimeDomain::ProcessingTime),
            "{fired:?}"
        );
        for key in [1, 2] {
            assert!(
                fired.iter().any(|(k, _)| *k == key),
                "{workers} workers: {fired:?}"
            );
        }
    }
}
