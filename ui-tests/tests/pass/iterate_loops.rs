//! `iterate` blocks: two loop variables, a loop nested in a bounded loop, outer collections
//! entered automatically, and every strategy — each result checked against plain Rust.

use std::collections::BTreeSet;

use rill::prelude::*;

/// The vertices reachable from `root` along `edges`, by a plain search.
fn reachable(edges: &[(u64, u64)], root: u64) -> Vec<u64> {
    let mut seen = BTreeSet::from([root]);
    let mut frontier = vec![root];
    while let Some(vertex) = frontier.pop() {
        for &(from, to) in edges {
            if from == vertex && seen.insert(to) {
                frontier.push(to);
            }
        }
    }
    seen.into_iter().collect()
}

/// Three rounds of: halve each number until it is odd, then map it to `3n + 1`.
fn collatz_rounds(start: &[u64]) -> Vec<u64> {
    let mut numbers: BTreeSet<u64> = start.iter().copied().collect();
    for _ in 0..3 {
        numbers = numbers
            .into_iter()
            .map(|mut n| {
                while n % 2 == 0 {
                    n /= 2;
                }
                3 * n + 1
            })
            .collect();
    }
    numbers.into_iter().collect()
}

fn run(strategy: Strategy, workers: usize) -> Result<(), RillError> {
    let edges: Vec<(u64, u64)> = vec![(1, 2), (2, 3), (3, 1), (3, 4), (5, 6), (4, 7), (7, 4)];
    let start: Vec<u64> = vec![6, 7, 12, 40];
    let reached = Collector::new();
    let numbers = Collector::new();
    let (r, n) = (reached.clone(), numbers.clone());
    let (edge_list, start_list) = (edges.clone(), start.clone());
    let job = dataflow! {
        #![name = "iterate-loops"]
        let edges = source(from_iter(edge_list)) -> to_collection();
        let roots = source(from_iter(vec![1u64])) -> to_collection();
        // Two variables: the frontier and everything seen so far.
        let seen = iterate(strategy = strategy) {
            var frontier = roots;
            var seen = roots;
            let hops = frontier
                -> map(|vertex: u64| (vertex, ()))
                -> join_map(edges, |_, _: &(), to: &u64| (*to, ()))
                -> antijoin(seen)
                -> map(|(vertex, ()): (u64, ())| vertex);
            next frontier = hops -> distinct();
            next seen = seen -> concat(frontier) -> distinct();
            seen
        };
        seen -> changes() -> map(|change: Change<u64>| change.data) -> sink(collect(&r));
        let start = source(from_iter(start_list)) -> to_collection();
        // A fixpoint loop inside a bounded one.
        let numbers = iterate(rounds = 3, strategy = strategy) {
            var numbers = start;
            let odd = iterate {
                var odd = numbers;
                next odd = odd -> map(|n: u64| if n % 2 == 0 { n / 2 } else { n }) -> distinct();
                odd
            };
            next numbers = odd -> map(|n: u64| 3 * n + 1) -> distinct();
            numbers
        };
        numbers -> changes() -> map(|change: Change<u64>| change.data) -> sink(collect(&n));
    };
    job.run_with(&RunOptions {
        workers,
        quiet: true,
        ..RunOptions::default()
    })?;
    assert_eq!(reached.sorted(), reachable(&edges, 1), "{strategy:?} on {workers}");
    assert_eq!(numbers.sorted(), collatz_rounds(&start), "{strategy:?} on {workers}");
    Ok(())
}

fn main() -> Result<(), RillError> {
    for strategy in [Strategy::Auto, Strategy::Bulk, Strategy::Incremental] {
        for workers in [1, 3] {
            run(strategy, workers)?;
        }
    }
    Ok(())
}
