//! Keyed state in chunks: how a checkpoint splits a keyed operator's state by key, so that it
//! rewrites only the chunks that changed since the last checkpoint (incremental snapshots, see
//! [`super::incremental`]) and a rescaled run reads only the chunks of the key groups it owns.
//!
//! A key's chunk is `(key group, sub)`: its key group (DESIGN.md §3) and a finer slice of the
//! same stable hash, `sub = hash / MAX_KEY_GROUPS % subs`. An operator's state is one or more
//! *sections* (a map, a set, a timer queue...); a chunk's bytes are, for every section, the
//! bincode encoding of a `Vec` of that section's entries whose keys fall in the chunk — so a
//! chunk decodes as the tuple of those `Vec`s ([`RestoreChunks::Entries`]).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::hash::{BuildHasher, Hash};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::error::{Result, RillError};
use crate::key::{stable_hash, MAX_KEY_GROUPS};

/// One chunk of an operator's keyed state: a key group and a slice of it.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct ChunkId {
    /// The key group, in `0..MAX_KEY_GROUPS`.
    pub group: u32,
    /// The slice of the key group, in `0..subs`.
    pub sub: u32,
}

/// Encodes an operator's state section by section into chunks.
pub(crate) struct ChunkWriter {
    subs: u64,
    /// By `group * subs + sub`.
    chunks: Vec<ChunkEntries>,
    entries: usize,
}

impl ChunkWriter {
    /// A writer that slices every key group into `subs` chunks.
    pub(crate) fn new(subs: u32) -> Self {
        let chunks = MAX_KEY_GROUPS as usize * subs.max(1) as usize;
        ChunkWriter {
            subs: subs.max(1) as u64,
            chunks: vec![ChunkEntries::default(); chunks],
            entries: 0,
        }
    }

    /// Appends one section: each entry, with the stable hash of its key, goes to its chunk.
    pub(crate) fn section<E: Serialize>(
        &mut self,
        entries: impl IntoIterator<Item = (u64, E)>,
    ) -> Result<()> {
        for chunk in &mut self.chunks {
            chunk.counts.push(0);
        }
        for (hash, entry) in entries {
            let group = hash % MAX_KEY_GROUPS;
            let sub = hash / MAX_KEY_GROUPS % self.subs;
            let chunk = &mut self.chunks[(group * self.subs + sub) as usize];
            bincode::serialize_into(&mut chunk.bytes, &entry)
                .map_err(|e| RillError::new(format!("cannot encode checkpoint state: {e}")))?;
            chunk.ends.push(chunk.bytes.len());
            *chunk.counts.last_mut().expect("a section") += 1;
            self.entries += 1;
        }
        Ok(())
    }

    /// How many entries the sections had in all.
    pub(crate) fn entries(&self) -> usize {
        self.entries
    }

    /// The chunks that hold an entry, in chunk order.
    pub(crate) fn finish(self) -> Vec<(ChunkId, ChunkEntries)> {
        let subs = self.subs;
        (self.chunks.into_iter().enumerate())
            .filter(|(_, chunk)| !chunk.ends.is_empty())
            .map(|(index, chunk)| {
                let id = ChunkId {
                    group: (index as u64 / subs) as u32,
                    sub: (index as u64 % subs) as u32,
                };
                (id, chunk)
            })
            .collect()
    }
}

/// The entries of one chunk, section by section, each as its bincode bytes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct ChunkEntries {
    /// Every entry's bytes, one after the other.
    bytes: Vec<u8>,
    /// Where each entry ends in `bytes`.
    ends: Vec<usize>,
    /// How many entries each section has.
    counts: Vec<usize>,
}

impl ChunkEntries {
    /// The entries of each section.
    pub(crate) fn sections(&self) -> Vec<Vec<&[u8]>> {
        let mut entries = (0..self.ends.len()).map(|i| {
            let start = if i == 0 { 0 } else { self.ends[i - 1] };
            &self.bytes[start..self.ends[i]]
        });
        (self.counts.iter())
            .map(|&count| entries.by_ref().take(count).collect())
            .collect()
    }

    /// Builds a chunk from the entries of each section.
    pub(crate) fn from_sections<'a>(sections: impl IntoIterator<Item = Vec<&'a [u8]>>) -> Self {
        let mut chunk = ChunkEntries::default();
        for section in sections {
            chunk.counts.push(section.len());
            for entry in section {
                chunk.bytes.extend_from_slice(entry);
                chunk.ends.push(chunk.bytes.len());
            }
        }
        chunk
    }

    /// The chunk as [`RestoreChunks::Entries`] decodes it: per section, bincode's `Vec` (its
    /// length, then its entries).
    pub(crate) fn to_bincode(&self) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(self.bytes.len() + 8 * self.counts.len());
        for section in self.sections() {
            bytes.extend_from_slice(&(section.len() as u64).to_le_bytes());
            section
                .iter()
                .for_each(|entry| bytes.extend_from_slice(entry));
        }
        bytes
    }
}

/// Keyed state that a checkpoint writes in chunks: one or more sections.
pub(crate) trait WriteChunks {
    /// Appends the state's sections to `out`.
    fn write_chunks(&self, out: &mut ChunkWriter) -> Result<()>;
}

/// Keyed state restored chunk by chunk.
pub(crate) trait RestoreChunks: Default {
    /// What one chunk of the state decodes to: a `Vec` of entries per section.
    type Entries: DeserializeOwned;
    /// Adds the entries of one chunk.
    fn restore_chunk(&mut self, entries: Self::Entries);
}

impl<W: WriteChunks + ?Sized> WriteChunks for &W {
    fn write_chunks(&self, out: &mut ChunkWriter) -> Result<()> {
        (**self).write_chunks(out)
    }
}

/// A map: one section of `(key, value)`.
impl<K: Hash + Eq + Serialize, V: Serialize, S: BuildHasher> WriteChunks for HashMap<K, V, S> {
    fn write_chunks(&self, out: &mut ChunkWriter) -> Result<()> {
        out.section(self.iter().map(|entry| (stable_hash(entry.0), entry)))
    }
}

impl<K: Hash + Eq + DeserializeOwned, V: DeserializeOwned, S: BuildHasher + Default> RestoreChunks
    for HashMap<K, V, S>
{
    type Entries = Vec<(K, V)>;
    fn restore_chunk(&mut self, entries: Self::Entries) {
        self.extend(entries);
    }
}

/// A set of keys: one section of keys.
impl<K: Hash + Eq + Serialize, S: BuildHasher> WriteChunks for HashSet<K, S> {
    fn write_chunks(&self, out: &mut ChunkWriter) -> Result<()> {
        out.section(self.iter().map(|key| (stable_hash(key), key)))
    }
}

impl<K: Hash + Eq + DeserializeOwned, S: BuildHasher + Default> RestoreChunks for HashSet<K, S> {
    type Entries = Vec<K>;
    fn restore_chunk(&mut self, entries: Self::Entries) {
        self.extend(entries);
    }
}

/// Keys by time (timers, session ends): one section of `(time, key)`.
impl<T: Ord + Serialize, K: Hash + Ord + Serialize> WriteChunks for BTreeSet<(T, K)> {
    fn write_chunks(&self, out: &mut ChunkWriter) -> Result<()> {
        out.section(self.iter().map(|entry| (stable_hash(&entry.1), entry)))
    }
}

impl<T: Ord + DeserializeOwned, K: Ord + DeserializeOwned> RestoreChunks for BTreeSet<(T, K)> {
    type Entries = Vec<(T, K)>;
    fn restore_chunk(&mut self, entries: Self::Entries) {
        self.extend(entries);
    }
}

/// Keys due at a time: one section of `(time, key)`.
impl<T: Ord + Serialize, K: Hash + Serialize> WriteChunks for BTreeMap<T, Vec<K>> {
    fn write_chunks(&self, out: &mut ChunkWriter) -> Result<()> {
        out.section(
            self.iter().flat_map(|(time, keys)| {
                keys.iter().map(move |key| (stable_hash(key), (time, key)))
            }),
        )
    }
}

impl<T: Ord + DeserializeOwned, K: DeserializeOwned> RestoreChunks for BTreeMap<T, Vec<K>> {
    type Entries = Vec<(T, K)>;
    fn restore_chunk(&mut self, entries: Self::Entries) {
        for (time, key) in entries {
            self.entry(time).or_default().push(key);
        }
    }
}

/// A list of keys: one section of keys.
impl<K: Hash + Serialize> WriteChunks for Vec<K> {
    fn write_chunks(&self, out: &mut ChunkWriter) -> Result<()> {
        out.section(self.iter().map(|key| (stable_hash(key), key)))
    }
}

impl<K: DeserializeOwned> RestoreChunks for Vec<K> {
    type Entries = Vec<K>;
    fn restore_chunk(&mut self, entries: Self::Entries) {
        self.extend(entries);
    }
}

/// Several pieces of state: their sections one after the other.
macro_rules! tuple_chunks {
    ($($name:ident $index:tt),+) => {
        impl<$($name: WriteChunks),+> WriteChunks for ($($name,)+) {
            fn write_chunks(&self, out: &mut ChunkWriter) -> Result<()> {
                $(self.$index.write_chunks(out)?;)+
                Ok(())
            }
        }

        impl<$($name: RestoreChunks),+> RestoreChunks for ($($name,)+) {
            type Entries = ($($name::Entries,)+);
            fn restore_chunk(&mut self, entries: Self::Entries) {
                $(self.$index.restore_chunk(entries.$index);)+
            }
        }
    };
}

tuple_chunks!(A 0);
tuple_chunks!(A 0, B 1);
tuple_chunks!(A 0, B 1, C 2);
tuple_chunks!(A 0, B 1, C 2, D 3);
tuple_chunks!(A 0, B 1, C 2, D 3, E 4);
tuple_chunks!(A 0, B 1, C 2, D 3, E 4, F 5);
tuple_chunks!(A 0, B 1, C 2, D 3, E 4, F 5, G 6);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkpoint::from_frame;
    use crate::key::{key_group, StableHashMap};
    use std::path::Path;

    type State = (StableHashMap<u64, String>, BTreeSet<(u64, u64)>, Vec<u64>);

    fn state(keys: std::ops::Range<u64>) -> State {
        (
            keys.clone().map(|k| (k, format!("v{k}"))).collect(),
            keys.clone().map(|k| (k * 7, k)).collect(),
            keys.collect(),
        )
    }

    fn restore(chunks: &[(ChunkId, ChunkEntries)], keep: impl Fn(ChunkId) -> bool) -> State {
        let mut restored = State::default();
        for (_, chunk) in chunks.iter().filter(|(id, _)| keep(*id)) {
            let entries = from_frame(Path::new("test"), &chunk.to_bincode()).unwrap();
            restored.restore_chunk(entries);
        }
        restored
    }

    #[test]
    fn chunks_round_trip_and_split_by_key_group() {
        for subs in [1, 4] {
            let original = state(0..1000);
            let mut writer = ChunkWriter::new(subs);
            original.write_chunks(&mut writer).unwrap();
            assert_eq!(writer.entries(), 3000);
            let chunks = writer.finish();
            assert!(chunks.iter().all(|(id, _)| id.group < 128 && id.sub < subs));
            for (_, chunk) in &chunks {
                let sections = chunk.sections();
                assert_eq!(sections.len(), 3);
                assert_eq!(&ChunkEntries::from_sections(sections), chunk);
            }
            assert!(chunks.len() > 100 * subs as usize && chunks.len() <= 128 * subs as usize);
            let mut restored = restore(&chunks, |_| true);
            restored.2.sort();
            assert_eq!(restored, original);
            // The chunks of a key group hold exactly the keys of that group.
            let odd = restore(&chunks, |id| id.group % 2 == 1);
            assert!(!odd.0.is_empty());
            assert!(odd.0.keys().all(|k| key_group(k) % 2 == 1));
            assert!(odd.1.iter().all(|(_, k)| key_group(k) % 2 == 1));
            assert_eq!(odd.2.len(), odd.0.len());
        }
    }

    #[test]
    fn a_change_to_one_key_changes_one_chunk() {
        let encode = |state: &State| {
            let mut writer = ChunkWriter::new(8);
            state.write_chunks(&mut writer).unwrap();
            writer.finish()
        };
        let before = state(0..5000);
        let mut after = state(0..5000);
        after.0.insert(42, "changed".into());
        let (before, after) = (encode(&before), encode(&after));
        let changed: Vec<_> = before
            .iter()
            .zip(&after)
            .filter(|(a, b)| a != b)
            .map(|(a, _)| a.0)
            .collect();
        let hash = stable_hash(&42u64);
        let expected = ChunkId {
            group: (hash % MAX_KEY_GROUPS) as u32,
            sub: (hash / MAX_KEY_GROUPS % 8) as u32,
        };
        assert_eq!(changed, vec![expected]);
    }
}
