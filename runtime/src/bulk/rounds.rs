//! The round clock of a bulk loop: which rounds are alive.
//!
//! Every worker's clock carries one `()` at each time `(outer, round)` at which the loop runs,
//! the same on every worker. Round 0 of an outer time starts when something tells the loop to
//! run there (an input changed at that epoch, or the enclosing loop is in that round); round
//! `r + 1` runs when some loop variable's value at `r + 1` differs from its value at `r` (every
//! variable broadcasts that notice to all workers), up to the loop's bound. A round in which every
//! collection is empty is still alive: operators that must produce output then (a variable
//! replaying its value, a reduce over an entered collection) act on the ticks, not on data.

use timely::dataflow::channels::pact::Pipeline;
use timely::dataflow::channels::pushers::Output;
use timely::dataflow::operators::generic::builder_rc::OperatorBuilder;
use timely::dataflow::operators::generic::OutputBuilder;
use timely::dataflow::scope::Iterative;
use timely::dataflow::StreamVec;
use timely::order::Product;

use super::LoopTime;
use crate::context::JobEnv;

/// What a collection inside a loop needs from its loop: the clock, and the job environment.
pub(crate) struct Rounds<'scope, T: LoopTime> {
    /// One `()` per worker at every alive time of the loop.
    pub(crate) clock: StreamVec<'scope, T, ()>,
    /// The environment of the job.
    pub(crate) env: JobEnv,
}

impl<T: LoopTime> Clone for Rounds<'_, T> {
    fn clone(&self) -> Self {
        Rounds {
            clock: self.clock.clone(),
            env: self.env.clone(),
        }
    }
}

/// The operator that emits the clock, under construction: its inputs (what starts round 0, and
/// the variables' notices) are added while the loop body is built.
pub(crate) struct Driver<'scope, TO: LoopTime> {
    builder: OperatorBuilder<'scope, Product<TO, u64>>,
    output: Output<Product<TO, u64>, Vec<()>>,
    inputs: Vec<StreamVec<'scope, Product<TO, u64>, ()>>,
    bound: Option<u64>,
}

impl<'scope, TO: LoopTime> Driver<'scope, TO> {
    /// A driver for a loop in `scope` that runs at most `bound` rounds after round 0, and its
    /// clock.
    pub(crate) fn new(
        scope: Iterative<'scope, TO, u64>,
        bound: Option<u64>,
    ) -> (Self, StreamVec<'scope, Product<TO, u64>, ()>) {
        let mut builder = OperatorBuilder::new("Rounds".to_owned(), scope);
        let (output, clock) = builder.new_output();
        let driver = Driver {
            builder,
            output,
            inputs: Vec::new(),
            bound,
        };
        (driver, clock)
    }

    /// Makes every `()` of `notices` (already on every worker that must see it) start the round at
    /// its time.
    pub(crate) fn add(&mut self, notices: StreamVec<'scope, Product<TO, u64>, ()>) {
        self.inputs.push(notices);
    }

    /// Builds the operator: a round is alive, once, as soon as any notice for it arrives.
    pub(crate) fn build(self) {
        let Driver {
            mut builder,
            output,
            inputs,
            bound,
        } = self;
        let mut inputs: Vec<_> = inputs
            .into_iter()
            .map(|notices| builder.new_input(notices, Pipeline))
            .collect();
        let mut output = OutputBuilder::from(output);
        builder.build(move |initial| {
            drop(initial);
            let mut ticked: Vec<Product<TO, u64>> = Vec::new();
            move |frontiers| {
                let mut output = output.activate();
                for input in inputs.iter_mut() {
                    input.for_each(|time, _notices| {
                        let round = *time.time();
                        if bound.is_none_or(|bound| round.inner <= bound)
                            && !ticked.contains(&round)
                        {
                            output.session(&time).give(());
                            ticked.push(round);
                        }
                    });
                }
                ticked.retain(|round| frontiers.iter().any(|frontier| frontier.less_equal(round)));
            }
        });
    }
}
