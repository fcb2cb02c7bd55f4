//! Multi-process runs, end to end: this binary is both the test driver and, when `RILL_TEST_JOB`
//! is set, the job's processes (started by the driver or by the launcher).

use std::net::TcpListener;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use rill_runtime::{Dataflow, Epoch, Job, RillError};
use timely::container::CapacityContainerBuilder;
use timely::dataflow::operators::generic::operator::source;
use timely::dataflow::operators::{Exchange, Inspect, ToStream};

fn main() {
    match std::env::var("RILL_TEST_JOB").as_deref() {
        Ok("count") => report(Job::new("count", count).run()),
        Ok(behaviour) => {
            let behaviour = behaviour.to_string();
            report(
                Job::new("forever", move |df: &mut Dataflow<'_>| {
                    forever(df, &behaviour)
                })
                .run(),
            )
        }
        Err(_) => {
            launcher_runs_local_processes();
            dead_peer_stops_the_group();
            failure_stops_the_group();
            println!("cluster tests: ok");
        }
    }
}

fn report<T>(result: rill_runtime::Result<T>) {
    if let Err(error) = result {
        eprintln!("Error: {error}");
        std::process::exit(1);
    }
}

/// Each worker emits its share of `0..100`, exchanged across all processes.
fn count(df: &mut Dataflow<'_>) {
    let (worker, input, output) = (df.worker(), df.env().clone(), df.env().clone());
    let mine: Vec<u64> = (0..100)
        .filter(|x| x % worker.peers as u64 == worker.index as u64)
        .collect();
    ToStream::<Vec<u64>>::to_stream(mine, df.scope())
        .inspect(move |_| input.metrics.add_in(1))
        .exchange(|x| *x)
        .inspect(move |_| output.metrics.add_out(1));
}

/// A source that never ends, exchanged across processes; on the last worker, after 20 epochs,
/// `die` exits the process and `fail` fails the job.
fn forever(df: &mut Dataflow<'_>, behaviour: &str) {
    let scope = df.scope();
    let env = df.env().clone();
    let behaviour = behaviour.to_string();
    source::<Epoch, CapacityContainerBuilder<Vec<u64>>, _, _>(scope, "Forever", |cap, info| {
        let activator = scope.activator_for(info.address);
        let mut cap = cap;
        move |output| {
            let epoch = *cap.time();
            output.session(&cap).give(epoch);
            cap.downgrade(&(epoch + 1));
            if epoch == 20 && env.worker.index + 1 == env.worker.peers {
                match behaviour.as_str() {
                    "die" => std::process::exit(3),
                    _ => env.failure.fail(RillError::new("boom")),
                }
            }
            activator.activate();
        }
    })
    .exchange(|x| *x);
}

/// A host list of `n` free local ports, written to a temporary file.
fn host_list(n: usize) -> (tempfile::TempDir, String) {
    let listeners: Vec<_> = (0..n)
        .map(|_| TcpListener::bind("127.0.0.1:0").unwrap())
        .collect();
    let text: String = listeners
        .iter()
        .map(|l| format!("{}\n", l.local_addr().unwrap()))
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hosts.txt");
    std::fs::write(&path, text).unwrap();
    (dir, path.display().to_string())
}

fn run(job: &str, args: &[&str]) -> Output {
    let exe = std::env::current_exe().unwrap();
    Command::new(exe)
        .env("RILL_TEST_JOB", job)
        .args(args)
        .output()
        .unwrap()
}

fn launcher_runs_local_processes() {
    let (_dir, hosts) = host_list(2);
    let output = run(
        "count",
        &[
            "--hosts",
            &hosts,
            "--workers",
            "2",
            "--connect-timeout",
            "10",
        ],
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    for process in 0..2 {
        let line = format!("rill: process {process}: job \"count\" finished in ");
        assert!(stderr.contains(&line), "{stderr}");
    }
    assert!(stderr.contains("on 4 workers (2 processes)"), "{stderr}");
}

fn dead_peer_stops_the_group() {
    let (_dir, hosts) = host_list(2);
    let started = Instant::now();
    let output = run("die", &["--hosts", &hosts, "--quiet"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{stderr}");
    assert!(started.elapsed() < Duration::from_secs(20), "{stderr}");
    assert!(
        stderr.contains("process 1 (127.0.0.1:") && stderr.contains("exit status: 3"),
        "{stderr}"
    );

    // Without the launcher, the surviving process notices the lost connection by itself.
    let (_dir, hosts) = host_list(2);
    let exe = std::env::current_exe().unwrap();
    let spawn = |process: &str| {
        Command::new(&exe)
            .env("RILL_TEST_JOB", "die")
            .args(["--hosts", &hosts, "--process", process, "--quiet"])
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (zero, one) = (spawn("0"), spawn("1"));
    let zero = zero.wait_with_output().unwrap();
    let one = one.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&zero.stderr);
    assert_eq!(one.status.code(), Some(3));
    assert_eq!(zero.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("rill: process 0 lost its connection to process 1 (127.0.0.1:"),
        "{stderr}"
    );
}

fn failure_stops_the_group() {
    let (_dir, hosts) = host_list(2);
    let started = Instant::now();
    let output = run("fail", &["--hosts", &hosts, "--quiet"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{stderr}");
    assert!(started.elapsed() < Duration::from_secs(20), "{stderr}");
    assert!(stderr.contains("rill: process 1: boom"), "{stderr}");
}
