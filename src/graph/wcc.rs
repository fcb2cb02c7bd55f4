//! Weakly connected components: every vertex labelled with the smallest vertex id of its
//! component.

use rill_runtime::job::BuildDataflow;
use rill_runtime::{Job, Sink};

use super::{GraphInput, Strategy, VertexOutput};
use crate::prelude::*;

/// `(vertex, component)` for every vertex, the component being its smallest vertex id: labels
/// spread along arcs in both directions until no label gets smaller.
pub fn wcc<O: VertexOutput<u64>>(
    graph: &GraphInput,
    strategy: Strategy,
    output: impl Sink<O> + Clone + Send + Sync,
) -> Job<impl BuildDataflow> {
    let (vertices, arcs, changes) = graph.sources();
    let strategy = graph.plan(strategy);
    dataflow! {
        #![name = "wcc"]
        let vertices = source(from_shared(vertices)) -> to_collection();
        let loaded = source(from_shared(arcs)) -> to_collection();
        let changed = source(changes) -> from_changes();
        let links = loaded
            -> concat(changed)
            -> flat_map(|(from, to): (u64, u64)| [(from, to), (to, from)]);
        let labels = iterate(strategy = strategy) {
            var labels = vertices -> map(|vertex: u64| (vertex, vertex));
            let offered = labels -> join_map(links, |_, label: &u64, neighbour: &u64| (*neighbour, *label));
            next labels = offered -> concat(labels) -> min();
            labels
        };
        labels -> changes() -> flat_map(O::from_change) -> sink(output);
    }
}
