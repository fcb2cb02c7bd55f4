//! Loop variables: [`BulkVariable`], and the operator that plays a variable's rounds.
//!
//! The operator emits the variable's value at every tick of the loop: the initial value in round
//! 0, and in round `r + 1` the value `next` had in round `r` (fed back, whole, by
//! [`BulkVariable::set`]). When `next` of round `r` is complete it compares it with the value of
//! round `r` and, if they differ, tells every worker's round clock that round `r + 1` is alive.
//! Both values are sorted and consolidated; in a fixpoint loop on several workers they are also
//! exchanged by the stable hash of the records, so that equal values are equal on every worker
//! and the comparison is exact. A bounded loop skips that exchange and compares each worker's
//! share: a value whose records moved between workers counts as changed, which can only cost
//! rounds up to the bound.

use differential_dataflow::consolidation::consolidate;
use timely::container::CapacityContainerBuilder;
use timely::dataflow::channels::pact::Pipeline;
use timely::dataflow::operators::generic::builder_rc::OperatorBuilder;
use timely::dataflow::operators::generic::OutputBuilder;
use timely::dataflow::operators::vec::Broadcast;
use timely::dataflow::operators::{feedback, Capability, ConnectLoop, Feedback};
use timely::order::Product;
use timely::progress::frontier::MutableAntichain;
use timely::progress::Antichain;

use super::materialize::materialize;
use super::rounds::{Driver, Rounds};
use super::{BulkCollection, LoopTime, Part};
use crate::collection::Data;

/// The time inside a loop over outer times `TO`.
type Round<TO> = Product<TO, u64>;

/// A variable's whole value at one time.
type Value<D> = Vec<(D, isize)>;

/// The handle of a loop variable: [`BulkVariable::set`] says what it is in the next round.
pub struct BulkVariable<'inner, D: Data, TO: LoopTime> {
    feedback: feedback::Handle<'inner, Round<TO>, Vec<Value<D>>>,
    bound: Option<u64>,
    canonical: bool,
}

impl<'inner, D: Data, TO: LoopTime> BulkVariable<'inner, D, TO> {
    /// Makes `next` (computed in round `r`) the variable's value in round `r + 1`, for rounds up
    /// to the loop's bound.
    pub fn set(self, next: BulkCollection<'inner, D, Round<TO>>) {
        let bound = self.bound;
        // `next` of the last round is never played.
        let last = move |time: &Round<TO>| bound.is_some_and(|bound| time.inner >= bound);
        materialize(next, Round::<TO>::DEPTH, self.canonical, last).connect_loop(self.feedback);
    }
}

/// A variable of the loop whose clock `rounds` has (and `driver` drives), starting as `initial`
/// (which varies at lower levels than the loop's): its handle, and its value in each round. Its
/// notices of change start the rounds after round 0. The loop runs at most `bound` rounds after
/// round 0; `canonical` asks for values split over the workers by their records' hashes.
pub(crate) fn variable<'inner, D: Data, TO: LoopTime>(
    rounds: &Rounds<'inner, Round<TO>>,
    driver: &mut Driver<'inner, TO>,
    initial: BulkCollection<'inner, D, Round<TO>>,
    bound: Option<u64>,
    canonical: bool,
) -> (
    BulkVariable<'inner, D, TO>,
    BulkCollection<'inner, D, Round<TO>>,
) {
    let depth = Round::<TO>::DEPTH;
    let scope = rounds.clock.scope();
    let initial = materialize(initial, depth - 1, canonical, |_| false);
    let (feedback, fed_back) = scope.feedback(Product::new(Default::default(), 1));

    let mut builder = OperatorBuilder::new("Variable".to_owned(), scope);
    let (values_out, values) = builder.new_output();
    let (notices_out, notices) = builder.new_output();
    let to_values = [(0, Antichain::from_elem(Default::default()))];
    let to_notices = [(1, Antichain::from_elem(Default::default()))];
    let mut initial = builder.new_input_connection(initial, Pipeline, to_values.clone());
    let mut fed_back = builder.new_input_connection(fed_back, Pipeline, to_notices);
    let mut clock = builder.new_input_connection(rounds.clock.clone(), Pipeline, to_values);
    let mut values_out =
        OutputBuilder::<_, CapacityContainerBuilder<Vec<(D, isize)>>>::from(values_out);
    let mut notices_out = OutputBuilder::<_, CapacityContainerBuilder<Vec<()>>>::from(notices_out);

    builder.build(move |initial_capabilities| {
        drop(initial_capabilities);
        let mut state = Playback::default();
        move |frontiers| {
            initial.for_each(|time, data: &mut Vec<Value<D>>| {
                for value in data.drain(..) {
                    state.initials.push((*time.time(), value));
                }
            });
            fed_back.for_each(|time, data: &mut Vec<Value<D>>| {
                for value in data.drain(..) {
                    state.nexts.push((time.retain(1), value));
                }
            });
            clock.for_each(|tick, _| state.ticks.push(tick.retain(0)));
            let (initial_frontier, fed_frontier, clock_frontier) =
                (&frontiers[0], &frontiers[1], &frontiers[2]);
            let mut values_out = values_out.activate();
            let mut notices_out = notices_out.activate();
            loop {
                let emitted = state.emit_ready(initial_frontier, |tick, value| {
                    values_out
                        .session(tick)
                        .give_iterator(value.iter().cloned())
                });
                let compared = state.compare_ready(fed_frontier, bound, |notice| {
                    notices_out.session(notice).give(())
                });
                if !emitted && !compared {
                    break;
                }
            }
            state.gc(fed_frontier, clock_frontier);
        }
    });

    let handle = BulkVariable {
        feedback,
        bound,
        canonical,
    };
    let value = BulkCollection::from_parts(
        rounds.clone(),
        [Part {
            level: depth,
            stream: values,
        }],
    );
    driver.add(notices.broadcast());
    (handle, value)
}

/// What the variable operator holds between activations.
struct Playback<D, TO: LoopTime> {
    /// Initial values, at round 0 of their outer time.
    initials: Vec<(Round<TO>, Value<D>)>,
    /// Fed-back values of `next`: `next` of round `r` at round `r + 1`.
    nexts: Vec<(Capability<Round<TO>>, Value<D>)>,
    /// Ticks of the clock not yet played.
    ticks: Vec<Capability<Round<TO>>>,
    /// Values played, until `next` of their round arrives to be compared with them.
    played: Vec<(Round<TO>, Value<D>)>,
    /// Values of `next` compared, until the tick of their round (if it comes) plays them.
    compared: Vec<(Round<TO>, Value<D>)>,
}

impl<D, TO: LoopTime> Default for Playback<D, TO> {
    fn default() -> Self {
        Playback {
            initials: Vec::new(),
            nexts: Vec::new(),
            ticks: Vec::new(),
            played: Vec::new(),
            compared: Vec::new(),
        }
    }
}

impl<D: Data, TO: LoopTime> Playback<D, TO> {
    /// Plays every tick whose value is known (the initial value once complete, in round 0; the
    /// compared `next` of the previous round otherwise) with `emit`. Whether any was played.
    fn emit_ready(
        &mut self,
        initial_frontier: &MutableAntichain<Round<TO>>,
        mut emit: impl FnMut(&Capability<Round<TO>>, &Value<D>),
    ) -> bool {
        let mut played = false;
        let mut index = 0;
        while index < self.ticks.len() {
            let time = *self.ticks[index].time();
            let value = if time.inner == 0 {
                if initial_frontier.less_equal(&time) {
                    index += 1;
                    continue;
                }
                take_all(&mut self.initials, &time)
            } else {
                match self.compared.iter().position(|(round, _)| *round == time) {
                    Some(position) => self.compared.swap_remove(position).1,
                    None => {
                        index += 1;
                        continue;
                    }
                }
            };
            let tick = self.ticks.swap_remove(index);
            emit(&tick, &value);
            self.played.push((time, value));
            played = true;
        }
        played
    }

    /// Compares every complete fed-back `next` of round `r` with the value played in round `r`,
    /// and calls `notify` at round `r + 1` if they differ (and the bound allows that round).
    /// Whether any was compared.
    fn compare_ready(
        &mut self,
        fed_frontier: &MutableAntichain<Round<TO>>,
        bound: Option<u64>,
        mut notify: impl FnMut(&Capability<Round<TO>>),
    ) -> bool {
        let mut compared = false;
        let mut index = 0;
        while index < self.nexts.len() {
            let time = *self.nexts[index].0.time();
            let previous = Product::new(time.outer, time.inner - 1);
            let position = self.played.iter().position(|(round, _)| *round == previous);
            let (false, Some(position)) = (fed_frontier.less_equal(&time), position) else {
                index += 1;
                continue;
            };
            let (_, before) = self.played.swap_remove(position);
            let (notice, mut value) = self.nexts.swap_remove(index);
            let mut merged = false;
            self.nexts.retain_mut(|(other, more)| {
                let same = *other.time() == time;
                if same {
                    value.append(more);
                    merged = true;
                }
                !same
            });
            if merged {
                consolidate(&mut value);
            }
            if value != before && bound.is_none_or(|bound| time.inner <= bound) {
                notify(&notice);
            }
            self.compared.push((time, value));
            compared = true;
            index = 0;
        }
        compared
    }

    /// Drops values no round will play or compare any more.
    fn gc(
        &mut self,
        fed_frontier: &MutableAntichain<Round<TO>>,
        clock_frontier: &MutableAntichain<Round<TO>>,
    ) {
        let ticks = &self.ticks;
        let alive = |round: &Round<TO>| {
            clock_frontier.less_equal(round) || ticks.iter().any(|tick| tick.time() == round)
        };
        self.compared.retain(|(round, _)| alive(round));
        self.initials.retain(|(round, _)| alive(round));
        let nexts = &self.nexts;
        self.played.retain(|(round, _)| {
            let next = Product::new(round.outer, round.inner + 1);
            fed_frontier.less_equal(&next) || nexts.iter().any(|(time, _)| *time.time() == next)
        });
    }
}

/// Removes the values at `time` from `values`, merged into one.
fn take_all<D: Data, T: Eq>(values: &mut Vec<(T, Value<D>)>, time: &T) -> Value<D> {
    let mut value = Vec::new();
    let mut parts = 0;
    values.retain_mut(|(at, more)| {
        let same = at == time;
        if same {
            value.append(more);
            parts += 1;
        }
        !same
    });
    if parts > 1 {
        consolidate(&mut value);
    }
    value
}
