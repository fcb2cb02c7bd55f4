//! Breadth-first search: every vertex's depth from a source vertex.

use rill_runtime::job::BuildDataflow;
use rill_runtime::{Job, Sink};

use super::{GraphInput, Strategy, VertexOutput};
use crate::prelude::*;

/// `(vertex, depth)` for every vertex: the number of arcs on a shortest path from `root`
/// (`0` for the root, `i64::MAX` when no path exists).
pub fn bfs<O: VertexOutput<i64>>(
    graph: &GraphInput,
    root: u64,
    strategy: Strategy,
    output: impl Sink<O> + Clone + Send + Sync,
) -> Job<impl BuildDataflow> {
    let (vertices, arcs, changes) = graph.sources();
    let strategy = graph.plan(strategy);
    dataflow! {
        #![name = "bfs"]
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
        depths
            -> concat(unreachable)
            -> changes()
            -> flat_map(O::from_change)
            -> sink(output);
    }
}
