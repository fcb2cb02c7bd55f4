//! Leaving a bulk loop: a collection's value in the last round of every run of the loop.

use std::cmp::Ordering;

use differential_dataflow::consolidation::consolidate;
use timely::container::CapacityContainerBuilder;
use timely::dataflow::channels::pact::Pipeline;
use timely::dataflow::operators::generic::builder_rc::OperatorBuilder;
use timely::dataflow::operators::generic::OutputBuilder;
use timely::dataflow::operators::Capability;
use timely::dataflow::StreamVec;
use timely::order::Product;

use super::clocked::Clocked;
use super::{BulkCollection, LoopTime};
use crate::collection::Data;
use crate::context::Epoch;

/// The changes of `collection`'s final value from one epoch at which the loop ran to the next,
/// as differential updates `(record, epoch, diff)` (this worker's share of them).
pub(crate) fn final_changes<'scope, D: Data>(
    collection: BulkCollection<'scope, D, Product<Epoch, u64>>,
    name: &str,
) -> StreamVec<'scope, Product<Epoch, u64>, (D, Epoch, isize)> {
    let mut previous: Vec<(D, isize)> = Vec::new();
    finals(collection, name, move |epoch, value, output| {
        difference(&value, &previous, |record, diff| {
            output.push((record.clone(), epoch, diff))
        });
        previous = value;
    })
}

/// `collection`'s final value at every outer time at which the loop ran.
pub(crate) fn final_values<'scope, D: Data, TO: LoopTime>(
    collection: BulkCollection<'scope, D, Product<TO, u64>>,
    name: &str,
) -> StreamVec<'scope, Product<TO, u64>, (D, isize)> {
    finals(collection, name, |_, mut value, output| {
        output.append(&mut value)
    })
}

/// Calls `emit(outer, value, output)` for every outer time at which the loop ran, once its last
/// round is over, with this worker's share of `collection`'s value in that round (sorted and
/// consolidated), in the order of the outer times; `output` is sent at the last round.
fn finals<'scope, D: Data, TO: LoopTime, O: Data>(
    collection: BulkCollection<'scope, D, Product<TO, u64>>,
    name: &str,
    mut emit: impl FnMut(TO, Vec<(D, isize)>, &mut Vec<O>) + 'static,
) -> StreamVec<'scope, Product<TO, u64>, O> {
    let level = <Product<TO, u64>>::DEPTH;
    let mut builder = OperatorBuilder::new(name.to_owned(), collection.scope());
    let mut clock = builder.new_input(collection.rounds.clock.clone(), Pipeline);
    let mut inputs: Vec<_> = collection
        .parts
        .iter()
        .map(|part| builder.new_input(part.stream.clone(), Pipeline))
        .collect();
    let (output, stream) = builder.new_output();
    let mut output = OutputBuilder::<_, CapacityContainerBuilder<Vec<O>>>::from(output);
    let mut clocked: Clocked<Product<TO, u64>, (D, isize), ()> =
        Clocked::new(level, collection.parts.iter().map(|part| part.level));
    builder.build(move |initial| {
        drop(initial);
        // The last round seen of every outer time whose loop may still run.
        let mut last: Vec<Capability<Product<TO, u64>>> = Vec::new();
        let mut buffer = Vec::new();
        move |frontiers| {
            clock.for_each(|tick, _| clocked.tick(tick.retain(0)));
            for (input, handle) in inputs.iter_mut().enumerate() {
                handle.for_each(|time, data| clocked.push(input, *time.time(), data));
            }
            while let Some(tick) = clocked.next_ready(&frontiers[1..]) {
                let outer = tick.time().outer;
                match last.iter_mut().find(|seen| seen.time().outer == outer) {
                    Some(seen) => {
                        if seen.time() < tick.time() {
                            *seen = tick;
                        }
                    }
                    None => last.push(tick),
                }
            }
            last.sort_by_key(|seen| *seen.time());
            let mut output = output.activate();
            while let Some(seen) = last.first() {
                let outer = seen.time().outer;
                let more_rounds = frontiers[0]
                    .frontier()
                    .iter()
                    .any(|time| time.outer.less_equal(&outer));
                if more_rounds || clocked.pending(|time| time.outer == outer) {
                    break;
                }
                let seen = last.remove(0);
                let time = *seen.time();
                let mut value = Vec::new();
                for input in 0..inputs.len() {
                    if clocked.level_of(input) == level {
                        for mut batch in clocked.take(input, &time) {
                            value.append(&mut batch);
                        }
                    } else {
                        value.extend(clocked.raw(input, &time).cloned());
                    }
                }
                consolidate(&mut value);
                emit(outer, value, &mut buffer);
                output.session(&seen).give_container(&mut buffer);
            }
            let keep: Vec<_> = last.iter().map(|seen| *seen.time()).collect();
            clocked.gc(&frontiers[0], &keep);
        }
    });
    stream
}

/// Calls `change(record, diff)` for every record whose multiplicity differs between `new` and
/// `old` (both sorted and consolidated).
fn difference<D: Ord>(new: &[(D, isize)], old: &[(D, isize)], mut change: impl FnMut(&D, isize)) {
    let (mut new, mut old) = (new.iter().peekable(), old.iter().peekable());
    loop {
        match (new.peek(), old.peek()) {
            (None, None) => break,
            (Some((record, diff)), None) => {
                change(record, *diff);
                new.next();
            }
            (None, Some((record, diff))) => {
                change(record, -diff);
                old.next();
            }
            (Some((a, da)), Some((b, db))) => match a.cmp(b) {
                Ordering::Less => {
                    change(a, *da);
                    new.next();
                }
                Ordering::Greater => {
                    change(b, -db);
                    old.next();
                }
                Ordering::Equal => {
                    if da != db {
                        change(a, da - db);
                    }
                    new.next();
                    old.next();
                }
            },
        }
    }
}
