//! Single-source shortest paths over non-negative arc weights.

use rill_runtime::job::BuildDataflow;
use rill_runtime::{Job, Sink};

use super::{real, GraphInput, Strategy, VertexOutput, F64};
use crate::prelude::*;

/// `(vertex, distance)` for every vertex: the smallest sum of weights on a path from `root`
/// (`0` for the root, infinity when no path exists). Weights must not be negative.
///
/// Panics on a live graph ([`GraphInput::with_arc_changes`]): its changes carry no weights.
pub fn sssp<O: VertexOutput<f64>>(
    graph: &GraphInput,
    root: u64,
    strategy: Strategy,
    output: impl Sink<O> + Clone + Send + Sync,
) -> Job<impl BuildDataflow> {
    assert!(
        !graph.is_live(),
        "sssp reads weighted arcs; a live graph's arc changes have no weights"
    );
    let (vertices, arcs) = (graph.vertices.clone(), graph.weighted_arcs.clone());
    dataflow! {
        #![name = "sssp"]
        let vertices = source(from_shared(vertices)) -> to_collection();
        let arcs = source(from_shared(arcs)) -> to_collection();
        let distances = iterate(strategy = strategy) {
            var distances = vertices -> filter(move |vertex: &u64| *vertex == root) -> map(|vertex: u64| (vertex, F64(0.0)));
            let relaxed = distances -> join_map(arcs, |_, distance: &F64, (next, weight): &(u64, F64)| (*next, *distance + *weight));
            next distances = relaxed -> concat(distances) -> min();
            distances
        };
        let reached = distances -> map(|(vertex, _): (u64, F64)| vertex);
        let unreachable = vertices
            -> map(|vertex: u64| (vertex, F64(f64::INFINITY)))
            -> antijoin(reached);
        distances
            -> concat(unreachable)
            -> changes()
            -> flat_map(|change: Change<(u64, F64)>| O::from_change(real(change)))
            -> sink(output);
    }
}
