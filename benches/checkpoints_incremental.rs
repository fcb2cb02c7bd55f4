//! What incremental checkpoints save: the example `running_totals` (a keyed running sum per
//! customer) checkpointed every second, incrementally (the default) and whole
//! (`--full-checkpoints`), in the same run.
//!
//! ```text
//! cargo build --release --example running_totals       # the binary this bench runs
//! cargo bench --bench checkpoints_incremental          # 3 live streams of 20 s, 3 throughput reps (~4 min)
//! cargo bench --bench checkpoints_incremental -- --quick
//! cargo bench --bench checkpoints_incremental -- --seconds 40 --reps 5
//! ```
//!
//! **Live streams.** The job reads purchases at 20,000 per second (`--rate`), 2,000 per epoch,
//! for `--seconds`, with `--checkpoint-interval 1 --checkpoints-kept 1000` (so every checkpoint
//! stays on disk to be measured): by Zipf-distributed customers (exponent 1.0) out of 1,000,000
//! (a few buy often, most rarely: the state grows all along), and uniformly out of 200,000 and
//! 50,000 (the state fills up, then every checkpoint changes a share of it). For each checkpoint,
//! the bytes written for the sum operator (its parts' sizes in the manifests: with incremental
//! checkpoints, only the chunks that changed and deltas) and the state's whole size (the same
//! checkpoint of the run with `--full-checkpoints`); the table gives medians over the
//! checkpoints after the first two and before the final one (which comes at the end of the
//! input, not after a second). Also: checkpoint duration p50/p99 (the summary line), CPU seconds
//! and peak resident memory of each run. Both runs must write the same output file.
//!
//! **Throughput.** `--events` purchases (default 10,000,000) over 1,000,000 uniformly chosen
//! customers as fast as the job goes, with no checkpoints, with incremental checkpoints every
//! second and with whole ones: median wall and CPU seconds over `--reps` (rotated order). The
//! output goes to stdout (discarded), so that checkpoints hold only the keyed state (a file
//! would be written exactly once: checkpoints would hold back the output too); the runs must
//! report the same record counts. Every chunk changes between two checkpoints here: this is
//! what finding the changes costs when there are none to skip.
//!
//! The binary is copied into a scratch directory first, so that a rebuild during the run does not
//! change what is measured. The report goes to stdout and `target/checkpoints_incremental.md`.

#[allow(dead_code)] // this bench reads the checkpoints' manifests, not the summary's sizes
#[path = "common/child.rs"]
mod child;
#[allow(dead_code)] // `median` is what this bench needs of the harnesses' shared module
#[path = "common/mod.rs"]
mod common;

use std::fmt::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use child::{
    copy_of_binary, load_average, parse_stats, publish, run_child, run_text, target_dir, ChildRun,
    Stats,
};
use common::median;

const JOB: &str = "running_totals";
/// Purchases per second in the live streams.
const RATE: u64 = 20_000;

struct Options {
    seconds: u64,
    events: u64,
    reps: usize,
    quick: bool,
}

fn parse_options() -> Options {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let quick = args.iter().any(|a| a == "--quick");
    let mut options = Options {
        seconds: if quick { 6 } else { 20 },
        events: if quick { 1_000_000 } else { 10_000_000 },
        reps: if quick { 1 } else { 3 },
        quick,
    };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = |name: &str| -> u64 {
            let text = it.next().unwrap_or_else(|| panic!("{name} needs a value"));
            text.replace('_', "")
                .parse()
                .unwrap_or_else(|_| panic!("{name} N"))
        };
        match arg.as_str() {
            "--seconds" => options.seconds = value("--seconds").max(4),
            "--events" => options.events = value("--events"),
            "--reps" => options.reps = value("--reps").max(1) as usize,
            "--quick" | "--bench" => {}
            other => panic!("unknown flag {other}; flags: --quick --seconds S --events N --reps R"),
        }
    }
    options
}

/// A live-stream workload: how customers are drawn.
struct Workload {
    name: &'static str,
    customers: u64,
    zipf: Option<f64>,
}

const WORKLOADS: [Workload; 3] = [
    Workload {
        name: "Zipf 1.0 over 1,000,000 customers",
        customers: 1_000_000,
        zipf: Some(1.0),
    },
    Workload {
        name: "uniform over 200,000 customers",
        customers: 200_000,
        zipf: None,
    },
    Workload {
        name: "uniform over 50,000 customers",
        customers: 50_000,
        zipf: None,
    },
];

/// How a run checkpoints.
#[derive(Clone, Copy, PartialEq)]
enum Mode {
    None,
    Incremental,
    Full,
}

impl Mode {
    fn label(self) -> &'static str {
        match self {
            Mode::None => "none",
            Mode::Incremental => "incremental",
            Mode::Full => "full (`--full-checkpoints`)",
        }
    }
}

/// One run of the example: what the child measured, its checkpoint statistics, the bytes of the
/// sum operator's parts in each checkpoint (by id), and its output: the file it wrote, or (with
/// the output to stdout, which checkpoints do not hold back) the summary's record counts.
struct Run {
    child: ChildRun,
    stats: Option<Stats>,
    sum_bytes: Vec<(u64, u64)>,
    output: Vec<u8>,
}

/// Where a run's output goes.
#[derive(Clone, Copy, PartialEq)]
enum Output {
    /// A file, written exactly once: checkpoints hold back the output they cover.
    File,
    /// Stdout (discarded), at least once: checkpoints hold only the keyed state.
    Stdout,
}

fn run(binary: &Path, dir: &Path, args: &[String], mode: Mode, to: Output) -> Run {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).expect("a run directory");
    let (output, checkpoints, log) = (dir.join("out.csv"), dir.join("chk"), dir.join("log"));
    let mut command = Command::new(binary);
    if to == Output::File {
        command.arg("--output").arg(&output);
    }
    command
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).expect("a log file"));
    if mode != Mode::None {
        command.arg("--checkpoint-dir").arg(&checkpoints).args([
            "--checkpoint-interval",
            "1",
            "--checkpoints-kept",
            "1000",
        ]);
    }
    if mode == Mode::Full {
        command.arg("--full-checkpoints");
    }
    let child = run_child(command, &log);
    assert!(
        child.status.success(),
        "{JOB} {} failed:\n{}",
        args.join(" "),
        child.lines.join("\n")
    );
    let summary = (child.lines.iter())
        .find(|line| line.contains(&format!("job \"{JOB}\" finished in")))
        .unwrap_or_else(|| panic!("no summary line in:\n{}", child.lines.join("\n")));
    let stats = (mode != Mode::None).then(|| parse_stats(summary).expect("checkpoint statistics"));
    let output = match to {
        Output::File => std::fs::read(&output).expect("the output"),
        Output::Stdout => {
            let counts = summary
                .split(" on ")
                .nth(1)
                .and_then(|s| s.split(" (").nth(1));
            counts
                .expect("record counts in the summary")
                .as_bytes()
                .to_vec()
        }
    };
    let run = Run {
        stats,
        sum_bytes: sum_part_bytes(&checkpoints),
        output,
        child,
    };
    let _ = std::fs::remove_dir_all(dir);
    run
}

/// For every complete checkpoint under `dir`: its id and the bytes of the sum operator's parts.
fn sum_part_bytes(dir: &Path) -> Vec<(u64, u64)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut sizes = Vec::new();
    for entry in entries.flatten() {
        let Ok(text) = std::fs::read_to_string(entry.path().join("MANIFEST")) else {
            continue;
        };
        let manifest: serde_json::Value = serde_json::from_str(&text).expect("a manifest");
        let bytes = (manifest["parts"].as_array().expect("parts").iter())
            .filter(|p| {
                p["operator"]
                    .as_str()
                    .is_some_and(|o| o.starts_with("sum@"))
            })
            .map(|p| p["bytes"].as_u64().expect("bytes"))
            .sum();
        sizes.push((manifest["id"].as_u64().expect("an id"), bytes));
    }
    sizes.sort_unstable();
    sizes
}

/// The sizes of the periodic checkpoints: without the first two and the final one.
fn periodic(sizes: &[(u64, u64)]) -> Vec<(u64, u64)> {
    let end = sizes.len().saturating_sub(1);
    sizes.get(2.min(end)..end).unwrap_or_default().to_vec()
}

fn mib(bytes: f64) -> String {
    format!("{:.2}", bytes / (1024.0 * 1024.0))
}

fn opt(value: Option<f64>, digits: usize) -> String {
    value.map_or("-".into(), |v| format!("{v:.digits$}"))
}

fn live_streams(options: &Options, binary: &Path, scratch: &Path, report: &mut String) {
    let _ = writeln!(
        report,
        "\n## Live streams: {RATE} purchases/s, {} s, a checkpoint every second, one worker\n",
        options.seconds
    );
    let _ = writeln!(
        report,
        "| customers | checkpoints | written per checkpoint MiB (median) | whole state MiB (median) | written / whole (median per checkpoint) | p50 / p99 ms | CPU s | peak RSS MiB |\n|---|---|---|---|---|---|---|---|"
    );
    for workload in &WORKLOADS {
        let mut args: Vec<String> = [
            "--customers".to_owned(),
            workload.customers.to_string(),
            "--rate".into(),
            RATE.to_string(),
            "--epoch-size".into(),
            (RATE / 10).to_string(),
            "--events".into(),
            (RATE * options.seconds).to_string(),
        ]
        .into();
        if let Some(s) = workload.zipf {
            args.extend(["--zipf".to_owned(), s.to_string()]);
        }
        let dir = scratch.join("live");
        let incremental = run(binary, &dir, &args, Mode::Incremental, Output::File);
        let full = run(binary, &dir, &args, Mode::Full, Output::File);
        assert!(
            incremental.output == full.output,
            "{}: the incremental and the full run wrote different output",
            workload.name
        );
        let whole: std::collections::BTreeMap<u64, u64> =
            periodic(&full.sum_bytes).into_iter().collect();
        let written = periodic(&incremental.sum_bytes);
        let ratios: Vec<f64> = (written.iter())
            .filter_map(|(id, bytes)| whole.get(id).map(|w| *bytes as f64 / *w as f64))
            .collect();
        let median_of =
            |sizes: Vec<u64>| median(&sizes.iter().map(|&b| b as f64).collect::<Vec<_>>());
        for (mode, run, sizes) in [
            (
                Mode::Incremental,
                &incremental,
                written.iter().map(|s| s.1).collect::<Vec<_>>(),
            ),
            (Mode::Full, &full, whole.values().copied().collect()),
        ] {
            let stats = run.stats.expect("statistics");
            let ratio = if mode == Mode::Incremental {
                format!(
                    "**{:.3}** ({} checkpoints compared)",
                    median(&ratios),
                    ratios.len()
                )
            } else {
                "1".into()
            };
            let _ = writeln!(
                report,
                "| {} — {} | {} | {} | {} | {ratio} | {} / {} | {} | {:.0} |",
                workload.name,
                mode.label(),
                stats.completed,
                mib(median_of(sizes)),
                mib(median_of(whole.values().copied().collect())),
                opt(stats.p50_ms, 0),
                opt(stats.p99_ms, 0),
                opt(run.child.cpu, 2),
                run.child.peak_rss_kb as f64 / 1024.0,
            );
        }
    }
}

fn throughput(options: &Options, binary: &Path, scratch: &Path, report: &mut String) {
    let _ = writeln!(
        report,
        "\n## Throughput: {} purchases over 1,000,000 customers, as fast as the job goes, one worker, median of {}\n",
        options.events, options.reps
    );
    let args: Vec<String> = [
        "--customers",
        "1000000",
        "--events",
        &options.events.to_string(),
        "--epoch-size",
        "100000",
    ]
    .map(str::to_owned)
    .into();
    let modes = [Mode::None, Mode::Incremental, Mode::Full];
    let mut runs: Vec<Vec<Run>> = modes.iter().map(|_| Vec::new()).collect();
    for rep in 0..options.reps {
        for k in 0..modes.len() {
            let m = (k + rep) % modes.len();
            let dir = scratch.join("throughput");
            let result = run(binary, &dir, &args, modes[m], Output::Stdout);
            runs[m].push(result);
        }
    }
    let reference = &runs[0][0].output;
    assert!(
        runs.iter().flatten().all(|run| &run.output == reference),
        "the throughput runs wrote different output"
    );
    let wall = |m: usize| median(&runs[m].iter().map(|r| r.child.wall).collect::<Vec<_>>());
    let _ = writeln!(
        report,
        "| checkpoints | median wall s | throughput vs none | median CPU s | checkpoints | p50 / p99 ms | median size MiB | peak RSS MiB |\n|---|---|---|---|---|---|---|---|"
    );
    for (m, mode) in modes.iter().enumerate() {
        let cpu: Vec<f64> = runs[m].iter().filter_map(|r| r.child.cpu).collect();
        let stats: Vec<Stats> = runs[m].iter().filter_map(|r| r.stats).collect();
        let of = |f: fn(&Stats) -> Option<f64>| {
            let values: Vec<f64> = stats.iter().filter_map(f).collect();
            (!values.is_empty()).then(|| median(&values))
        };
        let peak = median(
            &runs[m]
                .iter()
                .map(|r| r.child.peak_rss_kb as f64)
                .collect::<Vec<_>>(),
        );
        let _ = writeln!(
            report,
            "| {} | {:.3} | {:.2} | {} | {} | {} / {} | {} | {:.0} |",
            mode.label(),
            wall(m),
            wall(0) / wall(m),
            opt((!cpu.is_empty()).then(|| median(&cpu)), 2),
            opt(of(|s| Some(s.completed as f64)), 0),
            opt(of(|s| s.p50_ms), 0),
            opt(of(|s| s.p99_ms), 0),
            of(|s| s.size_bytes).map_or("-".into(), mib),
            peak / 1024.0,
        );
    }
}

fn main() {
    let options = parse_options();
    let started = Instant::now();
    let built = target_dir().join("release/examples").join(JOB);
    let (scratch, binary) = copy_of_binary(&built, JOB);
    let mut report = String::new();
    let _ = writeln!(report, "# Incremental checkpoints\n");
    let _ = writeln!(
        report,
        "- machine: {} cores, load average at start {}\n- tree `{}`, {}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        load_average(),
        run_text("git", &["describe", "--always", "--dirty"]),
        run_text("date", &["-u", "+%Y-%m-%d %H:%M UTC"]),
    );
    live_streams(&options, &binary, scratch.path(), &mut report);
    throughput(&options, &binary, scratch.path(), &mut report);
    publish(report, started, "checkpoints_incremental.md", options.quick);
}
