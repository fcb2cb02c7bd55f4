//! Incremental snapshots: a keyed operator's part of a checkpoint holds only what changed in its
//! state since its last complete checkpoint, and refers to earlier parts for the rest.
//!
//! The state is split into chunks by key ([`super::chunks`]). A *chunked part* is a part file with
//! the magic [`CHUNKED_MAGIC`] whose first frame is a [`ChunkIndex`]: for every chunk, its
//! *chain* of frames — a whole copy of the chunk, then the deltas (entries removed and added) of
//! later checkpoints — each in this part or in a part of an earlier checkpoint. The frames after
//! the index are the operator's unkeyed state, then the frames written here. A chunk that did not
//! change keeps its chain; one that changed gets a delta appended, or a new whole copy when the
//! delta would be half its size or more, or when its chain starts `REWRITE_AFTER` checkpoints back
//! (so a checkpoint refers only to recent ones, and old ones can be deleted).
//!
//! Changes are found by content: the writer keeps a 128-bit digest of every chunk and of every
//! entry it wrote, and compares, so no operator has to track what it touched, and no change can
//! be missed.
//!
//! The manifest lists each part's references ([`super::PartInfo::references`]); garbage
//! collection keeps the parts that the checkpoints it keeps refer to, a savepoint copies every
//! chunk whole into its own parts, and restore rebuilds each chunk from its chain.

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::path::Path;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::chunks::{ChunkEntries, ChunkId};
use super::frame::{file_error, from_frame, to_frame};
use super::store::{CheckpointStore, PartInfo};
use crate::context::Epoch;
use crate::error::Result;
use crate::key::MAX_KEY_GROUPS;

/// The first bytes of a chunked part file.
pub const CHUNKED_MAGIC: &[u8; 8] = b"RILLCKC1";

/// A chunk left unchanged is written again after this many checkpoints of its operator, so that
/// a checkpoint refers only to recent ones and old checkpoints can be deleted.
pub(crate) const REWRITE_AFTER: u64 = 8;

/// How many of its parts not known complete a writer remembers as possible bases.
const REMEMBERED: usize = 16;

/// Entries per chunk a writer aims for: it slices key groups finer as its state grows.
const ENTRIES_PER_CHUNK: usize = 128;
/// The finest slicing of a key group.
const MAX_SUBS: u32 = 1024;

/// A part file of an earlier checkpoint that a chunked part refers to.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PartRef {
    /// The checkpoint it belongs to.
    pub checkpoint: u64,
    /// Its file name in that checkpoint's directory.
    pub file: String,
}

/// The first frame of a chunked part: the frames each chunk of the state is made of.
#[derive(Serialize, Deserialize, Debug)]
pub(crate) struct ChunkIndex {
    /// How many frames of unkeyed state follow the index.
    pub shared: u32,
    /// The parts of earlier checkpoints that hold some of the frames.
    pub references: Vec<PartRef>,
    /// Every chunk of the state, by chunk id: a whole copy, then deltas.
    pub chunks: Vec<(ChunkId, Vec<Place>)>,
}

/// Where a frame is.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Place {
    /// In frame `n` of this part.
    Here(u32),
    /// In frame `frame` of the part `ChunkIndex::references[reference]`.
    There { reference: u32, frame: u32 },
}

/// A chunked part as restore reads it: its unkeyed state and the chunks asked for.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct ChunkedPart {
    /// The frames of unkeyed state.
    pub shared: Vec<Vec<u8>>,
    /// The chunks, in chunk order.
    pub chunks: Vec<(ChunkId, ChunkEntries)>,
}

/// What one state writer wrote into its recent checkpoints: the base of its next part.
#[derive(Default)]
pub(crate) struct ChunkHistory {
    /// How finely the next part slices key groups.
    subs: u32,
    /// Parts written so far.
    count: u64,
    /// The parts written since (and including) the newest one known complete, oldest first.
    written: VecDeque<Written>,
}

/// One part written: what each of its chunks is.
struct Written {
    id: Epoch,
    subs: u32,
    chunks: HashMap<ChunkId, Version>,
}

/// One version of a chunk, as written.
#[derive(Clone)]
struct Version {
    /// The digest of the whole chunk.
    digest: u128,
    /// Each section's entry digests, sorted.
    entries: Arc<Vec<Vec<u128>>>,
    /// Its frames: `(checkpoint, frame)` of the whole copy, then of each delta.
    chain: Arc<Vec<(Epoch, u32)>>,
    /// `ChunkHistory::count` when its whole copy was written.
    written: u64,
}

impl ChunkHistory {
    /// How finely the next part must slice key groups.
    pub(crate) fn subs(&self) -> u32 {
        self.subs.max(1)
    }

    /// The frames of this writer's chunked part of checkpoint `id`, to be written as `file`
    /// (every part of this writer has that name, in its checkpoint's directory): the index, the
    /// unkeyed `shared` frames, then a whole copy or a delta of every chunk that changed since
    /// its newest complete part (`is_complete`). `entries` (the state's size) sets the slicing
    /// of the next part.
    pub(crate) fn frames(
        &mut self,
        id: Epoch,
        file: &str,
        shared: Vec<Vec<u8>>,
        chunks: Vec<(ChunkId, ChunkEntries)>,
        entries: usize,
        is_complete: impl Fn(Epoch) -> bool,
    ) -> Result<Vec<Vec<u8>>> {
        let subs = self.subs();
        self.forget_before_base(&is_complete);
        self.count += 1;
        let count = self.count;
        let base = (self.written.front()).filter(|base| base.subs == subs && is_complete(base.id));
        let mut new = Vec::new();
        let mut table = HashMap::with_capacity(chunks.len());
        for (chunk, content) in chunks {
            let previous = base
                .and_then(|base| base.chunks.get(&chunk))
                .filter(|previous| count - previous.written < REWRITE_AFTER);
            let frame = |bytes: Vec<u8>| {
                new.push(bytes);
                (id, (shared.len() + new.len()) as u32)
            };
            table.insert(chunk, next_version(previous, &content, count, frame));
        }
        let index = chunk_index(id, file, shared.len(), &table);
        self.written.push_back(Written {
            id,
            subs,
            chunks: table,
        });
        self.subs = next_subs(subs, entries);
        let mut frames = Vec::with_capacity(1 + shared.len() + new.len());
        frames.push(to_frame(&index)?);
        frames.extend(shared);
        frames.extend(new);
        Ok(frames)
    }

    /// Forgets the parts written before the newest one whose checkpoint is complete, which is
    /// then the first (a part whose checkpoint never completes is never a base), and the oldest
    /// ones beyond `REMEMBERED` (while checkpoints fail, e.g. on a full disk).
    fn forget_before_base(&mut self, is_complete: impl Fn(Epoch) -> bool) {
        if let Some(newest) = self.written.iter().rposition(|w| is_complete(w.id)) {
            self.written.drain(..newest);
        }
        let excess = self.written.len().saturating_sub(REMEMBERED);
        self.written.drain(..excess);
    }
}

/// The version of a chunk with `entries` that follows `previous` (its version in the base, if
/// any and recent enough): `previous` itself if unchanged, else `previous` with a delta, or a
/// whole copy. `frame` stores the bytes of a new frame and says where they go. `count` is the
/// writer's part count.
fn next_version(
    previous: Option<&Version>,
    entries: &ChunkEntries,
    count: u64,
    mut frame: impl FnMut(Vec<u8>) -> (Epoch, u32),
) -> Version {
    let whole = encode_whole(entries);
    let digest = digest(&whole);
    if let Some(previous) = previous.filter(|previous| previous.digest == digest) {
        return previous.clone();
    }
    let sorted = entry_digests(entries);
    // A delta only if it is under half the whole chunk.
    let delta = previous.and_then(|previous| {
        let delta = encode_delta(&previous.entries, entries, &sorted, whole.len() / 2)?;
        Some((previous, delta))
    });
    let (chain, written) = match delta {
        Some((previous, delta)) => {
            let mut chain = Vec::clone(&previous.chain);
            chain.push(frame(delta));
            (chain, previous.written)
        }
        None => (vec![frame(whole)], count),
    };
    let digests = sorted
        .into_iter()
        .map(|section| section.into_iter().map(|(digest, _)| digest).collect());
    Version {
        digest,
        entries: Arc::new(digests.collect()),
        chain: Arc::new(chain),
        written,
    }
}

/// The index of part `file` of checkpoint `id`, with `shared` frames of unkeyed state, whose
/// chunks are `table`.
fn chunk_index(
    id: Epoch,
    file: &str,
    shared: usize,
    table: &HashMap<ChunkId, Version>,
) -> ChunkIndex {
    let mut references: BTreeMap<Epoch, u32> = BTreeMap::new();
    let mut ids: Vec<&ChunkId> = table.keys().collect();
    ids.sort();
    let mut chunks = Vec::with_capacity(ids.len());
    for chunk in ids {
        let places = table[chunk].chain.iter().map(|&(checkpoint, frame)| {
            if checkpoint == id {
                return Place::Here(frame);
            }
            let next = references.len() as u32;
            let reference = *references.entry(checkpoint).or_insert(next);
            Place::There { reference, frame }
        });
        chunks.push((*chunk, places.collect()));
    }
    let mut references: Vec<(Epoch, u32)> = references.into_iter().collect();
    references.sort_by_key(|&(_, slot)| slot);
    ChunkIndex {
        shared: shared as u32,
        references: (references.into_iter())
            .map(|(checkpoint, _)| PartRef {
                checkpoint,
                file: file.to_string(),
            })
            .collect(),
        chunks,
    }
}

/// The slicing for a state of `entries` entries: about `ENTRIES_PER_CHUNK` per chunk, changed
/// only when that is off by 4x or more (a new slicing rewrites every chunk).
fn next_subs(subs: u32, entries: usize) -> u32 {
    let wanted = (entries / (MAX_KEY_GROUPS as usize * ENTRIES_PER_CHUNK))
        .next_power_of_two()
        .clamp(1, MAX_SUBS as usize) as u32;
    if wanted >= subs * 4 || wanted * 4 <= subs {
        wanted
    } else {
        subs
    }
}

/// A 128-bit digest of some bytes (XXH3): what tells a changed chunk or entry from an unchanged
/// one. Digests are compared only within one process.
fn digest(bytes: &[u8]) -> u128 {
    xxhash_rust::xxh3::xxh3_128(bytes)
}

/// Each section's entries as `(digest, index in the section)`, sorted.
fn entry_digests(entries: &ChunkEntries) -> Vec<Vec<(u128, usize)>> {
    (entries.sections().iter())
        .map(|section| {
            let mut digests: Vec<(u128, usize)> = section
                .iter()
                .enumerate()
                .map(|(i, e)| (digest(e), i))
                .collect();
            digests.sort_unstable();
            digests
        })
        .collect()
}

/// A whole chunk's frame: per section, the number of entries (`u32`), then each entry's length
/// (`u32`) and bytes.
fn encode_whole(entries: &ChunkEntries) -> Vec<u8> {
    let mut bytes = Vec::new();
    for section in entries.sections() {
        put_entries(&mut bytes, section.iter().copied(), section.len());
    }
    bytes
}

/// A delta's frame, from the entry digests of the base (`before`, sorted) to `entries` (whose
/// sorted digests are `after`): per section, the digests of the entries removed (a count, then
/// 16 bytes each), then the entries added (as in [`encode_whole`]). `None` once it reaches
/// `limit` bytes.
fn encode_delta(
    before: &[Vec<u128>],
    entries: &ChunkEntries,
    after: &[Vec<(u128, usize)>],
    limit: usize,
) -> Option<Vec<u8>> {
    let mut bytes = Vec::new();
    let sections = entries.sections();
    for (n, section) in sections.iter().enumerate() {
        let (old, new) = (before.get(n).map_or(&[][..], Vec::as_slice), &after[n]);
        let (mut removed, mut added) = (Vec::new(), Vec::new());
        let (mut i, mut j) = (0, 0);
        while i < old.len() || j < new.len() {
            // Both sorted: a digest only before is removed, one only after is added.
            match (old.get(i), new.get(j)) {
                (Some(o), Some((d, _))) if o == d => {
                    i += 1;
                    j += 1;
                }
                (Some(o), Some((d, _))) if o < d => {
                    removed.push(*o);
                    i += 1;
                }
                (Some(o), None) => {
                    removed.push(*o);
                    i += 1;
                }
                (_, Some((_, index))) => {
                    added.push(section[*index]);
                    j += 1;
                }
                (None, None) => unreachable!("the loop runs while one side has digests"),
            }
        }
        bytes.extend_from_slice(&(removed.len() as u32).to_le_bytes());
        removed
            .iter()
            .for_each(|d| bytes.extend_from_slice(&d.to_le_bytes()));
        let count = added.len();
        put_entries(&mut bytes, added.into_iter(), count);
        if bytes.len() >= limit {
            return None;
        }
    }
    Some(bytes)
}

fn put_entries<'a>(bytes: &mut Vec<u8>, entries: impl Iterator<Item = &'a [u8]>, count: usize) {
    bytes.extend_from_slice(&(count as u32).to_le_bytes());
    for entry in entries {
        bytes.extend_from_slice(&(entry.len() as u32).to_le_bytes());
        bytes.extend_from_slice(entry);
    }
}

/// Reads the frames of a chunked part: each a whole chunk or a delta.
struct FrameReader<'a> {
    path: &'a Path,
    bytes: &'a [u8],
}

impl<'a> FrameReader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        if self.bytes.len() < n {
            return Err(file_error(self.path, "has a malformed chunk frame"));
        }
        let (head, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Ok(head)
    }

    fn u32(&mut self) -> Result<usize> {
        let bytes = self.take(4)?;
        Ok(u32::from_le_bytes(bytes.try_into().expect("4 bytes")) as usize)
    }

    fn entries(&mut self) -> Result<Vec<&'a [u8]>> {
        let count = self.u32()?;
        (0..count)
            .map(|_| {
                let len = self.u32()?;
                self.take(len)
            })
            .collect()
    }
}

/// Decodes a whole chunk's frame.
fn decode_whole(path: &Path, frame: &[u8]) -> Result<ChunkEntries> {
    let mut reader = FrameReader { path, bytes: frame };
    let mut sections = Vec::new();
    while !reader.bytes.is_empty() {
        sections.push(reader.entries()?);
    }
    Ok(ChunkEntries::from_sections(sections))
}

/// Applies a delta's frame to a chunk.
fn apply_delta(path: &Path, chunk: &ChunkEntries, frame: &[u8]) -> Result<ChunkEntries> {
    let mut reader = FrameReader { path, bytes: frame };
    let mut sections = chunk.sections();
    for section in &mut sections {
        let removed = reader.u32()?;
        let mut gone: HashMap<u128, usize> = HashMap::new();
        for _ in 0..removed {
            let bytes = reader.take(16)?;
            *gone
                .entry(u128::from_le_bytes(bytes.try_into().expect("16 bytes")))
                .or_default() += 1;
        }
        section.retain(|entry| match gone.get_mut(&digest(entry)) {
            Some(left) if *left > 0 => {
                *left -= 1;
                false
            }
            _ => true,
        });
        section.extend(reader.entries()?);
    }
    if !reader.bytes.is_empty() {
        return Err(file_error(
            path,
            "has a chunk delta with more sections than its chunk",
        ));
    }
    Ok(ChunkEntries::from_sections(sections))
}
/// Reads a chunked part of checkpoint `id`: its unkeyed state and the chunks that `keep`
/// accepts, each rebuilt from the frames its index names (in this part or in parts it refers to).
pub(crate) fn read_chunked(
    store: &CheckpointStore,
    id: u64,
    part: &PartInfo,
    keep: &dyn Fn(ChunkId) -> bool,
) -> Result<ChunkedPart> {
    let path = store.part_path(id, &part.file);
    let (chunked, mut frames) = store.read_part_frames(id, part)?;
    if !chunked {
        return Err(file_error(
            &path,
            "holds the state of a keyed operator in the old, unchunked format",
        ));
    }
    let index = decode_index(&path, &frames)?;
    let mut referred: HashMap<u32, Vec<Vec<u8>>> = HashMap::new();
    let mut chunks = Vec::with_capacity(index.chunks.len());
    for (chunk, chain) in index.chunks.iter().filter(|(chunk, _)| keep(*chunk)) {
        let mut entries: Option<ChunkEntries> = None;
        for &place in chain {
            let (at, frame) = match place {
                Place::Here(frame) => (path.clone(), frame_at(&path, &mut frames, frame)?),
                Place::There { reference, frame } => {
                    let Some(at) = index.references.get(reference as usize) else {
                        return Err(file_error(
                            &path,
                            format!("chunk {chunk:?} refers to part {reference}, which it does not list"),
                        ));
                    };
                    let held = match referred.entry(reference) {
                        Entry::Occupied(held) => held.into_mut(),
                        Entry::Vacant(slot) => {
                            slot.insert(store.read_referred(at, &part.operator)?)
                        }
                    };
                    let at = store.part_path(at.checkpoint, &at.file);
                    let frame = frame_at(&at, held, frame)?;
                    (at, frame)
                }
            };
            entries = Some(match &entries {
                None => decode_whole(&at, &frame)?,
                Some(chunk) => apply_delta(&at, chunk, &frame)?,
            });
        }
        let entries =
            entries.ok_or_else(|| file_error(&path, format!("chunk {chunk:?} has no frames")))?;
        chunks.push((*chunk, entries));
    }
    let shared = (1..=index.shared)
        .map(|frame| frame_at(&path, &mut frames, frame))
        .collect::<Result<_>>()?;
    Ok(ChunkedPart { shared, chunks })
}

/// The frames of a self-contained copy of a chunked part: every chunk whole, in it (for
/// savepoints, which must not depend on the checkpoints they were copied from).
pub(crate) fn materialize(
    store: &CheckpointStore,
    id: u64,
    part: &PartInfo,
) -> Result<Vec<Vec<u8>>> {
    let ChunkedPart { shared, chunks } = read_chunked(store, id, part, &|_| true)?;
    let first = 1 + shared.len();
    let index = ChunkIndex {
        shared: shared.len() as u32,
        references: Vec::new(),
        chunks: (chunks.iter().enumerate())
            .map(|(n, (chunk, _))| (*chunk, vec![Place::Here((first + n) as u32)]))
            .collect(),
    };
    let mut frames = vec![to_frame(&index)?];
    frames.extend(shared);
    frames.extend(chunks.iter().map(|(_, entries)| encode_whole(entries)));
    Ok(frames)
}

/// Decodes the index of a chunked part's frames.
pub(crate) fn decode_index(path: &Path, frames: &[Vec<u8>]) -> Result<ChunkIndex> {
    let first = frames
        .first()
        .ok_or_else(|| file_error(path, "a chunked part without its index"))?;
    from_frame(path, first)
}

/// Takes frame `n` out of `frames` (leaving it empty: each chunk is read once).
fn frame_at(path: &Path, frames: &mut [Vec<u8>], n: u32) -> Result<Vec<u8>> {
    frames
        .get_mut(n as usize)
        .map(std::mem::take)
        .ok_or_else(|| file_error(path, format!("has no frame {n}, which its index names")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunk(group: u32) -> ChunkId {
        ChunkId { group, sub: 0 }
    }

    /// A chunk of one section whose entries are the given bytes, each repeated 20 times.
    fn entries(values: &[u8]) -> ChunkEntries {
        let entries: Vec<Vec<u8>> = values.iter().map(|v| vec![*v; 20]).collect();
        ChunkEntries::from_sections([entries.iter().map(Vec::as_slice).collect()])
    }

    /// Checkpoint `id` of a state of one chunk with `values`, every checkpoint complete.
    fn write(history: &mut ChunkHistory, id: Epoch, values: &[u8]) -> Vec<Vec<u8>> {
        let state = vec![(chunk(0), entries(values))];
        history
            .frames(id, "f", vec![], state, 100, |_| true)
            .unwrap()
    }

    fn chains(frames: &[Vec<u8>]) -> Vec<Vec<Place>> {
        let index = decode_index(Path::new("test"), frames).unwrap();
        index.chunks.into_iter().map(|(_, chain)| chain).collect()
    }

    fn sorted(chunk: &ChunkEntries) -> Vec<Vec<&[u8]>> {
        let mut sections = chunk.sections();
        sections.iter_mut().for_each(|s| s.sort());
        sections
    }

    #[test]
    fn unchanged_chunks_refer_to_the_newest_complete_part() {
        let mut history = ChunkHistory::default();
        let state = |x: u8| {
            vec![
                (chunk(0), entries(&[1])),
                (chunk(1), entries(&[x])),
                (chunk(2), entries(&[3])),
            ]
        };
        let shared = || vec![b"clock".to_vec()];
        let frames = history
            .frames(1, "f", shared(), state(1), 3, |_| false)
            .unwrap();
        let here = |frame| vec![Place::Here(frame)];
        assert_eq!(chains(&frames), [here(2), here(3), here(4)]);
        // Checkpoint 1 is not complete: nothing to refer to.
        let frames = history
            .frames(2, "f", shared(), state(1), 3, |_| false)
            .unwrap();
        assert_eq!(frames.len(), 5);
        // Checkpoint 2 is: chunk 1 changed (whole: a delta would be larger), the others are in
        // checkpoint 2's part.
        let frames = history
            .frames(3, "f", shared(), state(9), 3, |id| id == 2)
            .unwrap();
        let there = |frame| {
            vec![Place::There {
                reference: 0,
                frame,
            }]
        };
        assert_eq!(chains(&frames), [there(2), here(2), there(4)]);
        assert_eq!(frames[1], b"clock");
        let index = decode_index(Path::new("test"), &frames).unwrap();
        assert_eq!(
            index.references,
            [PartRef {
                checkpoint: 2,
                file: "f".into()
            }]
        );
        // Checkpoint 3 complete: chunks 0 and 2 still refer to checkpoint 2, chunk 1 to 3.
        let frames = history
            .frames(4, "f", shared(), state(9), 3, |id| id <= 3)
            .unwrap();
        let index = decode_index(Path::new("test"), &frames).unwrap();
        assert_eq!(index.references.len(), 2);
        assert_eq!(frames.len(), 2);
    }

    #[test]
    fn a_chunk_with_few_changes_gets_a_delta() {
        let mut history = ChunkHistory::default();
        let before: Vec<u8> = (0..100).collect();
        let mut after = before.clone();
        after[7] = 200; // changed
        after.remove(50); // removed
        after.push(201); // added
        after.push(0); // a duplicate entry
        let frames = write(&mut history, 1, &before);
        let frames2 = write(&mut history, 2, &after);
        let delta = &frames2[1];
        assert_eq!(
            chains(&frames2),
            [vec![
                Place::There {
                    reference: 0,
                    frame: 1
                },
                Place::Here(1)
            ]]
        );
        assert!(delta.len() < 200, "a delta of {} bytes", delta.len());
        let path = Path::new("test");
        let restored = apply_delta(path, &decode_whole(path, &frames[1]).unwrap(), delta).unwrap();
        assert_eq!(sorted(&restored), sorted(&entries(&after)));
        // Back to the first version: another delta, on top of the first.
        let frames3 = write(&mut history, 3, &before);
        assert_eq!(chains(&frames3)[0].len(), 3);
        let restored = apply_delta(path, &restored, &frames3[1]).unwrap();
        assert_eq!(sorted(&restored), sorted(&entries(&before)));
    }

    #[test]
    fn chains_start_again_after_a_while() {
        let mut history = ChunkHistory::default();
        let mut wholes = Vec::new();
        for id in 1..=20u64 {
            let values: Vec<u8> = (0..100).map(|v| v + (id as u8 % 2)).collect();
            let frames = write(&mut history, id, &values);
            if chains(&frames)[0].len() == 1 {
                wholes.push(id);
            }
        }
        assert_eq!(wholes, [1, 9, 17]);
    }

    #[test]
    fn slicing_follows_the_state_size_with_hysteresis() {
        assert_eq!(next_subs(1, 16_000), 1);
        assert_eq!(next_subs(1, 1_000_000), 64);
        assert_eq!(next_subs(64, 600_000), 64);
        assert_eq!(next_subs(64, 100_000), 8);
        assert_eq!(next_subs(1, usize::MAX / 2), MAX_SUBS);
    }
}
