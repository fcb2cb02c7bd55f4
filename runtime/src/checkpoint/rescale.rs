//! Rescaling keyed state: a run restored with another number of workers routes keys to other
//! workers, so each worker reads every old part of a keyed operator and keeps the key groups it
//! owns now (DESIGN.md §3: `worker = key_group * workers / MAX_KEY_GROUPS`).
//!
//! State split by worker instead (sources' shares of the input, held-back output, persisted
//! collection inputs) is not split by key: each old part goes whole to one new worker
//! ([`super::Assignment::ByWorker`]).

use std::collections::{BTreeMap, BTreeSet};
use std::hash::{BuildHasher, Hash};

use crate::key::key_group;

/// Keyed state that a rescaled run can split by key group and merge.
pub(crate) trait SplitByKey {
    /// Adds the entries of `other` whose key group `keep` accepts. The parts of one operator
    /// hold disjoint keys, so nothing is added twice.
    fn absorb(&mut self, other: Self, keep: &dyn Fn(u64) -> bool);
}

impl<K: Hash + Eq, V, S: BuildHasher> SplitByKey for std::collections::HashMap<K, V, S> {
    fn absorb(&mut self, other: Self, keep: &dyn Fn(u64) -> bool) {
        self.extend(other.into_iter().filter(|(key, _)| keep(key_group(key))));
    }
}

impl<K: Hash + Eq, S: BuildHasher> SplitByKey for std::collections::HashSet<K, S> {
    fn absorb(&mut self, other: Self, keep: &dyn Fn(u64) -> bool) {
        self.extend(other.into_iter().filter(|key| keep(key_group(key))));
    }
}

/// Keys by time (timers, session ends): `(time, key)`.
impl<T: Ord, K: Hash + Ord> SplitByKey for BTreeSet<(T, K)> {
    fn absorb(&mut self, other: Self, keep: &dyn Fn(u64) -> bool) {
        self.extend(other.into_iter().filter(|(_, key)| keep(key_group(key))));
    }
}

/// Keys due at a time: `time -> keys`.
impl<T: Ord, K: Hash> SplitByKey for BTreeMap<T, Vec<K>> {
    fn absorb(&mut self, other: Self, keep: &dyn Fn(u64) -> bool) {
        for (time, keys) in other {
            let kept: Vec<K> = keys.into_iter().filter(|k| keep(key_group(k))).collect();
            if !kept.is_empty() {
                self.entry(time).or_default().extend(kept);
            }
        }
    }
}

/// A list of keys.
impl<K: Hash> SplitByKey for Vec<K> {
    fn absorb(&mut self, other: Self, keep: &dyn Fn(u64) -> bool) {
        self.extend(other.into_iter().filter(|key| keep(key_group(key))));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::key::{worker_for_key, StableHashMap};

    #[test]
    fn parts_split_by_key_group_merge_into_the_owners() {
        // Three old workers' parts, merged into two new workers: every key lands once, on the
        // worker that owns it now.
        let parts: Vec<StableHashMap<u64, u64>> = (0..3)
            .map(|w| {
                (0..300)
                    .filter(|k| k % 3 == w)
                    .map(|k| (k, k * 10))
                    .collect()
            })
            .collect();
        let mut merged = Vec::new();
        for worker in 0..2u64 {
            let mut state = StableHashMap::default();
            for part in parts.clone() {
                state.absorb(part, &|group| {
                    crate::key::worker_for_group(group, 2) == worker
                });
            }
            assert!(state.keys().all(|k| worker_for_key(k, 2) == worker));
            merged.extend(state);
        }
        merged.sort();
        assert_eq!(merged, (0..300).map(|k| (k, k * 10)).collect::<Vec<_>>());
    }
}
