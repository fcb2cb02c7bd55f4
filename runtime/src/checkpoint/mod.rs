//! Checkpoints from progress tracking: consistent snapshots of a running job, restore, and
//! exactly-once output (DESIGN.md §6).
//!
//! A checkpoint `id` is the state of every operator after exactly the input epochs `<= id`:
//!
//! 1. The [coordinator](coordinator) on worker 0 announces `id` to the sources, at time `id`.
//!    The sources' outputs wait for the announcement, so every operator downstream learns of `id`
//!    (through its process's [`Checkpointing`]) before its input frontier can pass `id`.
//! 2. Each source writes where it will read the first record of an epoch after `id`. Each stateful
//!    operator applies its input epoch by epoch and, before the first epoch after `id`, writes its
//!    state ([`StateWriter`]). Sinks write the output they hold back for `id`.
//! 3. A part is durable once written (temp file, fsync, rename): when all parts of `id` are there,
//!    the coordinator writes the manifest. Only checkpoints with a manifest are restored.
//! 4. Sinks hand the output of `id` to their writers once the manifest exists, and commit it.
//!
//! On restore, every source seeks to its position and starts at the epoch after `id`, every
//! stateful operator starts from its part, and sinks re-commit what the manifest covers.

mod chunks;
mod coordinator;
mod frame;
mod incremental;
mod position;
mod run;
mod savepoint;
mod stats;
mod store;
mod writer;

pub(crate) use chunks::{ChunkWriter, RestoreChunks, WriteChunks};
pub(crate) use coordinator::coordinator;
pub use frame::*;
pub use incremental::PartRef;
pub use position::Position;
pub(crate) use run::{attempt_from_environment, ATTEMPT_VARIABLE};
pub use run::{Checkpointing, FINAL_CHECKPOINT};
pub(crate) use savepoint::{forward_request, listen_for_requests, take_request};
pub use stats::CheckpointStats;
pub use store::*;
pub(crate) use writer::StateWriter;
