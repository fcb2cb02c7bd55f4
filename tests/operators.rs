//! Every operator of the DSL against a plain sequential reference, on 1 worker, 4 workers, and
//! 2 processes x 2 workers.
//!
//! This binary (`harness = false`) is both the driver and, when `RILL_CASE` is set, the job: the
//! driver starts itself with the case name and layout flags (the launcher then starts the
//! processes), and the job writes its output as JSON lines to the path in `RILL_OUTPUT`.

mod support;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::process::Command;

use rill::prelude::*;
use serde::de::DeserializeOwned;
use support::{layout_args, LAYOUTS};

/// Input records of the keyed cases: `(key, value)` at epoch `index / EPOCH`.
const EVENTS: u64 = 20_000;
const EPOCH: u64 = 700;
const KEYS: u64 = 50;

/// A `(key, value)` record.
type Event = (u64, u64);

fn event(index: u64, rng: &mut Rng) -> Event {
    let _ = index;
    (rng.below(KEYS), rng.below(1_000))
}

fn events() -> impl Source<Item = (u64, u64)> {
    generate(EVENTS, 21, event).events_per_epoch(EPOCH)
}

/// The reference for the keyed cases: after each epoch, `(key, aggregate so far)` for every key
/// the epoch changed, where `step` folds one value into a key's accumulator.
fn running<A: Clone>(init: impl Fn(u64) -> A, step: impl Fn(&mut A, u64)) -> Vec<(u64, A)> {
    let mut state: HashMap<u64, A> = HashMap::new();
    let mut changed = BTreeSet::new();
    let mut out = Vec::new();
    for index in 0..EVENTS {
        let (key, value) = event(index, &mut Rng::for_record(21, index));
        match state.get_mut(&key) {
            Some(acc) => step(acc, value),
            None => {
                state.insert(key, init(value));
            }
        }
        changed.insert(key);
        if (index + 1) % EPOCH == 0 || index + 1 == EVENTS {
            out.extend(changed.iter().map(|k| (*k, state[k].clone())));
            changed.clear();
        }
    }
    out
}

/// Runs one case as a job (in the child process).
fn run_case(case: &str, output: std::path::PathBuf) -> Result<(), RillError> {
    let run = RunOptions::from_args();
    let numbers: Vec<u64> = (0..10_000).collect();
    let job = match case {
        "elementwise" => dataflow! {
            source(from_iter(numbers))
                -> filter(|x: &u64| x % 2 == 0)
                -> flat_map(|x: u64| [x, x + 1])
                -> map(|x: u64| x * 3)
                -> inspect(|x: &u64| assert!(x % 3 == 0))
                -> sink(json_lines_file(&output));
        }
        .run_with(&run),
        "distinct" => dataflow! {
            source(generate(EVENTS, 5, |i, _| i % 777).events_per_epoch(EPOCH))
                -> distinct()
                -> sink(json_lines_file(&output));
        }
        .run_with(&run),
        "concat" => dataflow! {
            let evens = source(from_iter(numbers.clone())) -> filter(|x: &u64| x % 2 == 0);
            let odds = source(from_iter(numbers)) -> filter(|x: &u64| x % 2 == 1);
            let keyed = source(generate(1_000, 3, |i, _| i)) -> key_by(|x: &u64| x % 10);
            evens -> union(odds, keyed) -> sink(json_lines_file(&output));
        }
        .run_with(&run),
        "count" => dataflow! {
            source(events()) -> key_by(|e: &(u64, u64)| e.0) -> count() -> sink(json_lines_file(&output));
        }
        .run_with(&run),
        "sum" => dataflow! {
            source(events()) -> key_by(|e: &(u64, u64)| e.0) -> sum(|e: (u64, u64)| e.1) -> sink(json_lines_file(&output));
        }
        .run_with(&run),
        "min" => dataflow! {
            source(events()) -> key_by(|e: &(u64, u64)| e.0) -> min(|e: (u64, u64)| e.1) -> sink(json_lines_file(&output));
        }
        .run_with(&run),
        "max" => dataflow! {
            source(events()) -> key_by(|e: &(u64, u64)| e.0) -> max(|e: (u64, u64)| e.1) -> sink(json_lines_file(&output));
        }
        .run_with(&run),
        "fold" => dataflow! {
            source(events())
                -> key_by(|e: &(u64, u64)| e.0)
                -> fold((0u64, 0u64), |acc: &mut (u64, u64), e: (u64, u64)| { acc.0 += 1; acc.1 += e.1 * e.1; })
                -> sink(json_lines_file(&output));
        }
        .run_with(&run),
        "reduce" => dataflow! {
            source(events())
                -> key_by(|e: &(u64, u64)| e.0)
                -> reduce(|a: (u64, u64), b: (u64, u64)| (a.0, a.1 + b.1))
                -> sink(json_lines_file(&output));
        }
        .run_with(&run),
        "join" => dataflow! {
            let left = source(generate(3_000, 8, |i, rng| (rng.below(200), i)).events_per_epoch(400))
                -> key_by(|l: &(u64, u64)| l.0);
            source(generate(2_000, 9, |j, rng| (rng.below(240), j)).events_per_epoch(300))
                -> key_by(|r: &(u64, u64)| r.0)
                -> join(left)
                -> map(|(key, (r, l)): (u64, (Event, Event))| (key, l.1, r.1))
                -> sink(json_lines_file(&output));
        }
        .run_with(&run),
        other => panic!("unknown case {other}"),
    };
    job.map(|_| ())
}

/// The expected output of a case, sorted.
fn reference(case: &str) -> Vec<serde_json::Value> {
    fn json<T: serde::Serialize>(items: impl IntoIterator<Item = T>) -> Vec<serde_json::Value> {
        items
            .into_iter()
            .map(|item| serde_json::to_value(item).unwrap())
            .collect()
    }
    let numbers = 0..10_000u64;
    let mut expected = match case {
        "elementwise" => json(
            numbers
                .filter(|x| x % 2 == 0)
                .flat_map(|x| [x, x + 1])
                .map(|x| x * 3),
        ),
        "distinct" => json((0..EVENTS).map(|i| i % 777).collect::<BTreeSet<_>>()),
        "concat" => json(numbers.chain(0..1_000)),
        "count" => json(running(|_| 1u64, |c, _| *c += 1)),
        "sum" => json(running(|v| v, |s, v| *s += v)),
        "min" => json(running(|v| v, |m, v| *m = (*m).min(v))),
        "max" => json(running(|v| v, |m, v| *m = (*m).max(v))),
        "fold" => json(running(
            |v| (1u64, v * v),
            |a, v| *a = (a.0 + 1, a.1 + v * v),
        )),
        "reduce" => json(
            running(|v| v, |s, v| *s += v)
                .into_iter()
                .map(|(k, s)| (k, (k, s))),
        ),
        "join" => {
            let mut lefts: BTreeMap<u64, Vec<u64>> = BTreeMap::new();
            for i in 0..3_000 {
                lefts
                    .entry(Rng::for_record(8, i).below(200))
                    .or_default()
                    .push(i);
            }
            let mut pairs = Vec::new();
            for j in 0..2_000 {
                let key = Rng::for_record(9, j).below(240);
                pairs.extend(lefts.get(&key).into_iter().flatten().map(|i| (key, *i, j)));
            }
            json(pairs)
        }
        other => panic!("unknown case {other}"),
    };
    sort(&mut expected);
    expected
}

fn sort(values: &mut [serde_json::Value]) {
    values.sort_by_key(|v| v.to_string());
}

fn read_json_lines<T: DeserializeOwned>(path: &Path) -> Vec<T> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

const CASES: [&str; 10] = [
    "elementwise",
    "distinct",
    "concat",
    "count",
    "sum",
    "min",
    "max",
    "fold",
    "reduce",
    "join",
];

fn main() {
    if let (Ok(case), Ok(output)) = (std::env::var("RILL_CASE"), std::env::var("RILL_OUTPUT")) {
        if let Err(error) = run_case(&case, output.into()) {
            eprintln!("Error: {error}");
            std::process::exit(1);
        }
        return;
    }
    let this = std::env::current_exe().unwrap();
    let mut failures = Vec::new();
    for case in CASES {
        let expected = reference(case);
        for layout in LAYOUTS {
            let dir = tempfile::tempdir().unwrap();
            let output = dir.path().join("out.jsonl");
            let result = Command::new(&this)
                .args(layout_args(layout, dir.path()))
                .arg("--quiet")
                .env("RILL_CASE", case)
                .env("RILL_OUTPUT", &output)
                .output()
                .unwrap();
            if !result.status.success() {
                failures.push(format!(
                    "{case} {layout:?}: {}",
                    String::from_utf8_lossy(&result.stderr)
                ));
                continue;
            }
            let mut actual: Vec<serde_json::Value> = read_json_lines(&output);
            sort(&mut actual);
            if actual == expected {
                println!(
                    "operators: {case} on {layout:?} ... ok ({} records)",
                    actual.len()
                );
            } else {
                failures.push(format!(
                    "{case} {layout:?}: {} records, expected {}",
                    actual.len(),
                    expected.len()
                ));
            }
        }
    }
    assert!(failures.is_empty(), "failed:\n{}", failures.join("\n"));
}
