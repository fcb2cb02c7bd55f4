//! The static graph benchmark: every version of every algorithm on every layout, `--reps`
//! times in alternating order, each run a child process; results checked against the baseline
//! on the first rep (a disagreement fails the run).

use std::collections::BTreeMap;
use std::path::Path;

use rill::graph::{Csr, Graph, GraphInput};

use super::child::{self, report, Layout, Metrics, Place};
use super::cli::Cli;
use super::graph::{self, Algo, GraphSource, Params, Results};
use super::median;
use super::versions::{self, Version};

/// One row of the static table.
pub struct Row {
    pub algo: Algo,
    pub version: Version,
    pub layout: Layout,
    pub seconds: f64,
    pub peak_mib: f64,
    /// Seconds / the baseline's seconds.
    pub ratio: Option<f64>,
    pub ns_per_edge_iteration: f64,
}

/// What the static benchmark measured.
pub struct Report {
    pub rows: Vec<Row>,
    /// Per algorithm: its rounds (the iterations of ns/edge/iteration).
    pub rounds: BTreeMap<Algo, u32>,
    /// Peak memory of a process that only loads the graph and its shared arrays.
    pub input_peak_mib: f64,
    /// Per (algorithm, parallel version): the COST, as text.
    pub cost: Vec<(Algo, Version, String)>,
}

/// In the parent: runs the benchmark.
pub fn run(
    cli: &Cli,
    source: &GraphSource,
    graph: &Graph,
    params: &Params,
    scratch: &Path,
) -> Report {
    let csr = Csr::new(graph);
    let edges = graph.edges().len() as f64;
    let mut expected: BTreeMap<Algo, Results> = BTreeMap::new();
    let mut rounds: BTreeMap<Algo, u32> = BTreeMap::new();
    for &algo in &cli.algo {
        expected.insert(algo, versions::baseline(algo, &csr, params));
        rounds.insert(algo, graph::rounds(algo, &csr, params));
    }
    drop(csr);
    let mut runs: Vec<(Algo, Version, Layout)> = Vec::new();
    for &algo in &cli.algo {
        for &version in &cli.versions {
            if !version.applies_to(algo) {
                continue;
            }
            if version == Version::Baseline {
                runs.push((algo, version, Layout::Threads(1)));
            } else {
                runs.extend(cli.layouts().into_iter().map(|l| (algo, version, l)));
            }
        }
    }
    let mut base_args = source.args();
    base_args.extend(cli.params_args(params));
    let input_peak_mib = {
        let mut args = vec!["--one".into(), "input".into()];
        args.extend(base_args.iter().cloned());
        child::measure(&args, Layout::Threads(1), &scratch.join("input"), scratch).get("peak_mib")
    };
    let mut measured: BTreeMap<(Algo, Version, Layout), Vec<Metrics>> = BTreeMap::new();
    for rep in 0..cli.reps {
        let mut order = runs.clone();
        if rep % 2 == 1 {
            // Alternate the order, so that drift in the machine's load evens out.
            order.reverse();
        }
        for (algo, version, layout) in order {
            let mut args: Vec<String> = vec![
                "--one".into(),
                "static".into(),
                algo.name().into(),
                version.name().into(),
            ];
            args.extend(base_args.iter().cloned());
            let result = scratch.join(format!("{algo}-{version}-{layout}"));
            let metrics = child::measure(&args, layout, &result, scratch);
            let processes = match layout {
                Layout::Threads(_) => 1,
                Layout::Processes { processes, .. } => processes,
            };
            let checked = rep == 0;
            if checked {
                let parts: Vec<_> = (0..processes).map(|p| child::part(&result, p)).collect();
                let results = Results::read_parts(&parts);
                if let Err(problem) = results.check(algo, &expected[&algo]) {
                    panic!("{algo} {version} on {layout}: disagrees with the baseline: {problem}");
                }
            }
            eprintln!(
                "  {algo:8} {version:16} {layout:>4} rep {rep}: {:8.3} s {:8.1} MiB{}",
                metrics.get("seconds"),
                metrics.get("peak_mib"),
                if checked { " (checked)" } else { "" }
            );
            measured
                .entry((algo, version, layout))
                .or_default()
                .push(metrics);
        }
    }

    let median_of = |runs: &[Metrics], name: &str| {
        median(&runs.iter().map(|m| m.get(name)).collect::<Vec<_>>())
    };
    let mut rows = Vec::new();
    for (&(algo, version, layout), runs) in &measured {
        let seconds = median_of(runs, "seconds");
        let baseline = measured
            .get(&(algo, Version::Baseline, Layout::Threads(1)))
            .map(|b| median_of(b, "seconds"));
        rows.push(Row {
            algo,
            version,
            layout,
            seconds,
            peak_mib: median_of(runs, "peak_mib"),
            ratio: baseline.map(|b| seconds / b),
            ns_per_edge_iteration: seconds * 1e9 / (edges * f64::from(rounds[&algo])),
        });
    }
    let cost = cost(&rows, cli);
    Report {
        rows,
        rounds,
        input_peak_mib,
        cost,
    }
}

/// COST per parallel version: the smallest worker count (threads of one process) at which its
/// median beats the baseline's, or "not reached up to N".
fn cost(rows: &[Row], cli: &Cli) -> Vec<(Algo, Version, String)> {
    let most = cli.workers.iter().copied().max().unwrap_or(1);
    let mut cost = Vec::new();
    for &algo in &cli.algo {
        let Some(base) = rows
            .iter()
            .find(|r| r.algo == algo && r.version == Version::Baseline)
        else {
            continue;
        };
        for &version in &cli.versions {
            if version == Version::Baseline || !version.applies_to(algo) {
                continue;
            }
            let mut beating: Vec<usize> = rows
                .iter()
                .filter(|r| r.algo == algo && r.version == version && r.seconds < base.seconds)
                .filter_map(|r| match r.layout {
                    Layout::Threads(w) => Some(w),
                    Layout::Processes { .. } => None,
                })
                .collect();
            beating.sort_unstable();
            let text = match beating.first() {
                Some(w) => format!("{w} workers"),
                None => format!("not reached up to {most} workers"),
            };
            cost.push((algo, version, text));
        }
    }
    cost
}

/// In a child: `--one static ALGO VERSION`, or `--one input` (loading only).
pub fn child(cli: &Cli, one: &[String]) {
    let source = cli.graph();
    let graph = source.load();
    let params = cli.params(graph.vertices().first().copied().unwrap_or(0));
    let place = Place {
        workers: cli.workers[0],
        cluster: cli.hosts.clone().zip(cli.process),
    };
    match one {
        [input] if input == "input" => {
            let input = GraphInput::new(&graph);
            report("vertices", input.vertex_count() as f64);
        }
        [_, algo, version] => {
            let algo: Algo = clap::ValueEnum::from_str(algo, false).expect("an algorithm");
            let version: Version = clap::ValueEnum::from_str(version, false).expect("a version");
            let (elapsed, results) = versions::run(algo, version, graph, &params, &place);
            report("seconds", elapsed.as_secs_f64());
            results.write(cli.result.as_ref().expect("--result"));
        }
        _ => panic!("--one static ALGO VERSION | --one input"),
    }
    child::report_peak_memory();
}
