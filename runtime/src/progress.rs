//! Logging, the live progress line on a terminal, and the end-of-run summary line.

use std::io::Write;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};
use tracing_subscriber::EnvFilter;

use crate::context::Metrics;
use crate::job::RunSummary;

/// How often the progress line is redrawn.
const REFRESH: Duration = Duration::from_millis(250);

/// Sends `tracing` logs to stderr, filtered by `RUST_LOG` (default `warn`). Does nothing if a
/// global subscriber is installed already.
pub fn init_logging() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(filter)
        .try_init();
}

/// A spinner line on stderr showing elapsed time and record counts; cleared when dropped.
pub(crate) struct Progress {
    stop: Option<mpsc::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Progress {
    /// Starts redrawing the line for `job` from `metrics` if `show`; otherwise does nothing.
    pub(crate) fn start(
        job: &str,
        metrics: Arc<Metrics>,
        started: Instant,
        show: bool,
    ) -> Progress {
        if !show {
            return Progress {
                stop: None,
                thread: None,
            };
        }
        let (stop, stopped) = mpsc::channel::<()>();
        let bar = ProgressBar::new_spinner();
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        let job = job.to_string();
        let thread = thread::spawn(move || loop {
            let elapsed = started.elapsed();
            bar.set_message(format!(
                "{job}: {:.1} s, {} records in, {} out ({} records/s)",
                elapsed.as_secs_f64(),
                thousands(metrics.records_in()),
                thousands(metrics.records_out()),
                rate(metrics.records_in(), elapsed)
            ));
            bar.tick();
            if let Err(RecvTimeoutError::Disconnected) | Ok(()) = stopped.recv_timeout(REFRESH) {
                bar.finish_and_clear();
                break;
            }
        });
        Progress {
            stop: Some(stop),
            thread: Some(thread),
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Prints the summary line to stderr, prefixed with the process index in a cluster.
pub(crate) fn print_summary(summary: &RunSummary, process: Option<usize>) {
    match process {
        Some(process) => say(&format!("process {process}: {summary}")),
        None => say(&summary.to_string()),
    }
}

/// Prints `rill: {line}` to stderr in one write, so that lines of processes sharing a terminal
/// or pipe do not interleave.
pub(crate) fn say(line: &str) {
    let _ = std::io::stderr()
        .lock()
        .write_all(format!("rill: {line}\n").as_bytes());
}

/// `1234567` as `1,234,567`.
pub(crate) fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// `records` per second of `elapsed`, short: `950`, `812k`, `3.4M`.
pub(crate) fn rate(records: u64, elapsed: Duration) -> String {
    let per_second = records as f64 / elapsed.as_secs_f64().max(1e-9);
    if per_second < 1e3 {
        format!("{per_second:.0}")
    } else if per_second < 1e6 {
        format!("{:.0}k", per_second / 1e3)
    } else {
        format!("{:.1}M", per_second / 1e6)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_numbers() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1_000_000), "1,000,000");
        assert_eq!(rate(500, Duration::from_secs(1)), "500");
        assert_eq!(rate(812_000, Duration::from_secs(1)), "812k");
        assert_eq!(rate(3_400_000, Duration::from_secs(1)), "3.4M");
    }
}
