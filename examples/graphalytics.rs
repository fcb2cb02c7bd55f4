//! The six LDBC Graphalytics algorithms on a graph: BFS, PageRank, WCC, CDLP, LCC and SSSP,
//! written with `dataflow!` (see `rill::graph`).
//!
//! ```text
//! cargo run --release --example graphalytics                                   # WCC on a generated R-MAT graph
//! cargo run --release --example graphalytics -- --algo pr --rmat 14 --workers 2
//! cargo run --release --example graphalytics -- --algo bfs --vertices g.v --edges g.e --directed true --source 1 --output g-BFS
//! cargo run --release --example graphalytics -- --algo cdlp --properties example-directed.properties --output out
//! ```
//!
//! The graph comes from a Graphalytics `.v`/`.e` pair, a `.properties` file (which also gives
//! the algorithms' parameters), a SNAP edge list (`--snap`), or the R-MAT generator (`--rmat
//! SCALE`, the default with scale 10). The result is written as `vertex value` lines, the
//! Graphalytics output format, to `--output` or stdout.

use std::path::PathBuf;

use clap::{Parser, ValueEnum};
use rill::graph::{self, Algorithm, Graph, GraphInput, Properties};
use rill::prelude::*;

/// Runs a Graphalytics algorithm on a graph.
#[derive(Parser, Clone)]
struct Args {
    /// The algorithm: bfs, pr, wcc, cdlp, lcc or sssp.
    #[arg(long, default_value = "wcc")]
    algo: Algorithm,
    /// A Graphalytics `.properties` file: the graph's files, whether it is directed, and the
    /// algorithms' parameters (flags given as well override them).
    #[arg(long)]
    properties: Option<PathBuf>,
    /// The Graphalytics vertex file (one id a line).
    #[arg(long, requires = "edges")]
    vertices: Option<PathBuf>,
    /// The Graphalytics edge file (`src dst [weight]` lines).
    #[arg(long, requires = "vertices")]
    edges: Option<PathBuf>,
    /// A SNAP edge list (`#` comments, `src dst` lines).
    #[arg(long)]
    snap: Option<PathBuf>,
    /// Whether the edges are directed (with `--vertices`/`--edges` or `--snap`).
    #[arg(long)]
    directed: Option<bool>,
    /// The scale of a generated R-MAT graph (2^scale vertex ids, 16 edges per id).
    #[arg(long, default_value_t = 10)]
    rmat: u32,
    /// The seed of the R-MAT generator.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// The source vertex of BFS and SSSP.
    #[arg(long)]
    source: Option<u64>,
    /// Rounds of PageRank and CDLP.
    #[arg(long)]
    iterations: Option<u32>,
    /// PageRank's damping factor.
    #[arg(long)]
    damping: Option<f64>,
    /// How loops run: `auto` lets the planner decide.
    #[arg(long, value_enum, default_value_t = StrategyFlag::Auto)]
    strategy: StrategyFlag,
    /// Where to write `vertex value` lines (default: stdout).
    #[arg(long)]
    output: Option<PathBuf>,
    #[command(flatten)]
    run: RunOptions,
}

/// The `--strategy` choices.
#[derive(Clone, Copy, ValueEnum)]
enum StrategyFlag {
    Auto,
    Bulk,
    Incremental,
}

impl From<StrategyFlag> for Strategy {
    fn from(flag: StrategyFlag) -> Strategy {
        match flag {
            StrategyFlag::Auto => Strategy::Auto,
            StrategyFlag::Bulk => Strategy::Bulk,
            StrategyFlag::Incremental => Strategy::Incremental,
        }
    }
}

fn main() {
    let args = Args::parse();
    if let Err(error) = run(&args) {
        eprintln!("graphalytics: {error}");
        std::process::exit(1);
    }
}

fn run(args: &Args) -> Result<(), RillError> {
    let properties = args
        .properties
        .as_deref()
        .map(Properties::load)
        .transpose()?;
    let graph = load(args, properties.as_ref())?;
    let input = GraphInput::new(&graph);
    let strategy = Strategy::from(args.strategy);
    let output = graph::graphalytics_to(args.output.as_ref());
    let from_properties = |pick: fn(&Properties) -> Option<u64>| properties.as_ref().and_then(pick);
    let root = || {
        let pick = match args.algo {
            Algorithm::Sssp => |p: &Properties| p.sssp_source,
            _ => |p: &Properties| p.bfs_source,
        };
        args.source
            .or_else(|| from_properties(pick))
            .or_else(|| graph.vertices().first().copied())
            .ok_or_else(|| RillError::new("the graph has no vertices, so there is no source"))
    };
    let iterations = args
        .iterations
        .or_else(|| match args.algo {
            Algorithm::Pr => properties.as_ref().and_then(|p| p.pr_iterations),
            _ => properties.as_ref().and_then(|p| p.cdlp_iterations),
        })
        .unwrap_or(10);
    let damping = args
        .damping
        .or_else(|| properties.as_ref().and_then(|p| p.pr_damping))
        .unwrap_or(0.85);
    let run = &args.run;
    match args.algo {
        Algorithm::Bfs => graph::bfs(&input, root()?, strategy, output).run_with(run),
        Algorithm::Sssp => graph::sssp(&input, root()?, strategy, output).run_with(run),
        Algorithm::Wcc => graph::wcc(&input, strategy, output).run_with(run),
        Algorithm::Pr => {
            graph::pagerank(&input, damping, iterations, strategy, output).run_with(run)
        }
        Algorithm::Cdlp => graph::cdlp(&input, iterations, strategy, output).run_with(run),
        Algorithm::Lcc => graph::lcc(&input, output).run_with(run),
    }?;
    Ok(())
}

/// The graph the flags name.
fn load(args: &Args, properties: Option<&Properties>) -> Result<Graph, RillError> {
    let directed = |default: Option<bool>| {
        args.directed.or(default).ok_or_else(|| {
            RillError::new(
                "say whether the graph is directed: `--directed true` or `--directed false`",
            )
        })
    };
    match (&args.vertices, &args.edges, &args.snap, properties) {
        (Some(vertices), Some(edges), _, _) => {
            graph::load_graphalytics(vertices, edges, directed(properties.map(|p| p.directed))?)
        }
        (_, _, Some(snap), _) => graph::load_snap(snap, directed(None)?),
        (_, _, _, Some(properties)) => properties.load_graph(),
        _ => Ok(graph::rmat(args.rmat, 16, args.seed)),
    }
}
