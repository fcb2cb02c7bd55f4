//! Keys, the stable hash, and key groups: how keyed records find their worker.
//!
//! `key_group = hash(key) % MAX_KEY_GROUPS`, `worker = key_group * workers / MAX_KEY_GROUPS`
//! (DESIGN.md §3). The hash is [`StableHasher`], not `RandomState`: every process and every restart
//! must route a key to the same worker.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hash, Hasher};

use serde::de::DeserializeOwned;
use serde::Serialize;

/// The number of key groups keyed state is split into. A worker owns a contiguous range of them.
pub const MAX_KEY_GROUPS: u64 = 128;

/// What a key must be: hashable and comparable (to find its group and its state), cloneable,
/// and serialisable (keys travel between processes).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be used as a key",
    label = "this key has type `{Self}`",
    note = "keys must implement `Hash + Eq + Clone + Serialize + DeserializeOwned + Send + 'static`; derive them with `#[derive(Hash, PartialEq, Eq, Clone, Serialize, Deserialize)]`"
)]
pub trait Key: Hash + Eq + Clone + Serialize + DeserializeOwned + Send + 'static {}
impl<T: Hash + Eq + Clone + Serialize + DeserializeOwned + Send + 'static> Key for T {}

/// What a record must be to travel between workers and processes.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be sent between workers",
    label = "records of type `{Self}` cross workers here",
    note = "records that are exchanged between workers must implement `Serialize + DeserializeOwned + Send + 'static`; derive them with `#[derive(Serialize, Deserialize)]`"
)]
pub trait Record: Serialize + DeserializeOwned + Send + 'static {}
impl<T: Serialize + DeserializeOwned + Send + 'static> Record for T {}

/// A fast 64-bit hasher whose output depends only on the hashed bytes: the same on every process,
/// every run and every restart (unlike `std`'s randomly seeded `RandomState`).
#[derive(Default, Clone, Copy)]
pub struct StableHasher {
    state: u64,
}

const MULTIPLIER: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl StableHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.state = (self.state.rotate_left(5) ^ word).wrapping_mul(MULTIPLIER);
    }
}

impl Hasher for StableHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            self.add(u64::from_le_bytes(chunk.try_into().expect("chunk of 8")));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut tail = [0u8; 8];
            tail[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(tail) ^ ((rest.len() as u64) << 56));
        }
    }
    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(i as u64);
    }
    #[inline]
    fn write_u16(&mut self, i: u16) {
        self.add(i as u64);
    }
    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.add(i as u64);
    }
    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }
    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
    #[inline]
    fn finish(&self) -> u64 {
        // murmur3's finaliser: spreads every input bit over the low bits used by `%`.
        let mut h = self.state;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        h ^ (h >> 33)
    }
}

/// `HashMap` with the stable hasher, used for keyed state.
pub type StableHashMap<K, V> = HashMap<K, V, BuildHasherDefault<StableHasher>>;
/// `HashSet` with the stable hasher.
pub type StableHashSet<K> = HashSet<K, BuildHasherDefault<StableHasher>>;

/// The stable hash of a value.
#[inline]
pub fn stable_hash<K: Hash + ?Sized>(key: &K) -> u64 {
    let mut hasher = StableHasher::default();
    key.hash(&mut hasher);
    hasher.finish()
}

/// The key group of a key, in `0..MAX_KEY_GROUPS`.
#[inline]
pub fn key_group<K: Hash + ?Sized>(key: &K) -> u64 {
    stable_hash(key) % MAX_KEY_GROUPS
}

/// The worker, out of `workers`, that owns a key group.
#[inline]
pub fn worker_for_group(group: u64, workers: usize) -> u64 {
    group * workers as u64 / MAX_KEY_GROUPS
}

/// The worker, out of `workers`, that owns `key`'s state.
#[inline]
pub fn worker_for_key<K: Hash + ?Sized>(key: &K, workers: usize) -> u64 {
    worker_for_group(key_group(key), workers)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_is_stable_across_runs() {
        // Pinned values: a change here would re-route every key of every saved checkpoint.
        assert_eq!(stable_hash("rill"), stable_hash(&"rill".to_string()));
        let pinned: Vec<u64> = [0u64, 1, 42].iter().map(stable_hash).collect();
        assert_eq!(pinned, PINNED, "the stable hash changed: {pinned:?}");
        assert_eq!(key_group("rill"), stable_hash("rill") % MAX_KEY_GROUPS);
    }

    const PINNED: [u64; 3] = [0, 4028701401546325202, 2690997780454943606];

    #[test]
    fn key_groups_spread_over_all_workers() {
        for workers in [1usize, 2, 3, 4, 7, 16] {
            let mut seen = vec![0usize; workers];
            for i in 0..10_000u64 {
                seen[worker_for_key(&i, workers) as usize] += 1;
            }
            let expected = 10_000 / workers;
            for (worker, count) in seen.iter().enumerate() {
                assert!(
                    *count > expected / 2 && *count < expected * 2,
                    "worker {worker} of {workers} got {count} keys"
                );
            }
        }
    }

    #[test]
    fn a_group_belongs_to_one_worker_and_ranges_are_contiguous() {
        for workers in [1usize, 2, 4, 8] {
            let owners: Vec<u64> = (0..MAX_KEY_GROUPS)
                .map(|g| worker_for_group(g, workers))
                .collect();
            assert!(owners.windows(2).all(|w| w[0] <= w[1]));
            assert_eq!(*owners.last().unwrap(), workers as u64 - 1);
        }
    }
}
