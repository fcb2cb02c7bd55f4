//! The graph benchmarks' vocabulary: the input graph, the algorithms and their parameters, and
//! their results as Graphalytics output (`vertex value`), which is how the versions' results
//! are written, gathered from processes and compared.

use std::fmt;
use std::path::{Path, PathBuf};

use clap::ValueEnum;
use rill::graph::{self, Algorithm, Csr, Graph, OutputValue};

/// The algorithms of the suite.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, ValueEnum)]
pub enum Algo {
    /// PageRank, Graphalytics' definition (dangling vertices' rank redistributed).
    Pr,
    /// PageRank as in the COST paper: without redistributing the dangling vertices' rank.
    PrCost,
    /// Weakly connected components.
    Wcc,
    /// Breadth-first search.
    Bfs,
    /// Single-source shortest paths.
    Sssp,
    /// Community detection by label propagation.
    Cdlp,
}

impl Algo {
    pub fn name(self) -> &'static str {
        match self {
            Algo::Pr => "pr",
            Algo::PrCost => "pr-cost",
            Algo::Wcc => "wcc",
            Algo::Bfs => "bfs",
            Algo::Sssp => "sssp",
            Algo::Cdlp => "cdlp",
        }
    }

    /// The Graphalytics algorithm whose match rule applies.
    pub fn graphalytics(self) -> Algorithm {
        match self {
            Algo::Pr | Algo::PrCost => Algorithm::Pr,
            Algo::Wcc => Algorithm::Wcc,
            Algo::Bfs => Algorithm::Bfs,
            Algo::Sssp => Algorithm::Sssp,
            Algo::Cdlp => Algorithm::Cdlp,
        }
    }

    /// Whether results are integers, compared exactly (else within Graphalytics' epsilon).
    pub fn exact(self) -> bool {
        matches!(self, Algo::Wcc | Algo::Bfs | Algo::Cdlp)
    }
}

impl fmt::Display for Algo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The algorithms' parameters.
#[derive(Clone, Debug)]
pub struct Params {
    pub damping: f64,
    pub pr_rounds: u32,
    pub cdlp_rounds: u32,
    /// The source vertex of BFS and SSSP.
    pub root: u64,
}

/// Where the graph comes from. Children load it again from the same description.
#[derive(Clone, Debug)]
pub enum GraphSource {
    /// `rmat(scale, 16, 1)`, directed.
    Rmat(u32),
    /// A Graphalytics `.v`/`.e` pair.
    Graphalytics {
        vertices: PathBuf,
        edges: PathBuf,
        directed: bool,
    },
    /// A SNAP edge list.
    Snap { path: PathBuf, directed: bool },
}

/// R-MAT's edge factor and seed.
const EDGE_FACTOR: u32 = 16;
const SEED: u64 = 1;

impl GraphSource {
    pub fn load(&self) -> Graph {
        match self {
            GraphSource::Rmat(scale) => graph::rmat(*scale, EDGE_FACTOR, SEED),
            GraphSource::Graphalytics {
                vertices,
                edges,
                directed,
            } => graph::load_graphalytics(vertices, edges, *directed)
                .unwrap_or_else(|e| panic!("cannot load the graph: {e}")),
            GraphSource::Snap { path, directed } => graph::load_snap(path, *directed)
                .unwrap_or_else(|e| panic!("cannot load the graph: {e}")),
        }
    }

    /// The flags that name this graph on the command line.
    pub fn args(&self) -> Vec<String> {
        let directed = |d: bool| if d { vec!["--directed".into()] } else { vec![] };
        match self {
            GraphSource::Rmat(scale) => vec!["--rmat".into(), scale.to_string()],
            GraphSource::Graphalytics {
                vertices,
                edges,
                directed: d,
            } => {
                let mut args = vec![
                    "--vertices".into(),
                    vertices.display().to_string(),
                    "--edges".into(),
                    edges.display().to_string(),
                ];
                args.extend(directed(*d));
                args
            }
            GraphSource::Snap { path, directed: d } => {
                let mut args = vec!["--snap".into(), path.display().to_string()];
                args.extend(directed(*d));
                args
            }
        }
    }
}

impl fmt::Display for GraphSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GraphSource::Rmat(scale) => {
                write!(f, "rmat(scale {scale}, {EDGE_FACTOR}, seed {SEED})")
            }
            GraphSource::Graphalytics { edges, .. } => write!(f, "{}", edges.display()),
            GraphSource::Snap { path, .. } => write!(f, "{}", path.display()),
        }
    }
}

/// An algorithm's result: `(vertex, value)` with the value formatted as Graphalytics does.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Results(pub Vec<(u64, String)>);

impl Results {
    pub fn of<V: OutputValue>(values: &[(u64, V)]) -> Results {
        Results(graph::format_output(values))
    }

    /// Writes the results to `path`, one `vertex value` line each.
    pub fn write(&self, path: &Path) {
        let text: String = self.0.iter().map(|(v, s)| format!("{v} {s}\n")).collect();
        std::fs::write(path, text)
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
    }

    /// Reads and joins the parts written by the processes of a measurement.
    pub fn read_parts(paths: &[PathBuf]) -> Results {
        let mut all = Vec::new();
        for path in paths {
            all.extend(
                graph::read_graphalytics_output(path)
                    .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display())),
            );
        }
        Results(all)
    }

    /// Whether these results agree with the baseline's `expected`: every vertex once; integers
    /// exactly, reals within Graphalytics' epsilon (relative 1e-4). Errors say where not.
    pub fn check(&self, algo: Algo, expected: &Results) -> Result<(), String> {
        graph::match_output(algo.graphalytics(), &expected.0, &self.0)?;
        if algo.exact() {
            let (mut mine, mut theirs) = (self.0.clone(), expected.0.clone());
            mine.sort_unstable();
            theirs.sort_unstable();
            if let Some((got, want)) = mine.iter().zip(&theirs).find(|(a, b)| a != b) {
                return Err(format!(
                    "{algo}: vertex {} has {}, the baseline {}",
                    got.0, got.1, want.1
                ));
            }
        }
        Ok(())
    }
}

/// The number of rounds a synchronous (bulk) version of `algo` needs on this graph: the
/// iterations in "ns per edge per iteration". PageRank and CDLP run a given number; BFS, SSSP
/// and WCC run until no label changes, which takes one round more than the longest chain of
/// improvements — computed here by running the synchronous propagation on the CSR.
pub fn rounds(algo: Algo, csr: &Csr, params: &Params) -> u32 {
    match algo {
        Algo::Pr | Algo::PrCost => params.pr_rounds,
        Algo::Cdlp => params.cdlp_rounds,
        Algo::Bfs => synchronous_rounds(csr, params.root, |_, _| 1.0, false),
        Algo::Sssp => synchronous_rounds(csr, params.root, |v, i| csr.out_weights(v)[i], false),
        Algo::Wcc => synchronous_rounds(csr, 0, |_, _| 0.0, true),
    }
}

/// Rounds of synchronous min-propagation until nothing changes: from `root` along out-arcs
/// adding `cost(v, i)` per arc, or (`components`) every vertex's own index along arcs both ways.
fn synchronous_rounds(
    csr: &Csr,
    root: u64,
    cost: impl Fn(usize, usize) -> f64,
    components: bool,
) -> u32 {
    let n = csr.vertex_count();
    let mut value: Vec<f64> = if components {
        (0..n).map(|v| v as f64).collect()
    } else {
        let mut value = vec![f64::INFINITY; n];
        if let Some(root) = csr.index_of(root) {
            value[root] = 0.0;
        }
        value
    };
    let mut rounds = 0;
    loop {
        rounds += 1;
        let mut next = value.clone();
        for v in 0..n {
            for (i, &w) in csr.out_neighbors(v).iter().enumerate() {
                let offered = value[v] + cost(v, i);
                if offered < next[w as usize] {
                    next[w as usize] = offered;
                }
                if components && value[w as usize] < next[v] {
                    next[v] = value[w as usize];
                }
            }
        }
        if next == value {
            return rounds;
        }
        value = next;
    }
}
