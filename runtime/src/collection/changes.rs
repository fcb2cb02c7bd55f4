//! Conversions between streams and collections, and the [`Change`] records of a collection.

use std::fmt;

use differential_dataflow::AsCollection;
use serde::{Deserialize, Serialize};
use timely::dataflow::channels::pact::Pipeline;
use timely::dataflow::operators::generic::Operator;

use super::{persist, Collection, Data};
use crate::context::Epoch;
use crate::stream::Stream;

/// One change of a collection: `diff` copies of `data` inserted (`diff > 0`) or retracted
/// (`diff < 0`) at `epoch`. Displayed as `+ data` or `- data` (with the count when it is not 1).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Change<T> {
    /// The record.
    pub data: T,
    /// The epoch at which it changed.
    pub epoch: Epoch,
    /// How many copies were inserted (positive) or retracted (negative).
    pub diff: isize,
}

impl<T: fmt::Display> fmt::Display for Change<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.diff < 0 { '-' } else { '+' };
        match self.diff.unsigned_abs() {
            1 => write!(f, "{sign} {}", self.data),
            count => write!(f, "{sign}{count} {}", self.data),
        }
    }
}

impl<'scope, T: 'static> Stream<'scope, T> {
    /// The collection of this stream's records: each record is inserted at its epoch.
    pub fn to_collection(self, name: &str) -> Collection<'scope, T>
    where
        T: Data,
    {
        self.map(name, |record| (record, 1))
            .into_updates(name, false)
    }
}

impl<'scope, T: 'static> Stream<'scope, (T, isize)> {
    /// The collection these `(record, diff)` changes build up: each pair inserts (`diff > 0`)
    /// or retracts (`diff < 0`) copies of the record at its epoch. Such a collection changes
    /// after its first epoch, so loops over it stay incremental.
    pub fn from_changes(self, name: &str) -> Collection<'scope, T>
    where
        T: Data,
    {
        self.into_updates(name, true)
    }

    /// Attaches every pair's epoch: the update triples of a collection (persisted for
    /// checkpoints, see [`super::persist`]).
    fn into_updates(self, name: &str, changing: bool) -> Collection<'scope, T>
    where
        T: Data,
    {
        let inner = persist::enter(self.inner, name, &self.env).as_collection();
        Collection {
            inner,
            env: self.env,
            changing,
        }
    }
}

impl<'scope, T: 'static> Collection<'scope, T> {
    /// The stream of this collection's changes, each at its epoch. The changes of one epoch are
    /// consolidated: a record inserted and retracted in the same epoch does not appear.
    ///
    /// A restored run leaves out the changes of the epochs its checkpoint covers: they were
    /// delivered before the failure (the collection's inputs replay them, see [`super::persist`]).
    pub fn changes(self, name: &str) -> Stream<'scope, Change<T>>
    where
        T: Data,
    {
        let env = self.env.clone();
        let restored = env.checkpointing.as_ref().and_then(|c| c.restored_id());
        let delivered = move |epoch: Epoch| restored.is_some_and(|id| epoch <= id);
        // A batch of differential updates may hold times later than its capability: each change
        // goes out at its own epoch.
        let inner = self
            .inner
            .consolidate()
            .inner
            .unary(Pipeline, name, move |_, _| {
                move |input, output| {
                    input.for_each(|time, batch| {
                        batch.retain(|(_, epoch, _)| !delivered(*epoch));
                        batch.sort_by_key(|(_, epoch, _)| *epoch);
                        let mut changes = batch.drain(..).peekable();
                        while let Some(&(_, epoch, _)) = changes.peek() {
                            let at = time.delayed(&epoch, 0);
                            let mut session = output.session(&at);
                            while let Some((data, _, diff)) =
                                changes.next_if(|(_, next, _)| *next == epoch)
                            {
                                session.give(Change { data, epoch, diff });
                            }
                        }
                    })
                }
            });
        Stream::from_timely(inner, env)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_display_with_their_sign_and_count() {
        let change = |diff| Change {
            data: "3 1",
            epoch: 0,
            diff,
        };
        assert_eq!(change(1).to_string(), "+ 3 1");
        assert_eq!(change(-1).to_string(), "- 3 1");
        assert_eq!(change(2).to_string(), "+2 3 1");
        assert_eq!(change(-3).to_string(), "-3 3 1");
    }
}
