//! Record-at-a-time operators (`map`, `filter`, `flat_map`, `inspect`, `negate`) and `concat`:
//! each part of a collection is transformed where it is, at its own level, so a part that
//! varies only with the epoch stays that way.

use std::cell::RefCell;
use std::rc::Rc;

use timely::container::CapacityContainerBuilder;
use timely::dataflow::channels::pact::Pipeline;
use timely::dataflow::operators::generic::Operator;

use super::{BulkCollection, LoopTime, Part};
use crate::collection::Data;

impl<'scope, D: 'static, T: LoopTime> BulkCollection<'scope, D, T> {
    /// Applies `f` to every record.
    pub fn map<D2: Data>(
        self,
        name: &str,
        mut f: impl FnMut(D) -> D2 + 'static,
    ) -> BulkCollection<'scope, D2, T>
    where
        D: Data,
    {
        self.each_part(name, move |_, data, out| {
            out.extend(data.drain(..).map(|(record, diff)| (f(record), diff)))
        })
    }

    /// Keeps the records for which `f` is true.
    pub fn filter(self, name: &str, mut f: impl FnMut(&D) -> bool + 'static) -> Self
    where
        D: Data,
    {
        self.each_part(name, move |_, data, out| {
            out.extend(data.drain(..).filter(|(record, _)| f(record)))
        })
    }

    /// Replaces every record by the records `f` returns for it.
    pub fn flat_map<I>(
        self,
        name: &str,
        mut f: impl FnMut(D) -> I + 'static,
    ) -> BulkCollection<'scope, I::Item, T>
    where
        D: Data,
        I: IntoIterator,
        I::Item: Data,
    {
        self.each_part(name, move |_, data, out| {
            for (record, diff) in data.drain(..) {
                out.extend(f(record).into_iter().map(|record| (record, diff)));
            }
        })
    }

    /// Calls `f` on every record `(record, time, multiplicity)` of the collection's value at every
    /// time at which it is sent (a part entered from outside the loop: once per epoch, at round
    /// 0), and passes it on unchanged. Unlike the incremental strategy, which shows the changes
    /// between rounds, this shows the values.
    pub fn inspect(self, name: &str, mut f: impl FnMut(&(D, T, isize)) + 'static) -> Self
    where
        D: Data,
    {
        self.each_part(name, move |time, data, out| {
            for (record, diff) in data.drain(..) {
                let update = (record, *time, diff);
                f(&update);
                out.push((update.0, update.2));
            }
        })
    }

    /// Every record with its multiplicity negated: `a -> concat(b -> negate())` is `a` minus `b`.
    pub fn negate(self, name: &str) -> Self
    where
        D: Data,
    {
        self.each_part(name, |_, data, out| {
            out.extend(data.drain(..).map(|(record, diff)| (record, -diff)))
        })
    }

    /// The records of this collection and of every collection in `others`. The parts stay
    /// apart: a part that varies only with the epoch is not resent every round.
    pub fn concat(self, _name: &str, others: impl IntoIterator<Item = Self>) -> Self
    where
        D: Data,
    {
        let mut parts = self.parts;
        for other in others {
            parts.extend(other.parts);
        }
        BulkCollection::from_parts(self.rounds, parts)
    }

    /// Transforms every part with `logic(time, records, output)` (one operator per part, sharing
    /// `logic`).
    fn each_part<D2: Data>(
        self,
        name: &str,
        logic: impl FnMut(&T, &mut Vec<(D, isize)>, &mut Vec<(D2, isize)>) + 'static,
    ) -> BulkCollection<'scope, D2, T>
    where
        D: Data,
    {
        let logic = Rc::new(RefCell::new(logic));
        let parts: Vec<_> = self
            .parts
            .into_iter()
            .map(|part| {
                let logic = Rc::clone(&logic);
                let mut out = Vec::new();
                let stream = part
                    .stream
                    .unary::<CapacityContainerBuilder<Vec<(D2, isize)>>, _, _, _>(
                        Pipeline,
                        name,
                        move |_, _| {
                            move |input, output| {
                                input.for_each(|time, data| {
                                    (logic.borrow_mut())(time.time(), data, &mut out);
                                    output.session(&time).give_container(&mut out);
                                })
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
