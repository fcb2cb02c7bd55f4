//! `distinct`: every record once, at the first epoch it appears in.

use timely::dataflow::channels::pact::Exchange;
use timely::dataflow::operators::generic::Operator;

use super::in_order::InOrder;
use super::Stream;
use crate::key::{worker_for_key, Key, StableHashSet};

impl<'scope, T: 'static> Stream<'scope, T> {
    /// Drops records equal to one seen before. Records are routed by their hash, so each worker
    /// remembers only its share of the distinct records.
    pub fn distinct(self, name: &str) -> Stream<'scope, T>
    where
        T: Key,
    {
        let peers = self.env.worker.peers;
        let route = Exchange::new(move |record: &T| worker_for_key(record, peers));
        let mut seen: StableHashSet<T> = StableHashSet::default();
        let mut order = InOrder::default();
        let inner = self.inner.unary_frontier(route, name, move |_, _| {
            move |(input, frontier), out| {
                let low = frontier.frontier().first().copied();
                let apply = |(seen, out): &mut (&mut StableHashSet<T>, &mut _),
                             cap: &_,
                             batch: &mut Vec<T>| {
                    batch.retain(|record| !seen.contains(record));
                    batch.retain(|record| seen.insert(record.clone()));
                    timely::dataflow::operators::generic::OutputBuilderSession::session(out, cap)
                        .give_container(batch);
                };
                let mut state = (&mut seen, out);
                order.advance(low, &mut state, apply, |_, _| {});
                input.for_each(|cap, batch| {
                    order.accept(cap.retain(0), batch, low, &mut state, apply)
                });
            }
        });
        Stream {
            inner,
            env: self.env,
        }
    }
}
