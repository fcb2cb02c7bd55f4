//! Window kinds, and which time windows a timestamp belongs to.

use std::time::Duration;

use super::Millis;
use crate::error::{Result, RillError};

/// How records are grouped into windows (per key).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Windows {
    /// Back-to-back windows `[k * size, (k + 1) * size)`.
    Tumbling {
        /// Length of a window, ms.
        size: Millis,
    },
    /// Overlapping windows of `size` starting every `slide`; `size` is a multiple of `slide`.
    Sliding {
        /// Length of a window, ms.
        size: Millis,
        /// Distance between window starts, ms.
        slide: Millis,
    },
    /// Windows of activity: records closer than `gap` to each other fall in one window, which ends
    /// `gap` after its last record. A record that bridges two sessions merges them.
    Session {
        /// Inactivity that ends a session, ms.
        gap: Millis,
    },
    /// Every `size` records of a key, in timestamp order.
    CountTumbling {
        /// Records per window.
        size: u64,
    },
    /// The last `size` records of a key, every `slide` records, in timestamp order.
    CountSliding {
        /// Records per window.
        size: u64,
        /// Records between firings.
        slide: u64,
    },
    /// One window per key holding all its records, fired every `every` records (a count trigger).
    Global {
        /// Records between firings.
        every: u64,
    },
    /// One window per key holding all its records, fired by a processing-time trigger: at every
    /// multiple of `interval` of wall-clock time since the job started, each key whose window
    /// changed since it last fired emits its running result; the window is never purged, no
    /// record is late, and at the end of the input every changed key fires a last time.
    GlobalInterval {
        /// Wall-clock time between firings, ms.
        interval: Millis,
    },
}

fn millis(duration: Duration) -> Millis {
    duration.as_millis() as Millis
}

impl Windows {
    /// Tumbling windows of `size`.
    pub fn tumbling(size: Duration) -> Self {
        Windows::Tumbling { size: millis(size) }
    }
    /// Sliding windows of `size`, one starting every `slide`.
    pub fn sliding(size: Duration, slide: Duration) -> Self {
        Windows::Sliding {
            size: millis(size),
            slide: millis(slide),
        }
    }
    /// Session windows closed by `gap` of inactivity.
    pub fn session(gap: Duration) -> Self {
        Windows::Session { gap: millis(gap) }
    }
    /// Tumbling count windows of `size` records.
    pub fn count_tumbling(size: u64) -> Self {
        Windows::CountTumbling { size }
    }
    /// Sliding count windows: the last `size` records, every `slide` records.
    pub fn count_sliding(size: u64, slide: u64) -> Self {
        Windows::CountSliding { size, slide }
    }
    /// A global window per key, fired every `every` records.
    pub fn global_every(every: u64) -> Self {
        Windows::Global { every }
    }
    /// A global window per key, fired every `interval` of wall-clock (processing) time with the
    /// running result of every key that changed since it last fired.
    pub fn global_interval(interval: Duration) -> Self {
        Windows::GlobalInterval {
            interval: millis(interval),
        }
    }

    /// Checks what the compiler cannot see when sizes come from variables.
    pub fn validate(&self) -> Result<()> {
        let problem = match *self {
            Windows::Tumbling { size: 0 } => Some("a tumbling window's size must be positive"),
            Windows::Sliding { size, slide } if size == 0 || slide == 0 => {
                Some("a sliding window's size and slide must be positive")
            }
            Windows::Sliding { size, slide } if size % slide != 0 => {
                Some("a sliding window's size must be a multiple of its slide")
            }
            Windows::Session { gap: 0 } => Some("a session window's gap must be positive"),
            Windows::CountTumbling { size: 0 } | Windows::Global { every: 0 } => {
                Some("a count must be positive")
            }
            Windows::CountSliding { size, slide } if size == 0 || slide == 0 => {
                Some("a sliding count window's size and slide must be positive")
            }
            Windows::GlobalInterval { interval: 0 } => {
                Some("a global window's firing interval must be at least 1 ms")
            }
            _ => None,
        };
        match problem {
            Some(problem) => Err(RillError::new(format!("{problem}: {self:?}"))),
            None => Ok(()),
        }
    }

    /// The `[start, end)` time windows (tumbling or sliding) that contain `ts`, latest first.
    pub(crate) fn time_windows(&self, ts: Millis) -> impl Iterator<Item = (Millis, Millis)> {
        let (size, slide) = match *self {
            Windows::Tumbling { size } => (size, size),
            Windows::Sliding { size, slide } => (size, slide),
            _ => (1, 1),
        };
        let last_start = ts - ts % slide;
        (0..size / slide)
            .map(move |k| k * slide)
            .take_while(move |back| *back <= last_start)
            .map(move |back| (last_start - back, last_start - back + size))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tumbling_windows_tile_time() {
        let w = Windows::tumbling(Duration::from_secs(1));
        assert_eq!(w.time_windows(0).collect::<Vec<_>>(), [(0, 1000)]);
        assert_eq!(w.time_windows(1999).collect::<Vec<_>>(), [(1000, 2000)]);
    }

    #[test]
    fn sliding_windows_overlap() {
        let w = Windows::sliding(Duration::from_secs(3), Duration::from_secs(1));
        assert_eq!(
            w.time_windows(2500).collect::<Vec<_>>(),
            [(2000, 5000), (1000, 4000), (0, 3000)]
        );
        // Near zero, windows that would start before 0 do not exist.
        assert_eq!(w.time_windows(500).collect::<Vec<_>>(), [(0, 3000)]);
    }

    #[test]
    fn invalid_windows_are_refused() {
        assert!(Windows::tumbling(Duration::ZERO).validate().is_err());
        assert!(
            Windows::sliding(Duration::from_secs(5), Duration::from_secs(2))
                .validate()
                .is_err()
        );
        assert!(
            Windows::sliding(Duration::from_secs(6), Duration::from_secs(2))
                .validate()
                .is_ok()
        );
        assert!(Windows::count_sliding(10, 0).validate().is_err());
        assert!(Windows::global_interval(Duration::from_micros(999))
            .validate()
            .is_err());
        assert!(Windows::global_interval(Duration::from_millis(1))
            .validate()
            .is_ok());
    }
}
