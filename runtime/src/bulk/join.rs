//! Joins on `(key, value)` records: `join`, `join_map`, `semijoin`, `antijoin`.
//!
//! A join is bilinear, so it is computed part by part: each pair of parts (one per side) is
//! joined by one operator, whose result varies at the deeper of the two levels. The side at the
//! lower level is exchanged and indexed once per version ([`Index`]: key → range of a flat
//! array) and probed by every round's records of the other side; two parts at the same level are
//! both exchanged, and one indexed, at every time.

use std::cell::RefCell;
use std::rc::Rc;

use timely::container::CapacityContainerBuilder;
use timely::dataflow::channels::pact::Exchange;
use timely::dataflow::operators::generic::Operator;
use timely::dataflow::StreamVec;

use super::index::Index;
use super::{stash, BulkCollection, LoopTime, Part, Pending};
use crate::collection::Data;
use crate::key::stable_hash;

impl<'scope, K: 'static, V: 'static, T: LoopTime> BulkCollection<'scope, (K, V), T> {
    /// `(key, (value, other_value))` for every pair of records with equal keys.
    pub fn join<W: Data>(
        self,
        name: &str,
        other: BulkCollection<'scope, (K, W), T>,
    ) -> BulkCollection<'scope, (K, (V, W)), T>
    where
        K: Data,
        V: Data,
    {
        self.join_map(name, other, |key, value, other| {
            (key.clone(), (value.clone(), other.clone()))
        })
    }

    /// `f(key, value, other_value)` for every pair of records with equal keys.
    pub fn join_map<W: Data, D2: Data>(
        self,
        name: &str,
        other: BulkCollection<'scope, (K, W), T>,
        f: impl FnMut(&K, &V, &W) -> D2 + 'static,
    ) -> BulkCollection<'scope, D2, T>
    where
        K: Data,
        V: Data,
    {
        let f = Rc::new(RefCell::new(f));
        let mut parts = Vec::new();
        for left in &self.parts {
            for right in &other.parts {
                let f = Rc::clone(&f);
                let level = left.level.max(right.level);
                let stream = if left.level >= right.level {
                    probe(name, left, right, move |key, value, other| {
                        (f.borrow_mut())(key, value, other)
                    })
                } else {
                    probe(name, right, left, move |key, other, value| {
                        (f.borrow_mut())(key, value, other)
                    })
                };
                parts.push(Part { level, stream });
            }
        }
        BulkCollection::from_parts(self.rounds, parts)
    }

    /// The records whose key is in `keys` (with the product of multiplicities: make `keys`
    /// distinct for a plain filter).
    pub fn semijoin(self, name: &str, keys: BulkCollection<'scope, K, T>) -> Self
    where
        K: Data,
        V: Data,
    {
        let keys = keys.map(name, |key| (key, ()));
        self.join_map(name, keys, |key, value, _| (key.clone(), value.clone()))
    }

    /// The records whose key is not in `keys` (`keys` is made distinct first).
    pub fn antijoin(self, name: &str, keys: BulkCollection<'scope, K, T>) -> Self
    where
        K: Data,
        V: Data,
    {
        let matched = self
            .clone()
            .semijoin(name, keys.distinct(name))
            .negate(name);
        self.concat(name, [matched])
    }
}

/// Joins the records of `probing` with those of `indexed` (at the same or a lower level), both
/// exchanged by key: at every time of `probing`, each of its records meets the records of
/// `indexed` at that time truncated to `indexed`'s level, with `f(key, probing value, indexed
/// value)` and the product of multiplicities.
fn probe<'scope, K: Data, A: Data, B: Data, O: Data, T: LoopTime>(
    name: &str,
    probing: &Part<'scope, (K, A), T>,
    indexed: &Part<'scope, (K, B), T>,
    mut f: impl FnMut(&K, &A, &B) -> O + 'static,
) -> StreamVec<'scope, T, (O, isize)> {
    let level = indexed.level;
    let by_key_a = Exchange::new(|((key, _), _): &((K, A), isize)| stable_hash(key));
    let by_key_b = Exchange::new(|((key, _), _): &((K, B), isize)| stable_hash(key));
    probing
        .stream
        .clone()
        .binary_frontier::<_, CapacityContainerBuilder<Vec<(O, isize)>>, _, _, _, _>(
            indexed.stream.clone(),
            by_key_a,
            by_key_b,
            name,
            move |_, _| {
                let mut pending: Pending<T, ((K, A), isize)> = Vec::new();
                let mut versions: Vec<(T, Version<K, B>)> = Vec::new();
                move |(probes, probe_frontier), (index_input, index_frontier), output| {
                    probes.for_each(|time, data| stash(&mut pending, time, data));
                    index_input.for_each(|time, data| {
                        match versions
                            .iter_mut()
                            .find(|(version, _)| version == time.time())
                        {
                            Some((_, Version::Records(batches))) => {
                                batches.push(std::mem::take(data))
                            }
                            Some((_, Version::Indexed(_))) => {
                                unreachable!("data after the index was built")
                            }
                            None => versions
                                .push((*time.time(), Version::Records(vec![std::mem::take(data)]))),
                        }
                    });
                    pending.retain_mut(|(cap, records)| {
                        let version = cap.time().truncate(level);
                        if probe_frontier.less_equal(cap.time())
                            || index_frontier.less_equal(&version)
                        {
                            return true;
                        }
                        if let Some((_, stored)) = versions.iter_mut().find(|(v, _)| *v == version)
                        {
                            let index = stored.index();
                            let mut session = output.session(cap);
                            let mut cursor = 0;
                            for ((key, value), diff) in records.drain(..).flatten() {
                                let Some((_, others)) = index.find(&key, &mut cursor) else {
                                    continue;
                                };
                                for (other, other_diff) in others {
                                    session.give((f(&key, &value, other), diff * other_diff));
                                }
                            }
                        }
                        false
                    });
                    // A version is kept while a pending or future time of `probing` may need it.
                    versions.retain(|(version, _)| {
                        pending
                            .iter()
                            .any(|(cap, _)| cap.time().truncate(level) == *version)
                            || probe_frontier
                                .frontier()
                                .iter()
                                .any(|time| time.truncate(level).less_equal(version))
                    });
                }
            },
        )
}

/// The records of the indexed side at one time: as received until first probed, then indexed.
enum Version<K, B> {
    Records(Vec<Vec<((K, B), isize)>>),
    Indexed(Index<K, B>),
}

impl<K: Data, B: Data> Version<K, B> {
    /// The index of these records, built on first use.
    fn index(&mut self) -> &Index<K, B> {
        if let Version::Records(records) = self {
            *self = Version::Indexed(Index::build(std::mem::take(records), false));
        }
        match self {
            Version::Indexed(index) => index,
            Version::Records(_) => unreachable!("indexed above"),
        }
    }
}
