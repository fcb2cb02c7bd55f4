//! Running an example as a child process and reading what it reports: its wall and CPU time,
//! its peak memory, the runtime's `rill: ` log lines and the checkpoint statistics of its summary
//! line. Shared by the benches that drive examples (`checkpoints`, `checkpoints_incremental`).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What one run of a child process measured.
pub struct ChildRun {
    pub status: ExitStatus,
    /// Seconds from spawn to exit.
    pub wall: f64,
    /// User + system CPU seconds.
    pub cpu: Option<f64>,
    /// Peak resident set (`VmHWM`, polled every 20 ms), in kB.
    pub peak_rss_kb: u64,
    /// The runtime's lines of its log (`rill: ...`).
    pub lines: Vec<String>,
}

/// Runs `command` (whose stderr goes to `log`) to its end.
pub fn run_child(mut command: Command, log: &Path) -> ChildRun {
    let cpu_before = children_cpu();
    let started = Instant::now();
    let mut child = command.spawn().expect("start the example");
    let peak = Arc::new(AtomicU64::new(0));
    let done = Arc::new(AtomicBool::new(false));
    let poller = {
        let (peak, done, pid) = (Arc::clone(&peak), Arc::clone(&done), child.id());
        std::thread::spawn(move || {
            while !done.load(Ordering::Relaxed) {
                if let Some(kb) = vm_hwm_kb(pid) {
                    peak.fetch_max(kb, Ordering::Relaxed);
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        })
    };
    let status = child.wait().expect("wait for the example");
    let wall = started.elapsed().as_secs_f64();
    let cpu = children_cpu()
        .zip(cpu_before)
        .map(|(after, before)| after - before);
    done.store(true, Ordering::Relaxed);
    let _ = poller.join();
    ChildRun {
        status,
        wall,
        cpu,
        peak_rss_kb: peak.load(Ordering::Relaxed),
        lines: rill_lines(log),
    }
}

/// A scratch directory holding a copy of the example binary `built` (named `job`), so that a
/// rebuild during a long run does not change what is measured.
pub fn copy_of_binary(built: &Path, job: &str) -> (tempfile::TempDir, PathBuf) {
    assert!(
        built.is_file(),
        "{} is missing: build it first with `cargo build --release --example {job}`",
        built.display()
    );
    let scratch = tempfile::Builder::new()
        .prefix(&format!("rill-bench-{job}"))
        .tempdir()
        .expect("a scratch directory");
    let binary = scratch.path().join(job);
    std::fs::copy(built, &binary).expect("copy the example binary");
    (scratch, binary)
}

/// Ends a bench's `report` with the load average and the time since `started`, prints it and
/// writes it to `target/{file}`.
pub fn publish(mut report: String, started: Instant, file: &str, quick: bool) {
    report += &format!(
        "\nLoad average at the end: {}; the bench took {:.0} s.\n",
        load_average(),
        started.elapsed().as_secs_f64()
    );
    println!("\n{report}");
    let path = target_dir().join(file);
    match std::fs::write(&path, &report) {
        Ok(()) => eprintln!("written to {}", path.display()),
        Err(e) => eprintln!("cannot write {}: {e}", path.display()),
    }
    if quick {
        eprintln!("(a --quick smoke run: too short for conclusions)");
    }
}

/// `target/`: a bench runs as `target/release/deps/NAME-HASH`.
pub fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("this bench's path");
    exe.ancestors()
        .nth(3)
        .expect("the bench runs from target/PROFILE/deps")
        .to_path_buf()
}

pub fn run_text(program: &str, args: &[&str]) -> String {
    Command::new(program)
        .args(args)
        .output()
        .ok()
        .filter(|out| out.status.success())
        .map_or("?".into(), |out| {
            String::from_utf8_lossy(&out.stdout).trim().to_owned()
        })
}

pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg").map_or("?".into(), |text| {
        text.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    })
}

/// The checkpoint part of a summary line.
#[derive(Clone, Copy, Debug, Default)]
pub struct Stats {
    pub completed: u64,
    pub failed: u64,
    pub p50_ms: Option<f64>,
    pub p99_ms: Option<f64>,
    pub size_bytes: Option<f64>,
}

/// The lines of the log the runtime wrote (`rill: ...`); the late records are skipped.
fn rill_lines(log: &Path) -> Vec<String> {
    let file = std::fs::File::open(log).expect("the log");
    BufReader::new(file)
        .split(b'\n')
        .map_while(|line| line.ok())
        .map(|line| String::from_utf8_lossy(&line).into_owned())
        .filter(|line| line.starts_with("rill: "))
        .collect()
}

/// Parses `...; K checkpoints (p50 X ms, p99 Y ms, median Z MB)[, F failed]`.
pub fn parse_stats(summary: &str) -> Option<Stats> {
    let part = summary.rsplit("; ").next()?;
    let (count, rest) = part.split_once(" checkpoints")?;
    let mut stats = Stats {
        completed: count.trim().parse().ok()?,
        ..Stats::default()
    };
    let rest = rest.trim();
    if let Some(failed) = rest
        .rsplit(", ")
        .next()
        .and_then(|f| f.strip_suffix(" failed"))
    {
        stats.failed = failed.trim().parse().ok()?;
    }
    if let Some(inner) = rest
        .strip_prefix('(')
        .and_then(|r| r.split_once(')'))
        .map(|(inner, _)| inner)
    {
        for field in inner.split(", ") {
            let mut words = field.split_whitespace();
            let (name, value, unit) = (words.next()?, words.next()?, words.next()?);
            let value: f64 = value.parse().ok()?;
            match name {
                "p50" => stats.p50_ms = Some(value),
                "p99" => stats.p99_ms = Some(value),
                "median" => {
                    let scale = match unit {
                        "kB" => 1e3,
                        "MB" => 1e6,
                        "GB" => 1e9,
                        _ => 1.0,
                    };
                    stats.size_bytes = Some(value * scale);
                }
                _ => {}
            }
        }
    }
    Some(stats)
}

/// The user + system CPU seconds of this process's reaped children (`cutime + cstime`): waiting
/// for a child adds its CPU time, which is less disturbed by other load than its wall time.
fn children_cpu() -> Option<f64> {
    static TICKS: std::sync::OnceLock<f64> = std::sync::OnceLock::new();
    let ticks = *TICKS.get_or_init(|| run_text("getconf", &["CLK_TCK"]).parse().unwrap_or(100.0));
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // After `pid (name)`: state is field 0, cutime 13, cstime 14.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let cutime: f64 = fields.get(13)?.parse().ok()?;
    let cstime: f64 = fields.get(14)?.parse().ok()?;
    Some((cutime + cstime) / ticks)
}

fn vm_hwm_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|kb| kb.trim().trim_end_matches("kB").trim().parse().ok())
}
