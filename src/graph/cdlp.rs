//! Community detection by synchronous label propagation.

use rill_runtime::job::BuildDataflow;
use rill_runtime::{Job, Sink};

use super::{GraphInput, Strategy, VertexOutput};
use crate::prelude::*;

/// `(vertex, label)` after `iterations` rounds of label propagation: every vertex starts with
/// its own id as label and takes, each round, the most frequent label among its in- and
/// out-neighbours (a neighbour linked both ways counts twice), the smallest on a tie. A vertex
/// without neighbours keeps its label.
pub fn cdlp<O: VertexOutput<u64>>(
    graph: &GraphInput,
    iterations: u32,
    strategy: Strategy,
    output: impl Sink<O> + Clone + Send + Sync,
) -> Job<impl BuildDataflow> {
    let (vertices, arcs, changes) = graph.sources();
    let strategy = graph.plan(strategy);
    dataflow! {
        #![name = "cdlp"]
        let vertices = source(from_shared(vertices)) -> to_collection();
        // Every arc makes each end a neighbour of the other. On an undirected graph every edge
        // is two arcs, so every neighbour counts twice: the same most frequent label.
        let loaded = source(from_shared(arcs)) -> to_collection();
        let changed = source(changes) -> from_changes();
        let neighbours = loaded
            -> concat(changed)
            -> flat_map(|(from, to): (u64, u64)| [(from, to), (to, from)]);
        let connected = neighbours -> map(|(vertex, _): (u64, u64)| vertex);
        let alone = vertices
            -> map(|vertex: u64| (vertex, vertex))
            -> antijoin(connected);
        let labels = iterate(rounds = iterations, strategy = strategy) {
            var labels = vertices -> map(|vertex: u64| (vertex, vertex));
            let heard = labels -> join_map(neighbours, |_, label: &u64, neighbour: &u64| (*neighbour, *label));
            let chosen = heard -> reduce(|_, labels: &[(&u64, isize)], output: &mut Vec<(u64, isize)>| {
                // Labels come sorted: the first of the most frequent is the smallest.
                let mut best = labels[0];
                for &(label, count) in &labels[1..] {
                    if count > best.1 {
                        best = (label, count);
                    }
                }
                output.push((*best.0, 1));
            });
            next labels = chosen -> concat(alone);
            labels
        };
        labels
            -> changes()
            -> flat_map(O::from_change)
            -> sink(output);
    }
}
