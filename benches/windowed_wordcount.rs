//! Windowed word count in event time, the `dataflow!` DSL against a hand-written timely program,
//! on the same input.
//!
//! ```text
//! cargo bench --bench windowed_wordcount                      # 10M events, 5 reps, 1 and 2 workers
//! cargo bench --bench windowed_wordcount -- --events 2000000 --reps 3 --workers 1,2,4
//! cargo bench --bench windowed_wordcount -- --only dsl --reps 1 --latency-reps 0   # for a profiler
//! ```
//!
//! The input is generated once, in memory: `events` records `(ts_ms, word)` in an
//! `Arc<[(u64, String)]>`. Words are Zipf-distributed over a vocabulary of 10,000 words of
//! [`word`]; event `i` happens at `i / 10` ms (10,000 events per simulated second) plus a uniform
//! random jitter in `0..JITTER_MS` ms, so timestamps increase with bounded disorder. Worker `w` of
//! `n` reads events `i` with `i % n == w`, in batches of 1024; **the `k`-th batch of every worker is
//! epoch `k / 64`** in both versions (so epoch `e` holds events `e * 65536 * n .. (e + 1) * 65536 * n`), and
//! windows fire progressively as the epochs complete.
//!
//! * `dsl`: `source(batch_epochs(from_shared(events))) -> timestamps(|e| e.0, bounded(1s)) ->
//!   key_by(|e| e.1.clone()) -> window(tumbling(1s)) -> count()`, results into a counting
//!   `for_each` sink, late records (there are none) into another. `from_shared` alone reads
//!   everything at epoch 0, which would fire every window at the end of the input; `batch_epochs`,
//!   defined here, only sets each batch's epoch to the worker's batch number before `from_shared`'s
//!   reader fills it.
//! * `timely`: what an expert writes. A source operator emits the worker's share, 1024 events per
//!   activation and epoch, and the largest timestamp of each batch on a second output, which is
//!   broadcast. A `binary_frontier` operator receives the events exchanged by the word's key group
//!   (`worker_for_key`, as Rill routes) and the broadcast marks; it counts per (window end, word)
//!   in `StableHashMap`s, folds in the marks of the epochs the frontier has passed (watermark =
//!   largest timestamp so far minus 1 s, the same definition as Rill's), emits `(word, end, count)`
//!   for every window whose end the watermark has reached, and counts late records. A sink counts.
//!
//! Checks, outside the timed region, once per worker count: both versions' results (collected
//! instead of counted) sorted equal a sequential count per (word, window), and no record is late
//! (neither version reports one, and a sequential replay of the watermark over the epochs confirms
//! it). Every timed rep also checks the number of results and the sum of their counts.
//!
//! Window-fire latency (DSL only, separate untimed runs): for each window `W` whose end the
//! watermark passes before the input ends, let `k(W)` be the first epoch whose marks bring the
//! watermark to `W.end` or beyond (computed from the input). Latency is the wall time at which the
//! last result of `W` reaches the sink minus the wall time at which a source emitted the first
//! batch of epoch `k(W)` (the earliest over workers). Also reported: the same minus the time the
//! last worker emitted its batch of `k(W)` (when the input that moves the watermark is complete).

#[path = "common/mod.rs"]
mod common;
#[path = "common/windowed.rs"]
mod windowed;

use std::collections::BTreeMap;
use std::time::Instant;

use windowed::{percentile, EVENTS_PER_SECOND, JITTER_MS, VERSIONS, VOCABULARY};

/// Both versions use mimalloc: with glibc's allocator, strings allocated by one worker and freed
/// by another (after an exchange) contend on its arenas, and two workers run slower than one.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

struct Args {
    events: u64,
    reps: usize,
    latency_reps: usize,
    workers: Vec<usize>,
    only: Option<String>,
}

fn parse_args() -> Args {
    let flags = common::parse_flags(
        "--events",
        10_000_000,
        &[("--latency-reps", 3)],
        "dsl,timely",
    );
    Args {
        events: flags.size,
        reps: flags.reps,
        latency_reps: flags.extra[0],
        workers: flags.workers,
        only: flags.only,
    }
}

fn main() {
    let args = parse_args();
    let started = Instant::now();
    let events = windowed::generate_events(args.events);
    eprintln!(
        "input: {} events over {} simulated s, vocabulary {VOCABULARY}, jitter < {JITTER_MS} ms, generated in {:.2} s",
        events.len(),
        args.events / EVENTS_PER_SECOND,
        started.elapsed().as_secs_f64()
    );
    let expected = windowed::sequential_count(&events);
    let expected_sum: u64 = expected.iter().map(|r| r.3).sum();
    assert_eq!(expected_sum, args.events);
    let all = VERSIONS;
    let versions: Vec<&str> = match args.only.as_deref() {
        None => all.to_vec(),
        Some(only) => only.split(',').map(str::trim).collect(),
    };
    assert!(
        versions.iter().all(|v| all.contains(v)),
        "--only takes {all:?}"
    );

    let mut times: BTreeMap<(&str, usize), Vec<f64>> = BTreeMap::new();
    let mut latency_rows = Vec::new();
    for &workers in &args.workers {
        // Checks, untimed.
        for &version in &versions {
            let rows = windowed::check(version, &events, workers, &expected);
            eprintln!(
                "check: {version} on {workers} workers: {rows} (word, window) counts equal the sequential count, 0 late",
            );
        }
        // Timed reps, alternating the order.
        for rep in 0..args.reps {
            let mut order = versions.clone();
            if rep % 2 == 1 {
                order.reverse();
            }
            for &version in &order {
                let (elapsed, counts) = windowed::timed(version, &events, workers);
                counts.check(version, workers, expected.len(), events.len());
                eprintln!(
                    "  {version:7} workers {workers} rep {rep}: {:.3} s",
                    elapsed.as_secs_f64()
                );
                times
                    .entry((version, workers))
                    .or_default()
                    .push(elapsed.as_secs_f64());
            }
        }
        // Latency, untimed.
        if versions.contains(&"dsl") && args.latency_reps > 0 {
            let (from_first, from_last) = windowed::latency(&events, workers, args.latency_reps);
            if !from_first.is_empty() {
                latency_rows.push((workers, from_first.len(), from_first, from_last));
            }
        }
    }

    let n = args.events as f64;
    println!();
    println!(
        "windowed word count, {} events, tumbling 1 s windows, bounded(1s), {} reps per row (median), {} cores",
        args.events,
        args.reps,
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!(
        "{:<8} {:>7} {:>10} {:>10} {:>11} {:>12}",
        "version", "workers", "median s", "Mevents/s", "DSL/timely", "scaling"
    );
    let first_workers = args.workers[0];
    for &workers in &args.workers {
        for version in all {
            let Some(t) = times.get(&(version, workers)) else {
                continue;
            };
            let m = common::median(t);
            let ratio = match (version, times.get(&("timely", workers))) {
                ("dsl", Some(h)) => format!("{:.3}", common::median(h) / m),
                _ => String::new(),
            };
            let scaling = match times.get(&(version, first_workers)) {
                Some(b) if workers != first_workers => {
                    format!("{:.2}x vs {first_workers}w", common::median(b) / m)
                }
                _ => String::new(),
            };
            println!(
                "{:<8} {:>7} {:>10.3} {:>10.2} {:>11} {:>12}",
                version,
                workers,
                m,
                n / m / 1e6,
                ratio,
                scaling
            );
        }
    }
    if !latency_rows.is_empty() {
        println!();
        println!(
            "DSL window-fire latency, ms ({} untimed runs per row; windows fired by the watermark)",
            args.latency_reps
        );
        println!(
            "{:>7} {:>8} {:>24} {:>24}",
            "workers", "windows", "from first emit p50/p99", "from last emit p50/p99"
        );
        for (workers, count, first, last) in &latency_rows {
            println!(
                "{:>7} {:>8} {:>24} {:>24}",
                workers,
                count,
                format!(
                    "{:.2} / {:.2}",
                    percentile(first, 50.0),
                    percentile(first, 99.0)
                ),
                format!(
                    "{:.2} / {:.2}",
                    percentile(last, 50.0),
                    percentile(last, 99.0)
                ),
            );
        }
    }
}
