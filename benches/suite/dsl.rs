//! The `dataflow!` versions: the stdlib's graph jobs (`rill::graph`), and the jobs the stdlib
//! does not have, written here with the DSL as a user would: PageRank with a switch for the
//! dangling vertices' rank (the COST variant has none), and PageRank, WCC and BFS whose edges
//! change while they run (`InputHandle` -> `from_changes()`), for the incremental benchmark.
//!
//! The jobs written here read the graph's arcs plus the changes fed to an `InputHandle`; run on
//! a static graph, the handle is closed before the job starts and adds nothing.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use rill::graph::{self, GraphInput, Strategy, F64};
use rill::prelude::*;

use super::child::Place;
use super::graph::{Algo, Params, Results};

pub type Arc64 = (u64, u64);

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
            let changes = InputHandle::new();
            changes.close();
            let ranks = Collector::new();
            // What `Auto` plans for a static input: the handle is closed, but the planner
            // cannot know that it stays empty.
            let strategy = strategy.plan(false);
            let job = pagerank(input, params, false, strategy, changes, ranks.clone());
            let elapsed = timed(|| job.run_with(&options));
            let ranks: Vec<(u64, f64)> = Current::default()
                .apply(ranks.take())
                .into_iter()
                .map(|(v, r)| (v, r.0))
                .collect();
            (elapsed, Results::of(&ranks))
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

/// A result kept current from the changes a job emits: one value per vertex.
pub struct Current<V>(BTreeMap<u64, V>);

impl<V> Default for Current<V> {
    fn default() -> Self {
        Current(BTreeMap::new())
    }
}

impl<V: Copy + PartialEq + std::fmt::Debug> Current<V> {
    /// Applies a batch of changes (retractions first: a vertex's new value may arrive before
    /// its old one leaves) and returns the values. Panics on a change that does not fit.
    pub fn apply(&mut self, changes: Vec<Change<(u64, V)>>) -> Vec<(u64, V)> {
        let (gone, new): (Vec<_>, Vec<_>) = changes.into_iter().partition(|c| c.diff < 0);
        for change in gone {
            let (vertex, value) = change.data;
            assert!(
                change.diff == -1 && self.0.remove(&vertex) == Some(value),
                "{change:?} retracts a value the vertex does not have"
            );
        }
        for change in new {
            let (vertex, value) = change.data;
            assert!(
                change.diff == 1 && self.0.insert(vertex, value).is_none(),
                "{change:?} gives a vertex a second value"
            );
        }
        self.0.iter().map(|(&v, &value)| (v, value)).collect()
    }
}

/// PageRank over the graph's arcs and the `changes`, `params.pr_rounds` rounds: Graphalytics'
/// definition if `redistribute`, else the COST paper's (no vertex counts as dangling, so their
/// rank is lost). The stdlib's `rill::graph::pagerank` with an input that changes.
pub fn pagerank(
    input: &GraphInput,
    params: &Params,
    redistribute: bool,
    strategy: Strategy,
    changes: InputHandle<Arc64>,
    output: Collector<Change<(u64, F64)>>,
) -> Job<impl rill::runtime::job::BuildDataflow> {
    let (vertices, arcs) = (input.vertices.clone(), input.arcs.clone());
    let (damping, rounds) = (params.damping, params.pr_rounds);
    let n = input.vertex_count() as f64;
    dataflow! {
        #![name = "pagerank-bench"]
        let vertices = source(from_shared(vertices)) -> to_collection();
        let loaded = source(from_shared(arcs)) -> to_collection();
        let changed = source(changes) -> from_changes();
        let arcs = loaded -> concat(changed);
        let degrees = arcs -> map(|(from, _): Arc64| from) -> count();
        let has_arcs = degrees -> map(|(vertex, _): (u64, isize)| vertex);
        let dangling = vertices
            -> filter(move |_: &u64| redistribute)
            -> map(|vertex: u64| (vertex, ()))
            -> antijoin(has_arcs)
            -> map(|(vertex, ()): (u64, ())| vertex);
        let everyone = vertices -> map(|vertex: u64| ((), vertex));
        let teleport = vertices -> map(move |vertex: u64| (vertex, F64((1.0 - damping) / n)));
        let ranks = iterate(rounds = rounds, strategy = strategy) {
            var ranks = vertices -> map(move |vertex: u64| (vertex, F64(1.0 / n)));
            let shares = ranks -> join_map(degrees, |vertex: &u64, rank: &F64, degree: &isize| (*vertex, *rank / *degree as f64));
            let pushed = shares -> join_map(arcs, move |_, share: &F64, to: &u64| (*to, *share * damping));
            let lost = ranks
                -> semijoin(dangling)
                -> map(|(_, rank): (u64, F64)| ((), rank))
                -> sum();
            let returned = lost -> join_map(everyone, move |_, lost: &F64, vertex: &u64| (*vertex, *lost * damping / n));
            next ranks = pushed -> concat(returned, teleport) -> sum();
            ranks
        };
        ranks -> changes() -> sink(collect(&output));
    }
}

/// WCC over the graph's arcs and the `changes` (the stdlib's `rill::graph::wcc` with an input
/// that changes).
pub fn wcc(
    input: &GraphInput,
    strategy: Strategy,
    changes: InputHandle<Arc64>,
    output: Collector<Change<(u64, u64)>>,
) -> Job<impl rill::runtime::job::BuildDataflow> {
    let (vertices, arcs) = (input.vertices.clone(), input.arcs.clone());
    dataflow! {
        #![name = "wcc-bench"]
        let vertices = source(from_shared(vertices)) -> to_collection();
        let loaded = source(from_shared(arcs)) -> to_collection();
        let changed = source(changes) -> from_changes();
        let links = loaded
            -> concat(changed)
            -> flat_map(|(from, to): Arc64| [(from, to), (to, from)]);
        let labels = iterate(strategy = strategy) {
            var labels = vertices -> map(|vertex: u64| (vertex, vertex));
            let offered = labels -> join_map(links, |_, label: &u64, neighbour: &u64| (*neighbour, *label));
            next labels = offered -> concat(labels) -> min();
            labels
        };
        labels -> changes() -> sink(collect(&output));
    }
}

/// BFS from `params.root` over the graph's arcs and the `changes` (the stdlib's
/// `rill::graph::bfs` with an input that changes).
pub fn bfs(
    input: &GraphInput,
    params: &Params,
    strategy: Strategy,
    changes: InputHandle<Arc64>,
    output: Collector<Change<(u64, i64)>>,
) -> Job<impl rill::runtime::job::BuildDataflow> {
    let (vertices, arcs) = (input.vertices.clone(), input.arcs.clone());
    let root = params.root;
    dataflow! {
        #![name = "bfs-bench"]
        let vertices = source(from_shared(vertices)) -> to_collection();
        let loaded = source(from_shared(arcs)) -> to_collection();
        let changed = source(changes) -> from_changes();
        let arcs = loaded -> concat(changed);
        let depths = iterate(strategy = strategy) {
            var depths = vertices -> filter(move |vertex: &u64| *vertex == root) -> map(|vertex: u64| (vertex, 0i64));
            let reached = depths -> join_map(arcs, |_, depth: &i64, next: &u64| (*next, depth + 1));
            next depths = reached -> concat(depths) -> min();
            depths
        };
        let reached = depths -> map(|(vertex, _): (u64, i64)| vertex);
        let unreachable = vertices
            -> map(|vertex: u64| (vertex, i64::MAX))
            -> antijoin(reached);
        depths -> concat(unreachable) -> changes() -> sink(collect(&output));
    }
}
