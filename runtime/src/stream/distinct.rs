//! `distinct`: every record once, at the first epoch it appears in.

use timely::dataflow::channels::pact::Exchange;
use timely::dataflow::operators::generic::Operator;

use super::in_order::InOrder;
use super::Stream;
use crate::checkpoint::StateWriter;
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
        let mut writer = StateWriter::register(&self.env, name);
        if let Some(writer) = writer.as_ref() {
            match writer.restore_keyed() {
                Ok(restored) => seen = restored.unwrap_or_default(),
                Err(error) => self.env.failure.fail(error.context(name)),
            }
        }
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
                // Before an epoch after an announced checkpoint: the records up to it, then the
                // records seen.
                while let Some(id) = writer.as_ref().and_then(|w| w.due(low)) {
                    order.complete_through(id, &mut state, apply, |_, _| {});
                    if let Some(writer) = writer.as_mut() {
                        writer.write_keyed(id, &*state.0);
                    }
                }
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
