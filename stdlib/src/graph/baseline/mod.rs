//! Sequential reference implementations of the six LDBC Graphalytics algorithms over a [`Csr`]:
//! the single-threaded baselines ("COST") that distributed versions are measured against, and
//! oracles for their tests.
//!
//! Each returns one value per dense vertex index; [`Csr::with_ids`] pairs them with vertex ids.
//! The definitions are Graphalytics': an undirected graph's edges count both ways.

use super::Csr;

mod bfs;
mod cdlp;
mod lcc;
mod pagerank;
mod sssp;
mod wcc;

pub use self::bfs::bfs;
pub use self::cdlp::cdlp;
pub use self::lcc::lcc;
pub use self::pagerank::{pagerank, pagerank_cost};
pub use self::sssp::sssp;
pub use self::wcc::wcc;

/// The dense index of `source`, for `algorithm`'s error message. Panics if it is not a vertex.
fn source_index(csr: &Csr, source: u64, algorithm: &str) -> usize {
    csr.index_of(source)
        .unwrap_or_else(|| panic!("{algorithm}: source vertex {source} is not in the graph"))
}
