//! Graph algorithms written with `dataflow!`: the six LDBC Graphalytics algorithms (BFS,
//! PageRank, WCC, CDLP, LCC, SSSP) as jobs over a graph's vertices and edges.
//!
//! Each function builds a [`Job`](crate::prelude::Job) that reads a [`GraphInput`] (shared
//! between workers, split among them by the sources) and sends one `(vertex, value)` record per
//! vertex to a sink. The loops run with the [`Strategy`] given: `Auto` lets the planner pick
//! (bulk iteration for a static graph, incremental for a live one, whose arcs change while the
//! job runs: [`GraphInput::with_arc_changes`]). The sink's record type says what is sent
//! ([`VertexOutput`]): `(vertex, value)` pairs, or `Change<(vertex, value)>`s — the results as a
//! changing collection, which a live graph needs. The data layer — loaders, the R-MAT generator, the
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
//! let labels: Collector<(u64, u64)> = Collector::new();
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

use crate::prelude::*;

pub use rill_stdlib::graph::*;

pub use self::bfs::bfs;
pub use self::cdlp::cdlp;
pub use self::lcc::lcc;
pub use self::pagerank::{pagerank, pagerank_cost};
pub use self::sssp::sssp;
pub use self::wcc::wcc;
pub use rill_runtime::collection::{Strategy, F64};

/// A graph as the algorithm jobs read it: its vertices and its arcs (every edge in the direction
/// it can be followed: both directions for an undirected graph), in shared buffers that every
/// worker reads its share of — and, for a live graph, the arcs inserted and retracted while the
/// job runs ([`GraphInput::with_arc_changes`]).
#[derive(Clone)]
pub struct GraphInput {
    /// Every vertex id, isolated vertices included.
    pub vertices: Arc<[u64]>,
    /// `(from, to)` for every arc.
    pub arcs: Arc<[(u64, u64)]>,
    /// `(from, (to, weight))` for every arc.
    pub weighted_arcs: Arc<[(u64, (u64, F64))]>,
    /// Changes of the arcs after the graph was loaded, if the graph is live.
    arc_changes: Option<InputHandle<(u64, u64)>>,
}

/// An arc `(from, to)`.
type Arc64 = (u64, u64);

/// What a graph job sends its sink for every change of a vertex's value: the change itself
/// (`Change<(u64, V)>`: the job's output as a changing collection, retractions included), or the
/// `(vertex, value)` pair of every new value — on a static graph, each vertex's one result.
pub trait VertexOutput<V>: Record {
    /// The record for `change`, if one is sent.
    fn from_change(change: Change<(u64, V)>) -> Option<Self>;
}

impl<V: Record> VertexOutput<V> for (u64, V) {
    /// The new value; a retracted old value sends nothing.
    fn from_change(change: Change<(u64, V)>) -> Option<Self> {
        (change.diff > 0).then_some(change.data)
    }
}

impl<V: Record> VertexOutput<V> for Change<(u64, V)> {
    fn from_change(change: Change<(u64, V)>) -> Option<Self> {
        Some(change)
    }
}

/// Every vertex's current value, kept from the changes a graph job sends to a
/// `Change<(u64, V)>` sink: a live graph's results after each batch.
///
/// ```
/// use rill::graph::VertexValues;
/// use rill::prelude::*;
///
/// let mut values = VertexValues::default();
/// let change = |vertex, value, diff| Change { data: (vertex, value), epoch: 0, diff };
/// values.apply(vec![change(1, 10, 1), change(2, 20, 1)])?;
/// // A new value may come before the old one leaves: retractions are applied first.
/// values.apply(vec![change(2, 5, 1), change(2, 20, -1)])?;
/// assert_eq!(values.to_vec(), [(1, 10), (2, 5)]);
/// assert!(values.apply(vec![change(1, 11, 1)]).is_err()); // a second value for vertex 1
/// # Ok::<(), RillError>(())
/// ```
#[derive(Debug, Clone)]
pub struct VertexValues<V>(std::collections::BTreeMap<u64, V>);

impl<V> Default for VertexValues<V> {
    fn default() -> Self {
        VertexValues(std::collections::BTreeMap::new())
    }
}

impl<V: Clone + PartialEq + std::fmt::Debug> VertexValues<V> {
    /// Applies one batch of changes, retractions first (a vertex's new value may arrive
    /// before its old one leaves). Fails, naming it, on a change that does not fit: a
    /// retraction of a value the vertex does not have, a second value, a multiplicity not 1.
    pub fn apply(
        &mut self,
        changes: impl IntoIterator<Item = Change<(u64, V)>>,
    ) -> Result<(), RillError> {
        let (gone, new): (Vec<_>, Vec<_>) = changes.into_iter().partition(|c| c.diff < 0);
        for change in gone {
            let (vertex, value) = &change.data;
            if change.diff != -1 || self.0.get(vertex) != Some(value) {
                return Err(RillError::new(format!(
                    "{change:?} retracts a value the vertex does not have"
                )));
            }
            self.0.remove(vertex);
        }
        for change in new {
            let (vertex, value) = &change.data;
            if change.diff != 1 || self.0.contains_key(vertex) {
                return Err(RillError::new(format!(
                    "{change:?} gives a vertex a second value"
                )));
            }
            self.0.insert(*vertex, value.clone());
        }
        Ok(())
    }

    /// `(vertex, value)` for every vertex with a value, by vertex.
    pub fn to_vec(&self) -> Vec<(u64, V)> {
        self.0
            .iter()
            .map(|(&vertex, value)| (vertex, value.clone()))
            .collect()
    }
}

/// A change of a vertex's `F64` value as one of its `f64` value, for the jobs whose results are
/// `f64` (`F64` is the orderable wrapper they compute with).
fn real(change: Change<(u64, F64)>) -> Change<(u64, f64)> {
    let (vertex, value) = change.data;
    Change {
        data: (vertex, value.0),
        epoch: change.epoch,
        diff: change.diff,
    }
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
            arc_changes: None,
        }
    }

    /// This graph, live: after it is loaded, the arcs change as the program inserts and retracts
    /// them through `changes` (`(arc, 1)` inserts, `(arc, -1)` retracts), one epoch per batch.
    /// `bfs`, `pagerank`, `wcc`, `cdlp` and `lcc` follow the changes (with `Strategy::Auto`,
    /// incrementally, but for `pagerank`, which recomputes: see its docs); send their output to a `Change<(u64, V)>` sink to see each result's
    /// retractions. `sssp`, over weighted arcs, refuses a live graph.
    ///
    /// ```
    /// use rill::graph::{wcc, Graph, GraphInput};
    /// use rill::prelude::*;
    ///
    /// # fn main() -> Result<(), RillError> {
    /// let graph = Graph::new(vec![1, 2, 3], vec![(1, 2, 1.0)], true)?;
    /// let changes = InputHandle::new();
    /// let input = GraphInput::new(&graph).with_arc_changes(changes.clone());
    /// let labels: Collector<Change<(u64, u64)>> = Collector::new();
    /// let job = wcc(&input, Strategy::Auto, collect(&labels));
    /// let running = job.spawn(RunOptions { quiet: true, ..RunOptions::default() });
    /// changes.advance(); // the graph as loaded is epoch 0; changes start at 1
    /// changes.insert((2, 3)); // vertex 3 joins the component of 1
    /// changes.close();
    /// running.join().unwrap()?;
    /// let mut changed: Vec<((u64, u64), isize)> = labels
    ///     .take()
    ///     .into_iter()
    ///     .filter(|change| change.epoch == 1)
    ///     .map(|change| (change.data, change.diff))
    ///     .collect();
    /// changed.sort();
    /// assert_eq!(changed, [((3, 1), 1), ((3, 3), -1)]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn with_arc_changes(mut self, changes: InputHandle<(u64, u64)>) -> Self {
        self.arc_changes = Some(changes);
        self
    }

    /// Whether the arcs change after loading.
    pub fn is_live(&self) -> bool {
        self.arc_changes.is_some()
    }

    /// What the jobs over unweighted arcs read: the vertices, the arcs, and the handle of the
    /// arc changes (a closed, empty one for a static graph).
    fn sources(&self) -> (Arc<[u64]>, Arc<[Arc64]>, InputHandle<Arc64>) {
        let changes = self.arc_changes.clone().unwrap_or_else(|| {
            let none = InputHandle::new();
            none.close();
            none
        });
        (self.vertices.clone(), self.arcs.clone(), changes)
    }

    /// The strategy a job's loop runs with: the planner's choice for a static graph (whose
    /// closed change handle it cannot see through) or a live one.
    fn plan(&self, strategy: Strategy) -> Strategy {
        strategy.plan(self.is_live())
    }

    /// The number of vertices.
    pub fn vertex_count(&self) -> usize {
        self.vertices.len()
    }
}
