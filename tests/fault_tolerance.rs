//! Fault injection, in the style of Flink's checkpointing ITCases: a job runs as 2 processes x 2
//! workers with checkpoints every 100 ms under the launcher, which restarts it from the newest
//! complete checkpoint; this driver kills one process (or all of them) with SIGKILL at seeded
//! random moments, and then compares the committed output with a failure-free run: not one record
//! lost, not one duplicated.
//!
//! This binary is both the driver and, when `RILL_FT_JOB` is set, the job's processes.
//! `RILL_FT_KILLS` sets the kills per job (default 10); `RILL_FT_SEED` the seed; `RILL_FT_JOBS`
//! which jobs to check (default `windows,process,iterate,bulk`); `RILL_FT_KILLS_ONLY` runs the kill
//! checks alone (the soak script, `scripts/fault_soak.sh`, does).

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use rill::prelude::*;
use serde::{Deserialize, Serialize};
use support::{children_of, counted_lines, hosts_file};

/// Events per job, and how fast the faulty runs generate them: about 8 s of input.
const EVENTS: u64 = 160_000;
const RATE: f64 = 20_000.0;

fn main() {
    if let Ok(kind) = std::env::var("RILL_FT_JOB") {
        let output = PathBuf::from(std::env::var("RILL_FT_OUTPUT").expect("RILL_FT_OUTPUT"));
        let rate = std::env::var("RILL_FT_RATE")
            .ok()
            .and_then(|r| r.parse::<f64>().ok());
        if let Err(error) = run_job(&kind, &output, rate) {
            eprintln!("Error: {error}");
            std::process::exit(1);
        }
        return;
    }
    let kills: usize = env_or("RILL_FT_KILLS", 10);
    let seed: u64 = env_or("RILL_FT_SEED", 20261121);
    let jobs =
        std::env::var("RILL_FT_JOBS").unwrap_or_else(|_| "windows,process,iterate,bulk".into());
    for kind in jobs.split(',').filter(|kind| !kind.is_empty()) {
        check(kind, kills, seed);
    }
    if std::env::var_os("RILL_FT_KILLS_ONLY").is_some() {
        println!("fault tolerance: kill checks ok (RILL_FT_KILLS_ONLY: the other checks skipped)");
        return;
    }
    corrupt_checkpoint_falls_back();
    full_disk_fails_checkpoints_not_the_job();
    savepoint_on_signal_restores();
    savepoints_rescale(&jobs);
    println!("fault tolerance: ok");
}

/// How many times longer than the default the jobs' inputs are: one more for every 10 kills
/// beyond the first 10, so that a long run (`RILL_FT_KILLS=50`) does not run out of input.
fn length_factor() -> u64 {
    env_or::<u64>("RILL_FT_KILLS", 10).div_ceil(10).max(1)
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A word at an event time, slightly out of order, some of it later than the watermark allows.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Event {
    ts_ms: u64,
    word: String,
    cents: u64,
}

fn event(index: u64, rng: &mut Rng) -> Event {
    let jitter = if rng.below(20) == 0 {
        rng.below(2_000)
    } else {
        rng.below(200)
    };
    Event {
        ts_ms: (10 * index).saturating_sub(jitter),
        word: format!("w{}", rng.below(40)),
        cents: rng.below(1_000),
    }
}

/// An event with a distinct, increasing timestamp: a process function whose state depends on the
/// order of a key's records gets the same order on any number of workers.
fn ordered_event(index: u64, rng: &mut Rng) -> Event {
    Event {
        ts_ms: 10 * index + rng.below(10),
        ..event(index, rng)
    }
}

/// The changing graph of the iterative job: change `i` inserts a random edge on
/// `GRAPH_VERTICES` vertices and retracts the edge that change `i - GRAPH_WINDOW` inserted.
const GRAPH_CHANGES: u64 = 16_000;
const GRAPH_VERTICES: u64 = 3_000;
const GRAPH_WINDOW: u64 = 2_000;
/// How fast the faulty runs apply graph changes: about 8 s of input, in epochs of 100 changes.
const GRAPH_RATE: f64 = 2_000.0;

/// The edge that graph change `i` inserts.
fn graph_edge(i: u64) -> (u64, u64) {
    let mut rng = Rng::new(0x9e37_79b9 ^ i);
    (rng.below(GRAPH_VERTICES), rng.below(GRAPH_VERTICES))
}

/// The updates of graph change `i`: its edge in, and the edge of `GRAPH_WINDOW` changes ago out.
fn graph_updates(i: u64) -> Vec<((u64, u64), isize)> {
    let mut updates = vec![(graph_edge(i), 1)];
    if i >= GRAPH_WINDOW {
        updates.push((graph_edge(i - GRAPH_WINDOW), -1));
    }
    updates
}

/// Runs one of the jobs, writing its outputs next to `output`.
fn run_job(kind: &str, output: &Path, rate: Option<f64>) -> Result<(), RillError> {
    let strategy = match kind {
        "iterate" => Some(Strategy::Incremental),
        "bulk" => Some(Strategy::Bulk),
        _ => None,
    };
    if let Some(strategy) = strategy {
        return run_iterative_job(output, rate.map(|rate| rate * GRAPH_RATE / RATE), strategy);
    }
    let make = if kind == "process" {
        ordered_event
    } else {
        event
    };
    let events = generate(EVENTS * length_factor(), 7, make).events_per_epoch(500);
    let events = match rate {
        Some(rate) => events.rate(rate),
        None => events,
    };
    let main = output.join("main.csv");
    let side = output.join("side.csv");
    let totals = output.join("totals.csv");
    let arrivals = output.join("arrivals.csv");
    let options = RunOptions::from_args();
    match kind {
        // Tumbling event-time windows with allowed lateness, and the late-data output.
        "windows" => dataflow! {
            #![name = "ft_windows"]
            let (counts, late) = source(events)
                -> timestamps(|e: &Event| e.ts_ms, bounded(300ms))
                -> key_by(|e: &Event| e.word.clone())
                -> window(tumbling(1s), lateness(500ms))
                -> count();
            counts
                -> map(|w: WindowResult<String, u64>| (w.end, w.key, w.value))
                -> sink(csv_to(Some(main.clone())));
            late
                -> map(|l: Late<Event>| (l.timestamp, l.record.word))
                -> sink(csv_to(Some(side.clone())));
        }
        .run_with(&options)?,
        // A keyed process function with value state and event-time timers, and a keyed running
        // count (its outputs, per epoch, are the same in every run: the source's epochs are).
        "process" => dataflow! {
            #![name = "ft_process"]
            let events = source(events);
            let (bursts, quiet) = events
                -> timestamps(|e: &Event| e.ts_ms, bounded(300ms))
                -> key_by(|e: &Event| e.word.clone())
                -> keyed_process(
                    state(0u64),
                    |ctx: &mut ProcessContext<String, u64, (String, u64, u64), (String, u64)>, e: Event| {
                        *ctx.state() += e.cents;
                        if *ctx.state() > 20_000 {
                            let total = *ctx.state();
                            let key = ctx.key().clone();
                            ctx.emit((key, e.ts_ms, total));
                            *ctx.state() = 0;
                        }
                        ctx.set_timer(e.ts_ms + 700);
                    },
                    |ctx: &mut ProcessContext<String, u64, (String, u64, u64), (String, u64)>, timer: Timer| {
                        let key = ctx.key().clone();
                        ctx.side((key, timer.time));
                    });
            bursts -> sink(csv_to(Some(main.clone())));
            quiet -> sink(csv_to(Some(side.clone())));
            events
                -> key_by(|e: &Event| e.word.clone())
                -> count()
                -> sink(csv_to(Some(totals.clone())));
            // 500 keys in turn, 64 events each: a checkpoint changes few of the count's chunks
            // and refers to earlier checkpoints for the others, whose keys come back later.
            events
                -> key_by(|e: &Event| e.ts_ms / 640 % 500)
                -> count()
                -> sink(csv_to(Some(arrivals.clone())));
        }
        .run_with(&options)?,
        other => return Err(RillError::new(format!("unknown job {other}"))),
    };
    Ok(())
}

/// An iterative job: the connected components (min-label propagation in an
/// `iterate` loop: incremental, over differential dataflow, or bulk, recomputed at every epoch)
/// of a graph whose edges change every epoch; its output is every epoch's changes of the
/// components (`# epoch N`, then `+`/`-` lines, written by the exactly-once `changes_to` file
/// sink).
fn run_iterative_job(
    output: &Path,
    rate: Option<f64>,
    strategy: Strategy,
) -> Result<(), RillError> {
    let changes = generate(GRAPH_CHANGES * length_factor(), 11, |i, _| i).events_per_epoch(100);
    let changes = match rate {
        Some(rate) => changes.rate(rate),
        None => changes,
    };
    let main = output.join("main.csv");
    dataflow! {
        #![name = "ft_iterate"]
        let edges = source(changes) -> flat_map(|i: u64| graph_updates(i)) -> from_changes();
        let links = edges -> flat_map(|(a, b): (u64, u64)| [(a, b), (b, a)]);
        let vertices = links -> map(|(vertex, _): (u64, u64)| vertex) -> distinct();
        let labels = iterate(strategy = strategy) {
            var labels = vertices -> map(|vertex: u64| (vertex, vertex));
            let offered = labels -> join_map(links, |_, label: &u64, next: &u64| (*next, *label));
            next labels = offered -> concat(labels) -> min();
            labels
        };
        labels
            -> map(|(vertex, label): (u64, u64)| format!("{vertex} {label}"))
            -> changes()
            -> sink(changes_to(Some(main.clone())));
    }
    .run_with(&RunOptions::from_args())?;
    Ok(())
}

/// Runs `kind` without failures, then with `kills` kills, and compares the outputs.
fn check(kind: &str, kills: usize, seed: u64) {
    let dir = tempfile::tempdir().unwrap();
    let reference = dir.path().join("reference");
    let faulty = dir.path().join("faulty");
    std::fs::create_dir_all(&reference).unwrap();
    std::fs::create_dir_all(&faulty).unwrap();
    let status = job_command(kind, &reference, None)
        .args(["--workers", "2", "--quiet"])
        .status()
        .unwrap();
    assert!(status.success(), "{kind}: the failure-free run failed");

    let hosts = hosts_file(dir.path(), 2);
    let checkpoints = dir.path().join("checkpoints");
    let mut launcher = job_command(kind, &faulty, Some(RATE))
        .args(["--workers", "2", "--hosts"])
        .arg(&hosts)
        .arg("--checkpoint-dir")
        .arg(&checkpoints)
        .args(["--checkpoint-interval", "0.1", "--restart-attempts", "1000"])
        .args(["--restart-delay", "0.05", "--quiet"])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let log = read_in_background(&mut launcher);
    let (done, all) = inject(&mut launcher, kills, seed);
    let status = wait_at_most(&mut launcher, Duration::from_secs(240));
    let log = log.join().unwrap();
    let Some(status) = status else {
        // Keep the outputs (their `.commits` say how far the run got) and the checkpoints.
        let kept = dir.keep();
        panic!(
            "{kind}: the run with failures hangs; run kept in {}; its log:\n{log}",
            kept.display()
        );
    };
    assert!(
        status.success(),
        "{kind}: the run with failures failed:\n{log}"
    );
    assert!(
        done >= kills,
        "{kind}: the job ended after {done} of {kills} kills: make it longer\n{log}"
    );
    let restores = log.matches("restoring checkpoint").count();
    let references = chunk_references(&checkpoints);
    if kind == "process" {
        assert!(
            references > 0,
            "{kind}: no checkpoint refers to chunks of an earlier one (incremental checkpoints)"
        );
    }
    for entry in std::fs::read_dir(&reference).unwrap() {
        let file = entry.unwrap().file_name().to_string_lossy().into_owned();
        if !file.ends_with(".csv") {
            continue;
        }
        let expected = counted_lines(&reference.join(&file));
        let got = counted_lines(&faulty.join(&file));
        assert!(
            !expected.is_empty(),
            "{kind}: {file} of the reference is empty"
        );
        if let Err(difference) = differences(kind, &file, &expected, &got) {
            // Keep the outputs and checkpoints of a failing run for a post-mortem.
            let kept = dir.keep();
            panic!(
                "{difference}\nrun kept in {}; its log:\n{log}",
                kept.display()
            );
        }
    }
    println!(
        "{kind}: {done} kills ({all} of all processes), {restores} process restores, output \
         identical; {references} references to earlier checkpoints in the last ones"
    );
}

/// How many parts of earlier checkpoints the chunked parts of the complete checkpoints in
/// `checkpoints` refer to (their manifests list them).
fn chunk_references(checkpoints: &Path) -> usize {
    let mut references = 0;
    for entry in std::fs::read_dir(checkpoints).unwrap() {
        let Ok(manifest) = std::fs::read_to_string(entry.unwrap().path().join("MANIFEST")) else {
            continue;
        };
        let manifest: serde_json::Value = serde_json::from_str(&manifest).unwrap();
        for part in manifest["parts"].as_array().unwrap() {
            references += part["references"].as_array().map_or(0, Vec::len);
        }
    }
    references
}

/// A finished run's newest checkpoint is corrupted: `--restore DIR` warns, naming the file, restores
/// the previous complete checkpoint, and the output file ends up as a failure-free run writes it.
/// A checkpoint of one job does not restore into another.
fn corrupt_checkpoint_falls_back() {
    let dir = tempfile::tempdir().unwrap();
    let (reference, output) = (dir.path().join("reference"), dir.path().join("output"));
    std::fs::create_dir_all(&reference).unwrap();
    std::fs::create_dir_all(&output).unwrap();
    let checkpoints = dir.path().join("checkpoints");
    let run = |output: &Path, extra: &[&std::ffi::OsStr]| {
        job_command("windows", output, Some(RATE * 4.0))
            .args(["--workers", "2", "--quiet"])
            .args(extra)
            .output()
            .unwrap()
    };
    assert!(run(&reference, &[]).status.success());
    let first = run(
        &output,
        &[
            "--checkpoint-dir".as_ref(),
            checkpoints.as_os_str(),
            "--checkpoint-interval".as_ref(),
            "0.2".as_ref(),
        ],
    );
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let mut complete: Vec<PathBuf> = std::fs::read_dir(&checkpoints)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("MANIFEST").exists())
        .collect();
    complete.sort();
    assert!(
        complete.len() >= 2,
        "expected several checkpoints, found {complete:?}"
    );
    let newest = complete.last().unwrap();
    let part = std::fs::read_dir(newest)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            p.extension().is_some_and(|e| e == "part") && p.to_string_lossy().contains("sink@")
        })
        .expect("a sink part");
    let mut bytes = std::fs::read(&part).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    std::fs::write(&part, bytes).unwrap();
    let restored = run(&output, &["--restore".as_ref(), checkpoints.as_os_str()]);
    let log = String::from_utf8_lossy(&restored.stderr);
    assert!(restored.status.success(), "{log}");
    let file_name = part.file_name().unwrap().to_string_lossy();
    assert!(
        log.contains("warning") && log.contains(&*file_name),
        "no warning naming {file_name}:\n{log}"
    );
    let previous = complete[complete.len() - 2]
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    assert!(
        log.contains(&format!("restoring checkpoint {previous}")),
        "{log}"
    );
    compare_files("corrupt", &reference, &output, &["main.csv", "side.csv"]);
    let other = job_command("process", &output, None)
        .args(["--workers", "2", "--quiet", "--restore"])
        .arg(&checkpoints)
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&other.stderr);
    assert!(
        !other.status.success() && log.contains("belongs to job"),
        "{log}"
    );
    println!("corrupt checkpoint: fell back to {previous}, output identical; other job refused");
}

/// Checkpoints go to a tiny tmpfs (in a private mount namespace, made with `unshare`) that starts
/// full. While it is full every checkpoint fails, and the job goes on; once space is freed,
/// checkpoints complete, and the output equals a failure-free run's. A disk that stays full fails
/// the final checkpoint, which commits the last output: the job stops with an error that says so,
/// instead of hanging or committing output no checkpoint covers.
fn full_disk_fails_checkpoints_not_the_job() {
    let dir = tempfile::tempdir().unwrap();
    let (reference, output) = (dir.path().join("reference"), dir.path().join("output"));
    let mount = dir.path().join("tiny");
    for path in [&reference, &output, &mount] {
        std::fs::create_dir_all(path).unwrap();
    }
    let status = job_command("windows", &reference, None)
        .args(["--workers", "2", "--quiet"])
        .status()
        .unwrap();
    assert!(status.success());
    let on_full_disk = |free_after: Option<&str>, rate: f64, extra: &[&str]| {
        let job = job_command("windows", &output, Some(rate));
        let mut command = Command::new("unshare");
        command
            .args(["--map-root-user", "--mount", "sh", "-c", FULL_DISK, "sh"])
            .arg(&mount)
            .arg(free_after.unwrap_or(""))
            .arg(job.get_program())
            .args(["--workers", "2", "--checkpoint-dir"])
            .arg(&mount)
            .args(["--checkpoint-interval", "0.2"])
            .args(extra);
        for (key, value) in job.get_envs() {
            command.env(key, value.unwrap());
        }
        let mut child = command.stderr(Stdio::piped()).spawn().unwrap();
        let log = read_in_background(&mut child);
        let status = wait_at_most(&mut child, Duration::from_secs(120));
        let log = log.join().unwrap();
        (
            status.unwrap_or_else(|| panic!("the job hangs:\n{log}")),
            log,
        )
    };

    let (status, log) = on_full_disk(Some("2"), RATE, &[]);
    assert!(status.success(), "{log}");
    assert!(
        log.contains("failed (1 so far)") && log.contains("No space left on device"),
        "no checkpoint failed on the full disk:\n{log}"
    );
    // The run's summary line ends `; N checkpoints (p50 ..., p99 ...), M failed`.
    let completed: u64 = log
        .split("; ")
        .last()
        .and_then(|stats| stats.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    assert!(
        completed > 0,
        "no checkpoint completed once space was freed:\n{log}"
    );
    compare_files("full disk", &reference, &output, &["main.csv", "side.csv"]);

    let (status, log) = on_full_disk(None, RATE * 8.0, &["--restart-attempts", "0"]);
    assert!(
        !status.success(),
        "the job committed output on a full disk:\n{log}"
    );
    assert!(
        log.contains(
            "the final checkpoint, which commits the job's last output, cannot be written"
        ),
        "{log}"
    );
    println!(
        "full disk: checkpoints failed and the job went on; {completed} completed once space was \
         freed, output identical; a disk that stays full stops the job with an error"
    );
}

/// SIGUSR1 to the launcher of a 2-process job takes a savepoint while the job runs, and
/// `--savepoint-at-end` keeps the final checkpoint; both land in `DIR/savepoints`, apart from the
/// rolling checkpoints. A new run restored from the mid-run savepoint, writing to the same files,
/// cuts them back to what the savepoint had committed and ends with a failure-free run's output.
fn savepoint_on_signal_restores() {
    let dir = tempfile::tempdir().unwrap();
    let (reference, output) = (dir.path().join("reference"), dir.path().join("output"));
    std::fs::create_dir_all(&reference).unwrap();
    std::fs::create_dir_all(&output).unwrap();
    let status = job_command("windows", &reference, None)
        .args(["--workers", "2", "--quiet"])
        .status()
        .unwrap();
    assert!(status.success());
    let hosts = hosts_file(dir.path(), 2);
    let run = |checkpoints: &Path, extra: &[&std::ffi::OsStr], signal_after: Option<Duration>| {
        run_savepointed("windows", &output, &hosts, checkpoints, extra, signal_after)
    };
    let checkpoints = dir.path().join("checkpoints");
    let log = run(
        &checkpoints,
        &["--savepoint-at-end".as_ref()],
        Some(Duration::from_secs(3)),
    );
    assert_eq!(log.matches("savepoint written").count(), 2, "{log}");
    let mut savepoints: Vec<PathBuf> = std::fs::read_dir(checkpoints.join("savepoints"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("MANIFEST").exists())
        .collect();
    savepoints.sort();
    assert_eq!(savepoints.len(), 2, "{savepoints:?}");
    let (middle, end) = (&savepoints[0], &savepoints[1]);
    assert!(
        end.ends_with(format!("chk-{:020}", u64::MAX - 1)),
        "{end:?}"
    );

    let restored = run(
        &dir.path().join("checkpoints-2"),
        &["--restore".as_ref(), middle.as_os_str()],
        None,
    );
    let name = middle.file_name().unwrap().to_string_lossy();
    assert!(
        restored.contains(&format!("restoring checkpoint {name}"))
            && !restored.contains("restarting"),
        "{restored}"
    );
    compare_files("savepoint", &reference, &output, &["main.csv", "side.csv"]);
    println!("savepoint: taken on SIGUSR1 ({name}) and at the end; restored, output identical");
}

/// Runs `kind` as 2 processes (`hosts`) x 2 workers at `RATE`, checkpointing into
/// `checkpoints` with `extra` flags, sends SIGUSR1 (a savepoint) to the launcher after
/// `signal_after`, and returns its log once it has succeeded.
fn run_savepointed(
    kind: &str,
    output: &Path,
    hosts: &Path,
    checkpoints: &Path,
    extra: &[&std::ffi::OsStr],
    signal_after: Option<Duration>,
) -> String {
    let mut launcher = job_command(kind, output, Some(RATE))
        .args(["--workers", "2", "--quiet", "--hosts"])
        .arg(hosts)
        .arg("--checkpoint-dir")
        .arg(checkpoints)
        .args(extra)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let log = read_in_background(&mut launcher);
    if let Some(after) = signal_after {
        std::thread::sleep(after);
        let pid = launcher.id().to_string();
        assert!(Command::new("kill")
            .args(["-USR1", &pid])
            .status()
            .unwrap()
            .success());
    }
    let status = wait_at_most(&mut launcher, Duration::from_secs(120));
    let log = log.join().unwrap();
    assert!(status.is_some_and(|s| s.success()), "{kind}: {log}");
    log
}

/// Rescaling: for each job, a savepoint taken on SIGUSR1 by 2 processes x 2 workers restores
/// into 1 process x 3 workers (fewer workers: some read the shares of two old workers) and into
/// 3 processes x 2 workers (more: some read none); key groups move to their new owners. Each
/// restored run writes to the same files and ends with a failure-free run's output.
fn savepoints_rescale(jobs: &str) {
    for kind in jobs
        .split(',')
        .filter(|kind| ["windows", "process", "iterate", "bulk"].contains(kind))
    {
        let dir = tempfile::tempdir().unwrap();
        let (reference, output) = (dir.path().join("reference"), dir.path().join("output"));
        std::fs::create_dir_all(&reference).unwrap();
        std::fs::create_dir_all(&output).unwrap();
        let status = job_command(kind, &reference, None)
            .args(["--workers", "2", "--quiet"])
            .status()
            .unwrap();
        assert!(status.success(), "{kind}: the failure-free run failed");
        let checkpoints = dir.path().join("checkpoints");
        let hosts = hosts_file(dir.path(), 2);
        let signal_after = Some(Duration::from_secs(3));
        let log = run_savepointed(kind, &output, &hosts, &checkpoints, &[], signal_after);
        let savepoint = std::fs::read_dir(checkpoints.join("savepoints"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.join("MANIFEST").exists())
            .unwrap_or_else(|| panic!("{kind}: no savepoint was written:\n{log}"));
        let files: Vec<String> = std::fs::read_dir(&reference)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|f| f.ends_with(".csv"))
            .collect();
        let files: Vec<&str> = files.iter().map(String::as_str).collect();
        for (processes, workers) in [(1, 3), (3, 2)] {
            let mut restore = job_command(kind, &output, None);
            restore
                .args(["--workers", &workers.to_string(), "--quiet", "--restore"])
                .arg(&savepoint)
                .arg("--checkpoint-dir")
                .arg(
                    dir.path()
                        .join(format!("checkpoints-{processes}x{workers}")),
                );
            if processes > 1 {
                restore
                    .arg("--hosts")
                    .arg(hosts_file(dir.path(), processes));
            }
            let mut restored = restore.stderr(Stdio::piped()).spawn().unwrap();
            let log = read_in_background(&mut restored);
            let status = wait_at_most(&mut restored, Duration::from_secs(120));
            let log = log.join().unwrap();
            assert!(
                status.is_some_and(|s| s.success()),
                "{kind} on {processes} x {workers} failed or hangs: {log}"
            );
            assert!(
                log.contains(&format!(
                    "rescaling it from 2 x 2 to {processes} x {workers}"
                )) && !log.contains("restarting"),
                "{kind} on {processes} x {workers}: {log}"
            );
            compare_files(kind, &reference, &output, &files);
        }
        let name = savepoint.file_name().unwrap().to_string_lossy();
        println!(
            "{kind}: savepoint {name} of 2 x 2 workers restored on 1 x 3 and 3 x 2, output identical"
        );
    }
}

/// Mounts a 1 MiB tmpfs on `$1`, fills it, frees it after `$2` seconds (never if empty), and runs
/// the rest of the arguments.
const FULL_DISK: &str = r#"
set -e
mount -t tmpfs -o size=1m rill-full "$1"
cat /dev/zero > "$1/filler" 2>/dev/null || true
if [ -n "$2" ]; then (sleep "$2"; rm -f "$1/filler") & fi
shift 2
exec "$@"
"#;

/// Kills a random process of the launcher's group (every third time, all of them) at seeded
/// random moments until `kills` kills are done or the launcher exits. Returns the kills done and
/// how many of them killed every process.
fn inject(launcher: &mut Child, kills: usize, seed: u64) -> (usize, usize) {
    let mut rng = Rng::new(seed);
    let (mut done, mut all) = (0, 0);
    let started = Instant::now();
    while done < kills && started.elapsed() < Duration::from_secs(300) {
        std::thread::sleep(Duration::from_millis(300 + rng.below(400)));
        if launcher.try_wait().unwrap().is_some() {
            break;
        }
        let children = children_of(launcher.id());
        if children.len() < 2 {
            continue; // between attempts
        }
        let victims: Vec<u32> = if done % 3 == 2 {
            all += 1;
            children
        } else {
            vec![children[rng.below(children.len() as u64) as usize]]
        };
        for pid in victims {
            let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
        }
        done += 1;
    }
    (done, all)
}

/// Reads the child's (piped) stderr on a thread, so that it never blocks on a full pipe.
fn read_in_background(child: &mut Child) -> std::thread::JoinHandle<String> {
    let mut stderr = child.stderr.take().expect("a piped stderr");
    std::thread::spawn(move || {
        let mut log = Vec::new();
        let _ = std::io::Read::read_to_end(&mut stderr, &mut log);
        String::from_utf8_lossy(&log).into_owned()
    })
}

/// Waits for `child` for at most `limit`; kills it and its processes if it is still running.
fn wait_at_most(child: &mut Child, limit: Duration) -> Option<std::process::ExitStatus> {
    let started = Instant::now();
    while started.elapsed() < limit {
        if let Some(status) = child.try_wait().unwrap() {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    for pid in children_of(child.id()) {
        let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
    }
    let _ = child.kill();
    let _ = child.wait();
    None
}

fn job_command(kind: &str, output: &Path, rate: Option<f64>) -> Command {
    let mut command = Command::new(std::env::current_exe().unwrap());
    command
        .env("RILL_FT_JOB", kind)
        .env("RILL_FT_OUTPUT", output);
    if let Some(rate) = rate {
        command.env("RILL_FT_RATE", rate.to_string());
    }
    command
}

/// Compares `files` of a faulty run's `output` directory with the `reference` run's.
fn compare_files(kind: &str, reference: &Path, output: &Path, files: &[&str]) {
    for file in files {
        compare(
            kind,
            file,
            &counted_lines(&reference.join(file)),
            &counted_lines(&output.join(file)),
        );
    }
}

/// Fails naming the lines lost and duplicated.
fn compare(
    kind: &str,
    file: &str,
    expected: &BTreeMap<String, usize>,
    got: &BTreeMap<String, usize>,
) {
    if let Err(difference) = differences(kind, file, expected, got) {
        panic!("{difference}");
    }
}

/// The lines of `file` lost, duplicated and unexpected in `got`, with the first and last of each.
fn differences(
    kind: &str,
    file: &str,
    expected: &BTreeMap<String, usize>,
    got: &BTreeMap<String, usize>,
) -> Result<(), String> {
    let lost: Vec<&String> = expected
        .iter()
        .filter(|(line, &n)| got.get(*line).copied().unwrap_or(0) < n)
        .map(|(line, _)| line)
        .collect();
    let duplicated: Vec<&String> = expected
        .iter()
        .filter(|(line, &n)| got.get(*line).copied().unwrap_or(0) > n)
        .map(|(line, _)| line)
        .collect();
    let unexpected: Vec<&String> = got.keys().filter(|l| !expected.contains_key(*l)).collect();
    if lost.is_empty() && duplicated.is_empty() && unexpected.is_empty() {
        return Ok(());
    }
    let ends = |lines: &[&String]| {
        format!(
            "{} (first {:?}, last {:?})",
            lines.len(),
            lines.first(),
            lines.last()
        )
    };
    Err(format!(
        "{kind}/{file}: lines lost {}, duplicated {}, unexpected {}",
        ends(&lost),
        ends(&duplicated),
        ends(&unexpected)
    ))
}
