//! Graph algorithms written with `dataflow!`: the six LDBC Graphalytics algorithms (BFS,
//! PageRank, WCC, CDLP, LCC, SSSP) as jobs over a graph's vertices and edges.
//!
//! Each function builds a [`Job`](crate::prelude::Job) that reads a [`GraphInput`] (shared
//! between workers, split among them by the sources) and sends one `(vertex, value)` record per
//! vertex to a sink. The loops run with the [`Strategy`] given: `Auto` lets the planner pick
//! (bulk iteration for these static graphs). The data layer — loaders, the R-MAT generator, the
//! sequential baselines, Graphalytics output files and their match rules — is
//! [`rill_stdlib::graph`], re-exported here.
//!
//! ```
//! use rill::graph::{wcc, Graph, GraphInput};
//! use rill::prelude::*;
//!
//! # fn main() -> Result<(), RillError> {
//! // Two components: {1, 2, 3} and {4, 5}.
//! let graph = Graph::new(vec![1, 2, 3, 4, 5], vec![(1, 2, 1.0), (3, 2, 1.0), (5, 4, 1.0)], true)?;
//! let labels = Collector::new();
//! let job = wcc(&GraphInput::new(&graph), Strategy::Auto, collect(&labels));
//! job.run_with(&RunOptions { quiet: true, ..RunOptions::default() })?;
//! assert_eq!(labels.sorted(), [(1, 1), (2, 1), (3, 1), (4, 4), (5, 4)]);
//! # Ok(())
//! # }
//! ```

mod bfs;
mod cdlp;
mod lcc;
mod pagerank;
mod sssp;
mod wcc;

use std::sync::Arc;

pub use rill_stdlib::graph::*;

pub use self::bfs::bfs;
pub use self::cdlp::cdlp;
pub use self::lcc::lcc;
pub use self::pagerank::pagerank;
pub use self::sssp::sssp;
pub use self::wcc::wcc;
pub use rill_runtime::collection::{Strategy, F64};

/// A graph as the algorithm jobs read it: its vertices and its arcs (every edge in the direction
/// it can be followed: both directions for an undirected graph), in shared buffers that every
/// worker reads its share of.
#[derive(Clone)]
pub struct GraphInput {
    /// Every vertex id, isolated vertices included.
    pub vertices: Arc<[u64]>,
    /// `(from, to)` for every arc.
    pub arcs: Arc<[(u64, u64)]>,
    /// `(from, (to, weight))` for every arc.
    pub weighted_arcs: Arc<[(u64, (u64, F64))]>,
}

impl GraphInput {
    /// The input of `graph`.
    pub fn new(graph: &Graph) -> Self {
        let directed = graph.is_directed();
        let weighted: Vec<(u64, (u64, F64))> = graph
            .edges()
            .iter()
            .flat_map(|&(from, to, weight)| {
                let back = (!directed).then_some((to, (from, F64(weight))));
                std::iter::once((from, (to, F64(weight)))).chain(back)
            })
            .collect();
        let arcs: Vec<(u64, u64)> = weighted.iter().map(|&(from, (to, _))| (from, to)).collect();
        GraphInput {
            vertices: graph.vertices().into(),
            arcs: arcs.into(),
            weighted_arcs: weighted.into(),
        }
    }

    /// The number of vertices.
    pub fn vertex_count(&self) -> usize {
        self.vertices.len()
    }
}
