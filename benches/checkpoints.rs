//! What checkpoints cost, and how long a job takes to recover from a killed process: a driver
//! that runs the example `windowed_wordcount` as child processes.
//!
//! ```text
//! cargo build --release --example windowed_wordcount      # the binary this bench runs
//! cargo bench --bench checkpoints                         # 10M events, 5 reps, 1 and 2 workers, 3 kills (2-3 min)
//! cargo bench --bench checkpoints -- --quick              # 500k events, 2 reps, 1 kill (< 1 min)
//! cargo bench --bench checkpoints -- --events 20000000 --reps 3 --workers 2 --kills 5
//! cargo bench --bench checkpoints -- --no-final-only --kills 0
//! ```
//!
//! The binary is `target/release/examples/windowed_wordcount` next to this bench's own binary
//! (or `--binary PATH`); it is copied into a scratch directory first, so that a rebuild during a
//! long run does not change what is measured.
//!
//! **Throughput and checkpoints.** For each worker count and rep, three runs of
//! `--events N --workers W --output FILE`, in an order rotated every rep: without checkpoints
//! (`none`); with `--checkpoint-dir <fresh dir> --checkpoint-interval 1` (`every 1 s`); and with
//! `--checkpoint-interval 1000` (`final only`: the job takes just the final checkpoint, which
//! commits its output, so the run pays the exactly-once sink's cost of holding output back but no
//! periodic checkpoint). Timed: the child process from spawn to exit (wall). Its stderr goes to a
//! file of which only the `rill: ` lines are read (the example prints late records there); the
//! summary line ends `; K checkpoints (p50 X ms, p99 Y ms, median Z MB)`, from which the table
//! takes the checkpoint count, duration quantiles and median size (the median over reps of each).
//! Also reported: the size of the newest complete `chk-*` directory (the final checkpoint) and the
//! child's peak resident set (`VmHWM`, polled). Every run's output file must have the same length
//! as the run without checkpoints (the same records, exactly once).
//!
//! **Recovery.** A job of 2 processes x 1 worker under the launcher (`--hosts FILE` with two free
//! 127.0.0.1 ports, `--checkpoint-dir D --checkpoint-interval 1 --output FILE`), on an input long
//! enough that it does not end during the measurement. Once `--kill-after` seconds have passed
//! and the sink has committed output, one of the launcher's children (process 0 and 1 in turn) is
//! killed with SIGKILL. Measured from the kill: when the launcher announces the restart (after
//! noticing the failure, a 300 ms grace for the other process and before its `--restart-delay`,
//! 0.5 s by default); when a restarted process says `restoring checkpoint`; and when the committed
//! length of the output (the last `id length` line of `FILE.commits`) grows beyond what it was at
//! the kill: output resumes. Then the launcher's process group is killed.

#[path = "common/child.rs"]
mod child;
#[allow(dead_code)] // `median` is what this bench needs of the harnesses' shared module
#[path = "common/mod.rs"]
mod common;
#[path = "../tests/support/mod.rs"]
mod support;

use std::fmt::Write as _;
use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use child::{
    copy_of_binary, load_average, parse_stats, publish, run_child, run_text, target_dir, Stats,
};
use common::median;
use support::{children_of, hosts_file};

/// The job's name in its summary line.
const JOB: &str = "windowed_wordcount";

struct Options {
    events: u64,
    reps: usize,
    workers: Vec<usize>,
    interval: f64,
    final_only: bool,
    kills: usize,
    kill_after: f64,
    recovery_events: u64,
    binary: Option<PathBuf>,
    quick: bool,
}

const USAGE: &str = "flags: --quick --events N --reps R --workers 1,2 --interval SECS \
                     --no-final-only --kills K --kill-after SECS --recovery-events N --binary PATH";

fn parse_options() -> Options {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let quick = args.iter().any(|a| a == "--quick");
    let mut options = Options {
        events: if quick { 500_000 } else { 10_000_000 },
        reps: if quick { 2 } else { 5 },
        workers: vec![1, 2],
        interval: 1.0,
        final_only: true,
        kills: if quick { 1 } else { 3 },
        kill_after: if quick { 2.5 } else { 4.0 },
        recovery_events: 200_000_000,
        binary: None,
        quick,
    };
    let mut it = args.into_iter();
    while let Some(arg) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .unwrap_or_else(|| panic!("{name} needs a value; {USAGE}"))
        };
        let count = |text: String| -> u64 { text.replace('_', "").parse().expect("a count") };
        match arg.as_str() {
            "--quick" | "--bench" => {}
            "--events" => options.events = count(value("--events")),
            "--reps" => options.reps = count(value("--reps")) as usize,
            "--workers" => {
                options.workers = value("--workers")
                    .split(',')
                    .map(|w| w.trim().parse().expect("--workers 1,2"))
                    .collect()
            }
            "--interval" => options.interval = value("--interval").parse().expect("seconds"),
            "--no-final-only" => options.final_only = false,
            "--kills" => options.kills = count(value("--kills")) as usize,
            "--kill-after" => options.kill_after = value("--kill-after").parse().expect("seconds"),
            "--recovery-events" => options.recovery_events = count(value("--recovery-events")),
            "--binary" => options.binary = Some(value("--binary").into()),
            other if other.starts_with("--") => panic!("unknown flag {other}; {USAGE}"),
            _ => {} // a name filter from `cargo bench NAME`
        }
    }
    assert!(
        options.reps > 0 && options.workers.iter().all(|&w| w > 0),
        "--reps and --workers must be positive"
    );
    options
}

fn main() {
    let options = parse_options();
    let started = Instant::now();
    let target = target_dir();
    let built = options
        .binary
        .clone()
        .unwrap_or_else(|| target.join("release/examples").join(JOB));
    let (scratch, binary) = copy_of_binary(&built, JOB);
    let age = std::fs::metadata(&built)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|m| SystemTime::now().duration_since(m).ok())
        .map_or("?".into(), |age| {
            format!("{:.0} min", age.as_secs_f64() / 60.0)
        });

    let mut report = String::new();
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let command = if args.is_empty() {
        "cargo bench --bench checkpoints".to_owned()
    } else {
        format!("cargo bench --bench checkpoints -- {}", args.join(" "))
    };
    let _ = writeln!(report, "# Checkpoint costs and recovery time\n");
    let _ = writeln!(report, "`{command}`\n");
    let _ = writeln!(
        report,
        "- machine: {} cores, load average at start {}\n- binary: `{}` (built {age} before the run; \
         tree `{}`)\n- date: {}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        load_average(),
        built.display(),
        run_text("git", &["describe", "--always", "--dirty"]),
        run_text("date", &["-u", "+%Y-%m-%d %H:%M UTC"]),
    );

    // Warm-up: loads the binary and the file system caches; not measured.
    let warm = scratch.path().join("warm-up");
    std::fs::create_dir_all(&warm).unwrap();
    run_job(&binary, &warm, 100_000, 1, Variant::None);
    let _ = std::fs::remove_dir_all(&warm);

    let variants: Vec<Variant> = [
        Some(Variant::None),
        Some(Variant::Every(options.interval)),
        options.final_only.then_some(Variant::FinalOnly),
    ]
    .into_iter()
    .flatten()
    .collect();
    let throughput = measure_throughput(&options, &binary, scratch.path(), &variants);
    report.push('\n');
    report.push_str(&throughput_table(&options, &variants, &throughput));

    if options.kills > 0 {
        let kills: Vec<Kill> = (0..options.kills)
            .map(|k| measure_recovery(&options, &binary, scratch.path(), k))
            .collect();
        report.push('\n');
        report.push_str(&recovery_table(&options, &kills));
    }
    publish(report, started, "checkpoints.md", options.quick);
}

// ---------------------------------------------------------------------------------------------
// Throughput and checkpoint statistics

#[derive(Clone, Copy, Debug, PartialEq)]
enum Variant {
    /// No checkpoints.
    None,
    /// A checkpoint every so many seconds.
    Every(f64),
    /// `--checkpoint-interval 1000`: only the final checkpoint, which commits the output.
    FinalOnly,
}

impl Variant {
    fn label(self) -> String {
        match self {
            Variant::None => "none".into(),
            Variant::Every(secs) => format!("every {secs} s"),
            Variant::FinalOnly => "final only".into(),
        }
    }

    fn interval(self) -> Option<f64> {
        match self {
            Variant::None => None,
            Variant::Every(secs) => Some(secs),
            Variant::FinalOnly => Some(1000.0),
        }
    }
}

/// One run of the job.
struct Run {
    wall: f64,
    /// User + system CPU seconds of the child.
    cpu: Option<f64>,
    stats: Option<Stats>,
    /// Bytes of the newest complete `chk-*` directory.
    newest_checkpoint: Option<u64>,
    peak_rss_kb: u64,
    output_bytes: u64,
}

/// Runs the job once in `dir` (emptied first) and returns what it measured.
fn run_job(binary: &Path, dir: &Path, events: u64, workers: usize, variant: Variant) -> Run {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).expect("a run directory");
    let output = dir.join("out.csv");
    let checkpoints = dir.join("chk");
    let log = dir.join("stderr.log");
    let mut command = Command::new(binary);
    command
        .arg("--events")
        .arg(events.to_string())
        .arg("--workers")
        .arg(workers.to_string())
        .arg("--output")
        .arg(&output)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).expect("a log file"));
    if let Some(interval) = variant.interval() {
        command
            .arg("--checkpoint-dir")
            .arg(&checkpoints)
            .arg("--checkpoint-interval")
            .arg(interval.to_string());
    }
    let child = run_child(command, &log);
    let (wall, cpu, lines) = (child.wall, child.cpu, child.lines);
    assert!(
        child.status.success(),
        "the example failed ({}) with {} events on {workers} workers, checkpoints {}:\n{}",
        child.status,
        events,
        variant.label(),
        lines.join("\n")
    );
    let summary = lines
        .iter()
        .find(|line| line.contains(&format!("job \"{JOB}\" finished in")))
        .unwrap_or_else(|| panic!("no summary line in:\n{}", lines.join("\n")));
    let stats = variant.interval().map(|_| {
        parse_stats(summary).unwrap_or_else(|| panic!("no checkpoint statistics in: {summary}"))
    });
    let run = Run {
        wall,
        cpu,
        stats,
        newest_checkpoint: newest_checkpoint_bytes(&checkpoints),
        peak_rss_kb: child.peak_rss_kb,
        output_bytes: std::fs::metadata(&output).map_or(0, |m| m.len()),
    };
    let _ = std::fs::remove_dir_all(dir);
    run
}

/// The bytes of the newest complete checkpoint (`chk-*` with a `MANIFEST`) under `dir`.
fn newest_checkpoint_bytes(dir: &Path) -> Option<u64> {
    let mut complete: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("chk-"))
                && p.join("MANIFEST").exists()
        })
        .collect();
    complete.sort();
    let newest = complete.last()?;
    Some(
        std::fs::read_dir(newest)
            .ok()?
            .flatten()
            .filter_map(|e| e.metadata().ok())
            .map(|m| m.len())
            .sum(),
    )
}

/// Every run, by worker count and variant (in the order of `variants`).
type Runs = Vec<(usize, Vec<Vec<Run>>)>;

fn measure_throughput(
    options: &Options,
    binary: &Path,
    scratch: &Path,
    variants: &[Variant],
) -> Runs {
    let mut runs: Runs = options
        .workers
        .iter()
        .map(|&w| (w, variants.iter().map(|_| Vec::new()).collect()))
        .collect();
    let dir = scratch.join("run");
    for rep in 0..options.reps {
        for (workers, by_variant) in runs.iter_mut() {
            // Rotate the order every rep, so that no variant always runs first or last.
            for i in 0..variants.len() {
                let v = (i + rep) % variants.len();
                let variant = variants[v];
                let run = run_job(binary, &dir, options.events, *workers, variant);
                let stats = run.stats.map_or(String::new(), |s| {
                    format!(
                        ", {} checkpoints, p50 {} ms, p99 {} ms",
                        s.completed,
                        s.p50_ms.map_or("-".into(), |v| v.to_string()),
                        s.p99_ms.map_or("-".into(), |v| v.to_string())
                    )
                });
                eprintln!(
                    "rep {}/{}, {workers} workers, checkpoints {}: {:.3} s, CPU {} s{stats}",
                    rep + 1,
                    options.reps,
                    variant.label(),
                    run.wall,
                    fmt_opt(run.cpu, 2)
                );
                by_variant[v].push(run);
            }
        }
    }
    runs
}

fn fmt_opt(value: Option<f64>, digits: usize) -> String {
    value.map_or("-".into(), |v| format!("{v:.digits$}"))
}

fn median_of(values: impl Iterator<Item = Option<f64>>) -> Option<f64> {
    let values: Vec<f64> = values.flatten().collect();
    (!values.is_empty()).then(|| median(&values))
}

fn throughput_table(options: &Options, variants: &[Variant], runs: &Runs) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "## Throughput and checkpoints: {} events, {} reps (medians), one process\n",
        thousands(options.events),
        options.reps
    );
    let _ = writeln!(
        out,
        "| workers | checkpoints | wall s (min-max) | Mevents/s | throughput vs none (medians / paired) | CPU s | CPU vs none | completed | p50 ms | p99 ms | median size MB | newest chk dir MB | peak RSS MB |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    let mut notes = Vec::new();
    for (workers, by_variant) in runs {
        let base = median(&by_variant[0].iter().map(|r| r.wall).collect::<Vec<_>>());
        let base_cpu = median_of(by_variant[0].iter().map(|r| r.cpu));
        let base_output = by_variant[0].first().map_or(0, |r| r.output_bytes);
        for (variant, variant_runs) in variants.iter().zip(by_variant) {
            let walls: Vec<f64> = variant_runs.iter().map(|r| r.wall).collect();
            let wall = median(&walls);
            let (low, high) = walls
                .iter()
                .fold((f64::MAX, 0f64), |(l, h), &w| (l.min(w), h.max(w)));
            let stats = |f: fn(&Stats) -> Option<f64>| {
                median_of(variant_runs.iter().map(|r| r.stats.as_ref().and_then(f)))
            };
            let completed = stats(|s| Some(s.completed as f64));
            let failed: u64 = variant_runs
                .iter()
                .filter_map(|r| r.stats.map(|s| s.failed))
                .sum();
            if failed > 0 {
                notes.push(format!(
                    "{workers} workers, {}: {failed} checkpoints failed",
                    variant.label()
                ));
            }
            for run in variant_runs {
                if run.output_bytes != base_output {
                    notes.push(format!(
                        "{workers} workers, {}: output of {} bytes, without checkpoints {}",
                        variant.label(),
                        run.output_bytes,
                        base_output
                    ));
                }
            }
            let cpu = median_of(variant_runs.iter().map(|r| r.cpu));
            // Per rep, the runs of every variant ran back to back, under much the same load.
            let paired: Vec<f64> = by_variant[0]
                .iter()
                .zip(variant_runs)
                .map(|(none, run)| none.wall / run.wall)
                .collect();
            let (ratio, cpu_ratio) = if *variant == Variant::None {
                ("1.00".to_owned(), "".to_owned())
            } else {
                (
                    format!("**{:.2}** / {:.2}", base / wall, median(&paired)),
                    match (cpu, base_cpu) {
                        (Some(cpu), Some(base)) => format!("{:+.0}%", (cpu / base - 1.0) * 100.0),
                        _ => "-".into(),
                    },
                )
            };
            let _ = writeln!(
                out,
                "| {workers} | {} | {wall:.3} ({low:.2}-{high:.2}) | {:.2} | {ratio} | {} | {cpu_ratio} | {} | {} | {} | {} | {} | {:.0} |",
                variant.label(),
                options.events as f64 / wall / 1e6,
                fmt_opt(cpu, 2),
                fmt_opt(completed, 0),
                fmt_opt(stats(|s| s.p50_ms), 0),
                fmt_opt(stats(|s| s.p99_ms), 0),
                fmt_opt(stats(|s| s.size_bytes.map(|b| b / 1e6)), 1),
                fmt_opt(
                    median_of(
                        variant_runs
                            .iter()
                            .map(|r| r.newest_checkpoint.map(|b| b as f64 / 1e6))
                    ),
                    1
                ),
                median(
                    &variant_runs
                        .iter()
                        .map(|r| r.peak_rss_kb as f64 / 1024.0)
                        .collect::<Vec<_>>()
                ),
            );
        }
    }
    let _ = writeln!(
        out,
        "\nWall: the process from spawn to exit. Throughput vs none: median wall without checkpoints / \
         median wall of the row; paired: the median over reps of the same ratio within a rep (whose \
         runs ran back to back). CPU: the child's user + system seconds (its `cutime + cstime` once \
         reaped), less disturbed by other load than wall time; CPU vs none: the CPU time's median \
         over that of the run without checkpoints. completed, p50, p99, median size: from the run's summary line \
         (checkpoint duration from announcement to manifest; size of its parts), median over reps. \
         Newest chk dir: the final checkpoint's directory (written after the whole input). Output \
         to a file in every run (`--output`); final only = `--checkpoint-interval 1000`."
    );
    if notes.is_empty() {
        let _ = writeln!(
            out,
            "\nEvery run's output file had the length of the run without checkpoints."
        );
    } else {
        let _ = writeln!(out, "\n**Warnings:**");
        for note in notes {
            let _ = writeln!(out, "- {note}");
        }
    }
    out
}

fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Recovery

/// One kill and what followed it; times in seconds from the kill.
struct Kill {
    victim: String,
    /// Seconds from the last growth of the committed output to the kill: the work lost.
    since_commit: f64,
    /// The launcher says it restarts the job.
    restart: Option<f64>,
    /// A restarted process says `restoring checkpoint`.
    restoring: Option<f64>,
    /// The committed output grows past its length at the kill.
    resumed: Option<f64>,
}

/// A launcher's process group, killed when dropped.
struct Launcher {
    child: Child,
}

impl Drop for Launcher {
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill")
            .args(["-9", "--", &group])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn measure_recovery(options: &Options, binary: &Path, scratch: &Path, k: usize) -> Kill {
    let dir = scratch.join(format!("recovery-{k}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a run directory");
    let hosts = hosts_file(&dir, 2);
    let output = dir.join("out.csv");
    let commits = dir.join("out.csv.commits");
    let mut command = Command::new(binary);
    command
        .arg("--events")
        .arg(options.recovery_events.to_string())
        .args(["--workers", "1", "--quiet", "--hosts"])
        .arg(&hosts)
        .arg("--output")
        .arg(&output)
        .arg("--checkpoint-dir")
        .arg(dir.join("chk"))
        .arg("--checkpoint-interval")
        .arg(options.interval.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .process_group(0);
    let started = Instant::now();
    let mut launcher = Launcher {
        child: command.spawn().expect("start the launcher"),
    };
    // The runtime's lines, with the time they arrived; the late records are dropped.
    let log: Arc<Mutex<Vec<(Instant, String)>>> = Arc::default();
    let reader = {
        let log = Arc::clone(&log);
        let stderr = launcher.child.stderr.take().expect("a piped stderr");
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).split(b'\n').map_while(|l| l.ok()) {
                if line.starts_with(b"rill: ") {
                    let line = String::from_utf8_lossy(&line).into_owned();
                    log.lock().unwrap().push((Instant::now(), line));
                }
            }
        })
    };
    let ended = |launcher: &mut Launcher, log: &Mutex<Vec<(Instant, String)>>| {
        if let Ok(Some(status)) = launcher.child.try_wait() {
            let lines: Vec<String> = log.lock().unwrap().iter().map(|l| l.1.clone()).collect();
            panic!(
                "the job ended ({status}) before the measurement was done: make the input longer \
                 (--recovery-events)\n{}",
                lines.join("\n")
            );
        }
    };

    // Wait for the first committed output and `kill_after`, noting when the committed length
    // last grew.
    let (mut committed, mut grew) = (0u64, started);
    loop {
        ended(&mut launcher, &log);
        if let Some(length) = committed_length(&commits) {
            if length > committed {
                (committed, grew) = (length, Instant::now());
            }
        }
        if committed > 0 && started.elapsed().as_secs_f64() >= options.kill_after {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "no output was committed in 2 minutes"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    let children = children_of(launcher.child.id());
    assert!(
        children.len() == 2,
        "expected the launcher's 2 processes, found {children:?}"
    );
    let wanted = (k % 2).to_string();
    let (victim_pid, victim) = children
        .iter()
        .map(|&pid| (pid, process_index(pid).unwrap_or_else(|| "?".into())))
        .find(|(_, index)| *index == wanted)
        .unwrap_or_else(|| (children[k % 2], "?".into()));
    // The committed length just before the kill.
    if let Some(length) = committed_length(&commits) {
        if length > committed {
            (committed, grew) = (length, Instant::now());
        }
    }
    let status = Command::new("kill")
        .args(["-9", &victim_pid.to_string()])
        .status()
        .expect("kill");
    let killed = Instant::now();
    assert!(status.success(), "kill -9 {victim_pid} failed");
    let since_commit = killed.duration_since(grew).as_secs_f64();

    let mut resumed = None;
    while killed.elapsed() < Duration::from_secs(60) {
        ended(&mut launcher, &log);
        if committed_length(&commits).is_some_and(|length| length > committed) {
            resumed = Some(killed.elapsed().as_secs_f64());
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let after = |needle: &str| {
        log.lock()
            .unwrap()
            .iter()
            .find(|(at, line)| *at >= killed && line.contains(needle))
            .map(|(at, _)| at.duration_since(killed).as_secs_f64())
    };
    let kill = Kill {
        victim: format!("process {victim}"),
        since_commit,
        restart: after("restarting from the newest complete checkpoint"),
        restoring: after("restoring checkpoint"),
        resumed,
    };
    let lines: Vec<String> = log.lock().unwrap().iter().map(|l| l.1.clone()).collect();
    drop(launcher);
    let _ = reader.join();
    eprintln!(
        "kill {}: {} killed {:.2} s after the last commit; restart at {} s, restoring at {} s, \
         output resumed at {} s",
        k + 1,
        kill.victim,
        kill.since_commit,
        fmt_opt(kill.restart, 2),
        fmt_opt(kill.restoring, 2),
        fmt_opt(kill.resumed, 2)
    );
    if kill.resumed.is_none() {
        eprintln!(
            "output did not resume within 60 s; the runtime said:\n{}",
            lines.join("\n")
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
    kill
}

/// The committed length of the output: the last `id length` line of `PATH.commits`.
fn committed_length(commits: &Path) -> Option<u64> {
    let text = std::fs::read_to_string(commits).ok()?;
    let line = text.lines().rev().find(|l| !l.trim().is_empty())?;
    line.split_once(' ')?.1.trim().parse().ok()
}

/// The `--process I` argument of a launched process.
fn process_index(pid: u32) -> Option<String> {
    let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
    let args: Vec<&[u8]> = cmdline.split(|&b| b == 0).collect();
    let at = args.iter().position(|a| *a == b"--process")?;
    Some(String::from_utf8_lossy(args.get(at + 1)?).into_owned())
}

fn recovery_table(options: &Options, kills: &[Kill]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "## Recovery: 2 processes x 1 worker under the launcher, checkpoints every {} s, kill -9 of one process {} s in\n",
        options.interval, options.kill_after
    );
    let _ = writeln!(
        out,
        "| kill | victim | kill after the last commit, s | launcher restarts, s | `restoring checkpoint`, s | output resumes, s |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|");
    for (k, kill) in kills.iter().enumerate() {
        let _ = writeln!(
            out,
            "| {} | {} | {:.2} | {} | {} | {} |",
            k + 1,
            kill.victim,
            kill.since_commit,
            fmt_opt(kill.restart, 2),
            fmt_opt(kill.restoring, 2),
            fmt_opt(kill.resumed, 2)
        );
    }
    let _ = writeln!(
        out,
        "| **median** | | {} | {} | {} | **{}** |",
        fmt_opt(median_of(kills.iter().map(|k| Some(k.since_commit))), 2),
        fmt_opt(median_of(kills.iter().map(|k| k.restart)), 2),
        fmt_opt(median_of(kills.iter().map(|k| k.restoring)), 2),
        fmt_opt(median_of(kills.iter().map(|k| k.resumed)), 2),
    );
    let _ = writeln!(
        out,
        "\nTimes from the kill. Launcher restarts: its `restarting from the newest complete \
         checkpoint` line (it polls its processes every 50 ms and gives the others 300 ms to fail \
         on their own; then it waits the restart delay, 0.5 s). `restoring checkpoint`: the first \
         restarted process to say so. Output resumes: the committed length in `out.csv.commits` \
         exceeds its length at the kill. Input: {} generated events (the job is killed once \
         measured).",
        thousands(options.recovery_events)
    );
    out
}
