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
        "collection_algebra" => dataflow! {
            let a = source(generate(3_000, 11, |_, rng| rng.below(300)).events_per_epoch(500)) -> to_collection();
            let b = source(generate(2_000, 12, |_, rng| rng.below(300)).events_per_epoch(350)) -> to_collection();
            let minus_b = b -> negate();
            a -> concat(minus_b)
                -> consolidate()
                -> threshold(|_, count: isize| count.max(0))
                -> count()
                -> filter(|(value, _): &(u64, isize)| value % 3 != 0)
                -> inspect(|(_, _, diff): &((u64, isize), u64, isize)| assert!(*diff != 0))
                -> changes()
                -> sink(json_lines_file(&output));
        }
        .run_with(&run),
        "collection_joins" => dataflow! {
            let left = source(generate(3_000, 13, |i, rng| (rng.below(100), i % 50)).events_per_epoch(500)) -> to_collection();
            let right = source(generate(1_000, 14, |i, rng| (rng.below(120), i % 7)).events_per_epoch(300)) -> to_collection();
            let keys = source(generate(400, 15, |_, rng| rng.below(150)).events_per_epoch(100)) -> to_collection();
            let joined = left -> join(right) -> map(|(key, (l, r)): (u64, (u64, u64))| (0u8, key, l * 10 + r));
            let mapped = left -> join_map(right, |key: &u64, l: &u64, r: &u64| (1u8, *key, l + r));
            let kept = left -> semijoin(keys) -> map(|(key, l): (u64, u64)| (2u8, key, l));
            let dropped = left -> antijoin(keys) -> map(|(key, l): (u64, u64)| (3u8, key, l));
            let largest = left -> max() -> map(|(key, l): (u64, u64)| (4u8, key, l));
            let sizes = left -> reduce(|_, values: &[(&u64, isize)], out: &mut Vec<(u64, isize)>| {
                out.push((values.iter().map(|(_, count)| *count as u64).sum(), 1));
            }) -> map(|(key, n): (u64, u64)| (5u8, key, n));
            joined -> concat(mapped, kept, dropped, largest, sizes) -> changes() -> sink(json_lines_file(&output));
        }
        .run_with(&run),
        other => panic!("unknown case {other}"),
    };
    job.map(|_| ())
}

/// A multiset.
type Bag<T> = BTreeMap<T, isize>;

/// The records of `generate(count, seed, f).events_per_epoch(per_epoch)` up to and including
/// `epoch`, as a multiset.
fn generated<T: Ord>(
    count: u64,
    seed: u64,
    per_epoch: u64,
    epoch: u64,
    f: impl Fn(u64, &mut Rng) -> T,
) -> Bag<T> {
    let mut bag = Bag::new();
    for index in 0..count.min((epoch + 1) * per_epoch) {
        *bag.entry(f(index, &mut Rng::for_record(seed, index)))
            .or_default() += 1;
    }
    bag
}

/// The changes a collection makes when its value after epoch `e` is `value(e)`: one
/// `Change` per record whose multiplicity differs from the epoch before.
fn changes_of<T: Ord + Clone + serde::Serialize>(
    epochs: u64,
    value: impl Fn(u64) -> Bag<T>,
) -> Vec<Change<T>> {
    let mut before = Bag::new();
    let mut changes = Vec::new();
    for epoch in 0..epochs {
        let now = value(epoch);
        let records: BTreeSet<&T> = before.keys().chain(now.keys()).collect();
        for record in records {
            let diff =
                now.get(record).copied().unwrap_or(0) - before.get(record).copied().unwrap_or(0);
            if diff != 0 {
                changes.push(Change {
                    data: record.clone(),
                    epoch,
                    diff,
                });
            }
        }
        before = now;
    }
    changes
}

/// The value of the `collection_algebra` case after `epoch`.
fn algebra(epoch: u64) -> Bag<(u64, isize)> {
    let mut difference = generated(3_000, 11, 500, epoch, |_, rng| rng.below(300));
    for (value, count) in generated(2_000, 12, 350, epoch, |_, rng| rng.below(300)) {
        *difference.entry(value).or_default() -= count;
    }
    difference
        .into_iter()
        .filter(|&(value, count)| count > 0 && value % 3 != 0)
        .map(|(value, count)| ((value, count), 1))
        .collect()
}

/// The value of the `collection_joins` case after `epoch`.
fn joins(epoch: u64) -> Bag<(u8, u64, u64)> {
    let left = generated(3_000, 13, 500, epoch, |i, rng| (rng.below(100), i % 50));
    let right = generated(1_000, 14, 300, epoch, |i, rng| (rng.below(120), i % 7));
    let keys = generated(400, 15, 100, epoch, |_, rng| rng.below(150));
    let mut out = Bag::new();
    let mut add = |record: (u8, u64, u64), count: isize| *out.entry(record).or_default() += count;
    for (&(key, l), &lc) in &left {
        for (&(_, r), &rc) in right.range((key, 0)..=(key, u64::MAX)) {
            add((0, key, l * 10 + r), lc * rc);
            add((1, key, l + r), lc * rc);
        }
        match keys.get(&key) {
            Some(&kc) => add((2, key, l), lc * kc),
            None => add((3, key, l), lc),
        }
    }
    let mut by_key: BTreeMap<u64, (u64, u64)> = BTreeMap::new();
    for (&(key, l), &lc) in &left {
        let entry = by_key.entry(key).or_insert((l, 0));
        entry.0 = entry.0.max(l);
        entry.1 += lc as u64;
    }
    for (key, (largest, size)) in by_key {
        add((4, key, largest), 1);
        add((5, key, size), 1);
    }
    out.retain(|_, count| *count != 0);
    out
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
        "collection_algebra" => json(changes_of(9, algebra)),
        "collection_joins" => json(changes_of(6, joins)),
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

const CASES: [&str; 12] = [
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
    "collection_algebra",
    "collection_joins",
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
