//! One process's view of a checkpointed run: the store, the checkpoints announced so far, the
//! state writers of its workers, and the checkpoint it restored from.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{channel, Sender};
use std::sync::Mutex;
use std::time::Duration;

use super::chunks::ChunkId;
use super::incremental::{read_chunked, ChunkedPart};
use super::stats::CheckpointStats;
use super::store::{resolve_restore, CheckpointStore, Manifest, PartInfo};
use crate::context::{Epoch, WorkerInfo};
use crate::error::{Result, RillError};
use crate::key::worker_for_group;
use crate::options::CheckpointOptions;
use crate::progress::say;

/// Set by the launcher in the environment of the processes it starts: which attempt of the job
/// this is (0 for the first run, 1 after the first restart...).
pub(crate) const ATTEMPT_VARIABLE: &str = "RILL_ATTEMPT";

/// The attempt this process belongs to, as the launcher set it (0 if it did not).
pub(crate) fn attempt_from_environment() -> u64 {
    std::env::var(ATTEMPT_VARIABLE)
        .ok()
        .and_then(|a| a.parse::<u64>().ok())
        .unwrap_or(0)
}

/// The id of the checkpoint taken when every source has ended: the state after all input.
pub const FINAL_CHECKPOINT: Epoch = Epoch::MAX - 1;

/// Checkpointing as one process of a run sees it. Shared by the process's workers.
pub struct Checkpointing {
    pub(crate) store: CheckpointStore,
    pub(crate) interval: Duration,
    pub(crate) kept: usize,
    /// Whether keyed operators write only the chunks of their state that changed.
    pub(crate) incremental: bool,
    /// Where savepoints go.
    pub(crate) savepoints: PathBuf,
    /// Whether the final checkpoint is kept as a savepoint.
    pub(crate) savepoint_at_end: bool,
    /// The attempt of this run: part files carry it, so a restarted run never mixes its files
    /// with those of the attempt that failed.
    pub(crate) generation: u64,
    pub(crate) job: String,
    pub(crate) processes: usize,
    pub(crate) workers_per_process: usize,
    /// Checkpoint ids announced by the coordinator, as the sources of this process received them.
    announced: Mutex<BTreeSet<Epoch>>,
    /// Operator names registered as state writers, per local worker.
    writers: Mutex<Vec<Vec<String>>>,
    restored: Option<Restored>,
    allow_non_restored: bool,
    /// The checkpoints completed and failed so far.
    stats: Mutex<CheckpointStats>,
    /// Hands part writes to the process's part writer thread, which runs them in order.
    background: Mutex<Sender<BackgroundWrite>>,
}

/// A part write for the part writer thread.
pub(crate) type BackgroundWrite = Box<dyn FnOnce() + Send>;

/// Starts the thread that writes and syncs checkpoint parts, off the worker threads. It ends
/// when its sender is dropped.
fn part_writer_thread() -> Result<Sender<BackgroundWrite>> {
    let (sender, writes) = channel::<BackgroundWrite>();
    std::thread::Builder::new()
        .name("rill checkpoint writer".into())
        .spawn(move || {
            for write in writes {
                write();
            }
        })
        .map_err(|e| RillError::new(format!("cannot start the checkpoint writer thread: {e}")))?;
    Ok(sender)
}

/// The checkpoint a run started from, and the operators that have claimed their parts.
struct Restored {
    /// Where the checkpoint lives (not necessarily where this run writes its own).
    store: CheckpointStore,
    manifest: Manifest,
    parts: HashMap<(String, usize), PartInfo>,
    claimed: Mutex<HashSet<String>>,
    /// Whether the run has another number of workers than the one that wrote the checkpoint.
    rescaled: bool,
}

/// Which parts of the restored checkpoint an operator instance reads. Without rescaling, both
/// mean the part its own worker wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Assignment {
    /// State split by key group (keyed operators): every part; the worker keeps the key groups
    /// it owns now.
    ByKey,
    /// State split by worker (sources' shares of the input, held-back output, persisted
    /// collection inputs): the parts of the old workers `w` with `w % workers == worker`.
    ByWorker,
}

impl Checkpointing {
    /// Checkpointing as `options` ask for it, or `None` if they ask for none. Reads the checkpoint
    /// to restore: the one `--restore` names, else, in a restarted attempt (`generation > 0`),
    /// the newest valid one.
    pub(crate) fn from_options(
        options: &CheckpointOptions,
        job: &str,
        processes: usize,
        workers_per_process: usize,
        generation: u64,
    ) -> Result<Option<Checkpointing>> {
        // Where this run writes its checkpoints, and the checkpoint it starts from (with the
        // store that holds it: a savepoint may live elsewhere).
        let store = match (&options.checkpoint_dir, &options.restore) {
            (None, None) => return Ok(None),
            (Some(dir), _) => CheckpointStore::open(dir)?,
            (None, Some(path)) => resolve_restore(path)?.0,
        };
        let newest = if generation > 0 {
            // A restarted attempt: the newest checkpoint this run wrote, else what it started from.
            let (newest, warnings) = store.newest_valid()?;
            warn_all(&warnings);
            newest.map(|manifest| (store.clone(), manifest))
        } else {
            None
        };
        let restored = match (newest, &options.restore) {
            (Some(newest), _) => Some(newest),
            (None, Some(path)) => {
                let (source, manifest, warnings) = resolve_restore(path)?;
                warn_all(&warnings);
                if options.checkpoint_dir.is_none() && source.is_savepoint(manifest.id) {
                    return Err(RillError::new(format!(
                        "--restore {}: chk-{:020} is a savepoint; give the new run a checkpoint \
                         directory of its own with --checkpoint-dir (a run never writes into the \
                         savepoints' directory, so that its garbage collection cannot delete them)",
                        path.display(),
                        manifest.id
                    )));
                }
                Some((source, manifest))
            }
            (None, None) if generation > 0 => None,
            (None, None) => {
                let (newest, warnings) = store.newest_valid()?;
                warn_all(&warnings);
                if let Some(manifest) = newest {
                    return Err(RillError::new(format!(
                        "{} already holds checkpoints of a run of job \"{}\" (the newest is \
                         chk-{:020}); to continue from it pass `--restore {}`, or checkpoint \
                         into an empty directory",
                        store.dir().display(),
                        manifest.job,
                        manifest.id,
                        store.dir().display()
                    )));
                }
                None
            }
        };
        let restored = match restored {
            Some((source, manifest)) => Some(Restored::check(
                source,
                manifest,
                job,
                processes,
                workers_per_process,
            )?),
            None => None,
        };
        if let Some(restored) = &restored {
            store.discard_after(restored.manifest.id)?;
        }
        let savepoints = options
            .savepoint_dir()
            .unwrap_or_else(|| store.dir().join("savepoints"));
        Ok(Some(Checkpointing {
            store,
            interval: options.interval(),
            kept: options.checkpoints_kept,
            incremental: !options.full_checkpoints,
            savepoints,
            savepoint_at_end: options.savepoint_at_end,
            generation,
            job: job.to_string(),
            processes,
            workers_per_process,
            announced: Mutex::new(BTreeSet::new()),
            writers: Mutex::new(vec![Vec::new(); workers_per_process]),
            restored,
            allow_non_restored: options.allow_non_restored_state,
            stats: Mutex::default(),
            background: Mutex::new(part_writer_thread()?),
        }))
    }

    /// The id of the checkpoint this run restored, if any: every state writer has written it.
    pub(crate) fn restored_id(&self) -> Option<Epoch> {
        self.restored.as_ref().map(|r| r.manifest.id)
    }

    /// Records that the coordinator announced checkpoint `id`.
    pub(crate) fn announce(&self, id: Epoch) {
        lock(&self.announced).insert(id);
    }

    /// The first announced checkpoint after `after` and before `before` (`None`: no bound).
    pub(crate) fn next_announced(
        &self,
        after: Option<Epoch>,
        before: Option<Epoch>,
    ) -> Option<Epoch> {
        let announced = lock(&self.announced);
        let mut ids = announced.iter().copied();
        let next = match after {
            Some(after) => ids.find(|id| *id > after),
            None => ids.next(),
        };
        next.filter(|id| before.is_none_or(|before| *id < before))
    }

    /// Registers a state writer named `operator` on `worker`. Fails on a second operator of the
    /// same name: checkpoints find state by name, so names must be unique.
    pub(crate) fn register(&self, operator: &str, worker: WorkerInfo) -> Result<()> {
        let mut writers = lock(&self.writers);
        let local = &mut writers[worker.index % self.workers_per_process];
        if local.iter().any(|name| name == operator) {
            return Err(RillError::new(format!(
                "two stateful operators are named `{operator}`: checkpoints identify state by \
                 operator name; give one of them another name (or `uid`)"
            )));
        }
        local.push(operator.to_string());
        Ok(())
    }

    /// How many parts a complete checkpoint has: every worker's state writers.
    pub(crate) fn expected_parts(&self) -> usize {
        lock(&self.writers)[0].len() * self.workers_per_process * self.processes
    }

    /// All workers of this run.
    pub(crate) fn peers(&self) -> usize {
        self.processes * self.workers_per_process
    }

    /// Reads the parts of `operator`'s state split by worker in the restored checkpoint that
    /// `worker` takes ([`Assignment::ByWorker`]), each as its frames: `None` if the run restored
    /// nothing, or, with `--allow-non-restored-state`, if the checkpoint has no state for the
    /// operator. A worker of a rescaled run may take no part (more workers than before).
    pub(crate) fn restore_parts(
        &self,
        operator: &str,
        worker: usize,
    ) -> Result<Option<Vec<Vec<Vec<u8>>>>> {
        let Some((restored, parts)) = self.parts_taken(operator, worker, Assignment::ByWorker)?
        else {
            return Ok(None);
        };
        let id = restored.manifest.id;
        let frames = parts
            .into_iter()
            .map(|part| restored.store.read_part(id, part));
        frames.collect::<Result<_>>().map(Some)
    }

    /// Reads the chunks of keyed `operator`'s state in the restored checkpoint that `worker`
    /// takes ([`Assignment::ByKey`]: those of the key groups it owns, out of every old part in
    /// a rescaled run), with each part's unkeyed frames. `None` as for
    /// [`Checkpointing::restore_parts`].
    pub(crate) fn restore_chunked(
        &self,
        operator: &str,
        worker: usize,
    ) -> Result<Option<Vec<ChunkedPart>>> {
        let Some((restored, parts)) = self.parts_taken(operator, worker, Assignment::ByKey)? else {
            return Ok(None);
        };
        let peers = self.peers();
        let owned =
            move |chunk: ChunkId| worker_for_group(chunk.group as u64, peers) == worker as u64;
        let id = restored.manifest.id;
        let chunked = parts
            .into_iter()
            .map(|part| read_chunked(&restored.store, id, part, &owned));
        chunked.collect::<Result<_>>().map(Some)
    }

    /// The parts of `operator` in the restored checkpoint that `worker` takes, and claims them
    /// (see [`Checkpointing::restore_parts`]).
    fn parts_taken(
        &self,
        operator: &str,
        worker: usize,
        assignment: Assignment,
    ) -> Result<Option<(&Restored, Vec<&PartInfo>)>> {
        let Some(restored) = &self.restored else {
            return Ok(None);
        };
        let (old, new) = (restored.old_peers(), self.peers());
        let workers: Vec<usize> = match (restored.rescaled, assignment) {
            (false, _) => vec![worker],
            (true, Assignment::ByKey) => (0..old).collect(),
            (true, Assignment::ByWorker) => (0..old).filter(|w| w % new == worker).collect(),
        };
        let mut parts = Vec::with_capacity(workers.len());
        for old_worker in workers {
            let key = (operator.to_string(), old_worker);
            let Some(part) = restored.parts.get(&key) else {
                if self.allow_non_restored {
                    return Ok(None);
                }
                return Err(RillError::new(format!(
                    "checkpoint chk-{:020} has no state for operator `{operator}` (worker \
                     {old_worker}): was the operator added or renamed? Give it the old name as \
                     `uid`, or pass --allow-non-restored-state to start it empty",
                    restored.manifest.id
                )));
            };
            parts.push(part);
        }
        lock(&restored.claimed).insert(operator.to_string());
        Ok(Some((restored, parts)))
    }

    /// After a worker built its dataflow: fails if the restored checkpoint holds state of an
    /// operator that no operator of the job claimed (unless `--allow-non-restored-state`).
    pub(crate) fn check_all_restored(&self) -> Result<()> {
        let Some(restored) = &self.restored else {
            return Ok(());
        };
        if self.allow_non_restored {
            return Ok(());
        }
        let claimed = lock(&restored.claimed);
        let unclaimed: Vec<String> = restored
            .manifest
            .parts
            .iter()
            .filter(|p| !claimed.contains(&p.operator))
            .map(|p| format!("`{}`", p.operator))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        if unclaimed.is_empty() {
            return Ok(());
        }
        Err(RillError::new(format!(
            "checkpoint chk-{:020} holds state of operator(s) {} that this job does not have: \
             was an operator removed or renamed? Pass --allow-non-restored-state to drop that state",
            restored.manifest.id,
            unclaimed.join(", ")
        )))
    }

    /// Counts a checkpoint that could not be completed, and says why.
    pub(crate) fn failed(&self, id: Epoch, why: &str) {
        let failed = {
            let mut stats = lock(&self.stats);
            stats.failed += 1;
            stats.failed
        };
        let then = if id == FINAL_CHECKPOINT {
            "the job cannot commit its last output"
        } else {
            "the job goes on, and the next checkpoint tries again"
        };
        say(&format!(
            "checkpoint chk-{id:020} failed ({failed} so far); {then}: {why}"
        ));
    }

    /// Runs `write` on the part writer thread, after the writes handed over before it.
    pub(crate) fn in_background(&self, write: BackgroundWrite) {
        if let Err(unsent) = lock(&self.background).send(write) {
            // The thread is gone (it panicked): write here.
            (unsent.0)();
        }
    }

    /// Copies complete checkpoint `id` into the savepoint directory, and says where it is.
    pub(crate) fn save(&self, id: Epoch) {
        match self.store.copy_to(id, &self.savepoints) {
            Ok(path) => say(&format!(
                "savepoint written: {} (start a run from it with --restore {})",
                path.display(),
                path.display()
            )),
            Err(error) => say(&format!("savepoint of checkpoint {id} failed: {error}")),
        }
    }

    /// Counts a completed checkpoint, `duration` after its announcement, of `bytes` bytes.
    pub(crate) fn completed(&self, duration: Duration, bytes: u64) {
        let mut stats = lock(&self.stats);
        stats.completed += 1;
        stats.durations.push(duration);
        stats.bytes.push(bytes);
    }

    /// The checkpoints completed and failed so far, as this process saw them.
    pub fn stats(&self) -> CheckpointStats {
        lock(&self.stats).clone()
    }

    /// Whether checkpoint `id` is complete (its manifest exists).
    pub(crate) fn is_complete(&self, id: Epoch) -> bool {
        self.store.is_complete(id)
    }

    /// The checkpoint directory.
    pub fn dir(&self) -> &Path {
        self.store.dir()
    }
}

impl Restored {
    /// Checks that a checkpoint fits this run, and indexes its parts.
    fn check(
        store: CheckpointStore,
        manifest: Manifest,
        job: &str,
        processes: usize,
        workers: usize,
    ) -> Result<Restored> {
        let name = format!("chk-{:020}", manifest.id);
        if manifest.job != job {
            return Err(RillError::new(format!(
                "checkpoint {name} belongs to job \"{}\", not \"{job}\"",
                manifest.job
            )));
        }
        let parts = manifest
            .parts
            .iter()
            .map(|p| ((p.operator.clone(), p.worker), p.clone()))
            .collect();
        let rescaled = manifest.processes * manifest.workers != processes * workers;
        let how = if rescaled {
            format!(
                ", rescaling it from {} x {} to {processes} x {workers} (processes x workers)",
                manifest.processes, manifest.workers
            )
        } else {
            String::new()
        };
        say(&format!(
            "restoring checkpoint {name} of job \"{}\" (written by attempt {}){how}",
            manifest.job, manifest.generation
        ));
        Ok(Restored {
            store,
            manifest,
            parts,
            claimed: Mutex::new(HashSet::new()),
            rescaled,
        })
    }

    /// All workers of the run that wrote the checkpoint.
    fn old_peers(&self) -> usize {
        self.manifest.processes * self.manifest.workers
    }
}

fn warn_all(warnings: &[String]) {
    for warning in warnings {
        say(&format!("warning: {warning}"));
    }
}

/// Locks a mutex, ignoring poisoning: a panicking worker fails the job anyway.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A complete one-part checkpoint `id` of job "test", 1 process x 1 worker, in `store`.
    fn checkpoint(store: &CheckpointStore, id: Epoch) {
        let part = store
            .write_part(id, "count", 0, 0, &[b"state".to_vec()], false)
            .unwrap();
        let manifest = Manifest::for_test(id, 1, vec![part]);
        store.write_manifest(&manifest).unwrap();
    }

    fn restoring(restore: &Path, checkpoint_dir: Option<&Path>) -> Result<Option<Checkpointing>> {
        let options = CheckpointOptions {
            restore: Some(restore.to_path_buf()),
            checkpoint_dir: checkpoint_dir.map(Path::to_path_buf),
            ..CheckpointOptions::default()
        };
        Checkpointing::from_options(&options, "test", 1, 1, 0)
    }

    #[test]
    fn a_savepoint_restores_only_into_a_checkpoint_directory_of_its_own() {
        let dir = tempfile::tempdir().unwrap();
        let store = CheckpointStore::open(&dir.path().join("checkpoints")).unwrap();
        checkpoint(&store, 3);
        let savepoint = store.copy_to(3, &dir.path().join("savepoints")).unwrap();
        let error = restoring(&savepoint, None).err().expect("refused");
        assert!(error.to_string().contains("is a savepoint"), "{error}");
        let new = dir.path().join("new");
        let run = restoring(&savepoint, Some(&new)).unwrap().unwrap();
        assert_eq!((run.restored_id(), run.dir()), (Some(3), new.as_path()));
        // Its parts are read from the savepoint, not from the new directory.
        let parts = run.restore_parts("count", 0).unwrap();
        assert_eq!(parts, Some(vec![vec![b"state".to_vec()]]));
        // A checkpoint (not a savepoint) restores in place.
        let run = restoring(store.dir(), None).unwrap().unwrap();
        assert_eq!((run.restored_id(), run.dir()), (Some(3), store.dir()));
    }
}
