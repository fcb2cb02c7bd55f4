//! Graphs for graph algorithms: loading them (LDBC Graphalytics, SNAP, generated R-MAT), a
//! compressed-sparse-rows view, sequential reference implementations of the six Graphalytics
//! algorithms, and reading, writing and checking Graphalytics output files.
//!
//! ```
//! use rill_stdlib::graph::{baseline, Csr, Graph};
//!
//! // 1 -> 2 -> 3, and 4 on its own.
//! let graph = Graph::new(vec![1, 2, 3, 4], vec![(1, 2, 1.0), (2, 3, 1.0)], true)?;
//! let csr = Csr::new(&graph);
//! let depths = csr.with_ids(&baseline::bfs(&csr, 1));
//! assert_eq!(depths, [(1, 0), (2, 1), (3, 2), (4, i64::MAX)]);
//! # Ok::<(), rill_runtime::RillError>(())
//! ```

mod algorithm;
pub mod baseline;
mod csr;
mod edge_list;
mod lines;
mod load;
mod matching;
mod output;
mod properties;
mod rmat;

pub use self::algorithm::Algorithm;
pub use self::csr::Csr;
pub use self::edge_list::Graph;
pub use self::load::{load_graphalytics, load_snap};
pub use self::matching::match_output;
pub use self::output::{
    format_output, graphalytics_to, read_graphalytics_output, write_graphalytics_output,
    GraphalyticsEncoding, GraphalyticsTo, OutputValue,
};
pub use self::properties::Properties;
pub use self::rmat::rmat;
