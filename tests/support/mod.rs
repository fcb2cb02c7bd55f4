//! Running example binaries the way users do: on 1 worker, on 4 worker threads, and as 2
//! processes of 2 workers each started by the launcher from a host list.

#![allow(dead_code)] // each test binary uses its own subset of these helpers

use std::collections::BTreeMap;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The layouts every example test runs on.
#[derive(Debug, Clone, Copy)]
pub enum Layout {
    /// `--workers N` in one process.
    Threads(usize),
    /// `--hosts` with this many local processes of `workers` threads, started by the launcher.
    Processes { processes: usize, workers: usize },
}

/// The layouts the issue asks for: 1 worker, 4 workers, 2 processes x 2 workers.
pub const LAYOUTS: [Layout; 3] = [
    Layout::Threads(1),
    Layout::Threads(4),
    Layout::Processes {
        processes: 2,
        workers: 2,
    },
];

/// The path of a compiled example (cargo builds examples before it runs integration tests).
pub fn example(name: &str) -> PathBuf {
    let test_binary = std::env::current_exe().expect("test binary path");
    let profile_dir = test_binary
        .parent()
        .and_then(Path::parent)
        .expect("target/<profile>");
    let path = profile_dir.join("examples").join(name);
    assert!(
        path.exists(),
        "{} is not built; run the tests with `cargo test`",
        path.display()
    );
    path
}

/// Ports on 127.0.0.1 that were free a moment ago.
pub fn free_ports(count: usize) -> Vec<u16> {
    let listeners: Vec<TcpListener> = (0..count)
        .map(|_| TcpListener::bind("127.0.0.1:0").expect("bind"))
        .collect();
    listeners
        .iter()
        .map(|l| l.local_addr().expect("addr").port())
        .collect()
}

/// Writes a host list of `processes` local addresses into `dir`.
pub fn hosts_file(dir: &Path, processes: usize) -> PathBuf {
    let path = dir.join("hosts.txt");
    let lines: Vec<String> = free_ports(processes)
        .iter()
        .map(|port| format!("127.0.0.1:{port}"))
        .collect();
    std::fs::write(&path, lines.join("\n") + "\n").expect("write hosts");
    path
}

/// The command-line flags of a layout.
pub fn layout_args(layout: Layout, dir: &Path) -> Vec<String> {
    match layout {
        Layout::Threads(workers) => vec!["--workers".into(), workers.to_string()],
        Layout::Processes { processes, workers } => vec![
            "--workers".into(),
            workers.to_string(),
            "--hosts".into(),
            hosts_file(dir, processes).display().to_string(),
            "--connect-timeout".into(),
            "20".into(),
        ],
    }
}

/// Runs an example with `args` and returns its output, whatever its exit status.
pub fn run(name: &str, args: &[String]) -> Output {
    Command::new(example(name))
        .args(args)
        .arg("--quiet")
        .output()
        .expect("start example")
}

/// Runs an example and panics with its stderr unless it succeeds.
pub fn run_ok(name: &str, args: &[String]) -> Output {
    let output = run(name, args);
    assert!(
        output.status.success(),
        "{name} {args:?} failed with {}:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// Runs an example in `layout` writing to an output file in `dir`, and returns the file's lines, sorted.
pub fn run_to_sorted_lines(name: &str, layout: Layout, dir: &Path, args: &[String]) -> Vec<String> {
    let output = dir.join("output.csv");
    let mut all: Vec<String> = args.to_vec();
    all.extend(["--output".to_string(), output.display().to_string()]);
    all.extend(layout_args(layout, dir));
    run_ok(name, &all);
    sorted_lines(&std::fs::read_to_string(&output).expect("read output"))
}

/// The lines of `text`, sorted.
pub fn sorted_lines(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    lines.sort();
    lines
}

/// The live (not zombie) processes whose parent is `parent`, from `/proc`, by pid.
pub fn children_of(parent: u32) -> Vec<u32> {
    let mut children = Vec::new();
    for entry in std::fs::read_dir("/proc").expect("/proc").flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // `pid (name) state ppid ...`: the name may hold spaces, so split after the last `)`.
        let Some((_, rest)) = stat.rsplit_once(')') else {
            continue;
        };
        let mut fields = rest.split_whitespace();
        let (state, ppid) = (fields.next(), fields.next());
        if ppid.and_then(|p| p.parse::<u32>().ok()) == Some(parent) && state != Some("Z") {
            children.push(pid);
        }
    }
    children.sort_unstable();
    children
}

/// The lines of a file, counted: its contents as a multiset.
pub fn counted_lines(path: &Path) -> BTreeMap<String, usize> {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let mut counts = BTreeMap::new();
    for line in text.lines() {
        *counts.entry(line.to_string()).or_default() += 1;
    }
    counts
}
