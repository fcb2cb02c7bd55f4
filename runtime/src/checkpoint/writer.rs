//! A stateful operator's end of checkpointing: which checkpoints it owes, writing its part of
//! each, and reading its part of the checkpoint the run restored.

use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde::Serialize;

use super::chunks::{ChunkWriter, RestoreChunks, WriteChunks};
use super::frame::{from_frame, to_frame};
use super::incremental::ChunkHistory;
#[cfg(doc)]
use super::run::Assignment;
use super::run::{Checkpointing, FINAL_CHECKPOINT};
use super::store::part_file_name;
use crate::context::{Epoch, JobEnv};
use crate::error::{Failure, Result, RillError};

/// The frames of one part.
type Frames = Vec<Vec<u8>>;

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
    /// What the chunked parts written so far hold (keyed operators).
    chunks: ChunkHistory,
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
            chunks: ChunkHistory::default(),
        })
    }

    /// The operator's parts of the restored checkpoint that this worker takes, each decoded from
    /// its first frame, if the run restored one: state split by worker (sources' shares of the
    /// input, held-back output, persisted collection inputs), whose old parts each go whole to
    /// one worker ([`Assignment::ByWorker`]).
    pub(crate) fn restore<S: DeserializeOwned>(&self) -> Result<Option<Vec<S>>> {
        let Some(parts) = self
            .checkpointing
            .restore_parts(&self.operator, self.worker)?
        else {
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

    /// The state of a keyed operator in the restored checkpoint, if the run restored one: the
    /// chunks of the key groups this worker owns (in a rescaled run, out of every part).
    pub(crate) fn restore_keyed<S: RestoreChunks>(&self) -> Result<Option<S>> {
        Ok(self.restore_chunked()?.map(|(state, _)| state))
    }

    /// The state of a keyed operator in the restored checkpoint, if the run restored one (see
    /// [`Self::restore_keyed`]), and the unkeyed frames of each part it read.
    pub(crate) fn restore_chunked<S: RestoreChunks>(&self) -> Result<Option<(S, Vec<Frames>)>> {
        let Some(parts) = self
            .checkpointing
            .restore_chunked(&self.operator, self.worker)?
        else {
            return Ok(None);
        };
        let origin = self.origin();
        let mut state = S::default();
        let mut shared = Vec::with_capacity(parts.len());
        for part in parts {
            for (_, entries) in part.chunks {
                state.restore_chunk(from_frame(&origin, &entries.to_bincode())?);
            }
            shared.push(part.shared);
        }
        Ok(Some((state, shared)))
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
        self.write_part(id, to_frame(state).map(|frame| vec![frame]), false);
    }

    /// Writes a keyed operator's state as its chunked part of checkpoint `id`: only the chunks
    /// that changed since its last complete checkpoint (see [`Self::write`]).
    pub(crate) fn write_keyed(&mut self, id: Epoch, state: &impl WriteChunks) {
        self.write_chunked(id, Ok(Vec::new()), state);
    }

    /// Writes a keyed operator's state and its unkeyed frames `shared` as its chunked part of
    /// checkpoint `id` (see [`Self::write_keyed`]).
    pub(crate) fn write_chunked(
        &mut self,
        id: Epoch,
        shared: Result<Vec<Vec<u8>>>,
        state: &impl WriteChunks,
    ) {
        let file = part_file_name(&self.operator, self.worker, self.checkpointing.generation);
        let frames = shared.and_then(|shared| {
            let mut chunks = ChunkWriter::new(self.chunks.subs());
            state.write_chunks(&mut chunks)?;
            let entries = chunks.entries();
            let checkpointing = &self.checkpointing;
            // With --full-checkpoints no part is ever a base: every chunk is written.
            self.chunks
                .frames(id, &file, shared, chunks.finish(), entries, |id| {
                    checkpointing.incremental && checkpointing.is_complete(id)
                })
        });
        self.write_part(id, frames, true);
    }

    /// Writes a part (chunked or not) of checkpoint `id`.
    ///
    /// The file is written and synced by the process's part writer thread, so the operator goes
    /// on at once: the checkpoint completes when the coordinator finds every part on disk.
    fn write_part(&mut self, id: Epoch, frames: Result<Vec<Vec<u8>>>, chunked: bool) {
        self.written = Some(id);
        let frames = match frames {
            Ok(frames) => frames,
            Err(error) => return self.checkpointing.failed(id, &error.to_string()),
        };
        let checkpointing = self.checkpointing.clone();
        let (operator, worker, failure) =
            (self.operator.clone(), self.worker, self.failure.clone());
        self.checkpointing.in_background(Box::new(move || {
            write_part(
                &checkpointing,
                id,
                &operator,
                worker,
                (&frames, chunked),
                &failure,
            )
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
    (frames, chunked): (&[Vec<u8>], bool),
    failure: &Failure,
) {
    let mut attempt = 1;
    let error = loop {
        let generation = checkpointing.generation;
        let written = checkpointing
            .store
            .write_part(id, operator, worker, generation, frames, chunked);
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
