//! Connected components of a graph whose edges change in batches, kept up to date incrementally:
//! after each batch, only the vertices whose component changed are printed.
//!
//! ```text
//! cargo run --release --example incremental_wcc                        # a generated graph and 5 batches
//! cargo run --release --example incremental_wcc -- --batches 20 --batch-size 3 --workers 4
//! cargo run --release --example incremental_wcc -- --changes edges.changes --output out.txt
//! ```
//!
//! The edges are undirected, `src dst` pairs, and the vertices are those of some edge. Each
//! vertex's component is the smallest vertex id in it, computed with min-label propagation in an
//! incremental `iterate` loop. The edges come from a changes file (`--changes`, lines
//! `epoch +|- src dst`), or by default from a generated sequence: a random graph of `--edges`
//! edges on `--vertices` vertex ids at epoch 0, then `--batches` batches (epochs 1, 2, ...) of
//! `--batch-size` random changes each, half insertions of new edges and half deletions of
//! existing ones, all determined by `--seed`.
//!
//! The output, to `--output` or stdout, has a `# epoch N` line for every epoch that changed some
//! vertex's component, followed by its changes: `- vertex component` for the component a vertex
//! leaves (or a vertex that lost its last edge), `+ vertex component` for the one it joins.

use std::collections::HashSet;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use clap::Parser;
use rill::prelude::*;
use rill::runtime::job::BuildDataflow;
use rill::runtime::{Batch, ReadStatus, SourceReader, WorkerInfo};
use serde::{Deserialize, Serialize};

/// Keeps the connected components of a changing graph up to date.
#[derive(Parser)]
struct Args {
    /// A changes file of `epoch +|- src dst` lines (default: a generated sequence).
    #[arg(long)]
    changes: Option<PathBuf>,
    /// Vertex ids of the generated graph: `0..N`.
    #[arg(long, default_value_t = 500)]
    vertices: u64,
    /// Edges of the generated graph at epoch 0.
    #[arg(long, default_value_t = 400)]
    edges: usize,
    /// Batches of generated changes after epoch 0.
    #[arg(long, default_value_t = 5)]
    batches: u64,
    /// Changes in each generated batch.
    #[arg(long, default_value_t = 20)]
    batch_size: usize,
    /// The seed of the generated sequence.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Where to write the changes (default: stdout).
    #[arg(long)]
    output: Option<PathBuf>,
    #[command(flatten)]
    run: RunOptions,
}

/// An edge `(src, dst)`.
type Edge = (u64, u64);

/// A vertex and its component, printed `vertex component`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
struct Label {
    vertex: u64,
    component: u64,
}

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.vertex, self.component)
    }
}

fn main() {
    let args = Args::parse();
    let result = match &args.changes {
        Some(path) => wcc(changes_file::<Edge>(path), args.output.as_ref()).run_with(&args.run),
        None => {
            let updates = generated(&args);
            wcc(updates, args.output.as_ref()).run_with(&args.run)
        }
    };
    if let Err(error) = result {
        eprintln!("incremental_wcc: {error}");
        std::process::exit(1);
    }
}

/// The job: the components of the graph that `updates` build, whose changes go to `output`.
fn wcc(
    updates: impl Source<Item = (Edge, isize)> + Clone + Send + Sync,
    output: Option<&PathBuf>,
) -> Job<impl BuildDataflow> {
    let output = output.cloned();
    dataflow! {
        #![name = "incremental_wcc"]
        let edges = source(updates) -> from_changes();
        let links = edges -> flat_map(|(from, to): Edge| [(from, to), (to, from)]);
        let vertices = links -> map(|(vertex, _): Edge| vertex) -> distinct();
        let labels = iterate(strategy = incremental) {
            var labels = vertices -> map(|vertex: u64| (vertex, vertex));
            let offered = labels -> join_map(links, |_, label: &u64, neighbour: &u64| (*neighbour, *label));
            next labels = offered -> concat(labels) -> min();
            labels
        };
        labels
            -> map(|(vertex, component): Edge| Label { vertex, component })
            -> changes()
            -> sink(changes_to(output.as_ref()));
    }
}

/// The generated sequence of updates, by epoch: a random graph, then random batches of
/// insertions of new edges and deletions of existing ones.
fn generated(args: &Args) -> Updates {
    let mut rng = Rng::new(args.seed);
    let mut graph = EdgeSet::default();
    let possible = args.vertices * args.vertices.saturating_sub(1) / 2;
    let mut updates = Vec::new();
    for _ in 0..args.edges.min(possible as usize) {
        updates.push((0, (graph.insert_new(&mut rng, args.vertices), 1)));
    }
    for epoch in 1..=args.batches {
        for _ in 0..args.batch_size {
            let update = if rng.below(2) == 0 && !graph.edges.is_empty() {
                (graph.remove_any(&mut rng), -1)
            } else if (graph.edges.len() as u64) < possible {
                (graph.insert_new(&mut rng, args.vertices), 1)
            } else {
                continue;
            };
            updates.push((epoch, update));
        }
    }
    Updates {
        updates: updates.into(),
    }
}

/// The edges of the generated graph, in a list to pick from and a set to look up.
#[derive(Default)]
struct EdgeSet {
    edges: Vec<Edge>,
    present: HashSet<Edge>,
}

impl EdgeSet {
    /// Adds a random edge between two of the vertices `0..vertices` that is not in the set yet.
    fn insert_new(&mut self, rng: &mut Rng, vertices: u64) -> Edge {
        loop {
            let (from, to) = (rng.below(vertices), rng.below(vertices));
            let edge = (from.min(to), from.max(to));
            if from != to && self.present.insert(edge) {
                self.edges.push(edge);
                return edge;
            }
        }
    }

    /// Removes a random edge of the set.
    fn remove_any(&mut self, rng: &mut Rng) -> Edge {
        let edge = self
            .edges
            .swap_remove(rng.below(self.edges.len() as u64) as usize);
        self.present.remove(&edge);
        edge
    }
}

/// A source of updates held in memory, in epoch order: worker `w` of `n` reads every `n`-th one
/// from the `w`-th, each at its epoch, so every layout reads the same updates.
#[derive(Clone)]
struct Updates {
    updates: Arc<[(Epoch, (Edge, isize))]>,
}

impl Source for Updates {
    type Item = (Edge, isize);
    type Reader = UpdatesReader;

    fn open(self, worker: WorkerInfo) -> Result<UpdatesReader, RillError> {
        Ok(UpdatesReader {
            updates: self.updates,
            next: worker.index,
            step: worker.peers.max(1),
        })
    }
}

/// One worker's share of an [`Updates`] source.
struct UpdatesReader {
    updates: Arc<[(Epoch, (Edge, isize))]>,
    next: usize,
    step: usize,
}

impl SourceReader for UpdatesReader {
    type Item = (Edge, isize);

    fn read(&mut self, batch: &mut Batch<(Edge, isize)>) -> Result<ReadStatus, RillError> {
        while !batch.is_full() {
            let Some(&(epoch, update)) = self.updates.get(self.next) else {
                return Ok(ReadStatus::Done);
            };
            if epoch != batch.epoch() {
                if !batch.is_empty() {
                    return Ok(ReadStatus::More);
                }
                batch.set_epoch(epoch);
            }
            batch.push(update);
            self.next += self.step;
        }
        Ok(ReadStatus::More)
    }
}
