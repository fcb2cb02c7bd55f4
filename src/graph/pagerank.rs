//! PageRank: by the Graphalytics definition (dangling vertices included), and the variant of the
//! COST paper (McSherry et al., HotOS 2015), which drops the rank of dangling vertices.

use rill_runtime::job::BuildDataflow;
use rill_runtime::{Job, Sink};

use super::{real, GraphInput, Strategy, VertexOutput, F64};
use crate::prelude::*;

/// `(vertex, rank)` after `iterations` rounds of PageRank with damping factor `damping`:
/// `PR(v) = (1 - d) / n + d * sum over arcs u -> v of PR(u) / outdegree(u) + d / n * sum over
/// vertices w without out-arcs of PR(w)`, starting from `1 / n`.
pub fn pagerank<O: VertexOutput<f64>>(
    graph: &GraphInput,
    damping: f64,
    iterations: u32,
    strategy: Strategy,
    output: impl Sink<O> + Clone + Send + Sync,
) -> Job<impl BuildDataflow> {
    ranks(graph, damping, iterations, true, strategy, output)
}

/// PageRank as the COST paper runs it: [`pagerank`] without the last term, so the rank of
/// vertices without out-arcs is lost rather than spread over every vertex.
pub fn pagerank_cost<O: VertexOutput<f64>>(
    graph: &GraphInput,
    damping: f64,
    iterations: u32,
    strategy: Strategy,
    output: impl Sink<O> + Clone + Send + Sync,
) -> Job<impl BuildDataflow> {
    ranks(graph, damping, iterations, false, strategy, output)
}

/// The PageRank job; the rank of dangling vertices is spread over all if `redistribute`.
///
/// `Strategy::Auto` runs the loop in bulk even on a live graph, recomputing the ranks at every
/// batch of changes: with float ranks nothing cancels, so one changed arc changes every rank
/// within a few rounds, and keeping them incrementally measured about 30x slower than
/// recomputing them (R-MAT scale 10: 1.1–1.3 s per one-arc batch against 0.04 s for a bulk run
/// over the whole graph; `BENCHMARKS.md`). `Strategy::Incremental` still forces it.
fn ranks<O: VertexOutput<f64>>(
    graph: &GraphInput,
    damping: f64,
    iterations: u32,
    redistribute: bool,
    strategy: Strategy,
    output: impl Sink<O> + Clone + Send + Sync,
) -> Job<impl BuildDataflow> {
    let (vertices, arcs, changes) = graph.sources();
    let strategy = match strategy {
        Strategy::Auto => Strategy::Bulk,
        chosen => chosen,
    };
    let n = graph.vertex_count() as f64;
    dataflow! {
        #![name = "pagerank"]
        let vertices = source(from_shared(vertices)) -> to_collection();
        let loaded = source(from_shared(arcs)) -> to_collection();
        let changed = source(changes) -> from_changes();
        let arcs = loaded -> concat(changed);
        let degrees = arcs -> map(|(from, _): (u64, u64)| from) -> count();
        let has_arcs = degrees -> map(|(vertex, _): (u64, isize)| vertex);
        let dangling = vertices
            -> filter(move |_: &u64| redistribute)
            -> map(|vertex: u64| (vertex, ()))
            -> antijoin(has_arcs)
            -> map(|(vertex, ()): (u64, ())| vertex);
        let everyone = vertices -> map(|vertex: u64| ((), vertex));
        let teleport = vertices -> map(move |vertex: u64| (vertex, F64((1.0 - damping) / n)));
        let ranks = iterate(rounds = iterations, strategy = strategy) {
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
        ranks
            -> changes()
            -> flat_map(|change: Change<(u64, F64)>| O::from_change(real(change)))
            -> sink(output);
    }
}
