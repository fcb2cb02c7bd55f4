//! [`Csr`]: a graph in compressed-sparse-rows form, for algorithms.

use super::Graph;

/// A graph's edges grouped by vertex, in flat arrays: what sequential algorithms run on.
///
/// Vertices are numbered densely `0..n` in ascending id order ([`Csr::id`] and
/// [`Csr::index_of`] translate). Every vertex has its out-neighbours (with edge weights) and
/// its in-neighbours, each list sorted by index. In an undirected graph every edge counts in
/// both directions, so a vertex's in-neighbours are its out-neighbours; a self-loop counts once.
/// Repeated edges stay repeated.
#[derive(Debug, Clone)]
pub struct Csr {
    ids: Vec<u64>,
    out: Adjacency,
    /// `None` for an undirected graph, whose in-edges are its out-edges.
    incoming: Option<Adjacency>,
}

impl Csr {
    /// The compressed-sparse-rows form of `graph`. Panics if the graph has `u32::MAX` vertices
    /// or more.
    pub fn new(graph: &Graph) -> Csr {
        let ids = graph.vertices().to_vec();
        assert!(
            ids.len() < u32::MAX as usize,
            "Csr: {} vertices are more than dense u32 indices can number",
            ids.len()
        );
        let index = DenseIndex::new(&ids);
        let edges: Vec<(u32, u32, f64)> = graph
            .edges()
            .iter()
            .map(|&(source, target, weight)| (index.of(source), index.of(target), weight))
            .collect();
        let n = ids.len();
        let (out, incoming) = if graph.is_directed() {
            let incoming = Adjacency::group(n, &edges).transpose();
            (incoming.transpose(), Some(incoming))
        } else {
            let reversed = edges
                .iter()
                .filter(|(source, target, _)| source != target)
                .map(|&(source, target, weight)| (target, source, weight));
            let both: Vec<(u32, u32, f64)> = edges.iter().copied().chain(reversed).collect();
            (Adjacency::group(n, &both).transpose(), None)
        };
        Csr { ids, out, incoming }
    }

    /// The number of vertices, `n`.
    pub fn vertex_count(&self) -> usize {
        self.ids.len()
    }

    /// Whether the graph's edges are directed.
    pub fn is_directed(&self) -> bool {
        self.incoming.is_some()
    }

    /// The id of the vertex with dense index `v`.
    pub fn id(&self, v: usize) -> u64 {
        self.ids[v]
    }

    /// The dense index of the vertex `id`, if it is one.
    pub fn index_of(&self, id: u64) -> Option<usize> {
        self.ids.binary_search(&id).ok()
    }

    /// Pairs per-index results with their vertex ids: `(id(v), values[v])`, ascending by id.
    pub fn with_ids<V: Copy>(&self, values: &[V]) -> Vec<(u64, V)> {
        assert_eq!(values.len(), self.ids.len(), "one value per vertex");
        self.ids
            .iter()
            .copied()
            .zip(values.iter().copied())
            .collect()
    }

    /// The targets of `v`'s out-edges (for an undirected graph: all its edges), as dense indices.
    pub fn out_neighbors(&self, v: usize) -> &[u32] {
        self.out.neighbors(v)
    }

    /// The weights of `v`'s out-edges, in the order of [`Csr::out_neighbors`].
    pub fn out_weights(&self, v: usize) -> &[f64] {
        self.out.weights(v)
    }

    /// The number of `v`'s out-edges.
    pub fn out_degree(&self, v: usize) -> usize {
        self.out.degree(v)
    }

    /// The sources of `v`'s in-edges (for an undirected graph: all its edges), as dense indices.
    pub fn in_neighbors(&self, v: usize) -> &[u32] {
        self.incoming.as_ref().unwrap_or(&self.out).neighbors(v)
    }
}

/// Translates the ids of a graph's edges to dense indices: through a table when the ids are
/// dense enough for one, else by binary search.
enum DenseIndex<'a> {
    /// `table[id - first]` is the index of `id`.
    Table {
        first: u64,
        table: Vec<u32>,
    },
    Search(&'a [u64]),
}

impl<'a> DenseIndex<'a> {
    /// At most this many table slots per vertex.
    const SLOTS_PER_VERTEX: u64 = 4;

    fn new(ids: &'a [u64]) -> Self {
        let (Some(&first), Some(&last)) = (ids.first(), ids.last()) else {
            return DenseIndex::Search(ids);
        };
        if last - first >= Self::SLOTS_PER_VERTEX * ids.len() as u64 {
            return DenseIndex::Search(ids);
        }
        let mut table = vec![u32::MAX; (last - first + 1) as usize];
        for (index, &id) in ids.iter().enumerate() {
            table[(id - first) as usize] = index as u32;
        }
        DenseIndex::Table { first, table }
    }

    /// The index of `id`, which must be one of the ids.
    fn of(&self, id: u64) -> u32 {
        match self {
            DenseIndex::Table { first, table } => table[(id - first) as usize],
            DenseIndex::Search(ids) => {
                ids.binary_search(&id)
                    .expect("Graph's edges name only its vertices") as u32
            }
        }
    }
}

/// Edge lists by vertex: vertex `v`'s edges are `offsets[v]..offsets[v + 1]` of `targets` and
/// `weights`.
#[derive(Debug, Clone)]
struct Adjacency {
    offsets: Vec<usize>,
    targets: Vec<u32>,
    weights: Vec<f64>,
}

impl Adjacency {
    /// `(source, target, weight)` edges over `n` vertices grouped by source, in input order.
    fn group(n: usize, edges: &[(u32, u32, f64)]) -> Adjacency {
        let offsets = offsets(n, edges.iter().map(|&(source, _, _)| source));
        let mut next = offsets.clone();
        let mut targets = vec![0; edges.len()];
        let mut weights = vec![0.0; edges.len()];
        for &(source, target, weight) in edges {
            let slot = &mut next[source as usize];
            targets[*slot] = target;
            weights[*slot] = weight;
            *slot += 1;
        }
        Adjacency {
            offsets,
            targets,
            weights,
        }
    }

    /// The same edges reversed and grouped by their targets; each list comes out sorted.
    fn transpose(&self) -> Adjacency {
        let n = self.offsets.len() - 1;
        let offsets = offsets(n, self.targets.iter().copied());
        let mut next = offsets.clone();
        let mut targets = vec![0; self.targets.len()];
        let mut weights = vec![0.0; self.targets.len()];
        for v in 0..n {
            for (&target, &weight) in self.neighbors(v).iter().zip(self.weights(v)) {
                let slot = &mut next[target as usize];
                targets[*slot] = v as u32;
                weights[*slot] = weight;
                *slot += 1;
            }
        }
        Adjacency {
            offsets,
            targets,
            weights,
        }
    }

    fn neighbors(&self, v: usize) -> &[u32] {
        &self.targets[self.offsets[v]..self.offsets[v + 1]]
    }

    fn weights(&self, v: usize) -> &[f64] {
        &self.weights[self.offsets[v]..self.offsets[v + 1]]
    }

    fn degree(&self, v: usize) -> usize {
        self.offsets[v + 1] - self.offsets[v]
    }
}

/// Where each of `n` vertices' lists starts, given the vertex of every entry: `n + 1` offsets.
pub(super) fn offsets(n: usize, owners: impl Iterator<Item = u32>) -> Vec<usize> {
    let mut offsets = vec![0; n + 1];
    for owner in owners {
        offsets[owner as usize + 1] += 1;
    }
    for v in 0..n {
        offsets[v + 1] += offsets[v];
    }
    offsets
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directed_lists_are_sorted_by_index() {
        let graph = Graph::new(
            vec![10, 20, 30, 40],
            vec![(30, 10, 1.0), (10, 30, 2.0), (10, 20, 3.0), (20, 30, 4.0)],
            true,
        )
        .unwrap();
        let csr = Csr::new(&graph);
        assert_eq!(csr.vertex_count(), 4);
        assert!(csr.is_directed());
        assert_eq!(csr.out_neighbors(0), [1, 2]);
        assert_eq!(csr.out_weights(0), [3.0, 2.0]);
        assert_eq!(csr.in_neighbors(2), [0, 1]);
        assert_eq!(csr.out_degree(3), 0);
        assert_eq!(csr.in_neighbors(3), [] as [u32; 0]);
        assert_eq!(
            (csr.id(2), csr.index_of(30), csr.index_of(35)),
            (30, Some(2), None)
        );
    }

    #[test]
    fn undirected_edges_count_both_ways() {
        let graph = Graph::new(vec![1, 2, 3], vec![(2, 1, 0.5), (3, 3, 1.0)], false).unwrap();
        let csr = Csr::new(&graph);
        assert!(!csr.is_directed());
        assert_eq!(csr.out_neighbors(0), [1]);
        assert_eq!(csr.out_neighbors(1), [0]);
        assert_eq!(csr.in_neighbors(1), [0]);
        assert_eq!(csr.out_weights(1), [0.5]);
        assert_eq!(csr.out_neighbors(2), [2], "a self-loop counts once");
        assert_eq!(
            csr.with_ids(&['a', 'b', 'c']),
            [(1, 'a'), (2, 'b'), (3, 'c')]
        );
    }
}
