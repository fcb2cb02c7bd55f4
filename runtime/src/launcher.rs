//! The launcher: starts every process of a host list that runs on this machine and supervises
//! them, stopping all as soon as one fails.

use std::ffi::OsString;
use std::process::{Child, Command};
use std::thread;
use std::time::Duration;

use crate::checkpoint::{forward_request, listen_for_requests, take_request, ATTEMPT_VARIABLE};
use crate::error::{Result, RillError};
use crate::execute::{restarts, say_restart};
use crate::hosts::is_local;
use crate::options::RunOptions;
use crate::progress::say;

/// How often the launcher checks on its processes.
const POLL: Duration = Duration::from_millis(50);
/// How long to let the other processes fail on their own once one has failed.
const GRACE: Duration = Duration::from_millis(300);
/// Set in the environment of the processes the launcher starts, to the launcher's process id.
const LAUNCHER_PID: &str = "RILL_LAUNCHER_PID";

/// Starts this program once per local entry of `hosts`, with this run's arguments plus
/// `--process I`, and waits for all of them. Fails, after killing the others, as soon as one
/// process exits unsuccessfully.
pub(crate) fn launch(hosts: &[String], options: &RunOptions) -> Result<()> {
    let hosts_file = options
        .hosts
        .as_ref()
        .map_or("HOSTS".into(), |p| p.display().to_string());
    let local: Vec<usize> = (0..hosts.len()).filter(|&i| is_local(&hosts[i])).collect();
    if local.is_empty() {
        return Err(RillError::new(format!(
            "none of the {} processes in {hosts_file} runs on this machine; on each machine, start \
             the same binary with `--hosts {hosts_file} --process I`, I being the process's \
             position in the list (from 0), or list an address of this machine",
            hosts.len()
        )));
    }
    if local.len() < hosts.len() && !options.quiet {
        say(&format!(
            "starting processes {local:?} of {} here; start the others on their machines with \
             `--hosts {hosts_file} --process I`",
            hosts.len()
        ));
    }
    if options.checkpoints.checkpoint_dir.is_some() {
        listen_for_requests();
    }
    let mut attempt = 0;
    loop {
        match run_attempt(hosts, &local, attempt) {
            Err(error) if restarts(options, attempt) => {
                say(&format!("{error}"));
                attempt += 1;
                say_restart(options, attempt);
            }
            result => return result,
        }
    }
}

/// Starts the local processes as attempt `attempt` of the job and waits for all of them; fails,
/// after killing the others, as soon as one process exits unsuccessfully.
fn run_attempt(hosts: &[String], local: &[usize], attempt: u64) -> Result<()> {
    let program = std::env::current_exe()
        .map_err(|e| RillError::new(format!("cannot find this program to launch it: {e}")))?;
    let args: Vec<OsString> = std::env::args_os().skip(1).collect();
    let mut running: Vec<(usize, Child)> = Vec::with_capacity(local.len());
    for &process in local {
        let spawned = Command::new(&program)
            .env(LAUNCHER_PID, std::process::id().to_string())
            .env(ATTEMPT_VARIABLE, attempt.to_string())
            .args(&args)
            .arg("--process")
            .arg(process.to_string())
            .spawn();
        match spawned {
            Ok(child) => running.push((process, child)),
            Err(e) => {
                kill_all(&mut running);
                return Err(RillError::new(format!(
                    "cannot start process {process} ({}): {e}",
                    hosts[process]
                )));
            }
        }
    }
    while !running.is_empty() {
        if take_request() {
            match running.iter().find(|(process, _)| *process == 0) {
                Some((_, leader)) => forward_request(leader.id()),
                None => {
                    say("a savepoint is taken by process 0: signal the launcher on its machine")
                }
            }
        }
        let failed = reap(&mut running, hosts);
        if !failed.is_empty() {
            // A failing process usually takes its peers down within moments; wait a little so
            // that the report names every process that failed on its own, then stop the rest.
            thread::sleep(GRACE);
            let mut failed = failed;
            failed.extend(reap(&mut running, hosts));
            kill_all(&mut running);
            return Err(RillError::new(format!(
                "{}; stopped the other processes",
                failed.join("; ")
            )));
        }
        thread::sleep(POLL);
    }
    Ok(())
}

/// Removes the processes that have exited; describes each one that failed.
fn reap(running: &mut Vec<(usize, Child)>, hosts: &[String]) -> Vec<String> {
    let mut failed = Vec::new();
    running.retain_mut(|(process, child)| {
        let describe =
            |how: String| format!("process {process} ({}) failed ({how})", hosts[*process]);
        match child.try_wait() {
            Ok(None) => true,
            Ok(Some(status)) if status.success() => false,
            Ok(Some(status)) => {
                failed.push(describe(status.to_string()));
                false
            }
            Err(e) => {
                failed.push(describe(format!("cannot wait for it: {e}")));
                false
            }
        }
    });
    failed
}

/// Kills and reaps every process still running.
fn kill_all(running: &mut Vec<(usize, Child)>) {
    for (_, mut child) in running.drain(..) {
        let _ = child.kill();
        let _ = child.wait();
    }
}

/// In a process the launcher started: exits as soon as the launcher is gone (killed, or stopped
/// with a signal the children did not get), so that no process of the group outlives it.
pub(crate) fn exit_with_launcher() {
    let Some(launcher) = std::env::var(LAUNCHER_PID)
        .ok()
        .and_then(|pid| pid.parse::<u32>().ok())
    else {
        return;
    };
    thread::spawn(move || loop {
        if std::os::unix::process::parent_id() != launcher {
            say("the launcher is gone; stopping");
            std::process::exit(1);
        }
        thread::sleep(Duration::from_millis(200));
    });
}
