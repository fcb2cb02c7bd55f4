//! The suite's command line.

use std::path::PathBuf;

use clap::{Parser, ValueEnum};

use super::child::{self, Layout};
use super::graph::{Algo, GraphSource, Params};
use super::versions::Version;

/// Rill's benchmark suite: iterative graph jobs against the single-threaded CSR baselines and
/// hand-written differential dataflow, incremental updates, and streaming jobs against
/// hand-written timely.
#[derive(Parser, Clone, Debug)]
#[command(name = "suite")]
pub struct Cli {
    /// The parts of the suite to run.
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "static,incremental,streaming"
    )]
    pub sections: Vec<Section>,
    /// The graph algorithms.
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "pr,pr-cost,wcc,bfs,sssp,cdlp"
    )]
    pub algo: Vec<Algo>,
    /// The versions of each algorithm.
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "baseline,differential,dsl,dsl-incremental"
    )]
    pub versions: Vec<Version>,
    /// The scale of a generated R-MAT graph (2^scale vertex ids, 16 edges per id, seed 1).
    #[arg(long, default_value_t = 18)]
    pub rmat: u32,
    /// A Graphalytics vertex file (instead of R-MAT).
    #[arg(long, requires = "edges")]
    pub vertices: Option<PathBuf>,
    /// A Graphalytics edge file.
    #[arg(long, requires = "vertices")]
    pub edges: Option<PathBuf>,
    /// A SNAP edge list (instead of R-MAT).
    #[arg(long, conflicts_with = "vertices")]
    pub snap: Option<PathBuf>,
    /// Whether the `--vertices/--edges` or `--snap` graph is directed.
    #[arg(long)]
    pub directed: bool,
    /// Worker-thread counts of the parallel versions (one process).
    #[arg(long, value_delimiter = ',', default_value = "1,2")]
    pub workers: Vec<usize>,
    /// Also run on this many local processes of one worker each (0: not at all).
    #[arg(long, default_value_t = 2)]
    pub processes: usize,
    /// A host list (`host:port` lines, one per process) to run the multi-process measurements
    /// on instead of local processes: process `i` is started on line `i`'s host with
    /// `--remote-shell`, with each of `--workers` threads. The suite's binary copy and results
    /// live under `--out`, which must therefore be an absolute path on a filesystem that every
    /// host shares (as must `--vertices`/`--edges`/`--snap`).
    #[arg(long)]
    pub cluster: Option<PathBuf>,
    /// How a process of `--cluster` is started: this command, then the host, then the suite's
    /// program and its arguments (split on whitespace).
    #[arg(long, default_value = "ssh")]
    pub remote_shell: String,
    /// Repetitions of every measurement; tables show the median.
    #[arg(long, default_value_t = 3)]
    pub reps: usize,
    /// PageRank's rounds (both variants).
    #[arg(long, default_value_t = 20)]
    pub pr_rounds: u32,
    /// CDLP's rounds.
    #[arg(long, default_value_t = 10)]
    pub cdlp_rounds: u32,
    /// PageRank's damping factor.
    #[arg(long, default_value_t = 0.85)]
    pub damping: f64,
    /// The source vertex of BFS and SSSP (default: the graph's first vertex).
    #[arg(long)]
    pub root: Option<u64>,
    /// The algorithms of the incremental benchmark (wcc, bfs, pr).
    #[arg(long, value_enum, value_delimiter = ',', default_value = "wcc,bfs,pr")]
    pub incremental: Vec<Algo>,
    /// Batch sizes of the incremental benchmark (edge changes per epoch).
    #[arg(long, value_delimiter = ',', default_value = "1,100,10000")]
    pub changes: Vec<usize>,
    /// Batches of each size.
    #[arg(long, default_value_t = 5)]
    pub change_reps: usize,
    /// Events of the streaming benchmarks.
    #[arg(long, default_value_t = 10_000_000)]
    pub events: u64,
    /// Untimed runs for the streaming latency percentiles.
    #[arg(long, default_value_t = 1)]
    pub latency_reps: usize,
    /// Where the table, the plot and scratch files go.
    #[arg(long, default_value = "target/bench-suite")]
    pub out: PathBuf,
    /// Passed by `cargo bench`; ignored.
    #[arg(long, hide = true)]
    pub bench: bool,
    /// Only write the windowed word count's `--events` events to this file as `ts_ms,word`
    /// lines (the input of `scripts/flink_wordcount.sh`), and exit.
    #[arg(long)]
    pub write_events: Option<PathBuf>,

    /// Internal: run one measurement in this process and report it (`static ALGO VERSION`,
    /// `incremental ALGO`, `streaming WORKLOAD VERSION`, `input`).
    #[arg(long, hide = true, num_args = 1..=3)]
    pub one: Option<Vec<String>>,
    /// Internal: the host list of a measurement on several processes.
    #[arg(long, hide = true)]
    pub hosts: Option<PathBuf>,
    /// Internal: this process's index in `--hosts`.
    #[arg(long, hide = true)]
    pub process: Option<usize>,
    /// Internal: where a measurement writes its results.
    #[arg(long, hide = true)]
    pub result: Option<PathBuf>,
}

/// The parts of the suite.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Section {
    /// Graph algorithms on a static graph.
    Static,
    /// Edge changes absorbed by live graph jobs.
    Incremental,
    /// Windowed word count and a keyed running aggregate.
    Streaming,
}

impl Cli {
    pub fn graph(&self) -> GraphSource {
        match (&self.vertices, &self.edges, &self.snap) {
            (Some(vertices), Some(edges), _) => GraphSource::Graphalytics {
                vertices: vertices.clone(),
                edges: edges.clone(),
                directed: self.directed,
            },
            (_, _, Some(path)) => GraphSource::Snap {
                path: path.clone(),
                directed: self.directed,
            },
            _ => GraphSource::Rmat(self.rmat),
        }
    }

    /// The parameters, with `root` the given vertex or else `first_vertex`.
    pub fn params(&self, first_vertex: u64) -> Params {
        Params {
            damping: self.damping,
            pr_rounds: self.pr_rounds,
            cdlp_rounds: self.cdlp_rounds,
            root: self.root.unwrap_or(first_vertex),
        }
    }

    /// The flags that fix the parameters, for a child.
    pub fn params_args(&self, params: &Params) -> Vec<String> {
        vec![
            "--damping".into(),
            params.damping.to_string(),
            "--pr-rounds".into(),
            params.pr_rounds.to_string(),
            "--cdlp-rounds".into(),
            params.cdlp_rounds.to_string(),
            "--root".into(),
            params.root.to_string(),
        ]
    }

    /// The layouts of the parallel versions: the thread counts, then the processes (of a
    /// `--cluster`, with each thread count; else `--processes` local ones of one thread).
    pub fn layouts(&self) -> Vec<Layout> {
        let mut layouts: Vec<Layout> = self.workers.iter().map(|&w| Layout::Threads(w)).collect();
        if let Some(cluster) = child::Cluster::get() {
            let processes = cluster.addresses.len();
            layouts.extend(
                self.workers
                    .iter()
                    .map(|&workers| Layout::Processes { processes, workers }),
            );
        } else if self.processes > 0 {
            layouts.push(Layout::Processes {
                processes: self.processes,
                workers: 1,
            });
        }
        layouts
    }
}
