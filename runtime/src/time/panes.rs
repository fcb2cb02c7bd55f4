//! The open time windows (tumbling and sliding) of one window operator: every key's accumulator
//! per window, kept so that the record path is short.
//!
//! A window that expires hands its emptied key map to the next new window: no allocation, and
//! memory that stays warm (fresh maps cost page faults).

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde::Serialize;

use super::Millis;
use crate::checkpoint::{ChunkWriter, RestoreChunks, WriteChunks};
use crate::error::Result;
use crate::key::{stable_hash, Key, StableHashMap, StableHashSet};

/// How many emptied key maps of expired windows are kept for new windows.
const SPARE_MAPS: usize = 4;

/// One window: its accumulators by key and which of them changed since it last fired. Until
/// it first fires every accumulator counts as changed, so only windows kept for late records
/// track changed keys: the record path of a window that has not fired touches one map.
struct Window<K, A> {
    accs: StableHashMap<K, A>,
    fired: bool,
    changed: StableHashSet<K>,
}

impl<K: Key, A> Window<K, A> {
    /// Whether the window has results it has not emitted.
    fn pending(&self) -> bool {
        !self.fired || !self.changed.is_empty()
    }
}

/// The open time windows of one operator, sorted by `(end, start)`.
pub(super) struct TimeWindows<K, A> {
    /// By `(end, start)`.
    windows: BTreeMap<(Millis, Millis), Window<K, A>>,
    spare: Vec<StableHashMap<K, A>>,
}

impl<K, A> Default for TimeWindows<K, A> {
    fn default() -> Self {
        TimeWindows {
            windows: BTreeMap::new(),
            spare: Vec::new(),
        }
    }
}

/// In checkpoints, one section of `((end, start), fired, key, accumulator, changed)`: a key's
/// accumulator in a window, whether the window has fired, and whether the key changed since.
impl<K: Key, A: Serialize> WriteChunks for TimeWindows<K, A> {
    fn write_chunks(&self, out: &mut ChunkWriter) -> Result<()> {
        out.section(self.windows.iter().flat_map(|(bounds, window)| {
            window.accs.iter().map(move |(key, acc)| {
                let changed = window.changed.contains(key);
                (stable_hash(key), (bounds, window.fired, key, acc, changed))
            })
        }))
    }
}

impl<K: Key, A: DeserializeOwned> RestoreChunks for TimeWindows<K, A> {
    type Entries = Vec<((Millis, Millis), bool, K, A, bool)>;
    fn restore_chunk(&mut self, entries: Self::Entries) {
        for (bounds, fired, key, acc, changed) in entries {
            let window = self.windows.entry(bounds).or_insert_with(|| Window {
                accs: StableHashMap::default(),
                fired,
                changed: StableHashSet::default(),
            });
            if changed {
                window.changed.insert(key.clone());
            }
            window.accs.insert(key, acc);
        }
    }
}

impl<K: Key, A> TimeWindows<K, A> {
    /// The accumulator of `key` in window `[start, end)`, created with `create` if new.
    #[inline]
    pub(super) fn acc(
        &mut self,
        start: Millis,
        end: Millis,
        key: K,
        create: impl FnOnce() -> A,
    ) -> &mut A {
        let spare = &mut self.spare;
        let window = self.windows.entry((end, start)).or_insert_with(|| Window {
            accs: spare.pop().unwrap_or_default(),
            fired: false,
            changed: StableHashSet::default(),
        });
        if window.fired {
            window.changed.insert(key.clone());
        }
        window.accs.entry(key).or_insert_with(create)
    }

    /// Hands `emit` the changed panes of every window whose end the watermark has reached, as
    /// `(key, start, end, accumulator)`, and drops the windows whose end plus `lateness` it has
    /// reached (their keys are moved into `emit`; the others' are cloned).
    pub(super) fn fire(
        &mut self,
        watermark: Millis,
        lateness: Millis,
        mut emit: impl FnMut(K, Millis, Millis, &A),
    ) {
        let reached: Vec<(Millis, Millis)> = self
            .windows
            .range(..=(watermark, Millis::MAX))
            .map(|(window, _)| *window)
            .collect();
        for (end, start) in reached {
            if end.saturating_add(lateness) <= watermark {
                let mut window = self.windows.remove(&(end, start)).expect("a window");
                if !window.fired {
                    window
                        .accs
                        .drain()
                        .for_each(|(key, acc)| emit(key, start, end, &acc));
                } else {
                    for key in window.changed.drain() {
                        let acc = window
                            .accs
                            .remove(&key)
                            .expect("a changed key's accumulator");
                        emit(key, start, end, &acc);
                    }
                }
                if self.spare.len() < SPARE_MAPS {
                    window.accs.clear();
                    self.spare.push(window.accs);
                }
            } else {
                let window = self.windows.get_mut(&(end, start)).expect("a window");
                if !window.pending() {
                    continue;
                }
                if window.fired {
                    for key in window.changed.drain() {
                        emit(key.clone(), start, end, &window.accs[&key]);
                    }
                } else {
                    window.fired = true;
                    for (key, acc) in &window.accs {
                        emit(key.clone(), start, end, acc);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fired(
        windows: &mut TimeWindows<String, u64>,
        watermark: Millis,
    ) -> Vec<(String, Millis, u64)> {
        let mut out = Vec::new();
        windows.fire(watermark, 1000, |key, start, _, count| {
            out.push((key, start, *count))
        });
        out.sort();
        out
    }

    #[test]
    fn windows_fire_changed_panes_and_expire_after_lateness() {
        let mut windows = TimeWindows::default();
        for (start, key) in [(1000, "b"), (0, "a"), (1000, "a"), (0, "a")] {
            *windows.acc(start, start + 1000, key.to_string(), || 0) += 1;
        }
        assert_eq!(fired(&mut windows, 999), []);
        assert_eq!(fired(&mut windows, 1000), [("a".to_string(), 0, 2)]);
        // Within the lateness: only a changed pane fires again.
        *windows.acc(0, 1000, "c".to_string(), || 0) += 1;
        assert_eq!(fired(&mut windows, 1500), [("c".to_string(), 0, 1)]);
        assert_eq!(
            fired(&mut windows, 2000),
            [("a".to_string(), 1000, 1), ("b".to_string(), 1000, 1)]
        );
        assert_eq!(windows.windows.len(), 1, "[0, 1000) expired at 2000");
        assert_eq!(windows.spare.len(), 1, "its map is kept for a new window");
        assert_eq!(fired(&mut windows, 3000), []);
        assert!(windows.windows.is_empty());
    }
}
