//! `iterate` on differential dataflow: loops whose results stay incremental.
//!
//! A loop runs in a nested timely scope whose times are `(outer time, round)`. Every loop
//! variable starts from its initial collection in round 0 and takes, in round `r + 1`, the value
//! its `next` pipeline computed in round `r`. A fixpoint loop ends when no variable changes any
//! more; a bounded loop (`rounds = N`) stops feeding back after round `N`. What leaves the loop
//! is a collection's value in the last round. Collections from outside the loop are entered once
//! and are the same in every round.

use differential_dataflow::operators::iterate::VecVariable;
use differential_dataflow::AsCollection;
use timely::dataflow::operators::vec::Filter;
use timely::dataflow::scope::Iterative;
use timely::dataflow::Scope;
use timely::order::Product;

use super::{Collection, Data, Time};
use crate::context::JobEnv;

/// How an `iterate` loop is executed. Both strategies give the same results.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strategy {
    /// The planner decides: incremental when an input of the loop changes after its first epoch,
    /// bulk otherwise.
    Auto,
    /// Every round recomputes the loop's collections from their full values; loop-invariant
    /// inputs are indexed once. Fast when the inputs never change.
    Bulk,
    /// Differential dataflow: rounds exchange only changes, and a change of an input after the
    /// first result updates the result incrementally.
    Incremental,
}

impl Strategy {
    /// The strategy to run a loop with, given whether any of its inputs is changing.
    pub fn plan(self, inputs_changing: bool) -> Strategy {
        match self {
            Strategy::Auto if inputs_changing => Strategy::Incremental,
            Strategy::Auto => Strategy::Bulk,
            chosen => chosen,
        }
    }
}

/// An incremental loop under construction: enters outer collections, makes variables, and lets
/// results leave. `dataflow!` drives it; see the module docs for the semantics.
pub struct DiffLoop<'inner, 'outer, T: Time> {
    scope: Iterative<'inner, T, u64>,
    outer: Scope<'outer, T>,
    env: JobEnv,
    rounds: Option<u64>,
    changing: bool,
}

/// The time inside a loop over times `T`.
type Round<T> = Product<T, u64>;

impl<'inner, 'outer, T: Time> DiffLoop<'inner, 'outer, T> {
    /// Builds a loop in the scope of `first` (any collection entering it) with `build`, which
    /// enters the loop's inputs, defines its variables and returns what leaves it. `rounds`
    /// bounds the number of rounds; `changing` says whether any input changes (for the results).
    pub fn run<D: 'static, R>(
        first: &Collection<'outer, D, T>,
        rounds: Option<u64>,
        changing: bool,
        build: impl for<'a> FnOnce(&DiffLoop<'a, 'outer, T>) -> R,
    ) -> R {
        let outer = first.inner.scope();
        let env = first.env.clone();
        outer.iterative::<u64, _, _>(|scope| {
            build(&DiffLoop {
                scope,
                outer,
                env,
                rounds,
                changing,
            })
        })
    }

    /// A collection from outside the loop, the same in every round.
    pub fn enter<D: Data>(
        &self,
        collection: Collection<'outer, D, T>,
    ) -> Collection<'inner, D, Round<T>> {
        Collection {
            inner: collection.inner.enter(self.scope),
            env: self.env.clone(),
            changing: collection.changing,
        }
    }

    /// A loop variable that starts as `initial`: the handle to set its next value, and its value
    /// in each round.
    pub fn variable<D: Data>(
        &self,
        initial: Collection<'outer, D, T>,
    ) -> (DiffVariable<'inner, D, T>, Collection<'inner, D, Round<T>>) {
        let initial = self.enter(initial);
        let (variable, fed_back) =
            VecVariable::new(self.scope, Product::new(Default::default(), 1));
        let value = Collection {
            inner: fed_back.concat(initial.inner.clone()),
            env: self.env.clone(),
            changing: self.changing,
        };
        let handle = DiffVariable {
            variable,
            initial,
            rounds: self.rounds,
        };
        (handle, value)
    }

    /// The value `collection` has in the loop's last round, outside the loop.
    pub fn leave<D: Data>(
        &self,
        collection: Collection<'inner, D, Round<T>>,
    ) -> Collection<'outer, D, T> {
        Collection {
            inner: collection.inner.leave(self.outer),
            env: self.env.clone(),
            changing: self.changing,
        }
    }

    /// A loop inside this one, built like [`DiffLoop::run`].
    pub fn nested<D: 'static, R>(
        &self,
        first: &Collection<'inner, D, Round<T>>,
        rounds: Option<u64>,
        build: impl for<'a> FnOnce(&DiffLoop<'a, 'inner, Round<T>>) -> R,
    ) -> R {
        DiffLoop::run(first, rounds, self.changing, build)
    }
}

/// The handle of a loop variable: [`DiffVariable::set`] says what it is in the next round.
pub struct DiffVariable<'inner, D: Data, T: Time> {
    variable: VecVariable<'inner, Round<T>, D, isize>,
    initial: Collection<'inner, D, Round<T>>,
    rounds: Option<u64>,
}

impl<'inner, D: Data, T: Time> DiffVariable<'inner, D, T> {
    /// Makes `next` (computed in round `r`) the variable's value in round `r + 1`, for rounds up
    /// to the loop's bound.
    pub fn set(self, next: Collection<'inner, D, Round<T>>) {
        // The variable is `initial + fed back`, so what goes back is `next - initial`.
        let mut change = next.inner.concat(self.initial.inner.negate());
        if let Some(rounds) = self.rounds {
            change = change
                .inner
                .filter(move |(_, time, _)| time.inner < rounds)
                .as_collection();
        }
        self.variable.set(change);
    }
}
