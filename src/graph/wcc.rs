//! Weakly connected components: every vertex labelled with the smallest vertex id of its
//! component.

use rill_runtime::job::BuildDataflow;
use rill_runtime::{Job, Sink};

use super::{GraphInput, Strategy};
use crate::prelude::*;

/// `(vertex, component)` for every vertex, the component being its smallest vertex id: labels
/// spread along arcs in both directions until no label gets smaller.
pub fn wcc(
    graph: &GraphInput,
    strategy: Strategy,
    output: impl Sink<(u64, u64)> + Clone + Send + Sync,
) -> Job<impl BuildDataflow> {
    let (vertices, arcs) = (graph.vertices.clone(), graph.arcs.clone());
    dataflow! {
        #![name = "wcc"]
        let vertices = source(from_shared(vertices)) -> to_collection();
        let links = source(from_shared(arcs))
            -> flat_map(|(from, to): (u64, u64)| [(from, to), (to, from)])
            -> to_collection();
        let labels = iterate(strategy = strategy) {
            var labels = vertices -> map(|vertex: u64| (vertex, vertex));
            let offered = labels -> join_map(links, |_, label: &u64, neighbour: &u64| (*neighbour, *label));
            next labels = offered -> concat(labels) -> min();
            labels
        };
        labels -> changes() -> map(|change: Change<(u64, u64)>| change.data) -> sink(output);
    }
}
