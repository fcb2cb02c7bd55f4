//! Typed streams: the values `dataflow!` pipes records through.
//!
//! A [`Stream`] carries records at epochs (timely's `Vec` streams underneath). `key_by` turns it
//! into a [`KeyedStream`], whose records travel with their key and are routed by key group
//! ([`crate::key`]) to the worker that owns the key's state. Each operator lives in its own module.

mod distinct;
mod element;
mod in_order;
mod join;
mod keyed;
mod merge;
mod sink;
mod source;
mod staged_sink;

use timely::dataflow::StreamVec;

use crate::context::{Epoch, JobEnv};

/// A stream of records of type `T`, each at an epoch.
pub struct Stream<'scope, T: 'static> {
    pub(crate) inner: StreamVec<'scope, Epoch, T>,
    pub(crate) env: JobEnv,
}

impl<T: Clone + 'static> Clone for Stream<'_, T> {
    fn clone(&self) -> Self {
        Stream {
            inner: self.inner.clone(),
            env: self.env.clone(),
        }
    }
}

impl<'scope, T: 'static> Stream<'scope, T> {
    /// Wraps a timely stream, for hand-written operators that feed a Rill pipeline.
    pub fn from_timely(inner: StreamVec<'scope, Epoch, T>, env: JobEnv) -> Self {
        Stream { inner, env }
    }

    /// The underlying timely stream, for hand-written operators.
    pub fn into_timely(self) -> StreamVec<'scope, Epoch, T> {
        self.inner
    }
}

/// A stream whose records of type `T` are grouped by a key of type `K` (see `key_by`).
pub struct KeyedStream<'scope, K: 'static, T: 'static> {
    pub(crate) pairs: StreamVec<'scope, Epoch, (K, T)>,
    pub(crate) env: JobEnv,
}

impl<K: Clone + 'static, T: Clone + 'static> Clone for KeyedStream<'_, K, T> {
    fn clone(&self) -> Self {
        KeyedStream {
            pairs: self.pairs.clone(),
            env: self.env.clone(),
        }
    }
}

impl<'scope, K: 'static, T: 'static> KeyedStream<'scope, K, T> {
    /// Forgets the keys: the stream of the records themselves.
    pub fn values(self) -> Stream<'scope, T> {
        Stream {
            inner: self.pairs,
            env: self.env,
        }
        .map("values", |(_, value)| value)
    }

    /// The records with their keys, as `(key, record)` pairs.
    pub fn pairs(self) -> Stream<'scope, (K, T)> {
        Stream {
            inner: self.pairs,
            env: self.env,
        }
    }
}

/// A stream seen as its records: a keyed stream drops its keys. Lets `concat` take keyed
/// streams by name.
pub trait IntoRecords {
    /// The stream of records.
    type Records;
    /// The records, without keys.
    fn into_records(self) -> Self::Records;
}

impl<'scope, T: 'static> IntoRecords for Stream<'scope, T> {
    type Records = Stream<'scope, T>;
    fn into_records(self) -> Self::Records {
        self
    }
}

impl<'scope, K: 'static, T: 'static> IntoRecords for KeyedStream<'scope, K, T> {
    type Records = Stream<'scope, T>;
    fn into_records(self) -> Self::Records {
        self.values()
    }
}
