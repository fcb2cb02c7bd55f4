//! What a run's checkpoints took: how many completed and failed, how long each took from its
//! announcement to its manifest, and how large it was.

use std::fmt;
use std::time::Duration;

/// The checkpoints of one run (as process 0, which completes them, saw them).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CheckpointStats {
    /// Checkpoints completed (their manifest written).
    pub completed: u64,
    /// Checkpoints that failed: a part could not be written (a full disk), or was never written.
    pub failed: u64,
    /// For every completed checkpoint, the time from its announcement to its manifest.
    pub durations: Vec<Duration>,
    /// For every completed checkpoint, the bytes of its parts.
    pub bytes: Vec<u64>,
}

impl CheckpointStats {
    /// The `q`-quantile (`0.0..=1.0`, nearest rank) of the completed checkpoints' durations.
    ///
    /// ```
    /// use std::time::Duration;
    /// use rill_runtime::checkpoint::CheckpointStats;
    ///
    /// let stats = CheckpointStats {
    ///     durations: [30, 10, 20].map(Duration::from_millis).to_vec(),
    ///     ..CheckpointStats::default()
    /// };
    /// assert_eq!(stats.duration_quantile(0.5), Some(Duration::from_millis(20)));
    /// assert_eq!(stats.duration_quantile(0.99), Some(Duration::from_millis(30)));
    /// ```
    pub fn duration_quantile(&self, q: f64) -> Option<Duration> {
        quantile(&self.durations, q)
    }

    /// The `q`-quantile of the completed checkpoints' sizes in bytes.
    pub fn bytes_quantile(&self, q: f64) -> Option<u64> {
        quantile(&self.bytes, q)
    }
}

fn quantile<T: Copy + Ord>(values: &[T], q: f64) -> Option<T> {
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    let last = sorted.len().checked_sub(1)?;
    let rank = ((q.clamp(0.0, 1.0) * sorted.len() as f64).ceil() as usize).saturating_sub(1);
    Some(sorted[rank.min(last)])
}

impl fmt::Display for CheckpointStats {
    /// `12 checkpoints (p50 31 ms, p99 80 ms, median 1.2 MB), 2 failed`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} checkpoints", self.completed)?;
        if let (Some(p50), Some(p99), Some(size)) = (
            self.duration_quantile(0.5),
            self.duration_quantile(0.99),
            self.bytes_quantile(0.5),
        ) {
            write!(
                f,
                " (p50 {} ms, p99 {} ms, median {})",
                p50.as_millis(),
                p99.as_millis(),
                megabytes(size)
            )?;
        }
        if self.failed > 0 {
            write!(f, ", {} failed", self.failed)?;
        }
        Ok(())
    }
}

fn megabytes(bytes: u64) -> String {
    if bytes < 1_000_000 {
        format!("{:.1} kB", bytes as f64 / 1e3)
    } else {
        format!("{:.1} MB", bytes as f64 / 1e6)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_names_counts_quantiles_and_failures() {
        let stats = CheckpointStats {
            completed: 3,
            failed: 2,
            durations: [40, 10, 25].map(Duration::from_millis).to_vec(),
            bytes: vec![900, 2_500_000, 1_200_000],
        };
        assert_eq!(
            stats.to_string(),
            "3 checkpoints (p50 25 ms, p99 40 ms, median 1.2 MB), 2 failed"
        );
        let none = CheckpointStats::default();
        assert_eq!(none.to_string(), "0 checkpoints");
        assert_eq!(none.duration_quantile(0.5), None);
    }
}
