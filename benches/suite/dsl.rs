//! The `dataflow!` versions: the stdlib's graph jobs (`rill::graph`), on the static graph here
//! and on a live one (`GraphInput::with_arc_changes`) in the incremental benchmark.

use std::time::{Duration, Instant};

use rill::graph::{self, GraphInput, Strategy};
use rill::prelude::*;

use super::child::Place;
use super::graph::{Algo, Params, Results};

/// Runs the DSL version of `algo` with `strategy` on the static graph; returns the time (from
/// just before `Job::run_with` until it returns) and this process's part of the result.
pub fn run(
    algo: Algo,
    strategy: Strategy,
    input: &GraphInput,
    params: &Params,
    place: &Place,
) -> (Duration, Results) {
    let options = place.run_options();
    fn timed<T>(job: impl FnOnce() -> Result<T, RillError>) -> Duration {
        let started = Instant::now();
        job().expect("a DSL job failed");
        started.elapsed()
    }
    match algo {
        Algo::Pr => {
            let ranks = Collector::new();
            let job = graph::pagerank(
                input,
                params.damping,
                params.pr_rounds,
                strategy,
                collect(&ranks),
            );
            let elapsed = timed(|| job.run_with(&options));
            (elapsed, Results::of(&ranks.take()))
        }
        Algo::PrCost => {
            let ranks = Collector::new();
            let job = graph::pagerank_cost(
                input,
                params.damping,
                params.pr_rounds,
                strategy,
                collect(&ranks),
            );
            let elapsed = timed(|| job.run_with(&options));
            (elapsed, Results::of(&ranks.take()))
        }
        Algo::Wcc => {
            let labels = Collector::new();
            let job = graph::wcc(input, strategy, collect(&labels));
            let elapsed = timed(|| job.run_with(&options));
            (elapsed, Results::of(&labels.take()))
        }
        Algo::Bfs => {
            let depths = Collector::new();
            let job = graph::bfs(input, params.root, strategy, collect(&depths));
            let elapsed = timed(|| job.run_with(&options));
            (elapsed, Results::of(&depths.take()))
        }
        Algo::Sssp => {
            let distances = Collector::new();
            let job = graph::sssp(input, params.root, strategy, collect(&distances));
            let elapsed = timed(|| job.run_with(&options));
            (elapsed, Results::of(&distances.take()))
        }
        Algo::Cdlp => {
            let labels = Collector::new();
            let job = graph::cdlp(input, params.cdlp_rounds, strategy, collect(&labels));
            let elapsed = timed(|| job.run_with(&options));
            (elapsed, Results::of(&labels.take()))
        }
    }
}
