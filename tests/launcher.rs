//! The launcher's supervision, seen from outside: no process outlives it, and an unreachable
//! process is named after the connect timeout.

mod support;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use support::{children_of, example, hosts_file, layout_args, run, Layout};

fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|stat| !stat[stat.rfind(')').unwrap() + 2..].starts_with('Z'))
        .unwrap_or(false)
}

#[test]
fn no_process_outlives_a_killed_launcher() {
    let dir = tempfile::tempdir().unwrap();
    let mut args = layout_args(
        Layout::Processes {
            processes: 2,
            workers: 1,
        },
        dir.path(),
    );
    let output = dir.path().join("out.csv").display().to_string();
    args.extend(["--events", "100000000000", "--output", &output, "--quiet"].map(String::from));
    let mut launcher = Command::new(example("running_totals"))
        .args(&args)
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut children = children_of(launcher.id());
    while children.len() < 2 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
        children = children_of(launcher.id());
    }
    assert_eq!(
        children.len(),
        2,
        "the launcher should start both processes"
    );
    std::thread::sleep(Duration::from_millis(500));
    launcher.kill().unwrap();
    launcher.wait().unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    while children.iter().any(|pid| alive(*pid)) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    let survivors: Vec<u32> = children.into_iter().filter(|pid| alive(*pid)).collect();
    for pid in &survivors {
        let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
    }
    assert!(
        survivors.is_empty(),
        "processes {survivors:?} outlived the launcher"
    );
}

#[test]
fn an_unreachable_process_is_named_after_the_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let hosts = hosts_file(dir.path(), 2);
    let unreachable = std::fs::read_to_string(&hosts)
        .unwrap()
        .lines()
        .nth(1)
        .unwrap()
        .to_string();
    // Start only process 0: process 1 never comes.
    let started = Instant::now();
    let result = run(
        "wordcount",
        &[
            "--hosts",
            &path(&hosts),
            "--process",
            "0",
            "--connect-timeout",
            "2",
        ]
        .map(String::from),
    );
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(!result.status.success());
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "took {:?}",
        started.elapsed()
    );
    assert!(
        stderr.contains("process 1") && stderr.contains(&unreachable),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

fn path(path: &Path) -> String {
    path.display().to_string()
}
