//! Running a job's workers: on this process's threads, or as one process of a cluster.

use std::io::IsTerminal;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use timely::communication::AllocatorBuilder;
use timely::{CommunicationConfig, WorkerConfig};

use crate::checkpoint::{attempt_from_environment, listen_for_requests, Checkpointing};
use crate::context::{Dataflow, Epoch, JobEnv, Metrics, WorkerInfo};
use crate::error::{Failure, Result, RillError};
use crate::job::RunSummary;
use crate::launcher::{exit_with_launcher, launch};
use crate::network::Cluster;
use crate::options::{Mode, RunOptions};
use crate::panics;
use crate::progress::{init_logging, print_summary, say, Progress};

/// How long a worker parks between steps when it has nothing to do, which bounds how quickly it
/// notices a failure.
const PARK: Duration = Duration::from_millis(50);

/// Runs `build` as the job `job` in the mode `options` ask for.
pub(crate) fn execute<F>(job: &str, build: F, options: &RunOptions) -> Result<RunSummary>
where
    F: for<'s> FnOnce(&mut Dataflow<'s>) + Clone + Send + Sync + 'static,
{
    init_logging();
    panics::install();
    match options.mode()? {
        Mode::Local => {
            let config = match options.workers {
                1 => CommunicationConfig::Thread,
                n => CommunicationConfig::Process(n),
            };
            let mut attempt = 0;
            loop {
                let (builders, _) = config.clone().try_build().map_err(RillError::new)?;
                let run = run_workers(job, build.clone(), options, builders, 1, None, attempt);
                match run {
                    Err(error) if restarts(options, attempt) => {
                        say(&format!("{error}"));
                        attempt += 1;
                        say_restart(options, attempt);
                    }
                    run => return run,
                }
            }
        }
        Mode::Cluster { hosts, process } => {
            let processes = hosts.len();
            let cluster = Cluster {
                job: job.to_string(),
                hosts,
                process,
                workers: options.workers,
                timeout: options.connect_timeout(),
            };
            exit_with_launcher();
            let sockets = cluster.connect()?;
            panics::watch_cluster(process, cluster.hosts.clone());
            let (builders, network) = cluster.allocators(sockets)?;
            let attempt = attempt_from_environment();
            match run_workers(
                job,
                build,
                options,
                builders,
                processes,
                Some(process),
                attempt,
            ) {
                // The network threads wait for every peer to finish cleanly; dropping `network`
                // joins them.
                Ok(summary) => {
                    drop(network);
                    Ok(summary)
                }
                // Peers would wait for us forever: leave, so that they see the connection drop.
                Err(error) => {
                    say(&format!("process {process}: {error}"));
                    std::process::exit(1);
                }
            }
        }
        Mode::Launcher { hosts } => {
            let started = Instant::now();
            launch(&hosts, options)?;
            Ok(RunSummary {
                job: job.to_string(),
                elapsed: started.elapsed(),
                records_in: 0,
                records_out: 0,
                workers: options.workers * hosts.len(),
                processes: hosts.len(),
                checkpoints: None,
            })
        }
    }
}

/// Runs this process's workers on `builders` until the dataflow completes or a worker fails.
fn run_workers<F>(
    job: &str,
    build: F,
    options: &RunOptions,
    builders: Vec<AllocatorBuilder>,
    processes: usize,
    process: Option<usize>,
    attempt: u64,
) -> Result<RunSummary>
where
    F: for<'s> FnOnce(&mut Dataflow<'s>) + Clone + Send + Sync + 'static,
{
    let failure = Failure::default();
    let metrics = Arc::<Metrics>::default();
    let started = Instant::now();
    let checkpointing = Checkpointing::from_options(
        &options.checkpoints,
        job,
        processes,
        options.workers,
        attempt,
    )?
    .map(Arc::new);
    if checkpointing.is_some() && process.unwrap_or(0) == 0 {
        listen_for_requests();
    }
    let show = !options.quiet && process.unwrap_or(0) == 0 && std::io::stderr().is_terminal();
    let progress = Progress::start(job, metrics.clone(), started, show);
    let (name, workers) = (job.to_string(), options.workers);
    let env = JobEnv {
        worker: WorkerInfo::SINGLE,
        failure: failure.clone(),
        metrics: metrics.clone(),
        checkpointing: checkpointing.clone(),
    };
    // One copy of the build function (and of everything it captured) per worker; the last
    // worker gets the original, so a single-threaded run copies nothing.
    let mut builds: Vec<F> = (1..workers).map(|_| build.clone()).collect();
    builds.push(build);
    let builds = Mutex::new(builds);
    let guards = timely::execute::execute_from(
        builders,
        Box::new(()),
        WorkerConfig::default(),
        move |worker| {
            let worker_info = WorkerInfo {
                index: worker.index(),
                peers: worker.peers(),
                process: worker.index() / workers,
                processes,
            };
            let env = JobEnv {
                worker: worker_info,
                ..env.clone()
            };
            panics::report_worker_panics_to(&env.failure);
            let build = builds
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .pop()
                .expect("one build function per worker thread");
            worker.dataflow_named::<Epoch, _, _>(&name, |scope| {
                let mut dataflow = Dataflow::new(scope, env.clone());
                build(&mut dataflow);
            });
            if let Some(checkpointing) = env.checkpointing.as_ref() {
                if let Err(error) = checkpointing.check_all_restored() {
                    env.failure.fail(error);
                }
            }
            while !env.failure.is_set() && worker.step_or_park(Some(PARK)) {}
            if env.failure.is_set() {
                for id in worker.installed_dataflows() {
                    worker.drop_dataflow(id);
                }
            }
        },
    )
    .map_err(RillError::new)?;
    let panicked = guards.join().into_iter().find_map(|r| r.err());
    let elapsed = started.elapsed();
    drop(progress);
    if let Some(error) = failure.take() {
        return Err(error);
    }
    if let Some(message) = panicked {
        return Err(RillError::new(format!(
            "a worker thread panicked: {message}"
        )));
    }
    let summary = RunSummary {
        job: job.to_string(),
        elapsed,
        records_in: metrics.records_in(),
        records_out: metrics.records_out(),
        workers: workers * processes,
        processes,
        checkpoints: checkpointing.as_ref().map(|c| c.stats()),
    };
    if !options.quiet {
        print_summary(&summary, process);
    }
    Ok(summary)
}

/// Whether a job that failed in `attempt` is started again: it takes checkpoints and has
/// attempts left.
pub(crate) fn restarts(options: &RunOptions, attempt: u64) -> bool {
    let checkpoints = &options.checkpoints;
    checkpoints.checkpoint_dir.is_some() && attempt < u64::from(checkpoints.restart_attempts)
}

/// Waits the restart delay, saying which attempt comes next.
pub(crate) fn say_restart(options: &RunOptions, attempt: u64) {
    let checkpoints = &options.checkpoints;
    say(&format!(
        "restarting from the newest complete checkpoint in {} in {:.1} s (attempt {attempt} of {})",
        checkpoints
            .checkpoint_dir
            .as_ref()
            .map_or(String::new(), |d| d.display().to_string()),
        checkpoints.restart_delay,
        checkpoints.restart_attempts
    ));
    std::thread::sleep(checkpoints.restart_delay());
}
