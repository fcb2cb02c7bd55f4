//! Word count, the `dataflow!` DSL against a hand-written timely program, on the same input.
//!
//! ```text
//! cargo bench --bench wordcount                                  # 10M words, 5 reps, 1 and 2 workers
//! cargo bench --bench wordcount -- --words 2000000 --reps 3 --workers 1,2,4
//! cargo bench --bench wordcount -- --only dsl --reps 1           # one version, e.g. for a profiler
//! cargo bench --bench wordcount -- --only dsl-shared,timely
//! ```
//!
//! The input is generated once, in memory (a `Vec<String>` of lines of 5 to 15 words, mean 10,
//! Zipf-distributed over a vocabulary of 10,000 words of [`word`]), so no I/O is measured. Both
//! versions read the same lines, worker `w` of `n` taking lines `i` with `i % n == w`:
//!
//! * `dsl`: `source(from_iter(lines)) -> flat_map(split) -> key_by(clone) -> count() ->
//!   sink(collect(..))`, run with `Job::run_with`. The job closure owns the lines (moved in before
//!   the clock starts); every worker but one runs on its own copy of the build closure, so with
//!   `n` workers the job copies the input `n - 1` times, inside its time.
//! * `dsl-shared`: the same pipeline over `from_shared(lines)`, which reads the worker's share of
//!   a shared `Arc<[String]>` and clones only those lines, exactly like the hand-written source.
//!   `dsl` minus `dsl-shared` is the cost of those copies; `dsl-shared` against `timely` is the
//!   operators'.
//! * `timely`: what an expert timely user writes. A `source` operator emits the worker's share of
//!   the lines (cloned from a shared `Arc<[String]>`, 1024 lines per activation like Rill's
//!   source), `flat_map` to `(word, 1)`, `Exchange` by hash of the word, and a `unary_frontier`
//!   that counts into a hash map per timestamp and emits `(word, count)` once the frontier passes.
//!
//! Both use the same hash, `rill::runtime::key::stable_hash`, for routing, and the same hash map,
//! `StableHashMap`, for counting. The results of both are checked against each other and
//! against a sequential count, once per worker count, outside the timed region. A run is timed
//! from just before `run_with` / `timely::execute` until both return (thread start and join
//! included for both).

#[path = "common/mod.rs"]
mod common;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rill::prelude::*;
use rill::runtime::key::{stable_hash, StableHashMap};
use timely::dataflow::channels::pact::Exchange;
use timely::dataflow::operators::generic::operator::source;
use timely::dataflow::operators::generic::Operator;
use timely::dataflow::operators::vec::Map;

/// Lines per source activation, in both versions (Rill's source emits 1024 records per step).
const LINES_PER_STEP: usize = 1024;
const VOCABULARY: u64 = 10_000;
const SEED: u64 = 2024;

type Counts = Vec<(String, u64)>;

struct Args {
    words: u64,
    reps: usize,
    workers: Vec<usize>,
    only: Option<String>,
}

fn parse_args() -> Args {
    let flags = common::parse_flags("--words", 10_000_000, &[], "dsl,dsl-shared,timely");
    Args {
        words: flags.size,
        reps: flags.reps,
        workers: flags.workers,
        only: flags.only,
    }
}

/// `words` Zipf-distributed words in lines of 5 to 15 words (the last line may be shorter).
fn generate_lines(words: u64) -> Vec<String> {
    let vocabulary: Vec<String> = (1..=VOCABULARY).map(word).collect();
    let zipf = Zipf::new(VOCABULARY, 1.0);
    let mut rng = Rng::new(SEED);
    let mut lines = Vec::with_capacity((words / 10 + 1) as usize);
    let mut left = words;
    while left > 0 {
        let n = (5 + rng.below(11)).min(left);
        left -= n;
        let mut line = String::with_capacity(n as usize * 7);
        for i in 0..n {
            if i > 0 {
                line.push(' ');
            }
            line.push_str(&vocabulary[zipf.sample(&mut rng) as usize - 1]);
        }
        lines.push(line);
    }
    lines
}

fn sequential_count(lines: &[String]) -> Counts {
    let mut counts: HashMap<&str, u64> = HashMap::new();
    for line in lines {
        for w in line.split_whitespace() {
            *counts.entry(w).or_insert(0) += 1;
        }
    }
    let mut counts: Counts = counts.into_iter().map(|(w, c)| (w.to_owned(), c)).collect();
    counts.sort();
    counts
}

/// The DSL version over `input` (`from_iter` of the lines, or `from_shared`), built before the
/// clock starts.
fn run_dsl<S>(input: S, workers: usize) -> (Duration, Counts)
where
    S: Source<Item = String> + Clone + Send + Sync,
{
    let counts = Collector::new();
    let results = counts.clone();
    let job = dataflow! {
        #![name = "wordcount-bench"]
        let text = source(input);
        text
            -> flat_map(|line: String| line.split_whitespace().map(str::to_owned).collect::<Vec<_>>())
            -> key_by(|w: &String| w.clone())
            -> count()
            -> sink(collect(&results));
    };
    let options = RunOptions {
        workers,
        quiet: true,
        ..RunOptions::default()
    };
    let started = Instant::now();
    job.run_with(&options).expect("the DSL job failed");
    let elapsed = started.elapsed();
    (elapsed, counts.take())
}

/// The hand-written timely version.
fn run_timely(lines: &Arc<[String]>, workers: usize) -> (Duration, Counts) {
    let results: Arc<Mutex<Counts>> = Arc::default();
    let config = if workers == 1 {
        timely::Config::thread()
    } else {
        timely::Config::process(workers)
    };
    let lines = Arc::clone(lines);
    let sink = Arc::clone(&results);
    let started = Instant::now();
    timely::execute(config, move |worker| {
        let (index, peers) = (worker.index(), worker.peers());
        let lines = Arc::clone(&lines);
        let sink = Arc::clone(&sink);
        worker.dataflow::<u64, _, _>(|scope| {
            source(scope, "Lines", |capability, info| {
                let activator = scope.activator_for(info.address);
                let mut capability = Some(capability);
                let mut next = index;
                move |output| {
                    let Some(cap) = capability.as_ref() else {
                        return;
                    };
                    let mut session = output.session(cap);
                    for _ in 0..LINES_PER_STEP {
                        let Some(line) = lines.get(next) else { break };
                        session.give(line.clone());
                        next += peers;
                    }
                    drop(session);
                    if next >= lines.len() {
                        capability = None;
                    } else {
                        activator.activate();
                    }
                }
            })
            .container::<Vec<String>>()
            .flat_map(|line: String| {
                line.split_whitespace()
                    .map(|w| (w.to_owned(), 1u64))
                    .collect::<Vec<_>>()
            })
            .unary_frontier(
                Exchange::new(|(w, _): &(String, u64)| stable_hash(w)),
                "Count",
                |_, _| {
                    let mut open = BTreeMap::new();
                    move |(input, frontier), output| {
                        input.for_each_time(|time, batches| {
                            let (_, counts) = open
                                .entry(*time.time())
                                .or_insert_with(|| (time.retain(0), StableHashMap::default()));
                            for batch in batches {
                                for (w, n) in batch.drain(..) {
                                    *counts.entry(w).or_insert(0u64) += n;
                                }
                            }
                        });
                        while let Some(entry) = open.first_entry() {
                            if frontier.less_equal(entry.key()) {
                                break;
                            }
                            let (cap, counts) = entry.remove();
                            output.session(&cap).give_iterator(counts.into_iter());
                        }
                    }
                },
            )
            .container::<Vec<(String, u64)>>()
            .sink(
                timely::dataflow::channels::pact::Pipeline,
                "Collect",
                move |(input, _)| {
                    input.for_each_time(|_, batches| {
                        let mut all = sink.lock().unwrap();
                        for batch in batches {
                            all.append(batch);
                        }
                    });
                },
            );
        });
    })
    .expect("the timely job failed");
    let elapsed = started.elapsed();
    let counts = std::mem::take(&mut *results.lock().unwrap());
    (elapsed, counts)
}

fn main() {
    let args = parse_args();
    let started = Instant::now();
    let lines = generate_lines(args.words);
    let bytes: usize = lines.iter().map(String::len).sum();
    eprintln!(
        "input: {} words in {} lines ({:.1} MB), vocabulary {VOCABULARY}, generated in {:.2} s",
        args.words,
        lines.len(),
        bytes as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );
    let expected = sequential_count(&lines);
    let clone_started = Instant::now();
    drop(std::hint::black_box(lines.clone()));
    eprintln!(
        "one copy of the input (clone + drop of the Vec<String>) takes {:.3} s",
        clone_started.elapsed().as_secs_f64()
    );
    let shared: Arc<[String]> = lines.into();
    let versions: Vec<&str> = match args.only.as_deref() {
        None => vec!["dsl", "dsl-shared", "timely"],
        Some(only) => only.split(',').map(str::trim).collect(),
    };
    let all = ["dsl", "dsl-shared", "timely"];
    assert!(
        versions.iter().all(|v| all.contains(v)),
        "--only takes a list of {all:?}"
    );

    // (version, workers) -> seconds of every rep.
    let mut times: BTreeMap<(&str, usize), Vec<f64>> = BTreeMap::new();
    for &workers in &args.workers {
        for rep in 0..args.reps {
            // Alternate which version goes first, so that drift in the machine's load evens out.
            let mut order = versions.clone();
            if rep % 2 == 1 {
                order.reverse();
            }
            for &version in &order {
                let (elapsed, mut counts) = match version {
                    "dsl" => run_dsl(from_iter(shared.to_vec()), workers),
                    "dsl-shared" => run_dsl(from_shared(Arc::clone(&shared)), workers),
                    _ => run_timely(&shared, workers),
                };
                if rep == 0 {
                    counts.sort();
                    assert!(
                        counts == expected,
                        "{version} on {workers} workers: {} distinct words, expected {}; counts differ from the sequential count",
                        counts.len(),
                        expected.len()
                    );
                }
                eprintln!(
                    "  {version:10} workers {workers} rep {rep}: {:.3} s{}",
                    elapsed.as_secs_f64(),
                    if rep == 0 { " (counts checked)" } else { "" }
                );
                times
                    .entry((version, workers))
                    .or_default()
                    .push(elapsed.as_secs_f64());
            }
        }
    }
    eprintln!(
        "check: for every worker count, the counts of {versions:?} equal the sequential count ({} distinct words)",
        expected.len()
    );

    let words = args.words as f64;
    println!();
    println!(
        "word count, {} words, {} reps per row (median), {} cores",
        args.words,
        args.reps,
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!(
        "{:<10} {:>7} {:>10} {:>10} {:>13} {:>12}",
        "version", "workers", "median s", "Mwords/s", "DSL/timely", "scaling"
    );
    let base = |version: &str| {
        times
            .get(&(version, args.workers[0]))
            .map(|t| common::median(t))
    };
    for &workers in &args.workers {
        for version in all {
            let Some(t) = times.get(&(version, workers)) else {
                continue;
            };
            let m = common::median(t);
            let ratio = match (version, times.get(&("timely", workers))) {
                ("dsl" | "dsl-shared", Some(h)) => format!("{:.3}", common::median(h) / m),
                _ => String::new(),
            };
            let scaling = match base(version) {
                Some(b) if workers != args.workers[0] => {
                    format!("{:.2}x vs {}w", b / m, args.workers[0])
                }
                _ => String::new(),
            };
            println!(
                "{:<10} {:>7} {:>10.3} {:>10.2} {:>13} {:>12}",
                version,
                workers,
                m,
                words / m / 1e6,
                ratio,
                scaling
            );
        }
    }
}
