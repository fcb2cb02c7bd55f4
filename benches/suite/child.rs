//! Every measurement runs in a child process: the suite re-executes its own binary with
//! `--one KIND ...`, so that each measurement starts from a fresh heap and its peak memory is
//! its own. A child reports on stdout, one `@metric NAME VALUE` line per value (a name may
//! repeat), and ends with its peak resident set (`VmHWM`).
//!
//! A parallel version runs on a [`Layout`]: worker threads of one process, or local processes
//! of a generated host list (`127.0.0.1` ports that were free a moment ago), each process a
//! child of its own with `--hosts FILE --process I` — or the processes of a real cluster's host
//! list ([`Cluster`], `--cluster`), each started on its host by a remote shell.

use std::collections::BTreeMap;
use std::fmt;
use std::io::{BufRead, BufReader, Lines, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};

use rill::prelude::RunOptions;
use rill::runtime::hosts::read_hosts;

/// Where a parallel version runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Layout {
    /// Worker threads of one process.
    Threads(usize),
    /// Local processes of `workers` threads each, connected by a generated host list.
    Processes { processes: usize, workers: usize },
}

impl fmt::Display for Layout {
    /// `2` for two threads, `2x1` for two processes of one thread.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Layout::Threads(workers) => write!(f, "{workers}"),
            Layout::Processes { processes, workers } => write!(f, "{processes}x{workers}"),
        }
    }
}

/// Where this child runs: its worker threads, and its place in a host list if it is one of
/// several processes.
#[derive(Clone, Debug)]
pub struct Place {
    pub workers: usize,
    pub cluster: Option<(PathBuf, usize)>,
}

impl Place {
    /// The run options of a DSL job here.
    pub fn run_options(&self) -> RunOptions {
        RunOptions {
            workers: self.workers,
            hosts: self.cluster.as_ref().map(|(hosts, _)| hosts.clone()),
            process: self.cluster.as_ref().map(|&(_, process)| process),
            quiet: true,
            ..RunOptions::default()
        }
    }

    /// The timely configuration of a hand-written dataflow here.
    pub fn timely_config(&self) -> timely::Config {
        let communication = match &self.cluster {
            None if self.workers == 1 => timely::CommunicationConfig::Thread,
            None => timely::CommunicationConfig::Process(self.workers),
            Some((hosts, process)) => timely::CommunicationConfig::Cluster {
                threads: self.workers,
                process: *process,
                addresses: read_hosts(hosts).expect("the host list"),
                report: false,
                zerocopy: false,
            },
        };
        timely::Config {
            communication,
            worker: timely::WorkerConfig::default(),
        }
    }
}

/// What children reported: every value of every metric, in the order reported.
#[derive(Clone, Debug, Default)]
pub struct Metrics(pub BTreeMap<String, Vec<f64>>);

impl Metrics {
    /// The first value of `name`; panics if the child did not report it.
    pub fn get(&self, name: &str) -> f64 {
        self.all(name)[0]
    }

    /// Every value of `name`.
    pub fn all(&self, name: &str) -> &[f64] {
        self.0
            .get(name)
            .unwrap_or_else(|| panic!("no metric {name:?} in {:?}", self.0.keys()))
    }
}

/// In a child: reports a metric to the parent.
pub fn report(name: &str, value: f64) {
    println!("@metric {name} {value}");
}

/// In a child: reports the peak resident set size of this process, in MiB.
pub fn report_peak_memory() {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib: f64 = status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(f64::NAN);
    report("peak_mib", kib / 1024.0);
}

/// Runs one measurement on `layout`: this binary with `args` plus the layout's flags, once per
/// process; waits for all and merges their metrics. Process `i` gets `--process i` and writes
/// its results to `result` with `.pI` appended. Several processes start their timed part
/// together: each says `@ready` when it has loaded its input, and waits for a line on stdin,
/// which it gets once all are ready. For several processes, `seconds` is the slowest process's
/// and `peak_mib` the sum of all.
pub fn measure(args: &[String], layout: Layout, result: &Path, scratch: &Path) -> Metrics {
    let program = own_copy(scratch);
    let cluster = Cluster::get().filter(|_| matches!(layout, Layout::Processes { .. }));
    let spawn = |extra: Vec<String>, process: usize| -> Running {
        let mut command = match cluster {
            Some(cluster) => cluster.command(process, &program),
            None => Command::new(&program),
        };
        let mut child = command
            .args(args)
            .args(extra)
            .arg("--result")
            .arg(std::path::absolute(part(result, process)).expect("an absolute path"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start a measurement");
        let lines = BufReader::new(child.stdout.take().expect("piped stdout")).lines();
        Running {
            child,
            lines,
            metrics: Metrics::default(),
        }
    };
    let mut running: Vec<Running> = match layout {
        Layout::Threads(workers) => vec![spawn(vec!["--workers".into(), workers.to_string()], 0)],
        Layout::Processes { processes, workers } => {
            let hosts = match cluster {
                Some(cluster) => cluster.file.clone(),
                None => hosts_file(scratch, processes),
            };
            (0..processes)
                .map(|process| {
                    let flags = vec![
                        "--workers".into(),
                        workers.to_string(),
                        "--hosts".into(),
                        hosts.display().to_string(),
                        "--process".into(),
                        process.to_string(),
                    ];
                    spawn(flags, process)
                })
                .collect()
        }
    };
    if running.len() > 1 {
        for process in &mut running {
            process.read(true);
        }
        for process in &mut running {
            let stdin = process.child.stdin.as_mut().expect("piped stdin");
            writeln!(stdin, "go").expect("start a process");
        }
    }
    let reports: Vec<Metrics> = running.into_iter().map(Running::finish).collect();
    merge(reports)
}

/// The hosts of `--cluster`, and how to start a process on one.
#[derive(Debug)]
pub struct Cluster {
    /// The host list, as the processes read it.
    pub file: PathBuf,
    /// Every process's `host:port`.
    pub addresses: Vec<String>,
    /// `--remote-shell`, split on whitespace.
    shell: Vec<String>,
}

static CLUSTER: std::sync::OnceLock<Cluster> = std::sync::OnceLock::new();

impl Cluster {
    /// Reads the host list `file` (`host:port` lines) and makes it the suite's cluster.
    pub fn set(file: &Path, remote_shell: &str) {
        let addresses = read_hosts(file).unwrap_or_else(|e| panic!("{e}"));
        let shell: Vec<String> = remote_shell.split_whitespace().map(str::to_owned).collect();
        assert!(!shell.is_empty(), "--remote-shell is empty");
        let file = std::path::absolute(file).expect("the host list's absolute path");
        CLUSTER
            .set(Cluster {
                file,
                addresses,
                shell,
            })
            .expect("the cluster is set once");
    }

    /// The cluster, if `--cluster` was given.
    pub fn get() -> Option<&'static Cluster> {
        CLUSTER.get()
    }

    /// The command that starts `program` as process `process`, on its host.
    fn command(&self, process: usize, program: &Path) -> Command {
        let address = &self.addresses[process];
        let host = address
            .rsplit_once(':')
            .map_or(address.as_str(), |(host, _)| host);
        let mut command = Command::new(&self.shell[0]);
        command
            .args(&self.shell[1..])
            .arg(host.trim_start_matches('[').trim_end_matches(']'))
            .arg(std::path::absolute(program).expect("the program's absolute path"));
        command
    }
}

static COPY: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();

/// Removes the copy of this binary, if one was made.
pub fn remove_own_copy() {
    if let Some(copy) = COPY.get() {
        let _ = std::fs::remove_file(copy);
    }
}

/// A copy of this binary in `scratch`, made on first use: a long run keeps measuring with the
/// binary it started with even if cargo rebuilds the bench meanwhile.
fn own_copy(scratch: &Path) -> PathBuf {
    COPY.get_or_init(|| {
        let copy = scratch.join(format!("suite-{}", std::process::id()));
        std::fs::copy(
            std::env::current_exe().expect("the suite's own binary"),
            &copy,
        )
        .expect("copy the suite's binary");
        copy
    })
    .clone()
}

/// In a child that is one of several processes: says it is ready and waits until all are.
pub fn barrier(place: &Place) {
    if place.cluster.is_some() {
        println!("@ready");
        std::io::stdout().flush().expect("stdout");
        let mut line = String::new();
        std::io::stdin()
            .read_line(&mut line)
            .expect("the parent's go");
    }
}

/// The result file of process `process`.
pub fn part(result: &Path, process: usize) -> PathBuf {
    let mut name = result.as_os_str().to_owned();
    name.push(format!(".p{process}"));
    PathBuf::from(name)
}

/// A measurement process and what it reported so far.
struct Running {
    child: Child,
    lines: Lines<BufReader<ChildStdout>>,
    metrics: Metrics,
}

impl Running {
    /// Reads the child's output, until `@ready` if `until_ready`, else to the end; keeps the
    /// metrics and passes other lines on.
    fn read(&mut self, until_ready: bool) {
        for line in self.lines.by_ref() {
            let line = line.expect("the child's output");
            if line == "@ready" && until_ready {
                return;
            }
            match line.strip_prefix("@metric ") {
                Some(metric) => {
                    let (name, value) = metric.split_once(' ').expect("@metric NAME VALUE");
                    self.metrics
                        .0
                        .entry(name.to_owned())
                        .or_default()
                        .push(value.parse().expect("a number"));
                }
                None => eprintln!("{line}"),
            }
        }
    }

    /// Waits for the child and returns its metrics; panics if it failed.
    fn finish(mut self) -> Metrics {
        self.read(false);
        let status = self.child.wait().expect("wait for a measurement");
        assert!(status.success(), "a measurement failed ({status})");
        self.metrics
    }
}

/// One process's metrics as they are, several processes' merged: the slowest time, the total
/// memory, the other values of process 0.
fn merge(mut reports: Vec<Metrics>) -> Metrics {
    let mut merged = reports.remove(0);
    for other in reports {
        for (name, values) in other.0 {
            let mine = merged.0.entry(name.clone()).or_default();
            for (i, value) in values.into_iter().enumerate() {
                match (name.as_str(), mine.get_mut(i)) {
                    ("peak_mib", Some(total)) => *total += value,
                    (_, Some(slowest)) if name.starts_with("seconds") => {
                        *slowest = slowest.max(value)
                    }
                    (_, Some(_)) => {}
                    (_, None) => mine.push(value),
                }
            }
        }
    }
    merged
}

/// Writes a host list of `processes` local addresses into `dir`.
fn hosts_file(dir: &Path, processes: usize) -> PathBuf {
    let listeners: Vec<TcpListener> = (0..processes)
        .map(|_| TcpListener::bind("127.0.0.1:0").expect("bind a free port"))
        .collect();
    let lines: Vec<String> = listeners
        .iter()
        .map(|l| format!("127.0.0.1:{}\n", l.local_addr().expect("address").port()))
        .collect();
    let path = dir.join("hosts.txt");
    std::fs::write(&path, lines.concat()).expect("write the host list");
    path
}
