//! A stateful operator's end of checkpointing: which checkpoints it owes, writing its part of
//! each, and reading its part of the checkpoint the run restored.

use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde::Serialize;

use super::frame::{from_frame, to_frame};
use super::run::Checkpointing;
use crate::context::{Epoch, JobEnv};
use crate::error::{Result, RillError};

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
    pub(crate) fn write_frames(&mut self, id: Epoch, frames: Result<Vec<Vec<u8>>>) {
        self.written = Some(id);
        let written = frames.and_then(|frames| {
            self.checkpointing.store.write_part(
                id,
                &self.operator,
                self.worker,
                self.checkpointing.generation,
                &frames,
            )
        });
        if let Err(error) = written {
            self.checkpointing.failed(id, &error.to_string());
        }
    }

    /// Whether checkpoint `id` is complete: its manifest exists.
    pub(crate) fn is_complete(&self, id: Epoch) -> bool {
        self.checkpointing.is_complete(id)
    }
}

/// Fails the job if it takes checkpoints: `operator` keeps state (`what`) that checkpoints do
/// not cover yet, and restoring without it would give wrong results.
pub(crate) fn refuse_checkpoints(env: &JobEnv, operator: &str, what: &str) {
    if env.checkpointing.is_some() {
        env.failure.fail(RillError::new(format!(
            "operator `{operator}` keeps {what}, which checkpoints do not cover yet: run this job \
             without --checkpoint-dir"
        )));
    }
}
