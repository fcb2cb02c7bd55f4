//! [`Graph`]: a graph as a list of vertex ids and a list of weighted edges.

use std::fmt;

use rill_runtime::{Result, RillError};

/// A graph as it is stored in files: vertex ids, weighted edges between them, and whether the
/// edges are directed.
///
/// The vertex list is sorted and has no repeats; it may hold isolated vertices (that no edge
/// names). Every edge names two listed vertices and has a weight that is a number `>= 0` (1.0
/// where the input has none). An undirected graph lists each edge once. Build a [`Csr`] from it
/// to run algorithms.
///
/// [`Csr`]: super::Csr
#[derive(Debug, Clone, PartialEq)]
pub struct Graph {
    vertices: Vec<u64>,
    edges: Vec<(u64, u64, f64)>,
    directed: bool,
}

impl Graph {
    /// A graph of `vertices` (in any order) and `(source, target, weight)` edges. Fails if a
    /// vertex is listed twice, an edge names a vertex that is not listed, or a weight is negative
    /// or not a number.
    pub fn new(vertices: Vec<u64>, edges: Vec<(u64, u64, f64)>, directed: bool) -> Result<Graph> {
        let vertices = sorted_vertices(vertices.into_iter().zip(1..).collect()).map_err(
            |Repeated { id, first, second }| {
                RillError::new(format!(
                    "vertex {id} is listed twice (at positions {first} and {second})"
                ))
            },
        )?;
        for (position, &(source, target, weight)) in edges.iter().enumerate() {
            check_edge(&vertices, source, target, weight).map_err(|problem| {
                RillError::new(format!(
                    "edge {} ({source} -> {target}): {problem}",
                    position + 1
                ))
            })?;
        }
        Ok(Graph::from_checked_parts(vertices, edges, directed))
    }

    /// A graph from parts that already satisfy [`Graph`]'s invariants.
    pub(super) fn from_checked_parts(
        vertices: Vec<u64>,
        edges: Vec<(u64, u64, f64)>,
        directed: bool,
    ) -> Graph {
        Graph {
            vertices,
            edges,
            directed,
        }
    }

    /// The vertex ids, ascending.
    pub fn vertices(&self) -> &[u64] {
        &self.vertices
    }

    /// The `(source, target, weight)` edges, in input order.
    pub fn edges(&self) -> &[(u64, u64, f64)] {
        &self.edges
    }

    /// Whether edges go one way (`true`) or both ways (`false`).
    pub fn is_directed(&self) -> bool {
        self.directed
    }
}

/// A vertex id that occurs twice, with the positions (or lines) of its first two occurrences.
pub(super) struct Repeated {
    pub id: u64,
    pub first: usize,
    pub second: usize,
}

/// Sorts `(id, position)` pairs by id and returns the ids, or the first id that occurs twice.
pub(super) fn sorted_vertices(mut entries: Vec<(u64, usize)>) -> Result<Vec<u64>, Repeated> {
    entries.sort_unstable();
    if let Some(pair) = entries.windows(2).find(|pair| pair[0].0 == pair[1].0) {
        return Err(Repeated {
            id: pair[0].0,
            first: pair[0].1,
            second: pair[1].1,
        });
    }
    Ok(entries.into_iter().map(|(id, _)| id).collect())
}

/// Why an edge does not fit a graph.
pub(super) enum EdgeProblem {
    /// An endpoint is not among the vertices.
    UnknownVertex(u64),
    /// The weight is negative or not a number.
    BadWeight(f64),
}

impl fmt::Display for EdgeProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EdgeProblem::UnknownVertex(id) => write!(f, "vertex {id} is not in the vertex list"),
            EdgeProblem::BadWeight(weight) => {
                write!(f, "weight {weight} is not a number >= 0")
            }
        }
    }
}

/// Checks that an edge joins two of the (sorted) `vertices` and has a usable weight.
pub(super) fn check_edge(
    vertices: &[u64],
    source: u64,
    target: u64,
    weight: f64,
) -> Result<(), EdgeProblem> {
    for id in [source, target] {
        if vertices.binary_search(&id).is_err() {
            return Err(EdgeProblem::UnknownVertex(id));
        }
    }
    if weight >= 0.0 {
        Ok(())
    } else {
        Err(EdgeProblem::BadWeight(weight))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_sorts_vertices_and_checks_edges() {
        let graph = Graph::new(vec![3, 1, 2], vec![(1, 3, 0.5)], false).unwrap();
        assert_eq!(graph.vertices(), [1, 2, 3]);
        assert_eq!(graph.edges(), [(1, 3, 0.5)]);
        assert!(!graph.is_directed());

        let error = Graph::new(vec![1, 2, 1], vec![], true).unwrap_err();
        assert_eq!(
            error.message(),
            "vertex 1 is listed twice (at positions 1 and 3)"
        );
        let error = Graph::new(vec![1, 2], vec![(1, 2, 1.0), (2, 7, 1.0)], true).unwrap_err();
        assert_eq!(
            error.message(),
            "edge 2 (2 -> 7): vertex 7 is not in the vertex list"
        );
        let error = Graph::new(vec![1, 2], vec![(1, 2, f64::NAN)], true).unwrap_err();
        assert_eq!(
            error.message(),
            "edge 1 (1 -> 2): weight NaN is not a number >= 0"
        );
    }
}
