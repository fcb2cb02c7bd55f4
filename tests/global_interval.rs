//! `window(global_interval(d))`: a global window per key fired by a processing-time trigger,
//! against a plain sequential model of the documented semantics (`rill_runtime::Windows`).
//!
//! What fires when depends on the wall clock, so the tests check what holds whatever the timing:
//! a key's window takes its records epoch by epoch, so every result is the aggregate of the key's
//! records of epochs `0..=e` for some `e` (the model's prefixes); nothing is purged, so a key's
//! results grow; the last result of every key is its total; a window fires only when it changed,
//! so no key repeats a result; and with input that lasts many intervals, some key fires before the
//! end of the input.

use std::collections::{BTreeMap, BTreeSet};

use rill::prelude::*;

/// `(timestamp ms, key, value)`.
type Reading = (u64, u64, u64);

/// Reading `i`: at `10 * i` ms, key `i % 3`, value `i`.
fn reading(i: u64) -> Reading {
    (10 * i, i % 3, i)
}

/// What a key's global window holds: `(count, sum)` of its values.
type Totals = (u64, u64);

/// The model: for every key, the result after each epoch that changed it — the aggregate of the
/// key's readings of that epoch and all before, with the span of their timestamps.
fn prefixes(count: u64, per_epoch: u64) -> BTreeMap<u64, Vec<WindowResult<u64, Totals>>> {
    let mut windows: BTreeMap<u64, WindowResult<u64, Totals>> = BTreeMap::new();
    let mut out: BTreeMap<u64, Vec<WindowResult<u64, Totals>>> = BTreeMap::new();
    let all: Vec<Reading> = (0..count).map(reading).collect();
    for epoch in all.chunks(per_epoch as usize) {
        let mut changed = BTreeSet::new();
        for &(ts, key, value) in epoch {
            let w = windows.entry(key).or_insert(WindowResult {
                key,
                start: ts,
                end: ts + 1,
                value: (0, 0),
            });
            w.start = w.start.min(ts);
            w.end = w.end.max(ts + 1);
            w.value.0 += 1;
            w.value.1 += value;
            changed.insert(key);
        }
        for key in changed {
            out.entry(key).or_default().push(windows[&key].clone());
        }
    }
    out
}

fn options(workers: usize) -> RunOptions {
    RunOptions {
        workers,
        quiet: true,
        ..RunOptions::default()
    }
}

/// Input that lasts about 1.5 s (600 readings at 400/s, 30 epochs), fired every 50 ms: every
/// result is a prefix, results grow, the last is the total, and some fire before the end.
#[test]
fn running_results_are_prefixes_and_the_last_is_the_total() {
    const COUNT: u64 = 600;
    const PER_EPOCH: u64 = 20;
    let model = prefixes(COUNT, PER_EPOCH);
    for workers in [1, 3] {
        let out = Collector::new();
        let o = out.clone();
        let job = dataflow! {
            source(generate(COUNT, 0, |i, _| reading(i)).events_per_epoch(PER_EPOCH).rate(400.0))
                -> timestamps(|r: &Reading| r.0, monotonous())
                -> key_by(|r: &Reading| r.1)
                -> window(global_interval(50ms))
                -> fold((0u64, 0u64), |acc: &mut Totals, r: Reading| {
                    acc.0 += 1;
                    acc.1 += r.2;
                })
                -> sink(collect(&o));
        };
        job.run_with(&options(workers)).expect("the job runs");
        let mut by_key: BTreeMap<u64, Vec<WindowResult<u64, Totals>>> = BTreeMap::new();
        for result in out.take() {
            by_key.entry(result.key).or_default().push(result);
        }
        assert_eq!(
            by_key.keys().collect::<Vec<_>>(),
            model.keys().collect::<Vec<_>>(),
            "{workers} worker(s)"
        );
        let mut fired = 0;
        for (key, results) in &mut by_key {
            let prefixes = &model[key];
            for result in results.iter() {
                assert!(
                    prefixes.contains(result),
                    "{workers} worker(s): {result:?} is not the aggregate of whole epochs of key {key}"
                );
            }
            // Not purged: a key's results grow, and it never repeats one (it fires when changed).
            results.sort_by_key(|r| r.value.0);
            assert!(
                results.windows(2).all(|w| w[0].value.0 < w[1].value.0
                    && w[0].value.1 <= w[1].value.1
                    && w[0].start == w[1].start
                    && w[0].end <= w[1].end),
                "{workers} worker(s): key {key}: {results:?}"
            );
            assert_eq!(
                results.last(),
                prefixes.last(),
                "{workers} worker(s): key {key}'s last result is its total"
            );
            fired += results.len();
        }
        // 1.5 s of input fired every 50 ms: at least one result came before the end of the input.
        assert!(
            fired > model.len(),
            "{workers} worker(s): only the final results fired"
        );
    }
}

/// Input that ends long before the interval: every key fires once, at the end of the input, with
/// its total; `window_all` fires the whole stream's total.
#[test]
fn the_end_of_the_input_fires_the_totals() {
    let model = prefixes(1000, 100);
    let totals: Vec<WindowResult<u64, u64>> = model
        .values()
        .map(|p| {
            let last = p.last().expect("a result");
            WindowResult {
                key: last.key,
                start: last.start,
                end: last.end,
                value: last.value.1,
            }
        })
        .collect();
    for workers in [1, 2] {
        let (sums, whole) = (Collector::new(), Collector::new());
        let (s, w) = (sums.clone(), whole.clone());
        let interval = std::time::Duration::from_secs(3600);
        let job = dataflow! {
            let readings = source(generate(1000, 0, |i, _| reading(i)).events_per_epoch(100))
                -> timestamps(|r: &Reading| r.0, bounded(20ms));
            readings
                -> key_by(|r: &Reading| r.1)
                -> window(global_interval(interval), lateness(1ms))
                -> sum(|r: Reading| r.2)
                -> sink(collect(&s));
            readings
                -> window_all(global_interval(1h))
                -> count()
                -> sink(collect(&w));
        };
        job.run_with(&options(workers)).expect("the job runs");
        assert_eq!(sums.sorted(), totals, "{workers} worker(s)");
        assert_eq!(
            whole.sorted(),
            [WindowResult {
                key: (),
                start: 0,
                end: 9991,
                value: 1000
            }],
            "{workers} worker(s)"
        );
    }
}

/// Records older than the watermark are never late in a global window: out-of-order input with
/// no lateness still counts every record.
#[test]
fn nothing_is_late() {
    // Timestamps go backwards: every record after the first epoch is behind the watermark.
    let out = Collector::new();
    let late = Collector::new();
    let (o, l) = (out.clone(), late.clone());
    let job = dataflow! {
        let (counts, too_late) = source(generate(100, 0, |i, _| (1000 - i, i % 2)).events_per_epoch(10))
            -> timestamps(|r: &(u64, u64)| r.0, monotonous())
            -> key_by(|r: &(u64, u64)| r.1)
            -> window(global_interval(1h))
            -> count();
        counts -> sink(collect(&o));
        too_late -> sink(collect(&l));
    };
    job.run_with(&options(2)).expect("the job runs");
    let w = |key, start, end| WindowResult {
        key,
        start,
        end,
        value: 50u64,
    };
    assert_eq!(out.sorted(), [w(0, 902, 1001), w(1, 901, 1000)]);
    assert!(late.is_empty());
}
