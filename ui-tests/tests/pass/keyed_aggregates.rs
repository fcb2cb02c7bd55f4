//! Every keyed aggregate on one stream used several times: sum, min, max, fold, reduce, count,
//! plus map, filter, inspect and the for_each and stdout sinks.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use rill::prelude::*;

fn main() -> Result<(), RillError> {
    let sums = Collector::new();
    let mins = Collector::new();
    let maxes = Collector::new();
    let folds = Collector::new();
    let reduced = Collector::new();
    let seen = Arc::new(AtomicU64::new(0));
    let (s, lo, hi, f, r, n) = (
        sums.clone(),
        mins.clone(),
        maxes.clone(),
        folds.clone(),
        reduced.clone(),
        seen.clone(),
    );
    let job = dataflow! {
        let numbers = source(from_iter(1..=10u64))
            -> filter(|n: &u64| *n != 7)
            -> map(|n: u64| n * 10)
            -> inspect(|_: &u64| ())
            -> key_by(|n: &u64| (n / 10) % 2 == 0);
        numbers -> sum(|n: u64| n) -> sink(collect(&s));
        numbers -> min(|n: u64| n) -> sink(collect(&lo));
        numbers -> max(|n: u64| n) -> sink(collect(&hi));
        numbers
            -> fold(Vec::new(), |acc: &mut Vec<u64>, n: u64| acc.push(n))
            -> map(|(even, mut all): (bool, Vec<u64>)| { all.sort(); (even, all) })
            -> sink(collect(&f));
        numbers -> reduce(|a: u64, b: u64| a.max(b)) -> sink(collect(&r));
        numbers -> count() -> filter(|_: &(bool, u64)| false) -> sink(stdout());
        numbers -> sink(for_each(move |_: u64| { n.fetch_add(1, Ordering::Relaxed); }));
    };
    job.run_with(&RunOptions {
        quiet: true,
        ..RunOptions::default()
    })?;
    assert_eq!(sums.sorted(), [(false, 180), (true, 300)]);
    assert_eq!(mins.sorted(), [(false, 10), (true, 20)]);
    assert_eq!(maxes.sorted(), [(false, 90), (true, 100)]);
    assert_eq!(
        folds.sorted(),
        [
            (false, vec![10, 30, 50, 90]),
            (true, vec![20, 40, 60, 80, 100])
        ]
    );
    assert_eq!(reduced.sorted(), [(false, 90), (true, 100)]);
    assert_eq!(seen.load(Ordering::Relaxed), 9);
    Ok(())
}
