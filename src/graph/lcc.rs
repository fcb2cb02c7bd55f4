//! Local clustering coefficient.

use rill_runtime::job::BuildDataflow;
use rill_runtime::{Job, Sink};

use super::{real, GraphInput, VertexOutput};
use crate::prelude::*;

/// `(vertex, coefficient)` for every vertex: with `N(v)` its in- and out-neighbours (each once,
/// itself excluded), the number of arcs `u -> w` between vertices of `N(v)` divided by
/// `|N(v)| (|N(v)| - 1)`; `0` when `|N(v)| <= 1`.
pub fn lcc<O: VertexOutput<f64>>(
    graph: &GraphInput,
    output: impl Sink<O> + Clone + Send + Sync,
) -> Job<impl BuildDataflow> {
    let (vertices, arcs, changes) = graph.sources();
    dataflow! {
        #![name = "lcc"]
        let vertices = source(from_shared(vertices)) -> to_collection();
        let loaded = source(from_shared(arcs)) -> to_collection();
        let changed = source(changes) -> from_changes();
        let arcs = loaded
            -> concat(changed)
            -> filter(|(from, to): &(u64, u64)| from != to)
            -> distinct();
        // `(v, u)` for every neighbour `u` of `v`, once.
        let neighbours = arcs
            -> flat_map(|(from, to): (u64, u64)| [(from, to), (to, from)])
            -> distinct();
        let sizes = neighbours -> map(|(vertex, _): (u64, u64)| vertex) -> count();
        // For `u` in `N(v)` and an arc `u -> w`: the pair `(v, w)`, kept when `w` is in `N(v)`.
        let closing = neighbours
            -> join_map(arcs, |_, vertex: &u64, to: &u64| ((*vertex, *to), ()))
            -> semijoin(neighbours);
        let closed = closing -> map(|((vertex, _), ()): ((u64, u64), ())| vertex) -> count();
        let coefficients = closed -> join_map(sizes, |vertex: &u64, links: &isize, size: &isize| {
            (*vertex, F64(*links as f64 / (*size * (*size - 1)) as f64))
        });
        let counted = coefficients -> map(|(vertex, _): (u64, F64)| vertex);
        let zero = vertices -> map(|vertex: u64| (vertex, F64(0.0))) -> antijoin(counted);
        coefficients
            -> concat(zero)
            -> changes()
            -> flat_map(|change: Change<(u64, F64)>| O::from_change(real(change)))
            -> sink(output);
    }
}
