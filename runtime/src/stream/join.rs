//! `join`: the symmetric hash join of two keyed streams.
//!
//! Every pair of records with equal keys is emitted exactly once, at the later of their two
//! epochs, as soon as that epoch is the least one still open (so, for bounded input, the output is
//! the full equi-join). Both sides are kept in memory, and in checkpoints.

use timely::dataflow::channels::pact::Exchange;
use timely::dataflow::operators::generic::Operator;

use super::in_order::InOrder;
use super::{KeyedStream, Stream};
use crate::checkpoint::StateWriter;
use crate::key::{worker_for_key, Key, Record, StableHashMap};

/// Every record each side has seen, per key.
type Seen<K, L, R> = StableHashMap<K, (Vec<L>, Vec<R>)>;

/// A record of either input, so both inputs can be put in one epoch order.
enum Side<L, R> {
    Left(L),
    Right(R),
}

impl<'scope, K: 'static, T: 'static> KeyedStream<'scope, K, T> {
    /// Pairs every record with every record of `other` that has the same key: `(key, (mine, theirs))`.
    pub fn join<U>(
        self,
        name: &str,
        other: KeyedStream<'scope, K, U>,
    ) -> Stream<'scope, (K, (T, U))>
    where
        K: Key,
        T: Record + Clone,
        U: Record + Clone,
    {
        let peers = self.env.worker.peers;
        let left_route = Exchange::new(move |(key, _): &(K, T)| worker_for_key(key, peers));
        let right_route = Exchange::new(move |(key, _): &(K, U)| worker_for_key(key, peers));
        let mut seen: Seen<K, T, U> = StableHashMap::default();
        let mut writer = StateWriter::register(&self.env, name);
        if let Some(writer) = writer.as_ref() {
            match writer.restore_keyed() {
                Ok(restored) => seen = restored.unwrap_or_default(),
                Err(error) => self.env.failure.fail(error.context(name)),
            }
        }
        let mut order = InOrder::default();
        let mut sided = Vec::new();
        let inner =
            self.pairs
                .binary_frontier(other.pairs, left_route, right_route, name, move |_, _| {
                    move |(left, left_frontier), (right, right_frontier), out| {
                        let low = [
                            left_frontier.frontier().first(),
                            right_frontier.frontier().first(),
                        ]
                        .into_iter()
                        .flatten()
                        .min()
                        .copied();
                        let apply =
                            |(seen, out): &mut (&mut Seen<K, T, U>, &mut _),
                             cap: &_,
                             batch: &mut Vec<(K, Side<T, U>)>| {
                                let mut session =
                                timely::dataflow::operators::generic::OutputBuilderSession::session(
                                    out, cap,
                                );
                                for (key, record) in batch.drain(..) {
                                    let (lefts, rights) = seen.entry(key.clone()).or_default();
                                    match record {
                                        Side::Left(l) => {
                                            for r in rights.iter() {
                                                session.give((key.clone(), (l.clone(), r.clone())));
                                            }
                                            lefts.push(l);
                                        }
                                        Side::Right(r) => {
                                            for l in lefts.iter() {
                                                session.give((key.clone(), (l.clone(), r.clone())));
                                            }
                                            rights.push(r);
                                        }
                                    }
                                }
                            };
                        let mut state = (&mut seen, out);
                        // Before an epoch after an announced checkpoint: the pairs up to it, then
                        // the records seen.
                        while let Some(id) = writer.as_ref().and_then(|w| w.due(low)) {
                            order.complete_through(id, &mut state, apply, |_, _| {});
                            if let Some(writer) = writer.as_mut() {
                                writer.write_keyed(id, &*state.0);
                            }
                        }
                        order.advance(low, &mut state, apply, |_, _| {});
                        left.for_each(|cap, batch| {
                            sided.extend(batch.drain(..).map(|(k, l)| (k, Side::Left(l))));
                            order.accept(cap.retain(0), &mut sided, low, &mut state, apply);
                        });
                        right.for_each(|cap, batch| {
                            sided.extend(batch.drain(..).map(|(k, r)| (k, Side::Right(r))));
                            order.accept(cap.retain(0), &mut sided, low, &mut state, apply);
                        });
                    }
                });
        Stream {
            inner,
            env: self.env,
        }
    }
}
