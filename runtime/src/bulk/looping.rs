//! [`BulkLoop`] and [`NestedBulkLoop`]: bulk loops under construction, with the methods of
//! [`crate::collection::DiffLoop`] (`run`, `enter`, `variable`, `leave`, `nested`).

use std::cell::RefCell;

use differential_dataflow::AsCollection;
use timely::dataflow::operators::{Enter, Leave};
use timely::dataflow::scope::Iterative;
use timely::dataflow::{Scope, StreamVec};
use timely::order::Product;

use super::enter::{accumulate, with_changed_epochs};
use super::leave::{final_changes, final_values};
use super::rounds::{Driver, Rounds};
use super::variable::{variable, BulkVariable};
use super::{BulkCollection, LoopTime, Part};
use crate::collection::{Collection, Data};
use crate::context::{Epoch, JobEnv};

/// The time inside a loop over outer times `T`.
type Round<T> = Product<T, u64>;

/// A bulk loop over the job's epochs, under construction: enters differential collections,
/// makes variables, and lets results leave as differential collections. `dataflow!` drives it
/// exactly as it drives [`crate::collection::DiffLoop`]; see the [module docs](super).
pub struct BulkLoop<'inner, 'outer> {
    body: Body<'inner, Epoch>,
    outer: Scope<'outer, Epoch>,
    changing: bool,
}

impl<'inner, 'outer> BulkLoop<'inner, 'outer> {
    /// Builds a loop in the scope of `first` (any collection entering it) with `build`, which
    /// enters the loop's inputs, defines its variables and returns what leaves it. `rounds`
    /// bounds the number of rounds; `changing` says whether any input changes (for the results).
    pub fn run<D: 'static, R>(
        first: &Collection<'outer, D>,
        rounds: Option<u64>,
        changing: bool,
        build: impl for<'a> FnOnce(&BulkLoop<'a, 'outer>) -> R,
    ) -> R {
        let outer = first.inner.scope();
        let env = first.env.clone();
        outer.iterative::<u64, _, _>(|scope| {
            let lp = BulkLoop {
                body: Body::new(scope, rounds, env),
                outer,
                changing,
            };
            let result = build(&lp);
            lp.body.finish();
            result
        })
    }

    /// A collection from outside the loop, the same in every round: sent and indexed once per
    /// epoch at which the loop runs. Its changes make the loop run.
    pub fn enter<D: Data>(
        &self,
        collection: Collection<'outer, D>,
    ) -> BulkCollection<'inner, D, Round<Epoch>> {
        let (updates, changed) = with_changed_epochs(collection.inner.inner);
        let scope = self.body.scope;
        self.body.start(changed.enter(scope));
        let value = accumulate(updates.enter(scope), self.body.rounds.clock.clone());
        BulkCollection::from_parts(
            self.body.rounds.clone(),
            [Part {
                level: 0,
                stream: value,
            }],
        )
    }

    /// A loop variable that starts as `initial`: the handle to set its next value, and its value
    /// in each round.
    pub fn variable<D: Data>(
        &self,
        initial: Collection<'outer, D>,
    ) -> (
        BulkVariable<'inner, D, Epoch>,
        BulkCollection<'inner, D, Round<Epoch>>,
    ) {
        self.body.variable(self.enter(initial))
    }

    /// The value `collection` has in the loop's last round, outside the loop: at every epoch at
    /// which the loop ran, the changes from the previous such epoch's value.
    pub fn leave<D: Data>(
        &self,
        collection: BulkCollection<'inner, D, Round<Epoch>>,
    ) -> Collection<'outer, D> {
        let env = collection.rounds.env.clone();
        let changes = final_changes(collection, "Leave").leave(self.outer);
        Collection::from_differential(changes.as_collection(), env, self.changing)
    }

    /// A loop inside this one, built like [`BulkLoop::run`] from this loop's collections.
    pub fn nested<D: 'static, R>(
        &self,
        _first: &BulkCollection<'inner, D, Round<Epoch>>,
        rounds: Option<u64>,
        build: impl for<'a> FnOnce(&NestedBulkLoop<'a, 'inner, Round<Epoch>>) -> R,
    ) -> R {
        self.body.nested(rounds, build)
    }
}

/// A bulk loop inside another bulk loop (whose times are `T`), under construction: enters the
/// enclosing loop's collections, makes variables, and lets results leave into the enclosing loop.
/// It runs from round 0 in every round of the enclosing loop.
pub struct NestedBulkLoop<'inner, 'outer, T: LoopTime> {
    body: Body<'inner, T>,
    outer: Rounds<'outer, T>,
}

impl<'inner, 'outer, T: LoopTime> NestedBulkLoop<'inner, 'outer, T> {
    /// A collection of the enclosing loop, the same in every round of this one.
    pub fn enter<D: Data>(
        &self,
        collection: BulkCollection<'outer, D, T>,
    ) -> BulkCollection<'inner, D, Round<T>> {
        let scope = self.body.scope;
        let parts = collection.parts.into_iter().map(|part| Part {
            level: part.level,
            stream: part.stream.enter(scope),
        });
        BulkCollection::from_parts(self.body.rounds.clone(), parts)
    }

    /// A loop variable that starts as `initial`: the handle to set its next value, and its value
    /// in each round.
    pub fn variable<D: Data>(
        &self,
        initial: BulkCollection<'outer, D, T>,
    ) -> (
        BulkVariable<'inner, D, T>,
        BulkCollection<'inner, D, Round<T>>,
    ) {
        self.body.variable(self.enter(initial))
    }

    /// The value `collection` has in this loop's last round, in the enclosing loop.
    pub fn leave<D: Data>(
        &self,
        collection: BulkCollection<'inner, D, Round<T>>,
    ) -> BulkCollection<'outer, D, T> {
        let values = final_values(collection, "Leave").leave(self.outer.clock.scope());
        BulkCollection::from_parts(
            self.outer.clone(),
            [Part {
                level: T::DEPTH,
                stream: values,
            }],
        )
    }

    /// A loop inside this one, built like [`BulkLoop::run`] from this loop's collections.
    pub fn nested<D: 'static, R>(
        &self,
        _first: &BulkCollection<'inner, D, Round<T>>,
        rounds: Option<u64>,
        build: impl for<'a> FnOnce(&NestedBulkLoop<'a, 'inner, Round<T>>) -> R,
    ) -> R {
        self.body.nested(rounds, build)
    }
}

/// What both kinds of loops are made of: the loop's scope, its round clock and the clock's
/// driver, to which the body adds what starts rounds.
struct Body<'inner, TO: LoopTime> {
    scope: Iterative<'inner, TO, u64>,
    rounds: Rounds<'inner, Round<TO>>,
    driver: RefCell<Driver<'inner, TO>>,
    bound: Option<u64>,
}

impl<'inner, TO: LoopTime> Body<'inner, TO> {
    /// The body of a loop in `scope` that runs at most `bound` rounds after round 0.
    fn new(scope: Iterative<'inner, TO, u64>, bound: Option<u64>, env: JobEnv) -> Self {
        let (driver, clock) = Driver::new(scope, bound);
        Body {
            scope,
            rounds: Rounds { clock, env },
            driver: RefCell::new(driver),
            bound,
        }
    }

    /// Starts round 0 at the time of every `()` of `notices` (which every worker receives).
    fn start(&self, notices: StreamVec<'inner, Round<TO>, ()>) {
        self.driver.borrow_mut().add(notices);
    }

    /// A variable starting as `initial`, whose changes keep the loop running.
    fn variable<D: Data>(
        &self,
        initial: BulkCollection<'inner, D, Round<TO>>,
    ) -> (
        BulkVariable<'inner, D, TO>,
        BulkCollection<'inner, D, Round<TO>>,
    ) {
        // A fixpoint compares values exactly on every worker: split them the same way.
        let canonical = self.bound.is_none() && self.scope.peers() > 1;
        let mut driver = self.driver.borrow_mut();
        variable(&self.rounds, &mut driver, initial, self.bound, canonical)
    }

    /// A loop inside this one that runs from round 0 in every round of this one.
    fn nested<R>(
        &self,
        bound: Option<u64>,
        build: impl for<'a> FnOnce(&NestedBulkLoop<'a, 'inner, Round<TO>>) -> R,
    ) -> R {
        self.scope.iterative::<u64, _, _>(|scope| {
            let lp = NestedBulkLoop {
                body: Body::new(scope, bound, self.rounds.env.clone()),
                outer: self.rounds.clone(),
            };
            lp.body.start(self.rounds.clock.clone().enter(scope));
            let result = build(&lp);
            lp.body.finish();
            result
        })
    }

    /// Builds the round clock's driver, now that the body has added everything that starts
    /// rounds.
    fn finish(self) {
        self.driver.into_inner().build();
    }
}
