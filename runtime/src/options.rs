//! The command-line options every Rill job accepts, and how a run is laid out from them.

use std::path::PathBuf;
use std::time::Duration;

use clap::{CommandFactory, Parser};

use crate::error::{Result, RillError};
use crate::hosts::read_hosts;

/// How to run a job: worker threads, host list, this process's place in it, and output.
///
/// Flatten it into your own parser with `#[command(flatten)] run: RunOptions`, or parse it alone
/// with [`RunOptions::from_args`].
#[derive(clap::Args, Debug, Clone)]
pub struct RunOptions {
    /// Worker threads per process.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub workers: usize,
    /// Host list: one `host:port` a line, one line per process. Without `--process`, starts every
    /// process listed for this machine.
    #[arg(long, value_name = "PATH")]
    pub hosts: Option<PathBuf>,
    /// This process's index in the host list (0-based).
    #[arg(long, value_name = "I", requires = "hosts")]
    pub process: Option<usize>,
    /// How long to wait for the other processes to connect, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 30.0)]
    pub connect_timeout: f64,
    /// Show no progress line and no summary.
    #[arg(long)]
    pub quiet: bool,
    /// Take checkpoints into this directory (shared by all processes) and restart from them.
    #[command(flatten)]
    pub checkpoints: CheckpointOptions,
}

/// The fault-tolerance flags: where and how often to checkpoint, what to restore, how to restart.
#[derive(clap::Args, Debug, Clone)]
pub struct CheckpointOptions {
    /// Take checkpoints into DIR (one directory shared by all processes of the job). The launcher
    /// then restarts a failed job from the newest complete checkpoint.
    #[arg(long, value_name = "DIR")]
    pub checkpoint_dir: Option<PathBuf>,
    /// Seconds between checkpoints.
    #[arg(long, value_name = "SECS", default_value_t = 1.0)]
    pub checkpoint_interval: f64,
    /// How many complete checkpoints to keep; older ones are deleted.
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub checkpoints_kept: usize,
    /// Write the whole state of every keyed operator into every checkpoint. By default a
    /// checkpoint writes only the chunks of keyed state that changed since the last one, and
    /// refers to earlier checkpoints for the others (incremental checkpoints).
    #[arg(long)]
    pub full_checkpoints: bool,
    /// Start from this checkpoint (`DIR/chk-N`) or the newest valid one under a checkpoint
    /// directory.
    #[arg(long, value_name = "PATH")]
    pub restore: Option<PathBuf>,
    /// Restore even if the checkpoint has state for operators this job lacks, or lacks state for
    /// some of its operators (those start empty).
    #[arg(long)]
    pub allow_non_restored_state: bool,
    /// Where savepoints go (default: DIR/savepoints). A savepoint is a checkpoint taken on
    /// demand — send SIGUSR1 to the job (its launcher, or its process 0) — that is never deleted.
    #[arg(long, value_name = "PATH")]
    pub savepoint_dir: Option<PathBuf>,
    /// Also keep the final checkpoint, taken after the whole input, as a savepoint.
    #[arg(long)]
    pub savepoint_at_end: bool,
    /// How many times the launcher restarts a failed job before giving up.
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub restart_attempts: u32,
    /// Seconds the launcher waits before restarting a failed job.
    #[arg(long, value_name = "SECS", default_value_t = 0.5)]
    pub restart_delay: f64,
}

impl Default for CheckpointOptions {
    /// No checkpoints.
    fn default() -> Self {
        CheckpointOptions {
            checkpoint_dir: None,
            checkpoint_interval: 1.0,
            checkpoints_kept: 3,
            full_checkpoints: false,
            restore: None,
            allow_non_restored_state: false,
            savepoint_dir: None,
            savepoint_at_end: false,
            restart_attempts: 3,
            restart_delay: 0.5,
        }
    }
}

impl CheckpointOptions {
    /// The checkpoint interval as a duration.
    pub fn interval(&self) -> Duration {
        Duration::from_secs_f64(self.checkpoint_interval)
    }

    /// Where savepoints go, if the run takes checkpoints.
    pub fn savepoint_dir(&self) -> Option<PathBuf> {
        let default = || {
            self.checkpoint_dir
                .as_ref()
                .map(|dir| dir.join("savepoints"))
        };
        self.savepoint_dir.clone().or_else(default)
    }

    /// The restart delay as a duration.
    pub fn restart_delay(&self) -> Duration {
        Duration::from_secs_f64(self.restart_delay)
    }

    fn validate(&self) -> Result<()> {
        for (flag, value) in [
            ("--checkpoint-interval", self.checkpoint_interval),
            ("--restart-delay", self.restart_delay),
        ] {
            if !(value.is_finite() && value >= 0.0) {
                return Err(RillError::new(format!(
                    "{flag} must be a number of seconds, not {value}"
                )));
            }
        }
        if self.checkpoint_interval == 0.0 {
            return Err(RillError::new("--checkpoint-interval must be above 0"));
        }
        if (self.savepoint_dir.is_some() || self.savepoint_at_end) && self.checkpoint_dir.is_none()
        {
            return Err(RillError::new(
                "savepoints are checkpoints: --savepoint-dir and --savepoint-at-end need --checkpoint-dir",
            ));
        }
        if self.checkpoints_kept == 0 {
            return Err(RillError::new(
                "--checkpoints-kept must be at least 1: the newest checkpoint is what a restart needs",
            ));
        }
        Ok(())
    }
}

/// A parser with nothing but the run options, for jobs without their own flags.
#[derive(Parser)]
struct RunOnly {
    #[command(flatten)]
    run: RunOptions,
}

/// How a run is laid out, as decided by [`RunOptions::mode`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    /// All workers are threads of this process.
    Local,
    /// This process is `process` of the processes at `hosts`.
    Cluster {
        /// The address of every process, in order.
        hosts: Vec<String>,
        /// This process's index in `hosts`.
        process: usize,
    },
    /// This process starts and supervises the processes of `hosts` that run on this machine.
    Launcher {
        /// The address of every process, in order.
        hosts: Vec<String>,
    },
}

impl Default for RunOptions {
    /// One worker in one process.
    fn default() -> Self {
        RunOptions {
            workers: 1,
            hosts: None,
            process: None,
            connect_timeout: 30.0,
            quiet: false,
            checkpoints: CheckpointOptions::default(),
        }
    }
}

impl RunOptions {
    /// Parses the options from the command line; on error prints usage and exits with status 2.
    pub fn from_args() -> Self {
        let options = RunOnly::parse().run;
        if let Err(error) = options.validate() {
            RunOnly::command()
                .error(clap::error::ErrorKind::ValueValidation, error)
                .exit();
        }
        options
    }

    /// Checks the options that do not need the host list.
    pub fn validate(&self) -> Result<()> {
        if self.workers == 0 {
            return Err(RillError::new("--workers must be at least 1"));
        }
        if self.process.is_some() && self.hosts.is_none() {
            return Err(RillError::new(
                "--process needs --hosts: the host list it indexes",
            ));
        }
        if !(self.connect_timeout.is_finite() && self.connect_timeout > 0.0) {
            return Err(RillError::new(format!(
                "--connect-timeout must be a positive number of seconds, not {}",
                self.connect_timeout
            )));
        }
        self.checkpoints.validate()
    }

    /// The connect timeout as a duration.
    pub fn connect_timeout(&self) -> Duration {
        Duration::from_secs_f64(self.connect_timeout)
    }

    /// Validates the options, reads the host list if any, and decides how to run.
    pub fn mode(&self) -> Result<Mode> {
        self.validate()?;
        let Some(path) = &self.hosts else {
            return Ok(Mode::Local);
        };
        let hosts = read_hosts(path)?;
        match self.process {
            None => Ok(Mode::Launcher { hosts }),
            Some(process) if process < hosts.len() => Ok(Mode::Cluster { hosts, process }),
            Some(process) => Err(RillError::new(format!(
                "--process {process} is out of range: {} lists {} process(es), numbered from 0",
                path.display(),
                hosts.len()
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> std::result::Result<RunOptions, clap::Error> {
        RunOnly::try_parse_from(std::iter::once("job").chain(args.iter().copied())).map(|p| p.run)
    }

    #[test]
    fn defaults_and_flags() {
        let options = parse(&[]).unwrap();
        assert_eq!(options.workers, 1);
        assert_eq!(options.mode().unwrap(), Mode::Local);
        let options = parse(&["--workers", "3", "--connect-timeout", "0.5", "--quiet"]).unwrap();
        assert_eq!((options.workers, options.quiet), (3, true));
        assert_eq!(options.connect_timeout(), Duration::from_millis(500));
    }

    #[test]
    fn invalid_options() {
        assert!(parse(&["--process", "1"]).is_err());
        let options = RunOptions {
            workers: 0,
            ..RunOptions::default()
        };
        assert!(options
            .validate()
            .unwrap_err()
            .message()
            .contains("--workers"));
        let options = RunOptions {
            process: Some(0),
            ..RunOptions::default()
        };
        assert!(options
            .validate()
            .unwrap_err()
            .message()
            .contains("--hosts"));
    }

    #[test]
    fn modes_from_host_list() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hosts.txt");
        std::fs::write(&path, "127.0.0.1:2101\n127.0.0.1:2102\n").unwrap();
        let hosts = vec!["127.0.0.1:2101".to_string(), "127.0.0.1:2102".to_string()];
        let mut options = RunOptions {
            hosts: Some(path),
            ..RunOptions::default()
        };
        assert_eq!(
            options.mode().unwrap(),
            Mode::Launcher {
                hosts: hosts.clone()
            }
        );
        options.process = Some(1);
        assert_eq!(options.mode().unwrap(), Mode::Cluster { hosts, process: 1 });
        options.process = Some(2);
        assert!(options
            .mode()
            .unwrap_err()
            .message()
            .contains("out of range"));
    }
}
