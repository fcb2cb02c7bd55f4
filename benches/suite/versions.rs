//! The three versions of every algorithm, run once: the sequential baseline over compressed
//! sparse rows (the COST baseline), the hand-written differential dataflow, and the `dataflow!`
//! job (planned strategy, or forced incremental).

use std::fmt;
use std::time::{Duration, Instant};

use clap::ValueEnum;
use rill::graph::{baseline, Csr, Graph, GraphInput, Strategy};

use super::child::{self, Place};
use super::graph::{Algo, Params, Results};
use super::{differential, dsl};

/// A version of an algorithm.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, ValueEnum)]
pub enum Version {
    /// The single-threaded CSR baseline (union-find for WCC).
    Baseline,
    /// Hand-written differential dataflow.
    Differential,
    /// The `dataflow!` job, strategy `auto` (bulk on a static graph).
    Dsl,
    /// The `dataflow!` job with `strategy = incremental` (PageRank and WCC only).
    DslIncremental,
}

impl Version {
    pub fn name(self) -> &'static str {
        match self {
            Version::Baseline => "baseline",
            Version::Differential => "differential",
            Version::Dsl => "dsl",
            Version::DslIncremental => "dsl-incremental",
        }
    }

    /// Whether this version of `algo` is part of the suite.
    pub fn applies_to(self, algo: Algo) -> bool {
        self != Version::DslIncremental || matches!(algo, Algo::Pr | Algo::Wcc)
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The baseline's result (untimed).
pub fn baseline(algo: Algo, csr: &Csr, params: &Params) -> Results {
    run_baseline(algo, csr, params).1
}

/// Runs the baseline: times the call only (the CSR is built before).
fn run_baseline(algo: Algo, csr: &Csr, params: &Params) -> (Duration, Results) {
    let started = Instant::now();
    macro_rules! timed {
        ($call:expr) => {{
            let values = $call;
            let elapsed = started.elapsed();
            (elapsed, Results::of(&csr.with_ids(&values)))
        }};
    }
    match algo {
        Algo::Pr => timed!(baseline::pagerank(csr, params.damping, params.pr_rounds)),
        Algo::PrCost => timed!(baseline::pagerank_cost(
            csr,
            params.damping,
            params.pr_rounds
        )),
        Algo::Wcc => timed!(baseline::wcc(csr)),
        Algo::Bfs => timed!(baseline::bfs(csr, params.root)),
        Algo::Sssp => timed!(baseline::sssp(csr, params.root)),
        Algo::Cdlp => timed!(baseline::cdlp(csr, params.cdlp_rounds)),
    }
}

/// Runs `version` of `algo` on `graph` once, at `place`: the time and this process's part of
/// the result. Each version first builds the form of the graph it reads (the CSR, or the shared
/// arrays of `GraphInput`), untimed, and drops the graph; the processes of a multi-process run
/// then wait for each other.
pub fn run(
    algo: Algo,
    version: Version,
    graph: Graph,
    params: &Params,
    place: &Place,
) -> (Duration, Results) {
    if version == Version::Baseline {
        let csr = Csr::new(&graph);
        drop(graph);
        return run_baseline(algo, &csr, params);
    }
    let input = GraphInput::new(&graph);
    drop(graph);
    child::barrier(place);
    match version {
        Version::Differential => differential::run(algo, &input, params, place),
        Version::Dsl => dsl::run(algo, Strategy::Auto, &input, params, place),
        _ => dsl::run(algo, Strategy::Incremental, &input, params, place),
    }
}
