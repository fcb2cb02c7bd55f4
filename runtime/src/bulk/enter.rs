//! Entering a differential collection into a bulk loop: the epochs at which it changes start the
//! loop, and at every epoch at which the loop runs it is sent whole, once.

use differential_dataflow::consolidation::consolidate;
use timely::container::CapacityContainerBuilder;
use timely::dataflow::channels::pact::Pipeline;
use timely::dataflow::operators::generic::builder_rc::OperatorBuilder;
use timely::dataflow::operators::generic::{Operator, OutputBuilder};
use timely::dataflow::operators::vec::Broadcast;
use timely::dataflow::operators::Capability;
use timely::dataflow::StreamVec;
use timely::order::Product;

use crate::collection::Data;
use crate::context::Epoch;

/// The times of a loop directly inside the epochs.
type Round = Product<Epoch, u64>;

/// A differential collection's updates, outside the loop.
type Updates<'scope, D> = StreamVec<'scope, Epoch, (D, Epoch, isize)>;

/// `updates` passed on as they are (their batches moved, not copied), and one `()` on every
/// worker at every epoch at which some update of `updates` happens.
pub(crate) fn with_changed_epochs<'scope, D: Data>(
    updates: Updates<'scope, D>,
) -> (Updates<'scope, D>, StreamVec<'scope, Epoch, ()>) {
    let mut builder = OperatorBuilder::new("Changed".to_owned(), updates.scope());
    let mut input = builder.new_input(updates, Pipeline);
    let (passed, passed_stream) = builder.new_output();
    let (changed, changed_stream) = builder.new_output();
    let mut passed =
        OutputBuilder::<_, CapacityContainerBuilder<Vec<(D, Epoch, isize)>>>::from(passed);
    let mut changed = OutputBuilder::<_, CapacityContainerBuilder<Vec<()>>>::from(changed);
    builder.build(move |initial| {
        drop(initial);
        let mut noticed: Vec<Epoch> = Vec::new();
        move |frontiers| {
            let mut passed = passed.activate();
            let mut changed = changed.activate();
            input.for_each(|time, data| {
                for (_, epoch, _) in data.iter() {
                    if !noticed.contains(epoch) {
                        noticed.push(*epoch);
                        changed.session(&time.delayed(epoch, 1)).give(());
                    }
                }
                passed.session(&time.retain(0)).give_container(data);
            });
            noticed.retain(|epoch| frontiers[0].less_equal(epoch));
        }
    });
    (passed_stream, changed_stream.broadcast())
}

/// The value of the collection whose `updates` (entered into the loop) are given, at every tick
/// of round 0 of `clock`: the accumulation of the updates up to that epoch.
pub(crate) fn accumulate<'scope, D: Data>(
    updates: StreamVec<'scope, Round, (D, Epoch, isize)>,
    clock: StreamVec<'scope, Round, ()>,
) -> StreamVec<'scope, Round, (D, isize)> {
    updates.binary_frontier::<_, CapacityContainerBuilder<Vec<(D, isize)>>, _, _, _, _>(
        clock,
        Pipeline,
        Pipeline,
        "Enter",
        |_, _| {
            let mut pending: Vec<Vec<(D, Epoch, isize)>> = Vec::new();
            let mut value: Vec<(D, isize)> = Vec::new();
            let mut ticks: Vec<Capability<Round>> = Vec::new();
            move |(updates, frontier), (clock, _), output| {
                updates.for_each(|_, data| pending.push(std::mem::take(data)));
                clock.for_each(|tick, _| {
                    if tick.time().inner == 0 {
                        ticks.push(tick.retain(0));
                    }
                });
                ticks.sort_by_key(|tick| *tick.time());
                ticks.retain(|tick| {
                    if frontier.less_equal(tick.time()) {
                        return true;
                    }
                    let epoch = tick.time().outer;
                    let before = value.len();
                    let mut later = Vec::new();
                    value.reserve(pending.iter().map(Vec::len).sum());
                    for (record, time, diff) in pending.drain(..).flatten() {
                        if time <= epoch {
                            value.push((record, diff));
                        } else {
                            later.push((record, time, diff));
                        }
                    }
                    if !later.is_empty() {
                        pending.push(later);
                    }
                    if before > 0 && value.len() > before {
                        consolidate(&mut value);
                    }
                    output.session(tick).give_iterator(value.iter().cloned());
                    false
                });
            }
        },
    )
}
