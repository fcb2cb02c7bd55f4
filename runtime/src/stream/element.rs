//! Record-at-a-time operators: `map`, `filter`, `flat_map`, `inspect`, and `key_by`.
//! They run on the worker that holds the record; nothing is exchanged.

use timely::dataflow::channels::pact::Pipeline;
use timely::dataflow::operators::generic::Operator;

use super::{KeyedStream, Stream};
use crate::key::Key;

impl<'scope, T: 'static> Stream<'scope, T> {
    /// Applies `f` to every record.
    pub fn map<U: 'static>(
        self,
        name: &str,
        mut f: impl FnMut(T) -> U + 'static,
    ) -> Stream<'scope, U> {
        self.each_batch(name, move |batch, out| {
            out.extend(batch.drain(..).map(&mut f))
        })
    }

    /// Keeps the records for which `f` is true.
    pub fn filter(self, name: &str, mut f: impl FnMut(&T) -> bool + 'static) -> Stream<'scope, T> {
        self.each_batch(name, move |batch, out| {
            out.extend(batch.drain(..).filter(|record| f(record)))
        })
    }

    /// Replaces every record by the records `f` returns for it.
    pub fn flat_map<I>(
        self,
        name: &str,
        mut f: impl FnMut(T) -> I + 'static,
    ) -> Stream<'scope, I::Item>
    where
        I: IntoIterator,
        I::Item: 'static,
    {
        self.each_batch(name, move |batch, out| {
            out.extend(batch.drain(..).flat_map(&mut f))
        })
    }

    /// Calls `f` on every record and passes it on unchanged.
    pub fn inspect(self, name: &str, mut f: impl FnMut(&T) + 'static) -> Stream<'scope, T> {
        self.each_batch(name, move |batch, out| {
            batch.iter().for_each(&mut f);
            std::mem::swap(batch, out);
        })
    }

    /// Groups records by the key `f` computes for each of them.
    pub fn key_by<K: Key>(
        self,
        name: &str,
        mut f: impl FnMut(&T) -> K + 'static,
    ) -> KeyedStream<'scope, K, T> {
        let env = self.env.clone();
        let pairs = self.map(name, move |record| (f(&record), record));
        KeyedStream {
            pairs: pairs.inner,
            env,
        }
    }

    /// Groups records by a key moved out of each record, which is then dropped: what
    /// `key_by(|record| record.part.clone())` means when only keys are used downstream (`count`).
    /// The `dataflow!` compiler picks this form; hand-written pipelines can too.
    pub fn key_by_moving<K: Key>(
        self,
        name: &str,
        mut key: impl FnMut(T) -> K + 'static,
    ) -> KeyedStream<'scope, K, ()> {
        let env = self.env.clone();
        let pairs = self.map(name, move |record| (key(record), ()));
        KeyedStream {
            pairs: pairs.inner,
            env,
        }
    }

    /// The one loop behind every record-at-a-time operator: `logic` moves a batch's records into
    /// an output batch at the same epoch.
    fn each_batch<U: 'static>(
        self,
        name: &str,
        mut logic: impl FnMut(&mut Vec<T>, &mut Vec<U>) + 'static,
    ) -> Stream<'scope, U> {
        let mut produced = Vec::new();
        let inner = self.inner.unary(Pipeline, name, move |_, _| {
            move |input, output| {
                input.for_each(|time, batch| {
                    logic(batch, &mut produced);
                    if !produced.is_empty() {
                        output.session(&time).give_container(&mut produced);
                        produced.clear();
                    }
                });
            }
        });
        Stream {
            inner,
            env: self.env,
        }
    }
}
