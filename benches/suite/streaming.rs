//! The streaming benchmarks: the windowed word count (`benches/common/windowed.rs`) and the
//! keyed running aggregate (`benches/common/running.rs`), DSL against hand-written timely, each
//! run a child process that generates the input itself (untimed).
//!
//! Per workload and worker count: one untimed check per version (results against a sequential
//! model), then `--reps` timed runs alternating the versions. Latency: for the word count, the
//! DSL's window-fire latency from `--latency-reps` separate untimed runs (as
//! `windowed_wordcount.rs` measures it); for the running aggregate, every timed run of either
//! version notes when each epoch's last result arrives (from the first emission of that epoch).

use std::collections::BTreeMap;
use std::path::Path;

use super::child::{self, report, Layout, Metrics};
use super::cli::Cli;
use super::median;
use super::{running, windowed};

/// The workloads.
pub const WORKLOADS: [&str; 2] = ["windowed-wordcount", "running-aggregate"];

/// One row of the streaming table.
pub struct Row {
    pub workload: &'static str,
    pub version: &'static str,
    pub workers: usize,
    pub seconds: f64,
    pub events_per_second: f64,
    pub peak_mib: f64,
    /// p50 and p99 latency in ms, and what it measures.
    pub latency: Option<(f64, f64, &'static str)>,
}

/// In the parent.
pub fn run(cli: &Cli, scratch: &Path) -> Vec<Row> {
    let mut rows = Vec::new();
    for workload in WORKLOADS {
        for &workers in &cli.workers {
            let layout = Layout::Threads(workers);
            let measure = |kind: &str, version: &str| -> Metrics {
                let args: Vec<String> = vec![
                    "--one".into(),
                    "streaming".into(),
                    kind.into(),
                    version.into(),
                    "--events".into(),
                    cli.events.to_string(),
                    "--latency-reps".into(),
                    cli.latency_reps.to_string(),
                ];
                child::measure(&args, layout, &scratch.join("streaming"), scratch)
            };
            let versions = versions(workload);
            for version in versions {
                let checked = measure(&format!("{workload}-check"), version);
                eprintln!(
                    "  check: {workload} {version} on {workers} workers: {} results equal the sequential model",
                    checked.get("results")
                );
            }
            let mut measured: BTreeMap<&str, Vec<Metrics>> = BTreeMap::new();
            for rep in 0..cli.reps {
                let mut order = versions.to_vec();
                if rep % 2 == 1 {
                    order.reverse();
                }
                for version in order {
                    let metrics = measure(workload, version);
                    eprintln!(
                        "  {workload} {version:6} workers {workers} rep {rep}: {:.3} s",
                        metrics.get("seconds")
                    );
                    measured.entry(version).or_default().push(metrics);
                }
            }
            let window_latency = (workload == "windowed-wordcount" && cli.latency_reps > 0)
                .then(|| measure("windowed-wordcount-latency", "dsl"));
            for version in versions {
                let runs = &measured[version];
                let seconds = median(&runs.iter().map(|m| m.get("seconds")).collect::<Vec<_>>());
                let latency = match (workload, &window_latency) {
                    ("windowed-wordcount", Some(l)) if *version == "dsl" => Some(percentiles(
                        l.all("latency_ms"),
                        "window fire, from first emit",
                    )),
                    ("running-aggregate", _) => {
                        let all: Vec<f64> = runs
                            .iter()
                            .flat_map(|m| m.all("latency_ms").to_vec())
                            .collect();
                        Some(percentiles(&all, "epoch, from first emit"))
                    }
                    _ => None,
                };
                rows.push(Row {
                    workload,
                    version,
                    workers,
                    seconds,
                    events_per_second: cli.events as f64 / seconds,
                    peak_mib: median(&runs.iter().map(|m| m.get("peak_mib")).collect::<Vec<_>>()),
                    latency,
                });
            }
        }
    }
    rows
}

fn versions(workload: &str) -> &'static [&'static str] {
    match workload {
        "windowed-wordcount" => &windowed::VERSIONS,
        _ => &running::VERSIONS,
    }
}

/// p50 and p99 of some latencies.
fn percentiles(values: &[f64], what: &'static str) -> (f64, f64, &'static str) {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    (
        windowed::percentile(&sorted, 50.0),
        windowed::percentile(&sorted, 99.0),
        what,
    )
}

/// In a child: `--one streaming KIND VERSION`, KIND a workload (timed; peak memory right after
/// the run, before the results are checked against the model), a workload with `-check`, or
/// `windowed-wordcount-latency`.
pub fn child(cli: &Cli, one: &[String]) {
    let [_, kind, version] = one else {
        panic!("--one streaming KIND VERSION")
    };
    let (workers, version) = (cli.workers[0], version.as_str());
    match kind.as_str() {
        "windowed-wordcount" => {
            let events = windowed::generate_events(cli.events);
            let (elapsed, counts) = windowed::timed(version, &events, workers);
            report("seconds", elapsed.as_secs_f64());
            child::report_peak_memory();
            let expected = windowed::sequential_count(&events);
            counts.check(version, workers, expected.len(), events.len());
        }
        "windowed-wordcount-check" => {
            let events = windowed::generate_events(cli.events);
            let expected = windowed::sequential_count(&events);
            let results = windowed::check(version, &events, workers, &expected);
            report("results", results as f64);
        }
        "windowed-wordcount-latency" => {
            let events = windowed::generate_events(cli.events);
            let (from_first, _) = windowed::latency(&events, workers, cli.latency_reps);
            for ms in from_first {
                report("latency_ms", ms);
            }
        }
        "running-aggregate" => {
            let events = running::generate(cli.events);
            let run = running::run(version, &events, workers, None);
            report("seconds", run.elapsed.as_secs_f64());
            child::report_peak_memory();
            for ms in run.latencies {
                report("latency_ms", ms);
            }
            let expected = running::sequential(&events, workers);
            let sum: u64 = expected.iter().map(|&(_, _, total)| total).sum();
            assert_eq!(
                (run.results, run.sum),
                (expected.len() as u64, sum),
                "running aggregate, {version} on {workers} workers: (results, sum of totals)"
            );
        }
        "running-aggregate-check" => {
            let events = running::generate(cli.events);
            let expected = running::sequential(&events, workers);
            let results = running::check(version, &events, workers, &expected);
            report("results", results as f64);
        }
        other => panic!("--one streaming {other}: unknown workload"),
    }
}

/// Writes the windowed word count's events to `path` as `ts_ms,word` lines.
pub fn write_events(events: u64, path: &Path) {
    use std::io::Write;
    let file = std::fs::File::create(path)
        .unwrap_or_else(|e| panic!("cannot create {}: {e}", path.display()));
    let mut out = std::io::BufWriter::new(file);
    for (ts, word) in windowed::generate_events(events).iter() {
        writeln!(out, "{ts},{word}").expect("write the events");
    }
    out.flush().expect("write the events");
}
