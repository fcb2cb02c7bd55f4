//! Rill's benchmark suite (issue 6): iterative graph jobs against the single-threaded CSR
//! baselines (the COST baseline) and hand-written differential dataflow, edge changes absorbed
//! by live graph jobs, and streaming jobs against hand-written timely — in one run, on the same
//! inputs, with medians, checked results and the machine noted.
//!
//! ```text
//! cargo bench --bench suite                                     # everything: R-MAT 18, 10M events
//! cargo bench --bench suite -- --sections static --rmat 12 --reps 3 --algo pr,wcc
//! cargo bench --bench suite -- --sections static --vertices g.v --edges g.e --directed
//! cargo bench --bench suite -- --sections incremental --rmat 14 --changes 1,100
//! cargo bench --bench suite -- --sections streaming --events 1000000
//! cargo bench --bench suite -- --help
//! ```
//!
//! Every measurement runs in a child process (this binary again, with `--one ...`), which loads
//! the input itself (untimed), runs one version once, reports its time and its peak resident
//! set, and writes its results; on several processes (`--processes 2`: two processes of one
//! worker on 127.0.0.1; on a real cluster, `--cluster hosts.txt`: one process per host, each
//! started by `--remote-shell`, default `ssh`) each process is such a child. The parent checks the results of the
//! first rep against the baseline's and fails on any disagreement, then prints a markdown table
//! and writes it, with an SVG plot, to `target/bench-suite/` (`--out`).
//!
//! * **static** (`graphs`): PageRank (Graphalytics, and the COST variant without dangling
//!   redistribution), WCC, BFS, SSSP, CDLP; versions `baseline` (CSR, one thread; union-find for
//!   WCC), `differential` (hand-written), `dsl` (`rill::graph`, strategy auto = bulk),
//!   `dsl-incremental` (PageRank and WCC). Seconds (median), ratio to the baseline, ns per edge
//!   per iteration, peak memory, COST.
//! * **incremental**: live DSL jobs (WCC, BFS, PageRank) absorbing batches of 1, 100, 10,000
//!   random edge changes, against loading the graph from scratch.
//! * **streaming**: the windowed word count and a keyed running aggregate, DSL against
//!   hand-written timely: events/s, and window-fire (resp. epoch) latency p50/p99.

// The suite parses its flags with clap; it shares only `median` with the other harnesses.
#[allow(dead_code)]
#[path = "common/mod.rs"]
mod common;
#[path = "common/running.rs"]
mod running;
#[path = "common/windowed.rs"]
mod windowed;

#[path = "suite/child.rs"]
mod child;
#[path = "suite/cli.rs"]
mod cli;
#[path = "suite/differential.rs"]
mod differential;
#[path = "suite/dsl.rs"]
mod dsl;
#[path = "suite/graph.rs"]
mod graph;
#[path = "suite/graphs.rs"]
mod graphs;
#[path = "suite/incremental.rs"]
mod incremental;
#[path = "suite/machine.rs"]
mod machine;
#[path = "suite/report.rs"]
mod report;
#[path = "suite/streaming.rs"]
mod streaming;
#[path = "suite/versions.rs"]
mod versions;

use std::time::Instant;

use clap::Parser;

use cli::{Cli, Section};

/// Every version uses mimalloc: with glibc's allocator, records allocated by one worker and
/// freed by another (after an exchange) contend on its arenas.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

pub use common::median;

fn main() {
    let cli = Cli::parse();
    if let Some(hosts) = &cli.cluster {
        child::Cluster::set(hosts, &cli.remote_shell);
    }
    if let Some(path) = &cli.write_events {
        streaming::write_events(cli.events, path);
        return;
    }
    if let Some(one) = &cli.one {
        match one[0].as_str() {
            "static" | "input" => graphs::child(&cli, one),
            "incremental" => incremental::child(&cli, one),
            "streaming" => streaming::child(&cli, one),
            other => panic!("--one {other}: unknown measurement"),
        }
        return;
    }
    let started = Instant::now();
    let scratch = cli.out.join("scratch");
    std::fs::create_dir_all(&scratch).expect("create the output directory");
    let mut report = report::Report::new(&cli, machine::describe());
    let graph_sections = [Section::Static, Section::Incremental];
    if cli.sections.iter().any(|s| graph_sections.contains(s)) {
        let source = cli.graph();
        let loading = Instant::now();
        let graph = source.load();
        let params = cli.params(graph.vertices().first().copied().unwrap_or(0));
        eprintln!(
            "graph: {source}: {} vertices, {} edges, loaded in {:.2} s",
            graph.vertices().len(),
            graph.edges().len(),
            loading.elapsed().as_secs_f64()
        );
        report.graph(&source, &graph, &params);
        if cli.sections.contains(&Section::Static) {
            report.static_graphs = Some(graphs::run(&cli, &source, &graph, &params, &scratch));
        }
        if cli.sections.contains(&Section::Incremental) {
            report.incremental = Some(incremental::run(&cli, &source, &graph, &params, &scratch));
        }
    }
    if cli.sections.contains(&Section::Streaming) {
        report.streaming = Some(streaming::run(&cli, &scratch));
    }
    child::remove_own_copy();
    report.elapsed = started.elapsed();
    let markdown = report.markdown();
    println!("\n{markdown}");
    std::fs::write(cli.out.join("results.md"), &markdown).expect("write results.md");
    std::fs::write(cli.out.join("results.svg"), report.svg()).expect("write results.svg");
    eprintln!(
        "wrote {0}/results.md and {0}/results.svg",
        cli.out.display()
    );
}
