//! Session windows with every aggregation, now that sessions keep one accumulator per session and
//! merge accumulators when a record bridges two (`Aggregate::merge`), or keep their records when
//! the aggregation cannot merge (`fold`, an `Aggregate` without `merge`): jobs on 1, 2 and 3
//! workers must emit what a plain sequential model of the documented session semantics says,
//! the model computing every value from the session's records.
//!
//! The model: the input is a list of epochs of `(timestamp, key, value)` records. The records of
//! epoch `e`, in timestamp order, meet the watermark after epoch `e - 1` (the largest timestamp of
//! the epochs before minus the out-of-orderness; 0 before any record). A record opens the session
//! `[ts, ts + gap)`, merged with every session of its key it overlaps; if the merged session's
//! `end + lateness` is not past the watermark it is kept (changed), else the record is late and
//! the sessions stay as they were. After each epoch every changed session whose end the new
//! watermark reached fires with all its records, and sessions past `end + lateness` are forgotten.
//! At the end of the input the watermark is infinite.

use std::collections::{BTreeMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use rill_runtime::{
    Aggregate, Dataflow, Job, KeyedTimedStream, Late, RunOptions, WindowResult, Windows,
};
use rill_stdlib::sink::{collect, Collector};
use rill_stdlib::source::{generate, Rng};

type Millis = u64;
/// A record: `(timestamp, key, value)`.
type Rec = (Millis, u32, i64);
type Results<V> = Vec<WindowResult<u32, V>>;

#[derive(Clone)]
struct Case {
    per_epoch: usize,
    records: Vec<Rec>,
    out_of_orderness: Millis,
    lateness: Millis,
    gap: Millis,
}

impl std::fmt::Debug for Case {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "sessions of gap {}, out_of_orderness {}, lateness {}, epochs of (ts, key, value):",
            self.gap, self.out_of_orderness, self.lateness
        )?;
        for epoch in self.records.chunks(self.per_epoch) {
            writeln!(f, "  {epoch:?}")?;
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// The reference model.

/// A session of one key in the model.
struct Session {
    start: Millis,
    end: Millis,
    records: Vec<Rec>,
    dirty: bool,
}

/// Every session that fired, with the records it held then, and the late records; both sorted.
fn model(case: &Case) -> (Results<Vec<Rec>>, Vec<Late<Rec>>) {
    let mut sessions: BTreeMap<u32, Vec<Session>> = BTreeMap::new();
    let (mut fired, mut late) = (Vec::new(), Vec::new());
    let mut largest: Option<Millis> = None;
    let watermark_of =
        |largest: Option<Millis>| largest.map_or(0, |l| l.saturating_sub(case.out_of_orderness));
    let fire = |sessions: &mut BTreeMap<u32, Vec<Session>>,
                watermark: Millis,
                fired: &mut Results<Vec<Rec>>| {
        for (&key, list) in sessions.iter_mut() {
            for s in list.iter_mut().filter(|s| s.dirty && s.end <= watermark) {
                s.dirty = false;
                let mut records = s.records.clone();
                records.sort();
                fired.push(WindowResult {
                    key,
                    start: s.start,
                    end: s.end,
                    value: records,
                });
            }
            list.retain(|s| s.end.saturating_add(case.lateness) > watermark);
        }
    };
    for epoch in case.records.chunks(case.per_epoch) {
        let watermark = watermark_of(largest);
        let mut epoch = epoch.to_vec();
        epoch.sort_by_key(|r| r.0);
        for record in &epoch {
            let (ts, key, _) = *record;
            let list = sessions.entry(key).or_default();
            let (bridged, rest): (Vec<Session>, Vec<Session>) = std::mem::take(list)
                .into_iter()
                .partition(|s| s.start < ts + case.gap && s.end > ts);
            let start = bridged.iter().map(|s| s.start).fold(ts, Millis::min);
            let end = bridged
                .iter()
                .map(|s| s.end)
                .fold(ts + case.gap, Millis::max);
            *list = rest;
            if end.saturating_add(case.lateness) > watermark {
                let mut records = vec![*record];
                records.extend(bridged.into_iter().flat_map(|s| s.records));
                list.push(Session {
                    start,
                    end,
                    records,
                    dirty: true,
                });
            } else {
                list.extend(bridged);
                late.push(Late {
                    timestamp: ts,
                    watermark,
                    record: *record,
                });
            }
        }
        largest = largest.max(epoch.iter().map(|r| r.0).max());
        fire(&mut sessions, watermark_of(largest), &mut fired);
    }
    fire(&mut sessions, Millis::MAX, &mut fired);
    fired.sort();
    late.sort();
    (fired, late)
}

/// The model's sessions with `f` applied to their records.
fn values<V: Ord>(fired: &Results<Vec<Rec>>, f: impl Fn(&[Rec]) -> V) -> Results<V> {
    let mut out: Results<V> = fired
        .iter()
        .map(|w| WindowResult {
            key: w.key,
            start: w.start,
            end: w.end,
            value: f(&w.value),
        })
        .collect();
    out.sort();
    out
}

// ---------------------------------------------------------------------------------------------
// User aggregations: the same one with and without `merge`.

/// The sum of the values, their count and the least timestamp, as a user `Aggregate`; counts
/// its merges in `merges` (shared by every worker's copy).
#[derive(Clone)]
struct Stats {
    mergeable: bool,
    merges: Arc<AtomicUsize>,
}

/// `(sum, count, least timestamp)`.
type StatsOut = (i64, u64, Millis);

impl Aggregate<Rec> for Stats {
    type Acc = Option<StatsOut>;
    type Out = StatsOut;
    fn create(&mut self) -> Self::Acc {
        None
    }
    fn add(&mut self, acc: &mut Self::Acc, (ts, _, v): Rec) {
        *acc = Some(match *acc {
            Some((sum, n, first)) => (sum + v, n + 1, first.min(ts)),
            None => (v, 1, ts),
        });
    }
    fn can_merge(&self) -> bool {
        self.mergeable
    }
    fn merge(&mut self, a: Self::Acc, b: Self::Acc) -> Self::Acc {
        self.merges.fetch_add(1, Ordering::Relaxed);
        match (a, b) {
            (Some((s1, n1, f1)), Some((s2, n2, f2))) => Some((s1 + s2, n1 + n2, f1.min(f2))),
            (a, b) => a.or(b),
        }
    }
    fn result(&mut self, acc: &Self::Acc) -> StatsOut {
        acc.expect("a session has records")
    }
}

fn stats_model(records: &[Rec]) -> StatsOut {
    (
        records.iter().map(|r| r.2).sum(),
        records.len() as u64,
        records.iter().map(|r| r.0).min().expect("records"),
    )
}

// ---------------------------------------------------------------------------------------------
// The job.

fn options(workers: usize) -> RunOptions {
    RunOptions {
        workers,
        quiet: true,
        ..RunOptions::default()
    }
}

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

/// Everything one run emitted, sorted.
#[derive(Debug, PartialEq)]
struct Outputs {
    counts: Results<u64>,
    sums: Results<i64>,
    mins: Results<i64>,
    maxes: Results<i64>,
    /// Means as bits: sums of small integers are exact in `f64`, whatever their order.
    avgs: Results<u64>,
    reduces: Results<Rec>,
    /// `(count, sum of squares)`: a fold that does not depend on the order of the records.
    folds: Results<(u64, i64)>,
    /// Every session's records, sorted, from a full-window `process`.
    processed: Results<Vec<Rec>>,
    merged_stats: Results<StatsOut>,
    unmerged_stats: Results<StatsOut>,
    late: Vec<Late<Rec>>,
}

fn run(case: &Case, workers: usize, merges: &Arc<AtomicUsize>) -> Outputs {
    let records = Arc::new(case.records.clone());
    let collectors = (
        Collector::new(),
        Collector::new(),
        Collector::new(),
        Collector::new(),
        Collector::<WindowResult<u32, f64>>::new(),
        Collector::new(),
        Collector::new(),
    );
    let more = (
        Collector::new(),
        Collector::new(),
        Collector::new(),
        Collector::new(),
    );
    let (c, s, mi, ma, a, r, f) = collectors.clone();
    let (p, ms, us, l) = more.clone();
    let job_case = case.clone();
    let merges = merges.clone();
    let job = Job::new("sessions", move |df: &mut Dataflow<'_>| {
        let case = job_case;
        let keyed = keyed(df, &case, records);
        let windows = Windows::session(Duration::from_millis(case.gap));
        let lateness = Duration::from_millis(case.lateness);
        let windowed = || keyed.clone().window("win", windows, lateness);
        let (counts, late) = windowed().count("count").with_late();
        counts.sink("counts", collect(&c));
        late.sink("late", collect(&l));
        windowed()
            .sum("sum", |r: Rec| r.2)
            .results("sum")
            .sink("sums", collect(&s));
        windowed()
            .min("min", |r: Rec| r.2)
            .results("min")
            .sink("mins", collect(&mi));
        windowed()
            .max("max", |r: Rec| r.2)
            .results("max")
            .sink("maxes", collect(&ma));
        windowed()
            .avg("avg", |r: Rec| r.2 as f64)
            .results("avg")
            .sink("avgs", collect(&a));
        windowed()
            .reduce("reduce", |x: Rec, y: Rec| x.max(y))
            .results("reduce")
            .sink("reduces", collect(&r));
        windowed()
            .fold("fold", (0u64, 0i64), |acc: &mut (u64, i64), r: Rec| {
                acc.0 += 1;
                acc.1 += r.2 * r.2;
            })
            .results("fold")
            .sink("folds", collect(&f));
        windowed()
            .process("process", |w: &WindowResult<u32, ()>, records: &[Rec]| {
                let mut records = records.to_vec();
                records.sort();
                [WindowResult {
                    key: w.key,
                    start: w.start,
                    end: w.end,
                    value: records,
                }]
            })
            .results("process")
            .sink("processed", collect(&p));
        let stats = |mergeable| Stats {
            mergeable,
            merges: merges.clone(),
        };
        windowed()
            .aggregate("merged", stats(true))
            .results("merged")
            .sink("merged", collect(&ms));
        windowed()
            .aggregate("unmerged", stats(false))
            .results("unmerged")
            .sink("unmerged", collect(&us));
    });
    job.run_with(&options(workers)).expect("the job runs");
    let (c, s, mi, ma, a, r, f) = collectors;
    let (p, ms, us, l) = more;
    let mut avgs: Results<u64> = a
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
    Outputs {
        counts: c.sorted(),
        sums: s.sorted(),
        mins: mi.sorted(),
        maxes: ma.sorted(),
        avgs,
        reduces: r.sorted(),
        folds: f.sorted(),
        processed: p.sorted(),
        merged_stats: ms.sorted(),
        unmerged_stats: us.sorted(),
        late: l.sorted(),
    }
}

fn expected(case: &Case) -> Outputs {
    let (fired, late) = model(case);
    Outputs {
        counts: values(&fired, |r| r.len() as u64),
        sums: values(&fired, |r| r.iter().map(|r| r.2).sum()),
        mins: values(&fired, |r| r.iter().map(|r| r.2).min().expect("records")),
        maxes: values(&fired, |r| r.iter().map(|r| r.2).max().expect("records")),
        avgs: values(&fired, |r| {
            (r.iter().map(|r| r.2 as f64).sum::<f64>() / r.len() as f64).to_bits()
        }),
        reduces: values(&fired, |r| *r.iter().max().expect("records")),
        folds: values(&fired, |r| {
            (r.len() as u64, r.iter().map(|r| r.2 * r.2).sum())
        }),
        processed: fired.clone(),
        merged_stats: values(&fired, stats_model),
        unmerged_stats: values(&fired, stats_model),
        late,
    }
}

/// Runs `case` on 1, 2 and 3 workers against the model; returns how often `Stats` merged.
fn check(case: &Case) -> Result<usize, TestCaseError> {
    let expected = expected(case);
    let merges = Arc::new(AtomicUsize::new(0));
    for workers in 1..=3 {
        let got = run(case, workers, &merges);
        prop_assert!(
            got == expected,
            "on {} worker(s):\n got {:?}\n expected {:?}",
            workers,
            got,
            expected
        );
    }
    Ok(merges.load(Ordering::Relaxed))
}

// ---------------------------------------------------------------------------------------------
// Inputs.

/// Up to 150 records over 3 keys whose timestamps drift upward, some jittered back by up to 60 ms.
fn records() -> impl Strategy<Value = Vec<Rec>> {
    let jitter = prop_oneof![3 => Just(0u64), 1 => 0u64..60];
    prop::collection::vec((0u64..=8, jitter, 0u32..3, -20i64..=20), 0..150).prop_map(|steps| {
        let mut base = 0;
        steps
            .into_iter()
            .map(|(step, jitter, key, value)| {
                base += step;
                (base.saturating_sub(jitter), key, value)
            })
            .collect()
    })
}

fn case() -> impl Strategy<Value = Case> {
    (
        records(),
        1usize..=20,
        prop_oneof![Just(0u64), 0u64..30],
        prop_oneof![Just(0u64), 0u64..50],
        1u64..=30,
    )
        .prop_map(
            |(records, per_epoch, out_of_orderness, lateness, gap)| Case {
                per_epoch,
                records,
                out_of_orderness,
                lateness,
                gap,
            },
        )
}

/// 24 cases, or `PROPTEST_CASES` for a longer search.
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
    fn sessions_with_every_aggregation(case in case()) {
        check(&case)?;
    }
}

// ---------------------------------------------------------------------------------------------
// Hand-checked examples.

/// Sessions of gap 5 over one key: 1 and 4 form [1, 9); 10 is alone, [10, 15); 7 (a later epoch,
/// within the lateness) bridges them into [1, 15). The mergeable `Stats` merges accumulators
/// (at least once per layout), the other one does not, and both agree with the model.
#[test]
fn a_bridging_record_merges_accumulators() {
    let case = Case {
        per_epoch: 1,
        records: vec![(1, 0, 1), (4, 0, 2), (10, 0, 4), (20, 0, 8), (7, 0, 16)],
        out_of_orderness: 0,
        lateness: 20,
        gap: 5,
    };
    let (fired, late) = model(&case);
    let bounds: Vec<(Millis, Millis, usize)> = fired
        .iter()
        .map(|w| (w.start, w.end, w.value.len()))
        .collect();
    assert_eq!(bounds, [(1, 9, 2), (1, 15, 4), (10, 15, 1), (20, 25, 1)]);
    assert!(late.is_empty());
    let merges = check(&case).expect("the job agrees with the model");
    // One merge per layout: 7 bridges [1, 9) and [10, 15).
    assert_eq!(merges, 3);
    let got = run(&case, 2, &Arc::new(AtomicUsize::new(0)));
    let stats: Vec<StatsOut> = got.merged_stats.iter().map(|w| w.value).collect();
    assert_eq!(stats, [(3, 2, 1), (23, 4, 1), (4, 1, 10), (8, 1, 20)]);
    assert_eq!(got.merged_stats, got.unmerged_stats);
}

/// No two records of a key at one timestamp, so that equal timestamps cannot hide an ordering
/// problem: the model and the job agree on a long input with many merges.
#[test]
fn many_merges() {
    let mut seen = HashSet::new();
    let mut rng = Rng::for_record(7, 0);
    let records: Vec<Rec> = (0..400u64)
        .map(|i| {
            let key = rng.below(4) as u32;
            // Every fifth record goes back in time, often into the gap between two sessions.
            let mut ts = if i % 5 == 4 {
                (i * 3).saturating_sub(15)
            } else {
                i * 3 + 10
            };
            while !seen.insert((key, ts)) {
                ts += 1;
            }
            (ts, key, rng.below(100) as i64 - 50)
        })
        .collect();
    let case = Case {
        per_epoch: 7,
        records,
        out_of_orderness: 5,
        lateness: 40,
        gap: 9,
    };
    let merges = check(&case).expect("the job agrees with the model");
    assert!(merges > 0, "no session merged");
}
