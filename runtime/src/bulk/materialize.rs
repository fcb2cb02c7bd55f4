//! [`materialize`]: a collection's whole value, sorted and consolidated, once per tick.

use differential_dataflow::consolidation::consolidate;
use timely::container::CapacityContainerBuilder;
use timely::dataflow::channels::pact::{Exchange, ParallelizationContract, Pipeline};
use timely::dataflow::operators::generic::builder_rc::OperatorBuilder;
use timely::dataflow::operators::generic::OutputBuilder;
use timely::dataflow::StreamVec;

use super::clocked::Clocked;
use super::{BulkCollection, LoopTime};
use crate::collection::Data;
use crate::key::stable_hash;

/// The value of `collection` at every tick of `level` (at least its deepest level) for which
/// `skip` is false: one sorted, consolidated `Vec` per worker, even when empty. With `canonical`,
/// records are first exchanged by their stable hash, so that equal values are split over the
/// workers the same way whatever the parts look like.
pub(crate) fn materialize<'scope, D: Data, T: LoopTime>(
    collection: BulkCollection<'scope, D, T>,
    level: usize,
    canonical: bool,
    skip: impl Fn(&T) -> bool + 'static,
) -> StreamVec<'scope, T, Vec<(D, isize)>> {
    if canonical {
        let by_record = || Exchange::new(|(record, _): &(D, isize)| stable_hash(record));
        build(collection, level, by_record, skip)
    } else {
        build(collection, level, || Pipeline, skip)
    }
}

/// [`materialize`] with the parts received through `pact()`.
fn build<'scope, D: Data, T: LoopTime, P: ParallelizationContract<T, Vec<(D, isize)>>>(
    collection: BulkCollection<'scope, D, T>,
    level: usize,
    pact: impl Fn() -> P,
    skip: impl Fn(&T) -> bool + 'static,
) -> StreamVec<'scope, T, Vec<(D, isize)>> {
    let mut builder = OperatorBuilder::new("Materialize".to_owned(), collection.scope());
    let mut clock = builder.new_input(collection.rounds.clock.clone(), Pipeline);
    let mut inputs: Vec<_> = collection
        .parts
        .iter()
        .map(|part| builder.new_input(part.stream.clone(), pact()))
        .collect();
    let (output, stream) = builder.new_output();
    let mut output =
        OutputBuilder::<_, CapacityContainerBuilder<Vec<Vec<(D, isize)>>>>::from(output);
    let mut clocked: Clocked<T, (D, isize), ()> =
        Clocked::new(level, collection.parts.iter().map(|part| part.level));
    builder.build(move |initial| {
        drop(initial);
        move |frontiers| {
            clock.for_each(|tick, _| clocked.tick(tick.retain(0)));
            for (input, handle) in inputs.iter_mut().enumerate() {
                handle.for_each(|time, data| clocked.push(input, *time.time(), data));
            }
            let mut output = output.activate();
            while let Some(tick) = clocked.next_ready(&frontiers[1..]) {
                let time = *tick.time();
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
                if !skip(&time) {
                    consolidate(&mut value);
                    output.session(&tick).give(value);
                }
            }
            clocked.gc(&frontiers[0], &[]);
        }
    });
    stream
}
