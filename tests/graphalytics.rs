//! The `graphalytics` example against the LDBC Graphalytics reference outputs (both example
//! graphs, all six algorithms, under the Graphalytics match rules), and against the sequential
//! baselines on a generated R-MAT graph — on 1 worker, 4 workers and 2 processes x 2 workers,
//! with both loop strategies. And the graph library on a live graph, whose arcs change while
//! its jobs run, against the baselines on the changed graph.

mod support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use rill::graph::{
    self, baseline, format_output, match_output, read_graphalytics_output, rmat, Algorithm, Csr,
    Graph, GraphInput, OutputValue, VertexValues,
};
use rill::prelude::*;
use support::{layout_args, run_ok, Layout, LAYOUTS};

const STRATEGIES: [&str; 2] = ["bulk", "incremental"];

fn oracles() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/oracles/graphalytics")
}

/// Runs the example with `args` in `layout` and reads its output file.
fn run_algorithm(layout: Layout, args: &[String]) -> Vec<(u64, String)> {
    let dir = tempfile::tempdir().expect("temp dir");
    let output = dir.path().join("output");
    let mut all = args.to_vec();
    all.extend(["--output".to_owned(), output.display().to_string()]);
    all.extend(layout_args(layout, dir.path()));
    run_ok("graphalytics", &all);
    read_graphalytics_output(&output).expect("read output")
}

fn args(pairs: &[(&str, String)]) -> Vec<String> {
    pairs
        .iter()
        .flat_map(|(flag, value)| [format!("--{flag}"), value.clone()])
        .collect()
}

#[test]
fn every_algorithm_matches_the_graphalytics_reference_outputs() {
    for graph in ["example-directed", "example-undirected"] {
        let properties = oracles().join(format!("properties/{graph}.properties"));
        for algorithm in Algorithm::ALL {
            let reference = oracles().join(format!("example/{graph}-{}", algorithm.suffix()));
            let expected = read_graphalytics_output(&reference).expect("reference output");
            for strategy in STRATEGIES {
                for layout in LAYOUTS {
                    let actual = run_algorithm(
                        layout,
                        &args(&[
                            ("algo", algorithm.name().to_owned()),
                            ("properties", properties.display().to_string()),
                            ("strategy", strategy.to_owned()),
                        ]),
                    );
                    if let Err(problem) = match_output(algorithm, &expected, &actual) {
                        panic!("{graph} {algorithm} ({strategy}, {layout:?}): {problem}");
                    }
                }
            }
        }
    }
}

/// The sequential baseline's result for `algorithm` on `csr`, as output lines.
fn baseline_output(algorithm: Algorithm, csr: &Csr, root: u64) -> Vec<(u64, String)> {
    match algorithm {
        Algorithm::Bfs => format_output(&csr.with_ids(&baseline::bfs(csr, root))),
        Algorithm::Pr => format_output(&csr.with_ids(&baseline::pagerank(csr, 0.85, 10))),
        Algorithm::Wcc => format_output(&csr.with_ids(&baseline::wcc(csr))),
        Algorithm::Cdlp => format_output(&csr.with_ids(&baseline::cdlp(csr, 10))),
        Algorithm::Lcc => format_output(&csr.with_ids(&baseline::lcc(csr))),
        Algorithm::Sssp => format_output(&csr.with_ids(&baseline::sssp(csr, root))),
    }
}

#[test]
fn every_algorithm_matches_the_sequential_baseline_on_rmat() {
    let (scale, seed) = (9, 5);
    let graph = rmat(scale, 16, seed);
    let csr = Csr::new(&graph);
    let root = graph.vertices()[0];
    for algorithm in Algorithm::ALL {
        let expected = baseline_output(algorithm, &csr, root);
        let mut outputs = Vec::new();
        for strategy in STRATEGIES {
            for layout in [LAYOUTS[0], LAYOUTS[2]] {
                let mut actual = run_algorithm(
                    layout,
                    &args(&[
                        ("algo", algorithm.name().to_owned()),
                        ("rmat", scale.to_string()),
                        ("seed", seed.to_string()),
                        ("source", root.to_string()),
                        ("iterations", "10".to_owned()),
                        ("strategy", strategy.to_owned()),
                    ]),
                );
                if let Err(problem) = match_output(algorithm, &expected, &actual) {
                    panic!("rmat {algorithm} ({strategy}, {layout:?}): {problem}");
                }
                actual.sort();
                outputs.push((strategy, layout, actual));
            }
        }
        // Both strategies compute the same values, to the last bit.
        let (first_strategy, first_layout, first) = &outputs[0];
        for (strategy, layout, output) in &outputs[1..] {
            assert!(
                output == first,
                "rmat {algorithm}: {strategy} on {layout:?} differs from {first_strategy} on {first_layout:?}"
            );
        }
    }
}

/// A live graph (`GraphInput::with_arc_changes`): after loading and after every batch of arc
/// changes, the results each algorithm's job sent as changes add up to the sequential baseline's
/// on the changed graph — on 1 and 3 workers, with the planner's strategy (incremental for a
/// live graph, but bulk for PageRank), forced bulk (which recomputes at every batch) and forced
/// incremental. SSSP, over weighted arcs, takes no changes.
#[test]
fn live_graphs_follow_their_arc_changes() {
    let graph = rmat(7, 8, 3);
    let root = graph.vertices()[0];
    let batches = arc_batches(&graph, &[1, 5, 40]);
    let mut expected = vec![baseline_results(&graph, root)];
    let mut arcs = arcs_of(&graph);
    for batch in &batches {
        for &(arc, diff) in batch {
            if diff > 0 {
                arcs.insert(arc);
            } else {
                arcs.remove(&arc);
            }
        }
        let edges = arcs.iter().map(|&(from, to)| (from, to, 1.0)).collect();
        let changed = Graph::new(graph.vertices().to_vec(), edges, true).expect("a valid graph");
        expected.push(baseline_results(&changed, root));
    }
    for strategy in [Strategy::Auto, Strategy::Bulk, Strategy::Incremental] {
        for workers in [1, 3] {
            let options = RunOptions {
                workers,
                quiet: true,
                ..RunOptions::default()
            };
            for (index, &algorithm) in LIVE.iter().enumerate() {
                let results = match algorithm {
                    Algorithm::Bfs => live_session(&graph, &batches, |input, out| {
                        graph::bfs(input, root, strategy, collect(out)).spawn(options.clone())
                    }),
                    Algorithm::Pr => live_session(&graph, &batches, |input, out| {
                        graph::pagerank(input, 0.85, 10, strategy, collect(out))
                            .spawn(options.clone())
                    }),
                    Algorithm::Wcc => live_session(&graph, &batches, |input, out| {
                        graph::wcc(input, strategy, collect(out)).spawn(options.clone())
                    }),
                    Algorithm::Cdlp => live_session(&graph, &batches, |input, out| {
                        graph::cdlp(input, 10, strategy, collect(out)).spawn(options.clone())
                    }),
                    Algorithm::Lcc => live_session(&graph, &batches, |input, out| {
                        graph::lcc(input, collect(out)).spawn(options.clone())
                    }),
                    Algorithm::Sssp => unreachable!("SSSP takes no arc changes"),
                };
                for (batch, (expected, actual)) in expected.iter().zip(&results).enumerate() {
                    if let Err(problem) = match_output(algorithm, &expected[index], actual) {
                        panic!("live {algorithm} ({strategy:?}, {workers} workers) after batch {batch}: {problem}");
                    }
                }
            }
        }
    }
}

/// The algorithms that follow a live graph's changes, in the order of [`baseline_results`].
const LIVE: [Algorithm; 5] = [
    Algorithm::Bfs,
    Algorithm::Pr,
    Algorithm::Wcc,
    Algorithm::Cdlp,
    Algorithm::Lcc,
];

/// The baseline's output of every algorithm of [`LIVE`] on `graph`.
fn baseline_results(graph: &Graph, root: u64) -> Vec<Vec<(u64, String)>> {
    let csr = Csr::new(graph);
    LIVE.iter()
        .map(|&algorithm| baseline_output(algorithm, &csr, root))
        .collect()
}

fn arcs_of(graph: &Graph) -> BTreeSet<(u64, u64)> {
    graph
        .edges()
        .iter()
        .map(|&(from, to, _)| (from, to))
        .collect()
}

/// Batches of the given sizes; each change retracts a random arc of the graph as it is then and
/// inserts a random arc it does not have.
fn arc_batches(graph: &Graph, sizes: &[usize]) -> Vec<Vec<((u64, u64), isize)>> {
    let mut rng = Rng::new(11);
    let vertices = graph.vertices();
    let mut arcs: Vec<(u64, u64)> = arcs_of(graph).into_iter().collect();
    let mut present: BTreeSet<(u64, u64)> = arcs.iter().copied().collect();
    let pick = |rng: &mut Rng| vertices[rng.below(vertices.len() as u64) as usize];
    sizes
        .iter()
        .map(|&size| {
            let mut batch = Vec::new();
            for _ in 0..size {
                let gone = arcs.swap_remove(rng.below(arcs.len() as u64) as usize);
                present.remove(&gone);
                batch.push((gone, -1));
                let new = loop {
                    let arc = (pick(&mut rng), pick(&mut rng));
                    if present.insert(arc) {
                        break arc;
                    }
                };
                arcs.push(new);
                batch.push((new, 1));
            }
            batch
        })
        .collect()
}

type Running = std::thread::JoinHandle<Result<RunSummary, RillError>>;

/// Starts a job on the live `graph` with `spawn`, feeds it `batches` (one epoch each, after the
/// graph's epoch 0), and returns its results after loading and after every batch, as output
/// lines, built from the changes it sent.
fn live_session<V: OutputValue + PartialEq + std::fmt::Debug + Send + 'static>(
    graph: &Graph,
    batches: &[Vec<((u64, u64), isize)>],
    spawn: impl FnOnce(&GraphInput, &Collector<Change<(u64, V)>>) -> Running,
) -> Vec<Vec<(u64, String)>> {
    let changes = InputHandle::new();
    let input = GraphInput::new(graph).with_arc_changes(changes.clone());
    let output = Collector::new();
    let running = spawn(&input, &output);
    let mut values = VertexValues::default();
    let mut results = Vec::new();
    for epoch in 0..=batches.len() {
        if epoch > 0 {
            for &(arc, diff) in &batches[epoch - 1] {
                changes.update(arc, diff);
            }
        }
        changes.advance();
        output.wait_for_epoch(epoch as Epoch);
        values
            .apply(output.take())
            .expect("the live job's changes fit");
        let current = values.to_vec();
        results.push(format_output(&current));
    }
    changes.close();
    running
        .join()
        .expect("the job panicked")
        .expect("the job failed");
    results
}
