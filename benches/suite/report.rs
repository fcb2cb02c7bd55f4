//! The suite's output: a markdown report (machine, command, tables) and an SVG plot of the
//! static graph benchmark (time relative to the baseline, log scale).

use std::fmt::Write;
use std::time::Duration;

use rill::graph::Graph;

use super::child::Layout;
use super::cli::Cli;
use super::graph::{GraphSource, Params};
use super::versions::Version;
use super::{graphs, incremental, streaming};

/// Everything measured in one run of the suite.
pub struct Report {
    machine: Vec<(String, String)>,
    command: String,
    reps: usize,
    graph: Option<String>,
    pub static_graphs: Option<graphs::Report>,
    pub incremental: Option<Vec<incremental::Row>>,
    pub streaming: Option<Vec<streaming::Row>>,
    pub elapsed: Duration,
    events: u64,
    change_reps: usize,
}

impl Report {
    pub fn new(cli: &Cli, machine: Vec<(String, String)>) -> Report {
        let args: Vec<String> = std::env::args()
            .skip(1)
            .filter(|arg| arg != "--bench")
            .collect();
        let command = if args.is_empty() {
            "cargo bench --bench suite".to_owned()
        } else {
            format!("cargo bench --bench suite -- {}", args.join(" "))
        };
        Report {
            machine,
            command,
            reps: cli.reps,
            graph: None,
            static_graphs: None,
            incremental: None,
            streaming: None,
            elapsed: Duration::ZERO,
            events: cli.events,
            change_reps: cli.change_reps,
        }
    }

    /// Notes the graph and the parameters.
    pub fn graph(&mut self, source: &GraphSource, graph: &Graph, params: &Params) {
        self.graph = Some(format!(
            "{source}: {} vertices, {} edges ({}); PageRank {} rounds, damping {}; CDLP {} rounds; BFS/SSSP from vertex {}",
            graph.vertices().len(),
            graph.edges().len(),
            if graph.is_directed() { "directed" } else { "undirected" },
            params.pr_rounds,
            params.damping,
            params.cdlp_rounds,
            params.root
        ));
    }

    pub fn markdown(&self) -> String {
        let mut md = String::new();
        let _ = writeln!(md, "# Rill benchmark suite\n");
        let _ = writeln!(
            md,
            "`{}` — {:.0} s in all\n",
            self.command,
            self.elapsed.as_secs_f64()
        );
        for (key, value) in &self.machine {
            let _ = writeln!(md, "- {key}: {value}");
        }
        if let Some(graph) = &self.graph {
            let _ = writeln!(md, "- graph: {graph}");
        }
        if let Some(report) = &self.static_graphs {
            self.static_tables(&mut md, report);
        }
        if let Some(rows) = &self.incremental {
            self.incremental_table(&mut md, rows);
        }
        if let Some(rows) = &self.streaming {
            self.streaming_table(&mut md, rows);
        }
        md
    }

    fn static_tables(&self, md: &mut String, report: &graphs::Report) {
        let _ = writeln!(
            md,
            "\n## Static graphs\n\nMedian of {} runs, each in a fresh process; workers `2x1` = 2 processes of 1 worker. \
             ns/edge/iteration = seconds / (edges x rounds); rounds: {}. Peak memory is the process's \
             (sum over processes), loading included: loading the graph and its shared arrays alone peaks at {:.0} MiB.\n",
            self.reps,
            report
                .rounds
                .iter()
                .map(|(algo, rounds)| format!("{algo} {rounds}"))
                .collect::<Vec<_>>()
                .join(", "),
            report.input_peak_mib
        );
        let _ = writeln!(
            md,
            "| algorithm | version | workers | median s | x baseline | ns/edge/iteration | peak MiB |\n|---|---|---|---|---|---|---|"
        );
        for row in &report.rows {
            let _ = writeln!(
                md,
                "| {} | {} | {} | {:.3} | {} | {:.2} | {:.0} |",
                row.algo,
                row.version,
                row.layout,
                row.seconds,
                row.ratio.map_or("".into(), times),
                row.ns_per_edge_iteration,
                row.peak_mib
            );
        }
        let _ = writeln!(
            md,
            "\nCOST: the smallest worker count (threads) at which a version's median beats the baseline's.\n\n| algorithm | version | COST |\n|---|---|---|"
        );
        for (algo, version, cost) in &report.cost {
            let _ = writeln!(md, "| {algo} | {version} | {cost} |");
        }
    }

    fn incremental_table(&self, md: &mut String, rows: &[incremental::Row]) {
        let _ = writeln!(
            md,
            "\n## Incremental\n\nA live DSL job (the stdlib's, `strategy = incremental`, on `GraphInput::with_arc_changes`) \
             absorbs batches of random edge changes (each removes an arc and inserts a new one), one epoch per batch, \
             and so does the hand-written differential version (`differential`, kept live with `InputSession`s); \
             median of {} batches per size, one session per row. \"from scratch\": loading the graph into the live job; \
             \"bulk\": the static `dsl` run (strategy auto = bulk) on the same workers; \"DSL / hand-written\": the \
             hand-written update time over the DSL's (above 1: the DSL is faster).\n",
            self.change_reps
        );
        let _ = writeln!(
            md,
            "| algorithm | version | workers | batch | update ms | from scratch s | from scratch / update | bulk / update | DSL / hand-written | peak MiB |\n|---|---|---|---|---|---|---|---|---|---|"
        );
        for row in rows {
            let bulk = self.static_graphs.as_ref().and_then(|report| {
                report
                    .rows
                    .iter()
                    .find(|r| {
                        r.algo == row.algo
                            && r.version == Version::Dsl
                            && r.layout == Layout::Threads(row.workers)
                    })
                    .map(|r| r.seconds)
            });
            let hand_written = rows.iter().find(|r| {
                r.algo == row.algo
                    && r.workers == row.workers
                    && r.size == row.size
                    && r.version == "differential"
            });
            let ratio = match (row.version, hand_written) {
                ("dsl", Some(h)) => times(h.update_seconds / row.update_seconds),
                _ => String::new(),
            };
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | {:.3} | {:.3} | {} | {} | {} | {:.0} |",
                row.algo,
                row.version,
                row.workers,
                row.size,
                row.update_seconds * 1e3,
                row.scratch_seconds,
                times(row.scratch_seconds / row.update_seconds),
                bulk.map_or("".into(), |b| times(b / row.update_seconds)),
                ratio,
                row.peak_mib
            );
        }
    }

    fn streaming_table(&self, md: &mut String, rows: &[streaming::Row]) {
        let _ = writeln!(
            md,
            "\n## Streaming\n\n{} events; median of {} runs, each in a fresh process. Latency p50/p99 in ms: \
             window fire (DSL, separate untimed runs) for the word count; per epoch (every timed run) for the running aggregate.\n",
            self.events, self.reps
        );
        let _ = writeln!(
            md,
            "| workload | version | workers | median s | Mevents/s | DSL/timely | latency p50 / p99 ms | peak MiB |\n|---|---|---|---|---|---|---|---|"
        );
        for row in rows {
            let timely = rows.iter().find(|r| {
                r.workload == row.workload && r.workers == row.workers && r.version == "timely"
            });
            let ratio = match timely {
                Some(t) if row.version == "dsl" => format!("{:.2}", t.seconds / row.seconds),
                _ => String::new(),
            };
            let _ = writeln!(
                md,
                "| {} | {} | {} | {:.3} | {:.2} | {} | {} | {:.0} |",
                row.workload,
                row.version,
                row.workers,
                row.seconds,
                row.events_per_second / 1e6,
                ratio,
                row.latency
                    .map_or(String::new(), |(p50, p99, what)| format!(
                        "{p50:.2} / {p99:.2} ({what})"
                    )),
                row.peak_mib
            );
        }
    }

    /// A grouped bar chart of the static benchmark: per algorithm, every parallel version and
    /// layout as a bar of its time relative to the baseline, on a log scale (1x = the baseline).
    pub fn svg(&self) -> String {
        let Some(report) = &self.static_graphs else {
            return r#"<svg xmlns="http://www.w3.org/2000/svg" width="400" height="40"><text x="10" y="25">no static graph benchmark in this run</text></svg>"#.into();
        };
        let bars: Vec<&graphs::Row> = report
            .rows
            .iter()
            .filter(|r| r.version != Version::Baseline && r.ratio.is_some())
            .collect();
        let mut algos: Vec<_> = bars.iter().map(|r| r.algo).collect();
        algos.dedup();
        let (left, top, plot_height, bar, gap) = (70.0, 40.0, 300.0, 14.0, 24.0);
        let max_ratio = bars.iter().filter_map(|r| r.ratio).fold(10.0f64, f64::max);
        let decades = max_ratio.log10().ceil().max(1.0);
        let y = |ratio: f64| top + plot_height * (1.0 - ratio.max(0.1).log10().max(0.0) / decades);
        let width = left + algos.len() as f64 * gap + bars.len() as f64 * bar + 260.0;
        let mut svg = format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0}" height="{:.0}" font-family="sans-serif" font-size="11">"#,
            top + plot_height + 70.0
        );
        let _ = write!(
            svg,
            r#"<text x="{left}" y="20" font-size="14">Time relative to the single-threaded baseline (log scale; lower is better)</text>"#
        );
        for decade in 0..=decades as i32 {
            let ratio = 10f64.powi(decade);
            let _ = write!(
                svg,
                r##"<line x1="{left}" x2="{right:.0}" y1="{line:.1}" y2="{line:.1}" stroke="#ddd"/><text x="{label:.0}" y="{text:.1}" text-anchor="end">{ratio}x</text>"##,
                right = width - 250.0,
                line = y(ratio),
                label = left - 6.0,
                text = y(ratio) + 4.0
            );
        }
        let colour = |version: Version, layout: Layout| -> &'static str {
            match (version, layout) {
                (Version::Differential, Layout::Threads(1)) => "#9ecae1",
                (Version::Differential, Layout::Threads(_)) => "#4292c6",
                (Version::Differential, _) => "#08519c",
                (Version::Dsl, Layout::Threads(1)) => "#fdae6b",
                (Version::Dsl, Layout::Threads(_)) => "#f16913",
                (Version::Dsl, _) => "#a63603",
                (_, Layout::Threads(1)) => "#a1d99b",
                (_, Layout::Threads(_)) => "#41ab5d",
                _ => "#006d2c",
            }
        };
        let mut x = left + gap / 2.0;
        let mut legend: Vec<(String, &str)> = Vec::new();
        for algo in &algos {
            let start = x;
            for row in bars.iter().filter(|r| r.algo == *algo) {
                let ratio = row.ratio.expect("filtered");
                let (top_y, colour) = (y(ratio), colour(row.version, row.layout));
                let _ = write!(
                    svg,
                    r#"<rect x="{x:.1}" y="{top_y:.1}" width="{:.1}" height="{:.1}" fill="{colour}"><title>{} {} on {}: {:.1}x</title></rect>"#,
                    bar - 2.0,
                    y(1.0) - top_y,
                    row.algo,
                    row.version,
                    row.layout,
                    ratio
                );
                let label = format!("{} on {}", row.version, row.layout);
                if !legend.iter().any(|(l, _)| *l == label) {
                    legend.push((label, colour));
                }
                x += bar;
            }
            let _ = write!(
                svg,
                r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">{algo}</text>"#,
                (start + x) / 2.0,
                top + plot_height + 18.0
            );
            x += gap;
        }
        for (i, (label, colour)) in legend.iter().enumerate() {
            let ly = top + 10.0 + i as f64 * 16.0;
            let _ = write!(
                svg,
                r#"<rect x="{:.0}" y="{:.0}" width="10" height="10" fill="{colour}"/><text x="{:.0}" y="{:.0}">{label}</text>"#,
                width - 240.0,
                ly,
                width - 225.0,
                ly + 9.0
            );
        }
        svg.push_str("</svg>\n");
        svg
    }
}

/// A ratio as `12,345x`, `58x` or `0.42x`.
fn times(ratio: f64) -> String {
    if ratio >= 1000.0 {
        let digits = format!("{ratio:.0}");
        let mut grouped = String::new();
        for (i, digit) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(digit);
        }
        format!("{grouped}x")
    } else if ratio >= 10.0 {
        format!("{ratio:.0}x")
    } else {
        format!("{ratio:.2}x")
    }
}
