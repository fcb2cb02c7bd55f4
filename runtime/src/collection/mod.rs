//! Collections: multisets that change over epochs, on differential dataflow.
//!
//! A [`Collection`] is the second edge kind of `dataflow!` (DESIGN.md §2). Where a [`Stream`]
//! carries records that happen, a collection carries *updates* `(record, epoch, diff)` to a
//! multiset: `diff = +1` inserts a copy of the record at that epoch, `-1` retracts one. Its
//! operators (`join`, `reduce`, `distinct`, `iterate`, ...) maintain their results
//! incrementally: when an input changes, only the changes of the output are computed and emitted.
//!
//! Conversions: [`Stream::to_collection`] inserts every record of a stream,
//! [`Stream::from_changes`] applies `(record, diff)` pairs, and [`Collection::changes`] turns a
//! collection back into the stream of its changes.

mod changes;
mod exact;
mod float;
mod iterate;
mod ops;
mod persist;

use differential_dataflow::lattice::Lattice;
use differential_dataflow::VecCollection;
use serde::de::DeserializeOwned;
use serde::Serialize;
use timely::progress::Timestamp;

use crate::context::{Epoch, JobEnv};

pub use changes::Change;
pub use exact::ExactSum;
pub use float::F64;
pub use iterate::{DiffLoop, DiffVariable, Strategy};
pub use ops::Summable;
pub(crate) use ops::{largest, smallest, total};

/// What a collection's records must be: ordered and hashed (to group and join them), debuggable,
/// and serialisable (to cross workers and processes).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a record of a collection",
    label = "records of type `{Self}` are grouped and exchanged here",
    note = "collection records must be `Ord + Hash + Clone + Debug + Serialize + Deserialize + Send`; \
            derive them, and wrap `f64` in `rill::prelude::F64` (a totally ordered float)"
)]
pub trait Data:
    Ord + std::hash::Hash + Clone + std::fmt::Debug + Serialize + DeserializeOwned + Send + 'static
{
}
impl<T> Data for T where
    T: Ord
        + std::hash::Hash
        + Clone
        + std::fmt::Debug
        + Serialize
        + DeserializeOwned
        + Send
        + 'static
{
}

/// The timestamps a collection can live at: the job's epochs, or `(epoch, round)` products
/// inside `iterate` loops.
pub trait Time: Timestamp + Lattice {}
impl<T: Timestamp + Lattice> Time for T {}

/// A multiset of records of type `D` that changes over time `T` (epochs outside loops).
pub struct Collection<'scope, D: 'static, T: Time = Epoch> {
    pub(crate) inner: VecCollection<'scope, T, D, isize>,
    pub(crate) env: JobEnv,
    /// Whether updates after the first epoch may arrive (an update source feeds it): the loop
    /// planner keeps such loops incremental.
    pub(crate) changing: bool,
}

impl<D: Clone + 'static, T: Time> Clone for Collection<'_, D, T> {
    fn clone(&self) -> Self {
        Collection {
            inner: self.inner.clone(),
            env: self.env.clone(),
            changing: self.changing,
        }
    }
}

impl<'scope, D: 'static, T: Time> Collection<'scope, D, T> {
    /// Wraps a differential collection, for hand-written operators that feed a pipeline.
    pub fn from_differential(
        inner: VecCollection<'scope, T, D, isize>,
        env: JobEnv,
        changing: bool,
    ) -> Self {
        Collection {
            inner,
            env,
            changing,
        }
    }

    /// The underlying differential collection, for hand-written operators.
    pub fn into_differential(self) -> VecCollection<'scope, T, D, isize> {
        self.inner
    }

    /// Whether this collection is fed by an input that changes after its first epoch.
    pub fn is_changing(&self) -> bool {
        self.changing
    }

    /// A collection derived from this one (same environment) with new contents.
    fn derive<D2: 'static>(
        &self,
        inner: VecCollection<'scope, T, D2, isize>,
    ) -> Collection<'scope, D2, T> {
        self.derive_with(false, inner)
    }

    /// A collection derived from this one and another input, which may be `changing`.
    fn derive_with<D2: 'static>(
        &self,
        changing: bool,
        inner: VecCollection<'scope, T, D2, isize>,
    ) -> Collection<'scope, D2, T> {
        Collection {
            inner,
            env: self.env.clone(),
            changing: self.changing || changing,
        }
    }
}
