//! Property tests for event-time windows: jobs run on 1, 2 and 3 workers must emit exactly what a
//! plain sequential model of the semantics documented in `rill_runtime::time` says.
//!
//! The model (see [`model`]): the input is a list of epochs of `(timestamp, key, value)` records.
//! The watermark after epoch `e` is the largest timestamp of epochs `<= e` minus the allowed
//! out-of-orderness (0 before any record). The records of epoch `e` are inserted with the watermark
//! after epoch `e - 1` (for sessions, in timestamp order); then the watermark moves and windows
//! fire; at the end of the input the watermark is infinite.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use rill_runtime::{Dataflow, Job, KeyedTimedStream, Late, RunOptions, WindowResult, Windows};
use rill_stdlib::sink::{collect, Collector};
use rill_stdlib::source::{generate, Rng};

type Millis = u64;
/// A record: `(timestamp, key, value)`.
type Rec = (Millis, u32, i64);
type Results<V> = Vec<WindowResult<u32, V>>;

/// One generated input and window definition.
#[derive(Clone)]
struct Case {
    /// Records per epoch (the generator's `events_per_epoch`).
    per_epoch: usize,
    records: Vec<Rec>,
    out_of_orderness: Millis,
    lateness: Millis,
    windows: Windows,
}

impl std::fmt::Debug for Case {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "{:?}, out_of_orderness {}, lateness {}, epochs of (ts, key, value):",
            self.windows, self.out_of_orderness, self.lateness
        )?;
        for epoch in self.records.chunks(self.per_epoch) {
            writeln!(f, "  {epoch:?}")?;
        }
        Ok(())
    }
}

/// What `got` has that `expected` lacks, and what it lacks, as a message.
fn difference<T: Ord + std::fmt::Debug>(got: &[T], expected: &[T]) -> String {
    let (mut extra, mut missing) = (Vec::new(), Vec::new());
    let (mut g, mut e) = (got.iter().peekable(), expected.iter().peekable());
    loop {
        match (g.peek(), e.peek()) {
            (None, None) => break,
            (Some(_), None) => extra.push(g.next()),
            (None, Some(_)) => missing.push(e.next()),
            (Some(a), Some(b)) => match a.cmp(b) {
                std::cmp::Ordering::Less => extra.push(g.next()),
                std::cmp::Ordering::Greater => missing.push(e.next()),
                std::cmp::Ordering::Equal => {
                    g.next();
                    e.next();
                }
            },
        }
    }
    format!("unexpected {extra:?}, missing {missing:?}")
}

// ---------------------------------------------------------------------------------------------
// The reference model.

/// A session of one key.
struct Session {
    start: Millis,
    end: Millis,
    records: Vec<Rec>,
    dirty: bool,
}

/// Per-key state of the model for every window kind (only the one of `case.windows` is used).
struct Model<'a, V> {
    case: &'a Case,
    agg: &'a dyn Fn(&[Rec]) -> V,
    /// Time windows by `(key, start, end)`: their records, and whether they changed since firing.
    panes: BTreeMap<(u32, Millis, Millis), (Vec<Rec>, bool)>,
    /// Disjoint sessions per key.
    sessions: BTreeMap<u32, Vec<Session>>,
    /// Count windows: records waiting for the watermark, by timestamp, and the records taken.
    waiting: BTreeMap<u32, BTreeMap<Millis, Vec<Rec>>>,
    taken: BTreeMap<u32, Vec<Rec>>,
    results: Results<V>,
    late: Vec<Late<Rec>>,
}

/// The `[start, end)` windows of size `size` starting at multiples of `slide` (>= 0) holding `ts`.
fn time_windows(ts: Millis, size: Millis, slide: Millis) -> Vec<(Millis, Millis)> {
    (0..=ts / slide)
        .map(|j| j * slide)
        .filter(|start| start + size > ts)
        .map(|start| (start, start + size))
        .collect()
}

impl<V> Model<'_, V> {
    fn insert(&mut self, record: Rec, watermark: Millis) {
        let (ts, key, _) = record;
        let lateness = self.case.lateness;
        let alive = |end: Millis| end.saturating_add(lateness) > watermark;
        let accepted = match self.case.windows {
            Windows::Tumbling { size } | Windows::Sliding { size, .. } => {
                let slide = match self.case.windows {
                    Windows::Sliding { slide, .. } => slide,
                    _ => size,
                };
                let open: Vec<_> = time_windows(ts, size, slide)
                    .into_iter()
                    .filter(|(_, end)| alive(*end))
                    .collect();
                for &(start, end) in &open {
                    let pane = self.panes.entry((key, start, end)).or_default();
                    pane.0.push(record);
                    pane.1 = true;
                }
                !open.is_empty()
            }
            Windows::Session { gap } => {
                let sessions = self.sessions.entry(key).or_default();
                let (mut start, mut end) = (ts, ts + gap);
                let (overlapping, rest): (Vec<Session>, Vec<Session>) = std::mem::take(sessions)
                    .into_iter()
                    .partition(|s| s.start < ts + gap && s.end > ts);
                for s in &overlapping {
                    start = start.min(s.start);
                    end = end.max(s.end);
                }
                *sessions = rest;
                if alive(end) {
                    let mut records = vec![record];
                    records.extend(overlapping.into_iter().flat_map(|s| s.records));
                    sessions.push(Session {
                        start,
                        end,
                        records,
                        dirty: true,
                    });
                    true
                } else {
                    sessions.extend(overlapping);
                    false
                }
            }
            _ => {
                // A count window's record "ends" at `ts + 1`.
                if alive(ts + 1) {
                    self.waiting
                        .entry(key)
                        .or_default()
                        .entry(ts)
                        .or_default()
                        .push(record);
                    true
                } else {
                    false
                }
            }
        };
        if !accepted {
            self.late.push(Late {
                timestamp: ts,
                watermark,
                record,
            });
        }
    }

    fn fire(&mut self, watermark: Millis) {
        let lateness = self.case.lateness;
        let expired = |end: Millis| end.saturating_add(lateness) <= watermark;
        let agg = self.agg;
        for (&(key, start, end), (records, dirty)) in self.panes.iter_mut() {
            if *dirty && end <= watermark {
                *dirty = false;
                self.results.push(WindowResult {
                    key,
                    start,
                    end,
                    value: agg(records),
                });
            }
        }
        self.panes.retain(|&(_, _, end), _| !expired(end));
        for (&key, sessions) in self.sessions.iter_mut() {
            for s in sessions.iter_mut() {
                if s.dirty && s.end <= watermark {
                    s.dirty = false;
                    self.results.push(WindowResult {
                        key,
                        start: s.start,
                        end: s.end,
                        value: agg(&s.records),
                    });
                }
            }
            sessions.retain(|s| !expired(s.end));
        }
        for (&key, waiting) in self.waiting.iter_mut() {
            let taken = self.taken.entry(key).or_default();
            let ready: Vec<Millis> = waiting.range(..watermark).map(|(ts, _)| *ts).collect();
            for ts in ready {
                for record in waiting.remove(&ts).expect("ready") {
                    taken.push(record);
                    let n = taken.len() as u64;
                    let window = match self.case.windows {
                        Windows::CountTumbling { size } if n % size == 0 => Some(n - size),
                        Windows::CountSliding { size, slide }
                            if n >= size && (n - size) % slide == 0 =>
                        {
                            Some(n - size)
                        }
                        Windows::Global { every } if n % every == 0 => Some(0),
                        _ => None,
                    };
                    if let Some(first) = window {
                        let records = &taken[first as usize..];
                        let start = records.iter().map(|r| r.0).min().expect("records");
                        let end = records.iter().map(|r| r.0).max().expect("records") + 1;
                        self.results.push(WindowResult {
                            key,
                            start,
                            end,
                            value: agg(records),
                        });
                    }
                }
            }
        }
    }
}

/// What the documented semantics say the job emits: its window results and its late records,
/// both sorted.
fn model<V: Ord>(case: &Case, agg: &dyn Fn(&[Rec]) -> V) -> (Results<V>, Vec<Late<Rec>>) {
    let mut m = Model {
        case,
        agg,
        panes: BTreeMap::new(),
        sessions: BTreeMap::new(),
        waiting: BTreeMap::new(),
        taken: BTreeMap::new(),
        results: Vec::new(),
        late: Vec::new(),
    };
    let watermark =
        |largest: Option<Millis>| largest.map_or(0, |l| l.saturating_sub(case.out_of_orderness));
    let mut largest = None;
    for epoch in case.records.chunks(case.per_epoch) {
        let before = watermark(largest);
        let mut epoch = epoch.to_vec();
        if matches!(case.windows, Windows::Session { .. }) {
            // Sessions take an epoch's records in timestamp order.
            epoch.sort_by_key(|r| r.0);
        }
        for &record in &epoch {
            m.insert(record, before);
        }
        largest = largest.max(epoch.iter().map(|r| r.0).max());
        m.fire(watermark(largest));
    }
    m.fire(Millis::MAX);
    let (mut results, mut late) = (m.results, m.late);
    results.sort();
    late.sort();
    (results, late)
}

fn count(records: &[Rec]) -> u64 {
    records.len() as u64
}

fn sum(records: &[Rec]) -> i64 {
    records.iter().map(|r| r.2).sum()
}

// ---------------------------------------------------------------------------------------------
// The jobs.

fn options(workers: usize) -> RunOptions {
    RunOptions {
        workers,
        quiet: true,
        ..RunOptions::default()
    }
}

/// Builds the generator source, timestamps and keys of `case` on one worker.
fn keyed<'s>(
    df: &mut Dataflow<'s>,
    case: &Case,
    records: Arc<Vec<Rec>>,
) -> KeyedTimedStream<'s, u32, Rec> {
    let source = generate(records.len() as u64, 0, move |i, _: &mut Rng| {
        records[i as usize]
    })
    .events_per_epoch(case.per_epoch as u64);
    df.source("src", source)
        .timestamps(
            "ts",
            |r: &Rec| r.0,
            Duration::from_millis(case.out_of_orderness),
        )
        .key_by("key", |r: &Rec| r.1)
}

/// Everything one run of a count-and-sum job emitted, sorted.
#[derive(Debug, PartialEq)]
struct CountSum {
    counts: Results<u64>,
    sums: Results<i64>,
    late_counts: Vec<Late<Rec>>,
    late_sums: Vec<Late<Rec>>,
}

fn run_count_sum(case: &Case, workers: usize) -> CountSum {
    let records = Arc::new(case.records.clone());
    let (counts, sums) = (Collector::new(), Collector::new());
    let (late_counts, late_sums) = (Collector::new(), Collector::new());
    let (c, s, lc, ls) = (
        counts.clone(),
        sums.clone(),
        late_counts.clone(),
        late_sums.clone(),
    );
    let job_case = case.clone();
    let job = Job::new("w", move |df: &mut Dataflow<'_>| {
        let case = job_case;
        let keyed = keyed(df, &case, records);
        let lateness = Duration::from_millis(case.lateness);
        let (results, late) = keyed
            .clone()
            .window("win", case.windows, lateness)
            .count("count")
            .with_late();
        results.sink("counts", collect(&c));
        late.sink("late counts", collect(&lc));
        let (results, late) = keyed
            .window("win", case.windows, lateness)
            .sum("sum", |r: Rec| r.2)
            .with_late();
        results.sink("sums", collect(&s));
        late.sink("late sums", collect(&ls));
    });
    job.run_with(&options(workers)).expect("the job runs");
    CountSum {
        counts: counts.sorted(),
        sums: sums.sorted(),
        late_counts: late_counts.sorted(),
        late_sums: late_sums.sorted(),
    }
}

/// Runs `case` with `count` and `sum` on 1, 2 and 3 workers and compares with the model.
fn check_count_sum(case: &Case) -> Result<(), TestCaseError> {
    let (counts, late) = model(case, &count);
    let (sums, _) = model(case, &sum);
    let expected = CountSum {
        counts,
        sums,
        late_counts: late.clone(),
        late_sums: late,
    };
    for workers in 1..=3 {
        let got = run_count_sum(case, workers);
        prop_assert!(
            got == expected,
            "on {} worker(s): counts: {}; sums: {}; late (count): {}; late (sum): {}",
            workers,
            difference(&got.counts, &expected.counts),
            difference(&got.sums, &expected.sums),
            difference(&got.late_counts, &expected.late_counts),
            difference(&got.late_sums, &expected.late_sums)
        );
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Inputs.

fn ms(millis: Millis) -> Duration {
    Duration::from_millis(millis)
}

/// Up to 200 records over 3 keys whose timestamps drift upward, some of them jittered back by up
/// to 60 ms; with `distinct`, no two records of a key share a timestamp.
fn records(distinct: bool) -> impl Strategy<Value = Vec<Rec>> {
    let jitter = prop_oneof![3 => Just(0u64), 1 => 0u64..60];
    prop::collection::vec((0u64..=6, jitter, 0u32..3, -20i64..=20), 0..200).prop_map(move |steps| {
        let mut base = 0;
        let mut seen = HashSet::new();
        steps
            .into_iter()
            .map(|(step, jitter, key, value)| {
                base += step;
                let mut ts = base.saturating_sub(jitter);
                while distinct && !seen.insert((key, ts)) {
                    ts += 1;
                }
                (ts, key, value)
            })
            .collect()
    })
}

fn case(windows: impl Strategy<Value = Windows>, distinct: bool) -> impl Strategy<Value = Case> {
    let out_of_orderness = prop_oneof![Just(0u64), 0u64..30];
    let lateness = prop_oneof![Just(0u64), 0u64..50];
    (
        records(distinct),
        1usize..=20,
        out_of_orderness,
        lateness,
        windows,
    )
        .prop_map(
            |(records, per_epoch, out_of_orderness, lateness, windows)| Case {
                per_epoch,
                records,
                out_of_orderness,
                lateness,
                windows,
            },
        )
}

/// 24 cases per property, or `PROPTEST_CASES` for a longer search.
fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(24);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn tumbling(case in case((1u64..=60).prop_map(|size| Windows::tumbling(ms(size))), false)) {
        check_count_sum(&case)?;
    }

    #[test]
    fn sliding(case in case(
        (1u64..=20, 1u64..=4).prop_map(|(slide, n)| Windows::sliding(ms(slide * n), ms(slide))),
        false,
    )) {
        check_count_sum(&case)?;
    }

    #[test]
    fn session(case in case((1u64..=30).prop_map(|gap| Windows::session(ms(gap))), false)) {
        check_count_sum(&case)?;
    }

    #[test]
    fn count_tumbling(case in case((1u64..=5).prop_map(Windows::count_tumbling), true)) {
        check_count_sum(&case)?;
    }

    #[test]
    fn count_sliding(case in case(
        (1u64..=5, 1u64..=4).prop_map(|(size, slide)| Windows::count_sliding(size, slide)),
        true,
    )) {
        check_count_sum(&case)?;
    }

    #[test]
    fn global_every(case in case((1u64..=5).prop_map(Windows::global_every), true)) {
        check_count_sum(&case)?;
    }

    #[test]
    fn tumbling_aggregations(case in case((1u64..=60).prop_map(|size| Windows::tumbling(ms(size))), false)) {
        check_aggregations(&case)?;
    }
}

// ---------------------------------------------------------------------------------------------
// The other aggregations, on tumbling windows.

/// `(count, sum of squares)`: a fold whose result does not depend on the order of the records.
type Folded = (u64, i64);

fn fold_model(records: &[Rec]) -> Folded {
    (
        records.len() as u64,
        records.iter().map(|r| r.2 * r.2).sum(),
    )
}

fn reduce_model(records: &[Rec]) -> Rec {
    *records.iter().max().expect("a window has records")
}

fn min_model(records: &[Rec]) -> i64 {
    records
        .iter()
        .map(|r| r.2)
        .min()
        .expect("a window has records")
}

fn max_model(records: &[Rec]) -> i64 {
    records
        .iter()
        .map(|r| r.2)
        .max()
        .expect("a window has records")
}

/// The mean, as bits: sums of small integers are exact in `f64`, whatever their order.
fn avg_model(records: &[Rec]) -> u64 {
    (records.iter().map(|r| r.2 as f64).sum::<f64>() / records.len() as f64).to_bits()
}

#[derive(Debug, PartialEq)]
struct Aggregations {
    folds: Results<Folded>,
    reduces: Results<Rec>,
    mins: Results<i64>,
    maxes: Results<i64>,
    avgs: Results<u64>,
    late: Vec<Late<Rec>>,
}

fn run_aggregations(case: &Case, workers: usize) -> Aggregations {
    let records = Arc::new(case.records.clone());
    let (folds, reduces, mins, maxes) = (
        Collector::new(),
        Collector::new(),
        Collector::new(),
        Collector::new(),
    );
    let (avgs, late) = (Collector::<WindowResult<u32, f64>>::new(), Collector::new());
    let outputs = (
        folds.clone(),
        reduces.clone(),
        mins.clone(),
        maxes.clone(),
        avgs.clone(),
        late.clone(),
    );
    let job_case = case.clone();
    let job = Job::new("w", move |df: &mut Dataflow<'_>| {
        let (folds, reduces, mins, maxes, avgs, late) = outputs;
        let case = job_case;
        let keyed = keyed(df, &case, records);
        let windowed = || keyed.clone().window("win", case.windows, ms(case.lateness));
        let fold = |acc: &mut Folded, r: Rec| {
            acc.0 += 1;
            acc.1 += r.2 * r.2;
        };
        let (results, late_records) = windowed().fold("fold", (0, 0), fold).with_late();
        results.sink("folds", collect(&folds));
        late_records.sink("late", collect(&late));
        windowed()
            .reduce("reduce", |a: Rec, b: Rec| a.max(b))
            .results("reduce")
            .sink("reduces", collect(&reduces));
        windowed()
            .min("min", |r: Rec| r.2)
            .results("min")
            .sink("mins", collect(&mins));
        windowed()
            .max("max", |r: Rec| r.2)
            .results("max")
            .sink("maxes", collect(&maxes));
        windowed()
            .avg("avg", |r: Rec| r.2 as f64)
            .results("avg")
            .sink("avgs", collect(&avgs));
    });
    job.run_with(&options(workers)).expect("the job runs");
    let mut avgs: Results<u64> = avgs
        .take()
        .into_iter()
        .map(|w| WindowResult {
            key: w.key,
            start: w.start,
            end: w.end,
            value: w.value.to_bits(),
        })
        .collect();
    avgs.sort();
    Aggregations {
        folds: folds.sorted(),
        reduces: reduces.sorted(),
        mins: mins.sorted(),
        maxes: maxes.sorted(),
        avgs,
        late: late.sorted(),
    }
}

fn check_aggregations(case: &Case) -> Result<(), TestCaseError> {
    let (folds, late) = model(case, &fold_model);
    let expected = Aggregations {
        folds,
        reduces: model(case, &reduce_model).0,
        mins: model(case, &min_model).0,
        maxes: model(case, &max_model).0,
        avgs: model(case, &avg_model).0,
        late,
    };
    for workers in 1..=3 {
        let got = run_aggregations(case, workers);
        prop_assert!(
            got == expected,
            "on {} worker(s): folds: {}; reduces: {}; mins: {}; maxes: {}; avgs: {}; late: {}",
            workers,
            difference(&got.folds, &expected.folds),
            difference(&got.reduces, &expected.reduces),
            difference(&got.mins, &expected.mins),
            difference(&got.maxes, &expected.maxes),
            difference(&got.avgs, &expected.avgs),
            difference(&got.late, &expected.late)
        );
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The model itself, on hand-checked examples.

#[test]
fn model_examples() {
    // Tumbling 10 ms, no out-of-orderness, lateness 5, one record per epoch.
    let case = Case {
        per_epoch: 1,
        records: vec![(1, 0, 1), (12, 0, 1), (3, 0, 1), (25, 0, 1), (8, 0, 1)],
        out_of_orderness: 0,
        lateness: 5,
        windows: Windows::tumbling(ms(10)),
    };
    let (results, late) = model(&case, &count);
    let w = |start, end, value| WindowResult {
        key: 0,
        start,
        end,
        value,
    };
    // After (12): watermark 12 fires [0,10) with 1; (3) arrives at 12 < 10 + 5: re-fires with 2.
    // After (25): watermark 25 fires [10,20) with 1; (8) arrives at 25 >= 15: late.
    // At the end [20,30) fires.
    assert_eq!(
        results,
        [w(0, 10, 1), w(0, 10, 2), w(10, 20, 1), w(20, 30, 1)]
    );
    assert_eq!(
        late,
        [Late {
            timestamp: 8,
            watermark: 25,
            record: (8, 0, 1)
        }]
    );

    // Sessions of gap 5: 1 and 4 merge, 10 is alone, 7 bridges them once they have fired.
    let case = Case {
        per_epoch: 1,
        records: vec![(1, 0, 1), (4, 0, 1), (10, 0, 1), (20, 0, 1), (7, 0, 1)],
        out_of_orderness: 0,
        lateness: 20,
        windows: Windows::session(ms(5)),
    };
    let (results, late) = model(&case, &count);
    assert_eq!(
        results,
        [w(1, 9, 2), w(1, 15, 4), w(10, 15, 1), w(20, 25, 1)]
    );
    assert!(late.is_empty());

    // Count windows of 2 over timestamps taken in order.
    let case = Case {
        per_epoch: 2,
        records: vec![(5, 0, 1), (1, 0, 1), (9, 0, 1), (7, 0, 1), (3, 0, 1)],
        out_of_orderness: 0,
        lateness: 0,
        windows: Windows::count_tumbling(2),
    };
    let (results, late) = model(&case, &count);
    // Epoch 0 (5, 1) is taken at watermark 5: only 1. Epoch 1 (9, 7) arrives at 5, taken at 9:
    // 5, 7 -> [1, 5], then window [7, ...) waits. Epoch 2 (3) arrives at 9 > 3: late.
    // At the end 9 is taken: [7, 9].
    assert_eq!(results, [w(1, 6, 2), w(7, 10, 2)]);
    assert_eq!(
        late,
        [Late {
            timestamp: 3,
            watermark: 9,
            record: (3, 0, 1)
        }]
    );
}

// ---------------------------------------------------------------------------------------------
// Regressions found by the properties above.

/// A sliding count window whose last record is older than the others (taken late, within the
/// lateness) spans its least to its greatest timestamp (it used to end before it started).
#[test]
fn count_sliding_window_spans_its_records() {
    let case = Case {
        per_epoch: 1,
        records: vec![(5, 0, 1), (10, 0, 1), (3, 0, 1)],
        out_of_orderness: 0,
        lateness: 10,
        windows: Windows::count_sliding(2, 1),
    };
    let w = |start, end, value| WindowResult {
        key: 0,
        start,
        end,
        value,
    };
    // 5 is taken at watermark 10, 3 (arriving at 10, within the lateness) at 10 too, 10 at the end.
    let expected = [w(3, 6, 2), w(3, 11, 2)];
    assert_eq!(model(&case, &count).0, expected);
    for workers in 1..=3 {
        assert_eq!(
            run_count_sum(&case, workers).counts,
            expected,
            "{workers} worker(s)"
        );
    }
}

/// Sessions take an epoch's records in timestamp order: 85 is late on its own, whether or not 92
/// (same epoch, bridging to the live session at 100) reaches the operator first.
#[test]
fn sessions_take_an_epochs_records_in_timestamp_order() {
    let case = Case {
        per_epoch: 2,
        records: vec![(100, 0, 1), (0, 1, 1), (92, 0, 1), (85, 0, 1)],
        out_of_orderness: 0,
        lateness: 0,
        windows: Windows::session(ms(10)),
    };
    let counts = vec![
        WindowResult {
            key: 0,
            start: 92,
            end: 110,
            value: 2,
        },
        WindowResult {
            key: 1,
            start: 0,
            end: 10,
            value: 1,
        },
    ];
    let late = vec![Late {
        timestamp: 85,
        watermark: 100,
        record: (85, 0, 1),
    }];
    assert_eq!(model(&case, &count), (counts.clone(), late.clone()));
    for workers in 1..=3 {
        let got = run_count_sum(&case, workers);
        assert_eq!(
            (got.counts, got.late_counts),
            (counts.clone(), late.clone()),
            "{workers} worker(s)"
        );
    }
}
