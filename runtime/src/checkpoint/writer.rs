//! A stateful operator's end of checkpointing: which checkpoints it owes, writing its part of
//! each, and reading its part of the checkpoint the run restored.

use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde::Serialize;

use super::frame::{from_frame, to_frame};
use super::rescale::SplitByKey;
use super::run::{Assignment, Checkpointing, FINAL_CHECKPOINT};
use crate::context::{Epoch, JobEnv};
use crate::error::{Failure, Result, RillError};
use crate::key::worker_for_group;

/// How often, and how far apart, a failed write of the final checkpoint is tried again.
const FINAL_WRITE_ATTEMPTS: u32 = 20;
const FINAL_WRITE_PAUSE: std::time::Duration = std::time::Duration::from_millis(500);

/// One operator instance (operator x worker) that writes state into checkpoints.
///
/// The protocol (see the module docs): the operator applies its input epoch by epoch; before it
/// applies an epoch later than an announced checkpoint `id` it writes its state, which then holds
/// exactly the epochs `<= id`. [`StateWriter::due`] says when that is.
pub(crate) struct StateWriter {
    checkpointing: Arc<Checkpointing>,
    operator: String,
    worker: usize,
    /// The last checkpoint written (or restored).
    written: Option<Epoch>,
    /// Where a final checkpoint that cannot be written fails the job.
    failure: Failure,
}

impl StateWriter {
    /// Registers `operator` as a state writer of this worker, if the run takes checkpoints.
    /// Fails the job on a duplicate name.
    pub(crate) fn register(env: &JobEnv, operator: &str) -> Option<StateWriter> {
        let checkpointing = env.checkpointing.clone()?;
        if let Err(error) = checkpointing.register(operator, env.worker) {
            env.failure.fail(error);
        }
        Some(StateWriter {
            written: checkpointing.restored_id(),
            checkpointing,
            operator: operator.to_string(),
            worker: env.worker.index,
            failure: env.failure.clone(),
        })
    }

    /// The operator's parts of the restored checkpoint that this worker takes, each decoded from
    /// its first frame, if the run restored one.
    pub(crate) fn restore<S: DeserializeOwned>(
        &self,
        assignment: Assignment,
    ) -> Result<Option<Vec<S>>> {
        let Some(parts) = self.restore_frames(assignment)? else {
            return Ok(None);
        };
        let origin = self.origin();
        let decoded = parts.iter().map(|frames| {
            let frame = frames.first().ok_or_else(|| {
                RillError::new(format!(
                    "the checkpointed state of `{}` is empty",
                    origin.display()
                ))
            })?;
            from_frame(&origin, frame)
        });
        decoded.collect::<Result<Vec<S>>>().map(Some)
    }

    /// The state of a keyed operator in the restored checkpoint, if the run restored one: its
    /// own part, or, in a rescaled run, the key groups it owns now out of every part.
    pub(crate) fn restore_keyed<S: DeserializeOwned + Default + SplitByKey>(
        &self,
    ) -> Result<Option<S>> {
        let Some(parts) = self.restore::<S>(Assignment::ByKey)? else {
            return Ok(None);
        };
        Ok(Some(self.merge_keyed(parts)))
    }

    /// Merges the parts of a keyed operator's state: the key groups this worker owns.
    pub(crate) fn merge_keyed<S: Default + SplitByKey>(&self, parts: Vec<S>) -> S {
        let keep = self.owned_groups();
        let mut parts = parts.into_iter();
        if !self.checkpointing.rescaled() {
            return parts.next().unwrap_or_default();
        }
        let mut state = S::default();
        for part in parts {
            state.absorb(part, &keep);
        }
        state
    }

    /// Whether this worker owns a key group.
    fn owned_groups(&self) -> impl Fn(u64) -> bool {
        let (worker, peers) = (self.worker as u64, self.checkpointing.peers());
        move |group| worker_for_group(group, peers) == worker
    }

    /// The frames of the operator's parts in the restored checkpoint that this worker takes, if
    /// the run restored one.
    pub(crate) fn restore_frames(
        &self,
        assignment: Assignment,
    ) -> Result<Option<Vec<Vec<Vec<u8>>>>> {
        self.checkpointing
            .restore_parts(&self.operator, self.worker, assignment)
    }

    /// Names the operator's state in error messages about it.
    pub(crate) fn origin(&self) -> std::path::PathBuf {
        self.checkpointing
            .dir()
            .join(format!("{} (worker {})", self.operator, self.worker))
    }

    /// The checkpoint the run restored, if any.
    pub(crate) fn restored_id(&self) -> Option<Epoch> {
        self.checkpointing.restored_id()
    }

    /// The next checkpoint this operator must write before it applies epoch `low` (`None`: the
    /// input has ended, so every announced checkpoint is due).
    pub(crate) fn due(&self, low: Option<Epoch>) -> Option<Epoch> {
        self.checkpointing.next_announced(self.written, low)
    }

    /// Writes `state` as this operator's part of checkpoint `id`. A failed write (a full disk)
    /// fails the checkpoint, not the job: it is reported and the job goes on.
    pub(crate) fn write<S: Serialize>(&mut self, id: Epoch, state: &S) {
        self.write_frames(id, to_frame(state).map(|frame| vec![frame]));
    }

    /// Writes encoded frames as this operator's part of checkpoint `id` (see [`Self::write`]).
    ///
    /// The file is written and synced by the process's part writer thread, so the operator goes
    /// on at once: the checkpoint completes when the coordinator finds every part on disk.
    pub(crate) fn write_frames(&mut self, id: Epoch, frames: Result<Vec<Vec<u8>>>) {
        self.written = Some(id);
        let frames = match frames {
            Ok(frames) => frames,
            Err(error) => return self.checkpointing.failed(id, &error.to_string()),
        };
        let checkpointing = self.checkpointing.clone();
        let (operator, worker, failure) =
            (self.operator.clone(), self.worker, self.failure.clone());
        self.checkpointing.in_background(Box::new(move || {
            write_part(&checkpointing, id, &operator, worker, &frames, &failure)
        }));
    }

    /// Whether checkpoint `id` is complete: its manifest exists.
    pub(crate) fn is_complete(&self, id: Epoch) -> bool {
        self.checkpointing.is_complete(id)
    }
}

/// Writes one part of checkpoint `id`. A failed write (a full disk) fails the checkpoint, not
/// the job. The final checkpoint, after the whole input, is what commits the job's last output:
/// a failed write of it is tried again for a while (the disk may free up), and then fails the
/// job, which the launcher restarts from the newest complete checkpoint.
fn write_part(
    checkpointing: &Checkpointing,
    id: Epoch,
    operator: &str,
    worker: usize,
    frames: &[Vec<u8>],
    failure: &Failure,
) {
    let mut attempt = 1;
    let error = loop {
        let written =
            checkpointing
                .store
                .write_part(id, operator, worker, checkpointing.generation, frames);
        match written {
            Ok(_) => return,
            Err(error) if id != FINAL_CHECKPOINT || attempt == FINAL_WRITE_ATTEMPTS => break error,
            Err(error) => {
                tracing::warn!("writing the final checkpoint (attempt {attempt}): {error}");
                std::thread::sleep(FINAL_WRITE_PAUSE);
                attempt += 1;
            }
        }
    };
    checkpointing.failed(id, &error.to_string());
    if id == FINAL_CHECKPOINT {
        failure.fail(RillError::new(format!(
            "the final checkpoint, which commits the job's last output, cannot be written \
             ({attempt} attempts): {error}"
        )));
    }
}
