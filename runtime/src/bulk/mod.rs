//! Bulk iteration: `iterate` loops that recompute every round from full values, on timely.
//!
//! The planner runs a loop this way when its inputs do not change after their first epoch
//! (DESIGN.md §4, [`crate::collection::Strategy`]); `strategy = bulk` forces it. The results are
//! those of the incremental strategy ([`crate::collection::DiffLoop`]): the loop body is the same
//! code, run against [`BulkLoop`] and [`BulkCollection`], whose methods have the same names and
//! signatures as [`crate::collection::Collection`]'s.
//!
//! **Values, not changes.** Inside the loop a [`BulkCollection`] carries its full value — records
//! with multiplicities — at every round, not its changes. It is made of *parts* that vary at
//! different levels ([`LoopTime`]): what is entered from outside the loop (and everything computed
//! only from that) varies only with the epoch, so it is sent, exchanged and indexed once per epoch
//! and reused in every round; only what depends on a loop variable moves each round. A `join`
//! against an entered collection indexes that side once (key → range of a flat array) and probes
//! it with the round's records; a `concat` keeps its parts apart, so a grouping operator after it
//! exchanges the entered part once and merges it into every round's groups.
//!
//! **Rounds.** Each loop has a round clock that says which rounds are alive on every
//! worker, so that a round exists even if every collection is empty in it. A variable is its
//! initial value in round 0 and its `next` value of round `r` in round `r + 1`; round `r + 1` is
//! alive when some variable's value changed (compared exactly, over all workers) and the bound
//! allows it. What leaves the loop is a collection's value in the last alive round.
//!
//! **Epochs.** Outside, collections are differential. At every epoch at which an input of the
//! loop changes, the loop runs again from the accumulated inputs, and `leave` emits the
//! difference between this epoch's result and the previous one: the output is a correct
//! differential collection even when inputs change (though only the incremental strategy makes
//! that cheap). Loops of different epochs are independent and may overlap in time.

mod clocked;
mod consolidate;
mod enter;
mod group;
mod groups;
mod index;
mod join;
mod leave;
mod looping;
mod materialize;
mod record;
mod rounds;
mod time;
mod variable;

use timely::dataflow::operators::{Capability, Concatenate, InputCapability};
use timely::dataflow::{Scope, StreamVec};

use rounds::Rounds;

pub use looping::{BulkLoop, NestedBulkLoop};
pub use time::LoopTime;
pub use variable::BulkVariable;

/// A collection inside a bulk loop: a multiset of records of type `D` whose value is known at
/// every alive time `T` of the loop. Built by [`BulkLoop`]; it has the operators of
/// [`crate::collection::Collection`], with the same names and arguments.
pub struct BulkCollection<'scope, D: 'static, T: LoopTime> {
    /// At most one part per level, by increasing level.
    parts: Vec<Part<'scope, D, T>>,
    rounds: Rounds<'scope, T>,
}

/// The records of a collection that vary at `level`: at every alive time `t` whose round
/// counters after `level` are 0, the stream carries this part's full value at `t`.
struct Part<'scope, D: 'static, T: LoopTime> {
    level: usize,
    stream: StreamVec<'scope, T, (D, isize)>,
}

impl<D: Clone + 'static, T: LoopTime> Clone for Part<'_, D, T> {
    fn clone(&self) -> Self {
        Part {
            level: self.level,
            stream: self.stream.clone(),
        }
    }
}

impl<D: Clone + 'static, T: LoopTime> Clone for BulkCollection<'_, D, T> {
    fn clone(&self) -> Self {
        BulkCollection {
            parts: self.parts.clone(),
            rounds: self.rounds.clone(),
        }
    }
}

impl<'scope, D: 'static, T: LoopTime> BulkCollection<'scope, D, T> {
    /// The collection made of `parts`; parts at the same level are merged.
    fn from_parts(
        rounds: Rounds<'scope, T>,
        parts: impl IntoIterator<Item = Part<'scope, D, T>>,
    ) -> Self {
        let mut by_level: Vec<Vec<StreamVec<'scope, T, (D, isize)>>> = Vec::new();
        for part in parts {
            if by_level.len() <= part.level {
                by_level.resize_with(part.level + 1, Vec::new);
            }
            by_level[part.level].push(part.stream);
        }
        let scope = rounds.clock.scope();
        let parts = by_level
            .into_iter()
            .enumerate()
            .filter(|(_, streams)| !streams.is_empty())
            .map(|(level, mut streams)| Part {
                level,
                stream: if streams.len() == 1 {
                    streams.pop().expect("one stream")
                } else {
                    scope.concatenate(streams)
                },
            })
            .collect();
        BulkCollection { parts, rounds }
    }

    /// The deepest level of the parts (`None` for a collection without parts, which is empty).
    fn level(&self) -> Option<usize> {
        self.parts.iter().map(|part| part.level).max()
    }

    /// The loop's scope.
    fn scope(&self) -> Scope<'scope, T> {
        self.rounds.clock.scope()
    }
}

/// Batches received and not yet processed, with a capability for their time.
type Pending<T, R> = Vec<(Capability<T>, Vec<Vec<R>>)>;

/// Adds `data`, received at `time`, to `pending` (next to the batches already there for that
/// time: kept apart rather than appended, which would copy them into ever larger buffers).
fn stash<T: LoopTime, R>(pending: &mut Pending<T, R>, time: InputCapability<T>, data: &mut Vec<R>) {
    let data = std::mem::take(data);
    match pending
        .iter_mut()
        .find(|(cap, _)| cap.time() == time.time())
    {
        Some((_, batches)) => batches.push(data),
        None => pending.push((time.retain(0), vec![data])),
    }
}
