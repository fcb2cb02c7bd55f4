//! The sink of a job that takes checkpoints: output is held back per checkpoint and handed to the
//! writer only once that checkpoint is complete, so what a writer commits never has to be undone.
//!
//! Records of epochs up to checkpoint `id` form `id`'s group. The group goes into the sink's part
//! of checkpoint `id` (with any older group not committed yet), so a restart that restores `id`
//! still has it. Once `id`'s manifest exists the writer gets the group and commits it. On restore,
//! [`SinkWriter::recover`] says which groups the writer had committed; the rest are written
//! again, and records the restored run produces again for epochs up to `id` are dropped.

use std::collections::BTreeMap;
use std::time::Duration;

use timely::dataflow::channels::pact::Exchange;
use timely::dataflow::operators::generic::builder_rc::OperatorBuilder;
use timely::dataflow::StreamVec;

use crate::checkpoint::StateWriter;
use crate::context::{Epoch, JobEnv};
use crate::error::Result;
use crate::io::SinkWriter;
use crate::key::Record;
use serde::{Deserialize, Serialize};

/// How often a sink with output waiting for its checkpoint looks for the manifest.
const POLL: Duration = Duration::from_millis(5);

/// One checkpoint's output: its id and its output by epoch.
type Group<T> = (Epoch, Vec<(Epoch, Held<T>)>);

/// One epoch's output held back: encoded by the writer ([`SinkWriter::stage`]) where it can,
/// else the records.
#[derive(Serialize, Deserialize)]
struct Held<T> {
    records: Vec<T>,
    #[serde(with = "as_bytes")]
    bytes: Vec<u8>,
}

impl<T> Default for Held<T> {
    fn default() -> Self {
        Held {
            records: Vec::new(),
            bytes: Vec::new(),
        }
    }
}

/// Serialises a byte vector as one block of bytes, not as a sequence of numbers.
mod as_bytes {
    use serde::de::{Deserializer, Error, Visitor};
    use serde::Serializer;

    pub(super) fn serialize<S: Serializer>(bytes: &[u8], serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(bytes)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Vec<u8>, D::Error> {
        struct Bytes;
        impl Visitor<'_> for Bytes {
            type Value = Vec<u8>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("bytes")
            }
            fn visit_bytes<E: Error>(self, bytes: &[u8]) -> Result<Vec<u8>, E> {
                Ok(bytes.to_vec())
            }
            fn visit_byte_buf<E: Error>(self, bytes: Vec<u8>) -> Result<Vec<u8>, E> {
                Ok(bytes)
            }
        }
        deserializer.deserialize_byte_buf(Bytes)
    }
}

/// Builds the staged sink operator on `stream`; `route` says which worker writes a record.
pub(crate) fn staged_sink<'scope, T: Record, W: SinkWriter<T>>(
    stream: StreamVec<'scope, Epoch, T>,
    route: impl Fn(&T) -> u64 + 'static,
    name: &str,
    env: JobEnv,
    mut writer: Option<W>,
    mut state: StateWriter,
) {
    let scope = stream.scope();
    let mut builder = OperatorBuilder::new(name.to_owned(), scope);
    let activator = scope.activator_for(builder.operator_info().address);
    let mut input = builder.new_input(stream, Exchange::new(route));
    let name = name.to_owned();
    let fail = move |env: &JobEnv, error: crate::RillError| env.failure.fail(error.context(&name));
    // Output not in a checkpoint yet, by epoch; groups in a checkpoint, not committed yet.
    let mut staged: BTreeMap<Epoch, Held<T>> = BTreeMap::new();
    let mut waiting: Vec<Group<T>> = Vec::new();
    let restored = state.restored_id();
    if let Err(error) = restore(&state, writer.as_mut(), &mut waiting) {
        fail(&env, error);
    }
    builder.build_reschedule(move |_capabilities| {
        move |frontiers| {
            let low = frontiers[0].frontier().first().copied();
            input.for_each(|time, batch| {
                let epoch = *time.time();
                env.metrics.add_out(batch.len() as u64);
                // A restored run produces again the output of the epochs it restored: committed.
                if restored.is_none_or(|restored| epoch > restored) {
                    let held = staged.entry(epoch).or_default();
                    let encoded = match writer.as_mut() {
                        Some(writer) => writer.stage(epoch, batch, &mut held.bytes),
                        None => Ok(false),
                    };
                    match encoded {
                        Ok(true) => {}
                        Ok(false) => held.records.append(batch),
                        Err(error) => fail(&env, error),
                    }
                }
            });
            while let Some(id) = state.due(low) {
                let rest = staged.split_off(&id.saturating_add(1));
                let group = std::mem::replace(&mut staged, rest).into_iter().collect();
                waiting.push((id, group));
                state.write(id, &waiting);
            }
            // The newest complete checkpoint commits its group and every older one.
            let complete = waiting.iter().rposition(|(id, _)| state.is_complete(*id));
            if let Some(last) = complete {
                for (id, group) in waiting.drain(..=last) {
                    if let Err(error) = commit(writer.as_mut(), id, group) {
                        fail(&env, error);
                    }
                }
            }
            let done = low.is_none() && waiting.is_empty() && staged.is_empty();
            if done {
                if let Some(Err(error)) = writer.take().map(|mut w| w.finish()) {
                    fail(&env, error);
                }
            } else if !waiting.is_empty() {
                activator.activate_after(POLL);
            }
            !done && !env.failure.is_set()
        }
    });
}

/// Hands a checkpoint's output to the writer and commits it.
fn commit<T, W: SinkWriter<T>>(
    writer: Option<&mut W>,
    id: Epoch,
    group: Vec<(Epoch, Held<T>)>,
) -> Result<()> {
    let Some(writer) = writer else {
        return Ok(());
    };
    let mut last = None;
    for (epoch, mut held) in group {
        if !held.bytes.is_empty() {
            writer.write_staged(epoch, &held.bytes)?;
        }
        if !held.records.is_empty() {
            writer.write(epoch, &mut held.records)?;
        }
        last = Some(epoch);
    }
    if let Some(last) = last {
        writer.epoch_done(last)?;
    }
    writer.commit(id)
}

/// After a restore: commits again the groups of the restored checkpoint that the writer had not
/// committed.
fn restore<T: Record, W: SinkWriter<T>>(
    state: &StateWriter,
    mut writer: Option<&mut W>,
    waiting: &mut Vec<Group<T>>,
) -> Result<()> {
    // A rescaled run divides the old parts among its workers: a gathered sink's output is all
    // in worker 0's part, which goes to the new worker 0.
    let parts = state.restore::<Vec<Group<T>>>()?;
    let (Some(restored), Some(parts)) = (state.restored_id(), parts) else {
        return Ok(());
    };
    let committed = match writer.as_mut() {
        Some(writer) => writer.recover(restored)?,
        None => None,
    };
    for (id, group) in parts.into_iter().flatten() {
        if committed.is_none_or(|committed| id > committed) {
            commit(writer.as_deref_mut(), id, group)?;
        }
    }
    waiting.clear();
    Ok(())
}
