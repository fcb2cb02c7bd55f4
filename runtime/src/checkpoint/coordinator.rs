//! The checkpoint coordinator: chooses the checkpoints, announces them to the sources, and
//! completes each one by writing its manifest once every state writer's part is durable.
//!
//! It runs on worker 0 (the other workers' instances drop their capability at once). It holds a
//! capability that follows the sources' progress (read from a probe on their progress outputs),
//! a millisecond or so behind. Every interval it announces checkpoint `id` = the last epoch the
//! sources have finished, at time `id`: since the sources' record outputs are connected to the
//! announcements, no operator downstream can see its input frontier pass `id` before every source
//! instance has received the announcement and recorded it in its process's [`Checkpointing`].
//! A savepoint request (see [`super::savepoint`]) makes the next announcement due at once.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use timely::dataflow::operators::generic::builder_rc::OperatorBuilder;
use timely::dataflow::operators::generic::OutputBuilder;
use timely::dataflow::operators::vec::Broadcast;
use timely::dataflow::ProbeHandle;
use timely::dataflow::{Scope, StreamVec};

use super::run::{Checkpointing, FINAL_CHECKPOINT};
use super::savepoint::take_request;
use super::store::Manifest;
use crate::context::{Epoch, JobEnv};

/// How often the coordinator looks at the sources' progress and at the parts written.
const POLL: Duration = Duration::from_millis(1);

/// Builds the coordinator; returns the announcements, broadcast to every worker.
pub(crate) fn coordinator<'scope>(
    scope: Scope<'scope, Epoch>,
    env: &JobEnv,
    checkpointing: Arc<Checkpointing>,
    sources: ProbeHandle<Epoch>,
) -> StreamVec<'scope, Epoch, Epoch> {
    let mut builder = OperatorBuilder::new("checkpoint coordinator".to_owned(), scope);
    let activator = scope.activator_for(builder.operator_info().address);
    let (output, announcements) = builder.new_output::<Vec<Epoch>>();
    let mut output = OutputBuilder::from(output);
    let leader = env.worker.index == 0;
    builder.build_reschedule(move |mut capabilities| {
        let mut capability = capabilities.pop().filter(|_| leader);
        let mut held: Epoch = 0;
        let mut last = checkpointing.restored_id();
        let mut last_time = Instant::now();
        // Announced checkpoints that are not complete yet.
        let mut open: Vec<Open> = Vec::new();
        // A savepoint asked for and not announced yet.
        let mut requested = false;
        // The newest checkpoint this run completed.
        let mut newest_complete: Option<Epoch> = None;
        move |_frontiers| {
            if let Some(cap) = capability.as_mut() {
                requested |= take_request();
                let frontier = sources.with_frontier(|f| f.first().copied());
                let announce = match frontier {
                    None => (last != Some(FINAL_CHECKPOINT)).then_some(FINAL_CHECKPOINT),
                    Some(reached) => {
                        let id = held.max(reached.saturating_sub(1));
                        let due = requested || last_time.elapsed() >= checkpointing.interval;
                        (due && last.is_none_or(|last| id > last)).then_some(id)
                    }
                };
                if let Some(id) = announce {
                    output.activate().session(&cap.delayed(&id)).give(id);
                    tracing::debug!("announced checkpoint {id}");
                    let final_kept = id == FINAL_CHECKPOINT && checkpointing.savepoint_at_end;
                    open.push(Open {
                        id,
                        announced: Instant::now(),
                        referable: newest_complete.unwrap_or(0),
                        superseded: false,
                        savepoint: requested || final_kept,
                    });
                    requested = false;
                    last = Some(id);
                    last_time = Instant::now();
                    held = held.max(id.saturating_add(1));
                }
                match frontier {
                    Some(reached) => {
                        held = held.max(reached);
                        cap.downgrade(&held);
                    }
                    None => capability = None,
                }
            }
            newest_complete = newest_complete.max(complete(&checkpointing, &mut open));
            let incomplete = capability.is_some() || !open.is_empty();
            if incomplete {
                activator.activate_after(POLL);
            }
            incomplete
        }
    });
    announcements.broadcast()
}

/// An announced checkpoint that is not complete yet.
struct Open {
    id: Epoch,
    announced: Instant,
    /// The oldest checkpoint its chunked parts may refer to: the newest complete one when it
    /// was announced (a state writer refers only to checkpoints it knows complete).
    referable: Epoch,
    /// Whether a newer checkpoint completed before it.
    superseded: bool,
    /// Whether it is kept as a savepoint once complete.
    savepoint: bool,
}

/// Writes the manifest of every open checkpoint whose parts are all there, and returns the
/// newest it completed. An open checkpoint still incomplete on the pass after a newer one
/// completed has lost a part (a failed write): it is given up.
fn complete(checkpointing: &Checkpointing, open: &mut Vec<Open>) -> Option<Epoch> {
    let expected = checkpointing.expected_parts();
    let mut newest_complete = None;
    // Checkpoints still open may refer to parts of complete ones from here on.
    let in_use_from = open.iter().map(|o| o.referable).min();
    open.retain(
        |&Open {
             id,
             announced,
             superseded,
             savepoint,
             ..
         }| {
            let found = checkpointing.store.parts(id, checkpointing.generation);
            let found = found.and_then(|mut parts| {
                if parts.len() >= expected {
                    checkpointing.store.find_references(id, &mut parts)?;
                }
                Ok(parts)
            });
            let parts = match found {
                Ok(parts) if parts.len() >= expected => parts,
                Ok(_) if superseded => {
                    checkpointing.failed(id, "a part of it was not written");
                    return false;
                }
                Ok(_) => return true,
                Err(error) => {
                    checkpointing.failed(id, &error.to_string());
                    return false;
                }
            };
            let bytes = parts.iter().map(|part| part.bytes).sum();
            let manifest = Manifest {
                id,
                job: checkpointing.job.clone(),
                workers: checkpointing.workers_per_process,
                processes: checkpointing.processes,
                generation: checkpointing.generation,
                parts,
                created_unix_ms: SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .map_or(0, |d| d.as_millis() as u64),
            };
            match checkpointing.store.write_manifest(&manifest) {
                Ok(()) => {
                    tracing::info!("checkpoint {id} complete");
                    checkpointing.completed(announced.elapsed(), bytes);
                    if savepoint {
                        checkpointing.save(id);
                    }
                    newest_complete = newest_complete.max(Some(id));
                    if let Err(error) = checkpointing
                        .store
                        .collect_garbage(checkpointing.kept, in_use_from)
                    {
                        tracing::warn!("cannot delete old checkpoints: {error}");
                    }
                }
                Err(error) => checkpointing.failed(id, &error.to_string()),
            }
            false
        },
    );
    for checkpoint in open.iter_mut() {
        checkpoint.superseded |= newest_complete.is_some_and(|newest| checkpoint.id < newest);
    }
    newest_complete
}
