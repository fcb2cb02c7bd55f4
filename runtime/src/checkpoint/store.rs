//! The on-disk checkpoint store: one directory per checkpoint, one part file per stateful operator
//! and worker, and a manifest that makes the checkpoint complete.
//!
//! Layout: `DIR/chk-{id:020}/{operator}.w{worker}.g{generation}.part` and `DIR/chk-{id:020}/MANIFEST`
//! (JSON). Every file is written atomically (temp file, fsync, rename, fsync the directory), so a
//! crash or a full disk leaves either the whole file under its final name or nothing; a failed
//! write fails the checkpoint, not the job.
//!
//! The chunked parts of keyed operators ([`super::incremental`]) may refer to parts of earlier
//! checkpoints; the manifest lists those references, garbage collection keeps what they refer
//! to, and verifying a checkpoint reads them too.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::frame::{decode_frames, encode_frames, file_error, read_first_frame};
use super::incremental::{decode_index, materialize, read_chunked, PartRef};
use crate::error::{Result, RillError};

/// The file that marks a checkpoint complete.
const MANIFEST: &str = "MANIFEST";
/// Marks a checkpoint directory as a savepoint: a copy that no run writes into.
const SAVEPOINT_MARK: &str = "SAVEPOINT";

/// A root directory holding checkpoints.
#[derive(Clone, Debug)]
pub struct CheckpointStore {
    dir: PathBuf,
}

/// Which operator instance a part belongs to.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PartId {
    /// The operator's name, e.g. `window@src/main.rs:12:5` or a user uid.
    pub operator: String,
    /// The worker that wrote the part.
    pub worker: usize,
}

/// One part file of a checkpoint, as listed in its manifest.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct PartInfo {
    /// The operator's name (not sanitised).
    pub operator: String,
    /// The worker that wrote the part.
    pub worker: usize,
    /// The file's name inside the checkpoint's directory.
    pub file: String,
    /// The file's size.
    pub bytes: u64,
    /// The parts of earlier checkpoints that this (chunked) part takes chunks from.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<PartRef>,
}

impl PartInfo {
    /// The operator instance this part belongs to.
    pub fn id(&self) -> PartId {
        PartId {
            operator: self.operator.clone(),
            worker: self.worker,
        }
    }
}

/// What a complete checkpoint holds; written last, as `chk-{id}/MANIFEST`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Manifest {
    /// The checkpoint's epoch: the state after all epochs `<= id`.
    pub id: u64,
    /// The job's name.
    pub job: String,
    /// Workers per process of the run that wrote it.
    pub workers: usize,
    /// Processes of the run that wrote it.
    pub processes: usize,
    /// The attempt number of the run that wrote it.
    pub generation: u64,
    /// Every part of the checkpoint.
    pub parts: Vec<PartInfo>,
    /// When it was written, in milliseconds since the Unix epoch.
    pub created_unix_ms: u64,
}

#[cfg(test)]
impl Manifest {
    /// The manifest of checkpoint `id` of job "test", one process of `workers` workers.
    pub(crate) fn for_test(id: u64, workers: usize, parts: Vec<PartInfo>) -> Manifest {
        Manifest {
            id,
            job: "test".into(),
            workers,
            processes: 1,
            generation: 0,
            parts,
            created_unix_ms: 1,
        }
    }
}

impl CheckpointStore {
    /// Opens the store rooted at `dir`, creating the directory (and its parents) if missing.
    pub fn open(dir: &Path) -> Result<Self> {
        fs::create_dir_all(dir).map_err(|e| dir_error(dir, "cannot create", e))?;
        Ok(CheckpointStore {
            dir: dir.to_path_buf(),
        })
    }

    /// The root directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Writes one part atomically: temp file in the checkpoint's dir, write, fsync, rename, fsync
    /// the dir. Returns its info. On any IO error (a full disk too) nothing is left behind.
    /// `chunked`: the frames are a chunked part (its index first).
    pub fn write_part(
        &self,
        id: u64,
        operator: &str,
        worker: usize,
        generation: u64,
        frames: &[Vec<u8>],
        chunked: bool,
    ) -> Result<PartInfo> {
        let chk = self.chk_dir(id);
        let file = part_file_name(operator, worker, generation);
        let bytes =
            encode_frames(frames, chunked).map_err(|e| e.context(chk.join(&file).display()))?;
        fs::create_dir_all(&chk).map_err(|e| dir_error(&chk, "cannot create", e))?;
        write_atomically(&chk, &file, &bytes)?;
        Ok(PartInfo {
            operator: operator.to_string(),
            worker,
            file,
            bytes: bytes.len() as u64,
            references: Vec::new(),
        })
    }

    /// The parts of generation `generation` present for checkpoint `id`, parsed from file names,
    /// with sizes, ordered by operator and worker.
    pub fn parts(&self, id: u64, generation: u64) -> Result<Vec<PartInfo>> {
        let chk = self.chk_dir(id);
        let mut parts = Vec::new();
        for (file, path) in list(&chk)? {
            if !file.ends_with(".part") {
                continue; // temp files
            }
            let Some((operator, worker, g)) = parse_part_file_name(&file) else {
                return Err(file_error(
                    &path,
                    "is not a part file name this store writes",
                ));
            };
            if g == generation {
                let bytes = fs::metadata(&path).map_err(|e| file_error(&path, e))?.len();
                parts.push(PartInfo {
                    operator,
                    worker,
                    file,
                    bytes,
                    references: Vec::new(),
                });
            }
        }
        parts.sort_by(|a, b| (&a.operator, a.worker).cmp(&(&b.operator, b.worker)));
        Ok(parts)
    }

    /// Fills in the references of the chunked ones among checkpoint `id`'s `parts`, read from
    /// their indexes.
    pub fn find_references(&self, id: u64, parts: &mut [PartInfo]) -> Result<()> {
        for part in parts {
            let path = self.part_path(id, &part.file);
            if let Some(index) = read_first_frame(&path)? {
                part.references = decode_index(&path, &[index])?.references;
            }
        }
        Ok(())
    }

    /// Writes the manifest atomically (temp + fsync + rename + dir fsync). After this the
    /// checkpoint is complete.
    pub fn write_manifest(&self, manifest: &Manifest) -> Result<()> {
        let chk = self.chk_dir(manifest.id);
        let json = serde_json::to_vec_pretty(manifest)
            .map_err(|e| file_error(&chk.join(MANIFEST), format!("cannot encode: {e}")))?;
        fs::create_dir_all(&chk).map_err(|e| dir_error(&chk, "cannot create", e))?;
        write_atomically(&chk, MANIFEST, &json)?;
        // The checkpoint's own entry in the root must be durable too before anyone acts on it.
        sync_dir(&self.dir)
    }

    /// Ids of the checkpoints that have a manifest, ascending.
    pub fn complete(&self) -> Result<Vec<u64>> {
        Ok(self
            .checkpoints()?
            .into_iter()
            .filter(|&(_, complete)| complete)
            .map(|(id, _)| id)
            .collect())
    }

    /// Whether checkpoint `id` is complete (its manifest exists).
    pub fn is_complete(&self, id: u64) -> bool {
        self.chk_dir(id).join(MANIFEST).is_file()
    }

    /// Reads and checks a manifest: every part it lists exists with the listed size and all its
    /// frames verify, and so do the parts of earlier checkpoints that chunked parts refer to.
    /// The error names the bad file.
    pub fn verify(&self, id: u64) -> Result<Manifest> {
        let manifest = self.manifest(id)?;
        for part in &manifest.parts {
            if part.references.is_empty() {
                self.read_part(id, part)?;
            } else {
                read_chunked(self, id, part, &|_| true)?;
            }
        }
        Ok(manifest)
    }

    /// Reads checkpoint `id`'s manifest (without checking its parts).
    fn manifest(&self, id: u64) -> Result<Manifest> {
        let path = self.chk_dir(id).join(MANIFEST);
        let json = fs::read(&path).map_err(|e| file_error(&path, e))?;
        let manifest: Manifest = serde_json::from_slice(&json)
            .map_err(|e| file_error(&path, format!("not a valid manifest: {e}")))?;
        if manifest.id != id {
            return Err(file_error(
                &path,
                format!("lists checkpoint {}, not {id}", manifest.id),
            ));
        }
        Ok(manifest)
    }

    /// The newest complete checkpoint that verifies, and for each newer complete one that does
    /// not, a warning naming the file and the problem (the caller logs them). `None` if no
    /// complete checkpoint verifies.
    pub fn newest_valid(&self) -> Result<(Option<Manifest>, Vec<String>)> {
        let mut warnings = Vec::new();
        for id in self.complete()?.into_iter().rev() {
            match self.verify(id) {
                Ok(manifest) => return Ok((Some(manifest), warnings)),
                Err(e) => warnings.push(format!("skipping checkpoint {id}: {e}")),
            }
        }
        Ok((None, warnings))
    }

    /// Reads a part listed in checkpoint `id`'s manifest, verifying its name, size and frames.
    pub fn read_part(&self, id: u64, part: &PartInfo) -> Result<Vec<Vec<u8>>> {
        Ok(self.read_part_frames(id, part)?.1)
    }

    /// The path of file `file` of checkpoint `id`.
    pub(crate) fn part_path(&self, id: u64, file: &str) -> PathBuf {
        self.chk_dir(id).join(file)
    }

    /// Reads the part of an earlier checkpoint that a chunked part of `operator` refers to,
    /// verifying its name (a part of the same operator) and frames.
    pub(crate) fn read_referred(&self, at: &PartRef, operator: &str) -> Result<Vec<Vec<u8>>> {
        let path = self.part_path(at.checkpoint, &at.file);
        match parse_part_file_name(&at.file) {
            Some((name, _, _)) if name == operator => {}
            _ => {
                return Err(file_error(
                    &path,
                    format!("is not a part file of operator {operator:?}"),
                ))
            }
        }
        let bytes = fs::read(&path).map_err(|e| file_error(&path, e))?;
        Ok(decode_frames(&path, &bytes)?.1)
    }

    /// Reads a part listed in checkpoint `id`'s manifest, verifying its name, size and frames;
    /// returns whether it is chunked, and its frames.
    pub(crate) fn read_part_frames(
        &self,
        id: u64,
        part: &PartInfo,
    ) -> Result<(bool, Vec<Vec<u8>>)> {
        let path = self.chk_dir(id).join(&part.file);
        // The manifest is untrusted too: its file name must be one this store writes for this
        // operator and worker (so it cannot point outside the checkpoint's directory).
        match parse_part_file_name(&part.file) {
            Some((operator, worker, _)) if operator == part.operator && worker == part.worker => {}
            _ => {
                return Err(file_error(
                    &path,
                    format!(
                        "is not the part file of operator {:?} on worker {}",
                        part.operator, part.worker
                    ),
                ))
            }
        }
        let bytes = fs::read(&path).map_err(|e| file_error(&path, e))?;
        if bytes.len() as u64 != part.bytes {
            return Err(file_error(
                &path,
                format!(
                    "has {} bytes, the manifest lists {} (torn or replaced)",
                    bytes.len(),
                    part.bytes
                ),
            ));
        }
        decode_frames(&path, &bytes)
    }

    /// Keeps the newest `keep` complete checkpoints (at least one), and the complete ones from
    /// `in_use_from` on (checkpoints in progress may refer to them); deletes older complete ones,
    /// and incomplete ones (no manifest) older than the newest complete one. Of a checkpoint
    /// deleted whose parts a kept one refers to, only those parts stay (without a manifest: it
    /// cannot be restored any more).
    pub fn collect_garbage(&self, keep: usize, in_use_from: Option<u64>) -> Result<()> {
        let checkpoints = self.checkpoints()?;
        let complete: Vec<u64> = checkpoints.iter().filter(|c| c.1).map(|c| c.0).collect();
        let Some(&newest) = complete.last() else {
            return Ok(());
        };
        let oldest_kept = complete[complete.len().saturating_sub(keep.max(1))]
            .min(in_use_from.unwrap_or(u64::MAX));
        // The parts that kept checkpoints refer to. (A manifest that cannot be read protects
        // nothing: its checkpoint cannot be restored anyway.)
        let mut referred: BTreeMap<u64, BTreeSet<String>> = BTreeMap::new();
        for &id in complete.iter().filter(|&&id| id >= oldest_kept) {
            for part in self.manifest(id).map(|m| m.parts).unwrap_or_default() {
                for at in part.references {
                    referred.entry(at.checkpoint).or_default().insert(at.file);
                }
            }
        }
        for (id, is_complete) in checkpoints {
            let old = if is_complete {
                id < oldest_kept
            } else {
                id < newest
            };
            match (old, referred.get(&id)) {
                (false, _) => {}
                (true, None) => self.delete(id)?,
                (true, Some(files)) => self.keep_only(id, files)?,
            }
        }
        Ok(())
    }

    /// Deletes checkpoint `id`'s manifest and every file but `files`.
    fn keep_only(&self, id: u64, files: &BTreeSet<String>) -> Result<()> {
        let chk = self.chk_dir(id);
        let manifest = chk.join(MANIFEST);
        ignore_missing(fs::remove_file(&manifest)).map_err(|e| file_error(&manifest, e))?;
        for (name, path) in list(&chk)? {
            if !files.contains(&name) {
                ignore_missing(fs::remove_file(&path)).map_err(|e| file_error(&path, e))?;
            }
        }
        Ok(())
    }

    /// Deletes every checkpoint newer than `id`, complete or not: a run that restores `id`
    /// abandons them (their parts would otherwise mix with the ones it writes under the same ids).
    pub fn discard_after(&self, id: u64) -> Result<()> {
        for (other, _) in self.checkpoints()? {
            if other > id {
                self.delete(other)?;
            }
        }
        Ok(())
    }

    fn chk_dir(&self, id: u64) -> PathBuf {
        self.dir.join(chk_name(id))
    }

    /// Every checkpoint directory, ascending by id, with whether it has a manifest.
    fn checkpoints(&self) -> Result<Vec<(u64, bool)>> {
        let mut checkpoints: Vec<(u64, bool)> = list(&self.dir)?
            .into_iter()
            .filter_map(|(name, path)| parse_chk_name(&name).filter(|_| path.is_dir()))
            .map(|id| (id, self.is_complete(id)))
            .collect();
        checkpoints.sort_unstable();
        Ok(checkpoints)
    }

    /// Copies complete checkpoint `id` into the store at `root`, as `root/chk-{id}` (hard links
    /// where the file system allows, copies elsewhere): a savepoint, which this store's garbage
    /// collection never touches. A chunked part that refers to earlier checkpoints is copied with
    /// every chunk in it, so the savepoint stands alone. The manifest goes last, so a copy cut
    /// short is incomplete.
    pub fn copy_to(&self, id: u64, root: &Path) -> Result<PathBuf> {
        let target = root.join(chk_name(id));
        let temp = root.join(format!("{}.tmp", chk_name(id)));
        if target.exists() {
            return Ok(target);
        }
        let mut manifest = self.manifest(id)?;
        let _ = fs::remove_dir_all(&temp);
        fs::create_dir_all(&temp).map_err(|e| dir_error(&temp, "cannot create", e))?;
        for part in &mut manifest.parts {
            if part.references.is_empty() {
                let path = self.part_path(id, &part.file);
                let copy = temp.join(&part.file);
                fs::hard_link(&path, &copy)
                    .or_else(|_| fs::copy(&path, &copy).map(|_| ()))
                    .map_err(|e| {
                        file_error(&copy, format!("cannot copy {}: {e}", path.display()))
                    })?;
            } else {
                let bytes = encode_frames(&materialize(self, id, part)?, true)?;
                write_atomically(&temp, &part.file, &bytes)?;
                part.bytes = bytes.len() as u64;
                part.references.clear();
            }
        }
        let json = serde_json::to_vec_pretty(&manifest)
            .map_err(|e| file_error(&temp.join(MANIFEST), format!("cannot encode: {e}")))?;
        write_atomically(&temp, MANIFEST, &json)?;
        let mark = temp.join(SAVEPOINT_MARK);
        fs::write(&mark, b"").map_err(|e| file_error(&mark, e))?;
        sync_dir(&temp)?;
        fs::rename(&temp, &target).map_err(|e| dir_error(&target, "cannot rename into", e))?;
        sync_dir(root)?;
        Ok(target)
    }

    /// Whether checkpoint `id` is a savepoint (a copy made by [`CheckpointStore::copy_to`]).
    pub fn is_savepoint(&self, id: u64) -> bool {
        self.chk_dir(id).join(SAVEPOINT_MARK).exists()
    }

    /// Deletes checkpoint `id`: its manifest first, so a crash midway leaves an incomplete
    /// checkpoint rather than a complete one with missing parts.
    fn delete(&self, id: u64) -> Result<()> {
        let chk = self.chk_dir(id);
        let manifest = chk.join(MANIFEST);
        ignore_missing(fs::remove_file(&manifest)).map_err(|e| file_error(&manifest, e))?;
        ignore_missing(fs::remove_dir_all(&chk)).map_err(|e| dir_error(&chk, "cannot delete", e))
    }
}

/// Resolves a `--restore PATH` argument: PATH is either a checkpoint directory `.../chk-N` (which
/// must verify) or a checkpoint root (then its newest valid checkpoint, with warnings about newer
/// ones that did not verify). Returns the store, the manifest and the warnings.
pub fn resolve_restore(path: &Path) -> Result<(CheckpointStore, Manifest, Vec<String>)> {
    if !path.is_dir() {
        return Err(RillError::new(format!(
            "--restore {}: no such checkpoint directory",
            path.display()
        )));
    }
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    if let Some(id) = parse_chk_name(name) {
        let root = path.parent().filter(|p| !p.as_os_str().is_empty());
        let store = CheckpointStore::open(root.unwrap_or(Path::new(".")))?;
        let manifest = store.verify(id).map_err(|e| e.context("--restore"))?;
        return Ok((store, manifest, Vec::new()));
    }
    let store = CheckpointStore::open(path)?;
    match store.newest_valid()? {
        (Some(manifest), warnings) => Ok((store, manifest, warnings)),
        (None, warnings) => {
            let mut message = format!("--restore {}: no complete checkpoint", path.display());
            for warning in warnings {
                message += &format!("; {warning}");
            }
            Err(RillError::new(message))
        }
    }
}

/// A checkpoint's directory name.
fn chk_name(id: u64) -> String {
    format!("chk-{id:020}")
}

/// The id of a checkpoint directory name; `None` unless `chk_name` would produce exactly `name`.
fn parse_chk_name(name: &str) -> Option<u64> {
    let id = name.strip_prefix("chk-")?.parse().ok()?;
    (chk_name(id) == name).then_some(id)
}

/// A part's file name: the sanitised operator name, worker and generation.
pub(crate) fn part_file_name(operator: &str, worker: usize, generation: u64) -> String {
    format!("{}.w{worker}.g{generation}.part", sanitize(operator))
}

/// The operator, worker and generation of a part file name; `None` unless `part_file_name` would
/// produce exactly this name.
fn parse_part_file_name(file: &str) -> Option<(String, usize, u64)> {
    let (rest, generation) = file.strip_suffix(".part")?.rsplit_once(".g")?;
    let (name, worker) = rest.rsplit_once(".w")?;
    let (operator, worker, generation) = (
        unsanitize(name)?,
        worker.parse().ok()?,
        generation.parse().ok()?,
    );
    (part_file_name(&operator, worker, generation) == file)
        .then_some((operator, worker, generation))
}

/// Percent-encodes every byte outside `[A-Za-z0-9._@-]`, so any operator name becomes a distinct,
/// filesystem-safe file name.
fn sanitize(operator: &str) -> String {
    let mut name = String::with_capacity(operator.len());
    for byte in operator.bytes() {
        if byte.is_ascii_alphanumeric() || b"._@-".contains(&byte) {
            name.push(byte as char);
        } else {
            name += &format!("%{byte:02X}");
        }
    }
    name
}

/// The inverse of [`sanitize`]; `None` if `name` has a malformed escape or is not UTF-8.
fn unsanitize(name: &str) -> Option<String> {
    let mut bytes = Vec::with_capacity(name.len());
    let mut rest = name.as_bytes();
    while let Some((&byte, tail)) = rest.split_first() {
        if byte == b'%' {
            let hex = std::str::from_utf8(tail.get(..2)?).ok()?;
            bytes.push(u8::from_str_radix(hex, 16).ok()?);
            rest = &tail[2..];
        } else {
            bytes.push(byte);
            rest = tail;
        }
    }
    String::from_utf8(bytes).ok()
}

/// Writes `bytes` to `dir/name` atomically and durably: a temp file beside it, fsync, rename,
/// fsync `dir`. On failure the temp file is removed and `dir/name` is untouched; a process killed
/// meanwhile leaves either the old file or the new one, never a mix.
pub fn write_atomically(dir: &Path, name: &str, bytes: &[u8]) -> Result<()> {
    let path = dir.join(name);
    let temp = dir.join(format!("{name}.tmp"));
    let written = write_durably(&temp, bytes).and_then(|()| {
        fs::rename(&temp, &path)
            .map_err(|e| file_error(&path, format!("cannot rename into place: {e}")))
    });
    if let Err(e) = written {
        let _ = fs::remove_file(&temp);
        return Err(e);
    }
    sync_dir(dir)
}

/// Creates (or truncates) `path`, writes `bytes` and fsyncs it. Does not clean up on failure.
fn write_durably(path: &Path, bytes: &[u8]) -> Result<()> {
    let write = || -> io::Result<()> {
        let mut file = File::create(path)?;
        file.write_all(bytes)?;
        file.sync_all()
    };
    write().map_err(|e| file_error(path, format!("cannot write: {e}")))
}

/// Fsyncs a directory, making the renames and creations inside it durable.
fn sync_dir(dir: &Path) -> Result<()> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| dir_error(dir, "cannot fsync", e))
}

/// The entries of `dir` with UTF-8 names (others are not ours); empty if `dir` does not exist.
fn list(dir: &Path) -> Result<Vec<(String, PathBuf)>> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(dir_error(dir, "cannot list", e)),
    };
    let mut names = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| dir_error(dir, "cannot list", e))?;
        if let Ok(name) = entry.file_name().into_string() {
            names.push((name, entry.path()));
        }
    }
    Ok(names)
}

fn ignore_missing(result: io::Result<()>) -> io::Result<()> {
    match result {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        other => other,
    }
}

fn dir_error(dir: &Path, what: &str, error: io::Error) -> RillError {
    RillError::new(format!(
        "checkpoint directory {}: {what}: {error}",
        dir.display()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkpoint::chunks::{ChunkEntries, ChunkId};
    use crate::checkpoint::incremental::ChunkHistory;

    fn frames(seed: u8) -> Vec<Vec<u8>> {
        vec![vec![seed; 10], vec![], vec![seed.wrapping_add(1); 300]]
    }

    /// Writes checkpoint `id` with two operators on two workers, and its manifest.
    fn write_checkpoint(store: &CheckpointStore, id: u64) -> Manifest {
        for operator in ["window@src/main.rs:12:5", "count"] {
            for worker in 0..2 {
                store
                    .write_part(id, operator, worker, 0, &frames(id as u8), false)
                    .unwrap();
            }
        }
        let manifest = Manifest::for_test(id, 2, store.parts(id, 0).unwrap());
        store.write_manifest(&manifest).unwrap();
        manifest
    }

    fn part_path(store: &CheckpointStore, id: u64) -> PathBuf {
        store
            .chk_dir(id)
            .join(part_file_name("window@src/main.rs:12:5", 1, 0))
    }

    fn store() -> (tempfile::TempDir, CheckpointStore) {
        let dir = tempfile::tempdir().unwrap();
        let store = CheckpointStore::open(&dir.path().join("a/b")).unwrap();
        (dir, store)
    }

    #[test]
    fn a_copy_is_a_complete_checkpoint_that_garbage_collection_leaves_alone() {
        let (_dir, store) = store();
        let manifest = write_checkpoint(&store, 7);
        let savepoints = store.dir().join("savepoints");
        let copy = store.copy_to(7, &savepoints).unwrap();
        assert_eq!(copy, savepoints.join("chk-00000000000000000007"));
        assert_eq!(store.copy_to(7, &savepoints).unwrap(), copy);
        assert!(!store.is_savepoint(7));
        let (restored, copied, warnings) = resolve_restore(&copy).unwrap();
        assert!(restored.is_savepoint(7));
        assert_eq!(
            (restored.dir(), copied, warnings),
            (savepoints.as_path(), manifest, vec![])
        );
        write_checkpoint(&store, 8);
        write_checkpoint(&store, 9);
        store.collect_garbage(1, None).unwrap();
        assert!(!store.is_complete(7));
        assert!(CheckpointStore::open(&savepoints)
            .unwrap()
            .verify(7)
            .is_ok());
    }

    #[test]
    fn parts_round_trip() {
        let (_dir, store) = store();
        let manifest = write_checkpoint(&store, 42);
        assert_eq!(manifest.parts.len(), 4);
        assert_eq!(manifest.parts[2].operator, "window@src/main.rs:12:5");
        assert_eq!(
            manifest.parts[2].file,
            "window@src%2Fmain.rs%3A12%3A5.w0.g0.part"
        );
        assert_eq!(store.complete().unwrap(), vec![42]);
        assert_eq!(store.verify(42).unwrap(), manifest);
        for part in &manifest.parts {
            assert_eq!(store.read_part(42, part).unwrap(), frames(42));
        }
        assert!(store.parts(42, 1).unwrap().is_empty());
        assert!(store.parts(7, 0).unwrap().is_empty());
    }

    /// Damages checkpoint 2's part with `damage`; checks `verify` and `newest_valid` (which falls
    /// back to checkpoint 1), and that the messages contain `problem` and the file's path.
    fn check_fallback(damage: impl FnOnce(&Path), problem: &str) {
        let (_dir, store) = store();
        let first = write_checkpoint(&store, 1);
        write_checkpoint(&store, 2);
        let path = part_path(&store, 2);
        damage(&path);
        let error = store.verify(2).unwrap_err().to_string();
        assert!(error.contains(&path.display().to_string()), "{error}");
        assert!(error.contains(problem), "{error}");
        let (manifest, warnings) = store.newest_valid().unwrap();
        assert_eq!(manifest, Some(first));
        assert_eq!(warnings, vec![format!("skipping checkpoint 2: {error}")]);
    }

    #[test]
    fn torn_part_falls_back() {
        check_fallback(
            |path| {
                let file = fs::OpenOptions::new().write(true).open(path).unwrap();
                file.set_len(33).unwrap();
            },
            "has 33 bytes, the manifest lists",
        );
    }

    #[test]
    fn corrupt_part_falls_back() {
        check_fallback(
            |path| {
                let mut bytes = fs::read(path).unwrap();
                *bytes.last_mut().unwrap() ^= 0x40;
                fs::write(path, bytes).unwrap();
            },
            "frame 2 is corrupt",
        );
    }

    #[test]
    fn missing_part_falls_back() {
        check_fallback(|path| fs::remove_file(path).unwrap(), "No such file");
    }

    #[test]
    fn no_valid_checkpoint() {
        let (_dir, store) = store();
        assert_eq!(store.newest_valid().unwrap(), (None, vec![]));
        write_checkpoint(&store, 3);
        fs::write(store.chk_dir(3).join(MANIFEST), "{").unwrap();
        let (manifest, warnings) = store.newest_valid().unwrap();
        assert_eq!(manifest, None);
        assert!(
            warnings[0].contains("MANIFEST: not a valid manifest"),
            "{warnings:?}"
        );
        let error = resolve_restore(store.dir()).unwrap_err().to_string();
        assert!(
            error.contains("no complete checkpoint; skipping checkpoint 3"),
            "{error}"
        );
    }

    #[test]
    fn incomplete_checkpoints_are_never_returned() {
        let (_dir, store) = store();
        write_checkpoint(&store, 1);
        store
            .write_part(2, "count", 0, 0, &frames(2), false)
            .unwrap();
        fs::create_dir(store.dir().join("chk-3")).unwrap(); // not a name this store writes
        fs::write(store.dir().join("notes.txt"), "").unwrap();
        assert_eq!(store.complete().unwrap(), vec![1]);
        assert_eq!(store.newest_valid().unwrap().0.unwrap().id, 1);
        assert_eq!(resolve_restore(store.dir()).unwrap().1.id, 1);
        let error = resolve_restore(&store.chk_dir(2)).unwrap_err().to_string();
        assert!(error.starts_with("--restore: checkpoint file"), "{error}");
        assert!(error.contains("MANIFEST"), "{error}");
    }

    #[test]
    fn resolve_restore_of_one_checkpoint() {
        let (_dir, store) = store();
        let first = write_checkpoint(&store, 1);
        write_checkpoint(&store, 2);
        let (restored, manifest, warnings) = resolve_restore(&store.chk_dir(1)).unwrap();
        assert_eq!(
            (restored.dir(), manifest, warnings),
            (store.dir(), first, vec![])
        );
        assert!(resolve_restore(&store.dir().join("missing")).is_err());
    }

    #[test]
    fn garbage_collection_keeps_newest_and_those_in_use() {
        let (_dir, store) = store();
        for id in [1, 2, 3, 5, 6] {
            write_checkpoint(&store, id);
        }
        for id in [0, 4, 7] {
            store
                .write_part(id, "count", 0, 1, &frames(0), false)
                .unwrap();
        }
        store.collect_garbage(2, Some(3)).unwrap();
        let ids: Vec<_> = store.checkpoints().unwrap();
        // Kept: 3 (checkpoints in progress may refer to it), the newest two complete (5, 6),
        // and 7, which may still be in progress.
        assert_eq!(ids, vec![(3, true), (5, true), (6, true), (7, false)]);
        store.collect_garbage(0, None).unwrap();
        assert_eq!(store.checkpoints().unwrap(), vec![(6, true), (7, false)]);
    }

    /// Checkpoint `id` of one chunked operator on one worker: its state has a chunk per entry of
    /// `state`, of those bytes.
    fn write_chunked(store: &CheckpointStore, history: &mut ChunkHistory, id: u64, state: &[u8]) {
        let file = part_file_name("count", 0, 0);
        let chunks = (state.iter().enumerate())
            .map(|(group, byte)| {
                let entry = vec![*byte; 50];
                let id = ChunkId {
                    group: group as u32,
                    sub: 0,
                };
                (id, ChunkEntries::from_sections([vec![entry.as_slice()]]))
            })
            .collect();
        let frames = history
            .frames(id, &file, vec![b"shared".to_vec()], chunks, 1, |id| {
                store.is_complete(id)
            })
            .unwrap();
        store.write_part(id, "count", 0, 0, &frames, true).unwrap();
        let mut parts = store.parts(id, 0).unwrap();
        store.find_references(id, &mut parts).unwrap();
        let manifest = Manifest::for_test(id, 1, parts);
        store.write_manifest(&manifest).unwrap();
    }

    fn read_state(store: &CheckpointStore, id: u64) -> Vec<u8> {
        let manifest = store.verify(id).unwrap();
        let part = read_chunked(store, id, &manifest.parts[0], &|_| true).unwrap();
        assert_eq!(part.shared, [b"shared".to_vec()]);
        part.chunks
            .iter()
            .map(|(_, chunk)| chunk.sections()[0][0][0])
            .collect()
    }

    #[test]
    fn chunked_parts_refer_to_earlier_checkpoints_which_garbage_collection_keeps() {
        let (_dir, store) = store();
        let mut history = ChunkHistory::default();
        write_chunked(&store, &mut history, 1, &[1, 2, 3]);
        write_chunked(&store, &mut history, 2, &[1, 9, 3]);
        write_chunked(&store, &mut history, 3, &[1, 9, 7]);
        let manifest = store.verify(3).unwrap();
        let at = |checkpoint| PartRef {
            checkpoint,
            file: part_file_name("count", 0, 0),
        };
        assert_eq!(manifest.parts[0].references, [at(1), at(2)]);
        assert!(manifest.parts[0].bytes < store.verify(1).unwrap().parts[0].bytes);
        assert_eq!(read_state(&store, 3), [1, 9, 7]);
        // Keeping one checkpoint keeps the parts it refers to, without their manifests.
        store.collect_garbage(1, None).unwrap();
        assert_eq!(
            store.checkpoints().unwrap(),
            [(1, false), (2, false), (3, true)]
        );
        assert_eq!(read_state(&store, 3), [1, 9, 7]);
        // A savepoint holds every chunk itself.
        let savepoints = store.dir().join("savepoints");
        store.copy_to(3, &savepoints).unwrap();
        let saved = CheckpointStore::open(&savepoints).unwrap();
        assert!(saved.verify(3).unwrap().parts[0].references.is_empty());
        // A missing part that a checkpoint refers to makes it fail to verify, naming the file.
        fs::remove_file(store.part_path(1, &part_file_name("count", 0, 0))).unwrap();
        let error = store.verify(3).unwrap_err().to_string();
        assert!(
            error.contains("chk-00000000000000000001/count.w0.g0.part"),
            "{error}"
        );
        assert_eq!(read_state(&saved, 3), [1, 9, 7]);
        // Once a newer checkpoint holds its own copy, the old parts go.
        for (id, state) in (4..14).zip(2..) {
            write_chunked(&store, &mut history, id, &[state, 9, 7]);
        }
        store.collect_garbage(1, None).unwrap();
        let kept: Vec<u64> = store.checkpoints().unwrap().iter().map(|c| c.0).collect();
        assert!(kept.iter().all(|&id| id > 3), "{kept:?}");
        assert_eq!(read_state(&store, 13), [11, 9, 7]);
    }

    #[test]
    fn discard_after_keeps_only_older() {
        let (_dir, store) = store();
        write_checkpoint(&store, 2);
        write_checkpoint(&store, 4);
        for id in [1, 3, 5] {
            store
                .write_part(id, "count", 0, 0, &frames(0), false)
                .unwrap();
        }
        store.discard_after(2).unwrap();
        assert_eq!(store.checkpoints().unwrap(), vec![(1, false), (2, true)]);
    }

    #[test]
    fn operator_names_map_to_distinct_file_names() {
        let names = ["a/b", "a_b", "a%2Fb", "a.w1", "..", "", "ключ", "a b:c\\d"];
        let files: Vec<_> = names.iter().map(|n| part_file_name(n, 3, 7)).collect();
        for (name, file) in names.iter().zip(&files) {
            assert_eq!(files.iter().filter(|f| *f == file).count(), 1, "{file}");
            assert!(!file.contains('/') && !file.contains('\\'), "{file}");
            assert_eq!(parse_part_file_name(file), Some((name.to_string(), 3, 7)));
        }
        assert_eq!(files[0], "a%2Fb.w3.g7.part");
        for bad in [
            "a.part",
            "a.w1.g+2.part",
            "a.w01.g2.part",
            "a%2f.w1.g2.part",
            "a/b.w1.g2.part",
        ] {
            assert_eq!(parse_part_file_name(bad), None, "{bad}");
        }
    }

    #[test]
    fn manifest_cannot_point_outside_its_checkpoint() {
        let (_dir, store) = store();
        let mut manifest = write_checkpoint(&store, 1);
        manifest.parts[0].file = "../../etc/passwd".into();
        let error = store
            .read_part(1, &manifest.parts[0])
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("is not the part file of operator"),
            "{error}"
        );
    }

    /// A full disk fails the write with an error naming the file, and leaves no temp file and
    /// nothing under the final name.
    #[cfg(unix)]
    #[test]
    fn full_disk_fails_the_write_cleanly() {
        let full = Path::new("/dev/full");
        if !full.exists() {
            return;
        }
        let error = write_durably(full, b"x").unwrap_err().to_string();
        assert!(
            error.starts_with("checkpoint file /dev/full: cannot write"),
            "{error}"
        );
        let (_dir, store) = store();
        let file = part_file_name("count", 0, 0);
        let chk = store.chk_dir(9);
        fs::create_dir_all(&chk).unwrap();
        // The temp file is a link to /dev/full, so writing it hits ENOSPC.
        std::os::unix::fs::symlink(full, chk.join(format!("{file}.tmp"))).unwrap();
        let error = store
            .write_part(9, "count", 0, 0, &frames(9), false)
            .unwrap_err();
        assert!(
            error
                .to_string()
                .contains(&format!("{file}.tmp: cannot write")),
            "{error}"
        );
        assert!(error.to_string().contains("(os error 28)"), "{error}");
        assert!(list(&chk).unwrap().is_empty());
        assert!(full.exists());
    }
}
