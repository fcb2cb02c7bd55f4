//! A job: a name and the function that builds its dataflow on every worker.

use std::fmt;
use std::thread::JoinHandle;
use std::time::Duration;

use crate::checkpoint::CheckpointStats;
use crate::context::Dataflow;
use crate::error::Result;
use crate::execute::execute;
use crate::options::RunOptions;
use crate::progress::{rate, thousands};

/// What a job's build function is: called once per worker (each worker gets its own clone) to
/// build that worker's dataflow. Lets functions return jobs: `-> Job<impl BuildDataflow>`.
pub trait BuildDataflow: for<'s> FnOnce(&mut Dataflow<'s>) + Clone + Send + Sync + 'static {}
impl<F> BuildDataflow for F where
    F: for<'s> FnOnce(&mut Dataflow<'s>) + Clone + Send + Sync + 'static
{
}

/// A named job whose `build` function is called once per worker to build its dataflow.
pub struct Job<F> {
    name: String,
    build: F,
}

impl<F: BuildDataflow> Job<F> {
    /// A job called `name` that builds its dataflow with `build`.
    pub fn new(name: impl Into<String>, build: F) -> Self {
        Job {
            name: name.into(),
            build,
        }
    }

    /// The job's name, as shown in the summary and checked between processes.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Parses [`RunOptions`] from the command line (exiting with usage on bad flags) and runs.
    pub fn run(self) -> Result<RunSummary> {
        let options = RunOptions::from_args();
        self.run_with(&options)
    }

    /// Runs the job as `options` say: on threads of this process, as one process of a cluster
    /// (`--hosts` and `--process`), or by launching this machine's processes (`--hosts` alone).
    ///
    /// In a cluster, a failed job prints its error and exits this process with status 1, so that
    /// its peers notice at once. The launcher re-runs this program with the command-line arguments
    /// it was started with, plus `--process I`.
    pub fn run_with(self, options: &RunOptions) -> Result<RunSummary> {
        execute(&self.name, self.build, options)
    }

    /// Runs the job as [`Job::run_with`] does, on a thread of its own: the caller goes on, e.g.
    /// to feed the job's input handles and take its results epoch by epoch, and joins the
    /// returned handle for the summary once the inputs are closed.
    pub fn spawn(self, options: RunOptions) -> JoinHandle<Result<RunSummary>> {
        std::thread::spawn(move || self.run_with(&options))
    }
}

/// What a finished run did. In launcher mode the record counts are zero: each launched process
/// counts and prints its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunSummary {
    /// The job's name.
    pub job: String,
    /// Wall-clock time from start to the last worker finishing.
    pub elapsed: Duration,
    /// Records this process's sources emitted.
    pub records_in: u64,
    /// Records this process's sinks received.
    pub records_out: u64,
    /// Workers over all processes.
    pub workers: usize,
    /// Processes in the run.
    pub processes: usize,
    /// The checkpoints this process completed (process 0 completes them all), if the run took
    /// checkpoints.
    pub checkpoints: Option<CheckpointStats>,
}

impl fmt::Display for RunSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plural =
            |n: usize, one: &'static str, many: &'static str| if n == 1 { one } else { many };
        write!(
            f,
            "job \"{}\" finished in {:.2} s on {} {} ({} {}): {} records in, {} out ({} records/s)",
            self.job,
            self.elapsed.as_secs_f64(),
            self.workers,
            plural(self.workers, "worker", "workers"),
            self.processes,
            plural(self.processes, "process", "processes"),
            thousands(self.records_in),
            thousands(self.records_out),
            rate(self.records_in, self.elapsed)
        )?;
        match &self.checkpoints {
            Some(checkpoints) => write!(f, "; {checkpoints}"),
            None => Ok(()),
        }
    }
}
