//! The incremental benchmark: a live DSL job (the stdlib's, `strategy = incremental`, on
//! `GraphInput::with_arc_changes`, run with `Job::spawn`) loads the graph, then absorbs batches of random
//! edge changes, one epoch per batch; and the same session of the hand-written differential
//! version (`differential::run_session`), which an expert keeps live with `InputSession`s.
//!
//! Timed (DSL): "from scratch", from just before `spawn` until the result of epoch 0 (the whole
//! graph) is complete; and each batch, from `advance()` (which closes the batch's epoch) until
//! `Collector::wait_for_epoch` returns for it. The hand-written session is timed the same way
//! (from `timely::execute`, and from flushing a batch until its probe passes). A change removes a random arc and inserts a new
//! random one ([`batches`]). The parent regenerates the same changes to check the results.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rill::graph::{self, Csr, Graph, GraphInput, Strategy, VertexValues};
use rill::prelude::*;

use super::child::{self, report, Layout, Place};
use super::cli::Cli;
use super::differential;
use super::graph::{Algo, GraphSource, Params, Results};
use super::median;
use super::versions::{self, Version};

const SEED: u64 = 2;

/// An arc `(from, to)`.
pub type Arc64 = (u64, u64);

/// One edge change: an arc removed and a new one inserted.
#[derive(Clone, Copy, Debug)]
pub struct EdgeChange {
    pub removed: Arc64,
    pub inserted: Arc64,
}

/// The batches of the benchmark: `reps` batches of each size in `sizes`, in that order. Each
/// change removes a random arc of the graph as it is at that moment and inserts a random arc
/// between two of its vertices that is not in it.
pub fn batches(input: &GraphInput, sizes: &[usize], reps: usize) -> Vec<Vec<EdgeChange>> {
    let mut rng = Rng::new(SEED);
    let mut arcs = input.arcs.to_vec();
    let mut present: HashSet<Arc64> = arcs.iter().copied().collect();
    let mut change = || {
        let removed = arcs.swap_remove(rng.below(arcs.len() as u64) as usize);
        present.remove(&removed);
        let inserted = loop {
            let arc = (*rng.pick(&input.vertices), *rng.pick(&input.vertices));
            if arc.0 != arc.1 && present.insert(arc) {
                break arc;
            }
        };
        arcs.push(inserted);
        EdgeChange { removed, inserted }
    };
    sizes
        .iter()
        .flat_map(|&size| std::iter::repeat_n(size, reps))
        .map(|size| (0..size).map(|_| change()).collect())
        .collect()
}

/// The graph of `input`'s arcs (directed, as the live jobs read them) after every batch.
pub fn changed_graph(input: &GraphInput, batches: &[Vec<EdgeChange>]) -> Graph {
    let mut arcs: HashSet<Arc64> = input.arcs.iter().copied().collect();
    for change in batches.iter().flatten() {
        assert!(arcs.remove(&change.removed) && arcs.insert(change.inserted));
    }
    let mut edges: Vec<(u64, u64, f64)> = arcs.into_iter().map(|(f, t)| (f, t, 1.0)).collect();
    edges.sort_by_key(|&(from, to, _)| (from, to));
    Graph::new(input.vertices.to_vec(), edges, true).expect("the changed graph is valid")
}

/// Runs the live job of `algo`, reports `seconds_scratch` and `update_<size>` seconds per
/// batch, and returns the results after loading and after the last batch.
fn run_session(
    algo: Algo,
    input: &GraphInput,
    params: &Params,
    batches: &[Vec<EdgeChange>],
    place: &Place,
) -> (Results, Results) {
    let handle: InputHandle<Arc64> = InputHandle::new();
    let live = input.clone().with_arc_changes(handle.clone());
    let strategy = Strategy::Incremental;
    match algo {
        Algo::Pr => {
            let output = Collector::new();
            let job = graph::pagerank(
                &live,
                params.damping,
                params.pr_rounds,
                strategy,
                collect(&output),
            );
            let running = || job.spawn(place.run_options());
            let (initial, last) = session(running, &handle, &output, batches);
            (Results::of(&initial), Results::of(&last))
        }
        Algo::Wcc => {
            let output = Collector::new();
            let job = graph::wcc(&live, strategy, collect(&output));
            let running = || job.spawn(place.run_options());
            let (initial, last) = session(running, &handle, &output, batches);
            (Results::of(&initial), Results::of(&last))
        }
        Algo::Bfs => {
            let output = Collector::new();
            let job = graph::bfs(&live, params.root, strategy, collect(&output));
            let running = || job.spawn(place.run_options());
            let (initial, last) = session(running, &handle, &output, batches);
            (Results::of(&initial), Results::of(&last))
        }
        other => panic!("no incremental benchmark for {other}"),
    }
}

/// One value per vertex.
type Values<V> = Vec<(u64, V)>;

/// Starts a live job, waits for its first result, feeds every batch in an epoch of its own and
/// times it; returns the values after loading and after the last batch.
fn session<V: Copy + PartialEq + std::fmt::Debug + Send + 'static>(
    spawn: impl FnOnce() -> std::thread::JoinHandle<Result<RunSummary, RillError>>,
    handle: &InputHandle<Arc64>,
    output: &Collector<Change<(u64, V)>>,
    batches: &[Vec<EdgeChange>],
) -> (Values<V>, Values<V>) {
    let mut current = VertexValues::default();
    let mut apply = |changes| {
        current.apply(changes).expect("the live job's changes fit");
        current.to_vec()
    };
    let started = Instant::now();
    let running = spawn();
    assert_eq!(handle.advance(), 1);
    output.wait_for_epoch(0);
    report("seconds_scratch", seconds(started.elapsed()));
    let initial = apply(output.take());
    for batch in batches {
        for change in batch {
            handle.retract(change.removed);
            handle.insert(change.inserted);
        }
        let flushed = Instant::now();
        let epoch = handle.advance();
        output.wait_for_epoch(epoch - 1);
        report(
            &format!("update_{}", batch.len()),
            seconds(flushed.elapsed()),
        );
        apply(output.take());
    }
    handle.close();
    running
        .join()
        .expect("the live job's thread")
        .expect("the live job failed");
    let last = apply(output.take());
    (initial, last)
}

fn seconds(duration: Duration) -> f64 {
    duration.as_secs_f64()
}

/// One row of the incremental table: a batch size of one algorithm on one worker count.
pub struct Row {
    pub algo: Algo,
    /// `dsl` or `differential` (hand-written).
    pub version: &'static str,
    pub workers: usize,
    pub size: usize,
    /// The median time to absorb a batch of `size` changes.
    pub update_seconds: f64,
    /// Loading the graph into the live job.
    pub scratch_seconds: f64,
    pub peak_mib: f64,
}

/// In the parent: one live session per algorithm and worker count (threads of one process),
/// checked after loading and after the last batch against the baseline.
pub fn run(
    cli: &Cli,
    source: &GraphSource,
    graph: &Graph,
    params: &Params,
    scratch: &Path,
) -> Vec<Row> {
    let input = GraphInput::new(graph);
    let all = batches(&input, &cli.changes, cli.change_reps);
    let csr = Csr::new(graph);
    let changed = Csr::new(&changed_graph(&input, &all));
    drop((input, all));
    let mut rows = Vec::new();
    for &algo in &cli.incremental {
        let (before, after) = (
            versions::baseline(algo, &csr, params),
            versions::baseline(algo, &changed, params),
        );
        for (version, &workers) in session_versions(cli, algo)
            .into_iter()
            .flat_map(|version| cli.workers.iter().map(move |workers| (version, workers)))
        {
            let mut args: Vec<String> = vec![
                "--one".into(),
                "incremental".into(),
                algo.name().into(),
                version.into(),
            ];
            args.extend(source.args());
            args.extend(cli.params_args(params));
            let sizes: Vec<String> = cli.changes.iter().map(usize::to_string).collect();
            args.extend([
                "--changes".into(),
                sizes.join(","),
                "--change-reps".into(),
                cli.change_reps.to_string(),
            ]);
            let result = scratch.join(format!("incremental-{algo}-{version}-{workers}"));
            let metrics = child::measure(&args, Layout::Threads(workers), &result, scratch);
            let last = child::part(&result, 0);
            for (results, expected, when) in [
                (initial_path(&last), &before, "after loading"),
                (last.clone(), &after, "after the last batch"),
            ] {
                let results = Results::read_parts(&[results]);
                if let Err(problem) = results.check(algo, expected) {
                    panic!("incremental {algo} ({version}) on {workers} workers, {when}: disagrees with the baseline: {problem}");
                }
            }
            for &size in &cli.changes {
                let times = metrics.all(&format!("update_{size}"));
                let row = Row {
                    algo,
                    version,
                    workers,
                    size,
                    update_seconds: median(times),
                    scratch_seconds: metrics.get("seconds_scratch"),
                    peak_mib: metrics.get("peak_mib"),
                };
                eprintln!(
                    "  incremental {algo:4} {version:12} workers {workers} batch {size:6}: {:.3} ms (median of {}), from scratch {:.3} s (checked)",
                    row.update_seconds * 1e3,
                    times.len(),
                    row.scratch_seconds
                );
                rows.push(row);
            }
        }
    }
    rows
}

/// The versions of the incremental benchmark: the DSL job, and the hand-written one when
/// `--versions` includes `differential`.
fn session_versions(cli: &Cli, algo: Algo) -> Vec<&'static str> {
    let mut versions = vec!["dsl"];
    if cli.versions.contains(&Version::Differential) && algo != Algo::PrCost {
        versions.push("differential");
    }
    versions
}

/// Where a child writes its results after loading, next to its final ones.
fn initial_path(result: &Path) -> PathBuf {
    let mut name = result.as_os_str().to_owned();
    name.push(".initial");
    PathBuf::from(name)
}

/// In a child: `--one incremental ALGO VERSION`.
pub fn child(cli: &Cli, one: &[String]) {
    let [_, algo, version] = one else {
        panic!("--one incremental ALGO VERSION")
    };
    let algo: Algo = clap::ValueEnum::from_str(algo, false).expect("an algorithm");
    let graph = cli.graph().load();
    let params = cli.params(graph.vertices().first().copied().unwrap_or(0));
    let input = GraphInput::new(&graph);
    drop(graph);
    let place = Place {
        workers: cli.workers[0],
        cluster: None,
    };
    let batches = batches(&input, &cli.changes, cli.change_reps);
    let (initial, last) = match version.as_str() {
        "dsl" => run_session(algo, &input, &params, &batches, &place),
        "differential" => differential::run_session(algo, &input, &params, &batches, &place),
        other => panic!("no incremental version {other}"),
    };
    let result = cli.result.as_ref().expect("--result");
    initial.write(&initial_path(result));
    last.write(result);
    child::report_peak_memory();
}
