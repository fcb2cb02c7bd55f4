//! A stateful operator's end of checkpointing: which checkpoints it owes, writing its part of
//! each, and reading its part of the checkpoint the run restored.

use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde::Serialize;

use super::frame::{from_frame, to_frame};
use super::run::{Checkpointing, FINAL_CHECKPOINT};
use crate::context::{Epoch, JobEnv};
use crate::error::{Failure, Result, RillError};

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

    /// The operator's state in the restored checkpoint, decoded, if the run restored one.
    pub(crate) fn restore<S: DeserializeOwned>(&self) -> Result<Option<S>> {
        let Some(frames) = self.restore_frames()? else {
            return Ok(None);
        };
        let frame = frames.first().ok_or_else(|| {
            RillError::new(format!(
                "the checkpointed state of `{}` (worker {}) is empty",
                self.operator, self.worker
            ))
        })?;
        from_frame(&self.origin(), frame).map(Some)
    }

    /// The frames of the operator's part in the restored checkpoint, if the run restored one.
    pub(crate) fn restore_frames(&self) -> Result<Option<Vec<Vec<u8>>>> {
        self.checkpointing.restore_part(&self.operator, self.worker)
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
