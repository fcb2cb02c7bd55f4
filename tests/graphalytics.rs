//! The `graphalytics` example against the LDBC Graphalytics reference outputs (both example
//! graphs, all six algorithms, under the Graphalytics match rules), and against the sequential
//! baselines on a generated R-MAT graph — on 1 worker, 4 workers and 2 processes x 2 workers,
//! with both loop strategies.

mod support;

use std::path::{Path, PathBuf};

use rill::graph::{
    baseline, format_output, match_output, read_graphalytics_output, rmat, Algorithm, Csr,
};
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
