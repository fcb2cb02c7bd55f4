//! `consolidate`: equal records of a part added up, on the worker their hash names.

use differential_dataflow::consolidation::consolidate;
use timely::container::CapacityContainerBuilder;
use timely::dataflow::channels::pact::Exchange;
use timely::dataflow::operators::generic::Operator;

use super::{stash, BulkCollection, LoopTime, Part, Pending};
use crate::collection::Data;
use crate::key::stable_hash;

impl<D: 'static, T: LoopTime> BulkCollection<'_, D, T> {
    /// The same collection with the copies of each record added up: cancelling records vanish.
    /// Each part is consolidated on its own (its value is what matters, not its shape).
    pub fn consolidate(self, name: &str) -> Self
    where
        D: Data,
    {
        let parts: Vec<_> = self
            .parts
            .into_iter()
            .map(|part| {
                let pact = Exchange::new(|(record, _): &(D, isize)| stable_hash(record));
                let stream = part
                    .stream
                    .unary_frontier::<CapacityContainerBuilder<Vec<(D, isize)>>, _, _, _>(
                        pact,
                        name,
                        |_, _| {
                            let mut pending: Pending<T, (D, isize)> = Vec::new();
                            move |(input, frontier), output| {
                                input.for_each(|time, data| stash(&mut pending, time, data));
                                pending.retain_mut(|(cap, batches)| {
                                    if frontier.less_equal(cap.time()) {
                                        return true;
                                    }
                                    let mut buffer = batches.concat();
                                    consolidate(&mut buffer);
                                    output.session(cap).give_container(&mut buffer);
                                    false
                                });
                            }
                        },
                    );
                Part {
                    level: part.level,
                    stream,
                }
            })
            .collect();
        BulkCollection {
            parts,
            rounds: self.rounds,
        }
    }
}
