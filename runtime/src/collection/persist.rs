//! The entry of records into a collection, and how collections survive a restore.
//!
//! Differential dataflow's operators (`join`, `reduce`, `iterate`, ...) keep their state in
//! arrangements that cannot be written out and read back. Checkpoints cover them another way
//! (DESIGN.md §6): every entry into a collection keeps its input consolidated — one count per
//! record — and writes it into each checkpoint. A restored run replays that input at the
//! checkpoint's epoch, so every collection operator rebuilds its state as of the checkpoint, and
//! the sources go on from there. What the replay makes the collection emit again, at epochs up to
//! the checkpoint, was delivered before the failure: [`Collection::changes`] drops it.
//!
//! [`Collection::changes`]: super::Collection::changes

use std::collections::hash_map::Entry;
use std::collections::BTreeMap;
use std::hash::Hash;

use timely::dataflow::channels::pact::Pipeline;
use timely::dataflow::operators::generic::Operator;
use timely::dataflow::StreamVec;

use super::Data;
use crate::checkpoint::StateWriter;
use crate::context::{Epoch, JobEnv};
use crate::key::StableHashMap;

/// Stamps every `(record, diff)` pair with its epoch: the updates of a collection. With
/// checkpoints, the entry also persists its input and replays it on restore (see the module).
pub(crate) fn enter<'scope, T: Data>(
    stream: StreamVec<'scope, Epoch, (T, isize)>,
    name: &str,
    env: &JobEnv,
) -> StreamVec<'scope, Epoch, (T, Epoch, isize)> {
    let Some(mut writer) = StateWriter::register(env, name) else {
        return stream.unary(Pipeline, name, |_, _| {
            |input, output| {
                input.for_each(|time, batch| {
                    let epoch = *time.time();
                    output.session(&time).give_iterator(stamped(epoch, batch));
                })
            }
        });
    };
    let mut input = PersistedInput::default();
    // Each worker replays the input its own part holds; a rescaled run divides the old parts
    // among its workers (what follows exchanges the records where they belong).
    let restored = match writer.restore::<StableHashMap<T, isize>>() {
        Ok(restored) => restored.map(consolidate_parts),
        Err(error) => {
            env.failure.fail(error.context(name));
            None
        }
    };
    let replay = restored.zip(writer.restored_id());
    stream.unary_frontier(Pipeline, name, move |initial, _| {
        // The capability to replay the restored input with, at the first activation.
        let mut replay = replay.map(|(records, id)| (initial.delayed(&id), records));
        move |(updates, frontier), output| {
            if let Some((at, records)) = replay.take() {
                let id = *at.time();
                output.session(&at).give_iterator(
                    records
                        .iter()
                        .map(|(record, &diff)| (record.clone(), id, diff)),
                );
                input.consolidated = records;
            }
            updates.for_each(|time, batch| {
                let epoch = *time.time();
                input.accept(epoch, batch);
                output.session(&time).give_iterator(stamped(epoch, batch));
            });
            let low = frontier.frontier().first().copied();
            while let Some(id) = writer.due(low) {
                input.fold_through(id);
                writer.write(id, &input.consolidated);
            }
            // Every checkpoint before `low` is written: fold what no later one can split.
            match low {
                Some(low) => input.fold_through(low.saturating_sub(1)),
                None => input.fold_through(Epoch::MAX),
            }
        }
    })
}

/// The updates of a batch of `(record, diff)` pairs of `epoch`.
fn stamped<T>(
    epoch: Epoch,
    batch: &mut Vec<(T, isize)>,
) -> impl Iterator<Item = (T, Epoch, isize)> + '_ {
    batch
        .drain(..)
        .map(move |(record, diff)| (record, epoch, diff))
}

/// A collection entry's input: consolidated up to some epoch, and by epoch after it.
struct PersistedInput<T> {
    /// The net count of every record over the folded epochs (never 0).
    consolidated: StableHashMap<T, isize>,
    /// The pairs of epochs not folded yet.
    pending: BTreeMap<Epoch, Vec<(T, isize)>>,
}

impl<T> Default for PersistedInput<T> {
    fn default() -> Self {
        PersistedInput {
            consolidated: StableHashMap::default(),
            pending: BTreeMap::new(),
        }
    }
}

impl<T: Data> PersistedInput<T> {
    /// Keeps a copy of a batch of epoch `epoch`.
    fn accept(&mut self, epoch: Epoch, batch: &[(T, isize)]) {
        self.pending
            .entry(epoch)
            .or_default()
            .extend_from_slice(batch);
    }

    /// Folds the pending pairs of every epoch up to `last` into the consolidated counts.
    fn fold_through(&mut self, last: Epoch) {
        while let Some(entry) = self.pending.first_entry() {
            if *entry.key() > last {
                break;
            }
            for (record, diff) in entry.remove() {
                match self.consolidated.entry(record) {
                    Entry::Occupied(mut count) => {
                        *count.get_mut() += diff;
                        if *count.get() == 0 {
                            count.remove();
                        }
                    }
                    Entry::Vacant(count) => {
                        if diff != 0 {
                            count.insert(diff);
                        }
                    }
                }
            }
        }
    }
}

/// The records of several parts of a persisted input, with their counts added up.
fn consolidate_parts<T: Hash + Eq>(parts: Vec<StableHashMap<T, isize>>) -> StableHashMap<T, isize> {
    let mut parts = parts.into_iter();
    let mut all = parts.next().unwrap_or_default();
    for part in parts {
        for (record, diff) in part {
            *all.entry(record).or_default() += diff;
        }
    }
    all.retain(|_, diff| *diff != 0);
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_consolidates_epochs_up_to_the_last_and_keeps_later_ones() {
        let mut input = PersistedInput::default();
        input.accept(0, &[('a', 1), ('b', 2)]);
        input.accept(2, &[('c', 1)]);
        input.accept(1, &[('a', -1), ('b', -1)]);
        input.fold_through(1);
        let folded: BTreeMap<_, _> = input.consolidated.clone().into_iter().collect();
        assert_eq!(folded, BTreeMap::from([('b', 1)]));
        assert_eq!(input.pending.keys().copied().collect::<Vec<_>>(), vec![2]);
    }
}
