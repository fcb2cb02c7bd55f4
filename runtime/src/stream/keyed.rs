//! Keyed running aggregates: `count`, `sum`, `min`, `max`, `fold`, `reduce`.
//!
//! Semantics (the same for bounded and unbounded input): when epoch `e` is complete, the operator
//! emits `(key, aggregate of every record of that key up to and including epoch e)` for each key
//! that received records in `e`. A bounded source puts all its records in one epoch, so there the
//! output is exactly one final result per key; a generator with many epochs yields running totals.

use std::collections::BTreeMap;
use std::ops::AddAssign;

use timely::dataflow::channels::pact::Exchange;
use timely::dataflow::operators::generic::Operator;

use super::in_order::InOrder;
use super::{KeyedStream, Stream};
use crate::checkpoint::StateWriter;
use crate::context::Epoch;
use crate::key::{worker_for_key, Key, Record, StableHashMap};

// The bounds sit on the methods, not on the impl, so that a key or record type that lacks them
// gets the `Key`/`Record` diagnostic instead of "no method named `count`".
impl<'scope, K: 'static, T: 'static> KeyedStream<'scope, K, T> {
    /// The number of records per key.
    pub fn count(self, name: &str) -> Stream<'scope, (K, u64)>
    where
        K: Key,
        T: Record,
    {
        // Only the keys matter: drop the records before they are exchanged.
        let env = self.env.clone();
        let keys = Stream {
            inner: self.pairs,
            env: self.env,
        }
        .map(name, |(key, _)| (key, ()));
        KeyedStream {
            pairs: keys.inner,
            env,
        }
        .aggregate(name, || 0u64, |count, ()| *count += 1, |count| *count)
    }

    /// The sum of `f(record)` per key.
    pub fn sum<V>(self, name: &str, mut f: impl FnMut(T) -> V + 'static) -> Stream<'scope, (K, V)>
    where
        K: Key,
        T: Record,
        V: AddAssign + Default + Clone + Record,
    {
        self.aggregate(
            name,
            V::default,
            move |sum, record| *sum += f(record),
            V::clone,
        )
    }

    /// The least `f(record)` per key.
    pub fn min<V: Ord + Clone + Record>(
        self,
        name: &str,
        f: impl FnMut(T) -> V + 'static,
    ) -> Stream<'scope, (K, V)>
    where
        K: Key,
        T: Record,
    {
        self.extremum(name, f, std::cmp::min)
    }

    /// The greatest `f(record)` per key.
    pub fn max<V: Ord + Clone + Record>(
        self,
        name: &str,
        f: impl FnMut(T) -> V + 'static,
    ) -> Stream<'scope, (K, V)>
    where
        K: Key,
        T: Record,
    {
        self.extremum(name, f, std::cmp::max)
    }

    /// Folds every record of a key into an accumulator that starts as a clone of `init`.
    pub fn fold<A: Clone + Record>(
        self,
        name: &str,
        init: A,
        f: impl FnMut(&mut A, T) + 'static,
    ) -> Stream<'scope, (K, A)>
    where
        K: Key,
        T: Record,
    {
        self.aggregate(name, move || init.clone(), f, A::clone)
    }

    /// Combines the records of a key pairwise with `f`; the first record is the starting value.
    pub fn reduce(
        self,
        name: &str,
        mut f: impl FnMut(T, T) -> T + 'static,
    ) -> Stream<'scope, (K, T)>
    where
        K: Key,
        T: Record + Clone,
    {
        self.aggregate(
            name,
            || None,
            move |acc: &mut Option<T>, record| {
                *acc = Some(match acc.take() {
                    Some(previous) => f(previous, record),
                    None => record,
                })
            },
            |acc| {
                acc.clone()
                    .expect("a key's state exists only after its first record")
            },
        )
    }

    fn extremum<V: Ord + Clone + Record>(
        self,
        name: &str,
        mut f: impl FnMut(T) -> V + 'static,
        pick: fn(V, V) -> V,
    ) -> Stream<'scope, (K, V)>
    where
        K: Key,
        T: Record,
    {
        self.aggregate(
            name,
            || None,
            move |acc: &mut Option<V>, record| {
                let value = f(record);
                *acc = Some(match acc.take() {
                    Some(previous) => pick(previous, value),
                    None => value,
                })
            },
            |acc| {
                acc.clone()
                    .expect("a key's state exists only after its first record")
            },
        )
    }

    /// The operator behind every keyed aggregate: per-key accumulators created by `init`, updated
    /// by `update`, and reported through `output` for the keys an epoch changed.
    pub fn aggregate<A: Record, O: Record>(
        self,
        name: &str,
        init: impl FnMut() -> A + 'static,
        update: impl FnMut(&mut A, T) + 'static,
        output: impl FnMut(&A) -> O + 'static,
    ) -> Stream<'scope, (K, O)>
    where
        K: Key,
        T: Record,
    {
        let peers = self.env.worker.peers;
        let route = Exchange::new(move |(key, _): &(K, T)| worker_for_key(key, peers));
        let mut accumulators = Accumulators {
            state: StableHashMap::default(),
            changed: BTreeMap::new(),
            init,
            update,
            output,
        };
        let mut writer = StateWriter::register(&self.env, name);
        if let Some(writer) = writer.as_ref() {
            match writer.restore_keyed() {
                Ok(restored) => accumulators.state = restored.unwrap_or_default(),
                Err(error) => self.env.failure.fail(error.context(name)),
            }
        }
        let mut order = InOrder::default();
        let inner = self.pairs.unary_frontier(route, name, move |_, _| {
            move |(input, frontier), out| {
                let low = frontier.frontier().first().copied();
                let mut state = (&mut accumulators, out);
                // Before an epoch after an announced checkpoint: complete the epochs up to it
                // and write the accumulators.
                while let Some(id) = writer.as_ref().and_then(|w| w.due(low)) {
                    order.complete_through(
                        id,
                        &mut state,
                        |(acc, _), cap, batch| acc.apply(*cap.time(), batch),
                        |(acc, out), cap| {
                            let mut session = out.session(cap);
                            acc.emit(*cap.time(), |record| session.give(record));
                        },
                    );
                    if let Some(writer) = writer.as_mut() {
                        writer.write_keyed(id, &state.0.state);
                    }
                }
                order.advance(
                    low,
                    &mut state,
                    |(acc, _), cap, batch| acc.apply(*cap.time(), batch),
                    |(acc, out), cap| {
                        let mut session = out.session(cap);
                        acc.emit(*cap.time(), |record| session.give(record));
                    },
                );
                input.for_each(|cap, batch| {
                    let cap = cap.retain(0);
                    order.accept(cap, batch, low, &mut state, |(acc, _), cap, batch| {
                        acc.apply(*cap.time(), batch)
                    });
                });
            }
        });
        Stream {
            inner,
            env: self.env,
        }
    }
}

/// The per-key accumulators of one worker, and which keys each open epoch changed.
struct Accumulators<K, A, I, U, O> {
    state: StableHashMap<K, (A, Epoch)>,
    changed: BTreeMap<Epoch, Vec<K>>,
    init: I,
    update: U,
    output: O,
}

impl<K: Key, A, I: FnMut() -> A, U, O> Accumulators<K, A, I, U, O> {
    fn apply<T>(&mut self, epoch: Epoch, batch: &mut Vec<(K, T)>)
    where
        U: FnMut(&mut A, T),
    {
        let changed = self.changed.entry(epoch).or_default();
        for (key, record) in batch.drain(..) {
            match self.state.get_mut(&key) {
                Some((acc, last_changed)) => {
                    (self.update)(acc, record);
                    if *last_changed != epoch {
                        *last_changed = epoch;
                        changed.push(key);
                    }
                }
                None => {
                    let mut acc = (self.init)();
                    (self.update)(&mut acc, record);
                    changed.push(key.clone());
                    self.state.insert(key, (acc, epoch));
                }
            }
        }
    }

    fn emit<Out>(&mut self, epoch: Epoch, mut give: impl FnMut((K, Out)))
    where
        O: FnMut(&A) -> Out,
    {
        for key in self.changed.remove(&epoch).unwrap_or_default() {
            let value = (self.output)(&self.state[&key].0);
            give((key, value));
        }
    }
}
