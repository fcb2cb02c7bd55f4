//! [`Algorithm`]: the six LDBC Graphalytics algorithms, by name.

use std::fmt;
use std::str::FromStr;

use rill_runtime::RillError;

/// One of the six LDBC Graphalytics algorithms.
///
/// ```
/// use rill_stdlib::graph::Algorithm;
///
/// let algorithm: Algorithm = "sssp".parse()?;
/// assert_eq!((algorithm, algorithm.suffix()), (Algorithm::Sssp, "SSSP"));
/// assert!("dfs".parse::<Algorithm>().is_err());
/// # Ok::<(), rill_runtime::RillError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Algorithm {
    /// Breadth-first search: depths from a source vertex.
    Bfs,
    /// PageRank.
    Pr,
    /// Weakly connected components.
    Wcc,
    /// Community detection by label propagation.
    Cdlp,
    /// Local clustering coefficient.
    Lcc,
    /// Single-source shortest paths.
    Sssp,
}

impl Algorithm {
    /// All six, in Graphalytics' order.
    pub const ALL: [Algorithm; 6] = [
        Algorithm::Bfs,
        Algorithm::Pr,
        Algorithm::Wcc,
        Algorithm::Cdlp,
        Algorithm::Lcc,
        Algorithm::Sssp,
    ];

    /// The lower-case name, as parsed and displayed: `bfs`, `pr`, ...
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::Bfs => "bfs",
            Algorithm::Pr => "pr",
            Algorithm::Wcc => "wcc",
            Algorithm::Cdlp => "cdlp",
            Algorithm::Lcc => "lcc",
            Algorithm::Sssp => "sssp",
        }
    }

    /// The suffix of reference output files, as in `example-directed-BFS`.
    pub fn suffix(self) -> &'static str {
        match self {
            Algorithm::Bfs => "BFS",
            Algorithm::Pr => "PR",
            Algorithm::Wcc => "WCC",
            Algorithm::Cdlp => "CDLP",
            Algorithm::Lcc => "LCC",
            Algorithm::Sssp => "SSSP",
        }
    }
}

impl FromStr for Algorithm {
    type Err = RillError;

    fn from_str(name: &str) -> Result<Self, RillError> {
        Algorithm::ALL
            .into_iter()
            .find(|algorithm| algorithm.name() == name)
            .ok_or_else(|| {
                RillError::new(format!(
                    "unknown algorithm {name:?}: expected one of bfs, pr, wcc, cdlp, lcc, sssp"
                ))
            })
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_errors_list_the_choices() {
        for algorithm in Algorithm::ALL {
            assert_eq!(algorithm.to_string().parse::<Algorithm>(), Ok(algorithm));
            assert_eq!(algorithm.suffix(), algorithm.name().to_uppercase());
        }
        assert_eq!(
            "BFS".parse::<Algorithm>().unwrap_err().message(),
            r#"unknown algorithm "BFS": expected one of bfs, pr, wcc, cdlp, lcc, sssp"#
        );
    }
}
