//! Grouping operators: `distinct`, `threshold`, `count` (grouping records by themselves) and
//! `reduce`, `min`, `max`, `sum` (grouping values by key).
//!
//! At every tick of its level, the operator groups the round's records by key (exchanged by the
//! key's stable hash; the hash map and arrays are reused from round to round), merges in the
//! groups of the parts at lower levels (exchanged and grouped once per version), and calls the
//! group's logic on each key's consolidated values, sorted, as differential's `reduce` does.
//!
//! `min`, `max` and `sum` need neither the sort nor the consolidation when no multiplicity is
//! negative (the usual case): they fold each key's values in the order they come ([`PerKey`];
//! `sum` adds them without rounding, [`Summable::Sum`], so the order cannot change its bits).

use differential_dataflow::consolidation::consolidate;
use timely::container::CapacityContainerBuilder;
use timely::dataflow::channels::pact::{Exchange, Pipeline};
use timely::dataflow::operators::generic::builder_rc::OperatorBuilder;
use timely::dataflow::operators::generic::OutputBuilder;

use super::clocked::Clocked;
use super::groups::Groups;
use super::index::Index;
use super::{BulkCollection, LoopTime, Part};
use crate::collection::{largest, smallest, total, Data, Summable};
use crate::key::stable_hash;

impl<'scope, D: 'static, T: LoopTime> BulkCollection<'scope, D, T> {
    /// Every record once (multiplicity 1), whatever its multiplicity was.
    pub fn distinct(self, name: &str) -> Self
    where
        D: Data,
    {
        self.threshold(name, |_, _| 1)
    }

    /// Every record with the multiplicity `f(record, multiplicity)` (records whose new
    /// multiplicity is 0 disappear).
    pub fn threshold(self, name: &str, mut f: impl FnMut(&D, isize) -> isize + 'static) -> Self
    where
        D: Data,
    {
        self.map(name, |record| (record, ())).group(
            name,
            Sorted(
                move |record: &D, counts: &[(&(), isize)], output: &mut Vec<_>| {
                    let diff = f(record, counts[0].1);
                    if diff != 0 {
                        output.push((record.clone(), diff));
                    }
                },
            ),
        )
    }

    /// `(record, multiplicity)` for every distinct record.
    pub fn count(self, name: &str) -> BulkCollection<'scope, (D, isize), T>
    where
        D: Data,
    {
        self.map(name, |record| (record, ())).group(
            name,
            Sorted(|record: &D, counts: &[(&(), isize)], output: &mut Vec<_>| {
                output.push(((record.clone(), counts[0].1), 1))
            }),
        )
    }
}

impl<'scope, K: 'static, V: 'static, T: LoopTime> BulkCollection<'scope, (K, V), T> {
    /// Groups the values of each key: `f(key, values, output)` sees every distinct value with its
    /// (non-zero) multiplicity, sorted, and pushes the group's output values with multiplicities.
    /// The result has `(key, output_value)` records.
    pub fn reduce<V2: Data>(
        self,
        name: &str,
        mut f: impl FnMut(&K, &[(&V, isize)], &mut Vec<(V2, isize)>) + 'static,
    ) -> BulkCollection<'scope, (K, V2), T>
    where
        K: Data,
        V: Data,
    {
        let mut produced = Vec::new();
        self.group(
            name,
            Sorted(
                move |key: &K, values: &[(&V, isize)], output: &mut Vec<_>| {
                    f(key, values, &mut produced);
                    consolidate(&mut produced);
                    output.extend(
                        produced
                            .drain(..)
                            .map(|(value, diff)| ((key.clone(), value), diff)),
                    );
                },
            ),
        )
    }

    /// `(key, smallest value)` for every key.
    pub fn min(self, name: &str) -> Self
    where
        K: Data,
        V: Data,
    {
        self.group(name, Extreme::<false>)
    }

    /// `(key, largest value)` for every key.
    pub fn max(self, name: &str) -> Self
    where
        K: Data,
        V: Data,
    {
        self.group(name, Extreme::<true>)
    }

    /// `(key, sum of values)` for every key, each value counted as often as it occurs (added
    /// without rounding, as the incremental strategy does, so that float sums agree).
    pub fn sum(self, name: &str) -> Self
    where
        K: Data,
        V: Data,
        V: Summable,
    {
        self.group(name, Total)
    }

    /// The output of `logic` for every key with values, at every tick of the collection's
    /// deepest level: folded from the values as they come if `logic` folds and no multiplicity
    /// is negative, else from each key's values sorted and consolidated.
    fn group<O: Data, L: PerKey<K, V, O>>(
        self,
        name: &str,
        mut logic: L,
    ) -> BulkCollection<'scope, O, T>
    where
        K: Data,
        V: Data,
    {
        let Some(level) = self.level() else {
            return BulkCollection::from_parts(self.rounds, []);
        };
        // The parts have distinct levels: one of them varies at `level`.
        let deepest = self.parts.len() - 1;
        let mut builder = OperatorBuilder::new(name.to_owned(), self.scope());
        let mut clock = builder.new_input(self.rounds.clock.clone(), Pipeline);
        let mut inputs: Vec<_> = self
            .parts
            .iter()
            .map(|part| {
                let by_key = Exchange::new(|((key, _), _): &((K, V), isize)| stable_hash(key));
                builder.new_input(part.stream.clone(), by_key)
            })
            .collect();
        let (output, stream) = builder.new_output();
        let mut output =
            OutputBuilder::<_, CapacityContainerBuilder<Vec<(O, isize)>>>::from(output);
        // Lower parts wait in `clocked` and are indexed once per version; the deepest part is
        // grouped as it arrives, per time.
        let mut clocked: Grouping<T, K, V> =
            Clocked::new(level, self.parts.iter().map(|part| part.level));
        builder.build(move |initial| {
            drop(initial);
            let mut open: Vec<(T, KeyGroups<K, V, O, L>)> = Vec::new();
            let mut spare: Vec<KeyGroups<K, V, O, L>> = Vec::new();
            let mut produced = Vec::new();
            let new_groups = || Groups::new(L::FOLDS);
            move |frontiers| {
                clock.for_each(|tick, _| clocked.tick(tick.retain(0)));
                for (input, handle) in inputs.iter_mut().enumerate() {
                    if input == deepest {
                        handle.for_each(|time, data| {
                            let time = *time.time();
                            let position = match open.iter().position(|(open, _)| *open == time) {
                                Some(position) => position,
                                None => {
                                    open.push((time, spare.pop().unwrap_or_else(new_groups)));
                                    open.len() - 1
                                }
                            };
                            open[position].1.absorb(data, L::fold);
                        });
                    } else {
                        handle.for_each(|time, data| clocked.push(input, *time.time(), data));
                    }
                }
                let mut output = output.activate();
                while let Some(tick) = clocked.next_ready(&frontiers[1..]) {
                    let time = *tick.time();
                    let mut groups = match open.iter().position(|(open, _)| *open == time) {
                        Some(position) => open.swap_remove(position).1,
                        None => spare.pop().unwrap_or_else(new_groups),
                    };
                    for input in 0..deepest {
                        clocked.prepare(input, &time, |records| Index::build(records, true));
                    }
                    let lower: Vec<_> = (0..deepest)
                        .filter_map(|input| clocked.prepared(input, &time))
                        .collect();
                    let mut session = output.session(&tick);
                    if groups.is_folding() && lower.iter().all(|index| !index.has_negative()) {
                        each_folded(&mut groups, &lower, L::fold, |key, running| {
                            L::finish(key, running, &mut produced);
                            session.give_iterator(produced.drain(..));
                        });
                    } else {
                        groups.stop_folding();
                        each_group(&mut groups, &lower, |key, values| {
                            logic.sorted(key, values, &mut produced);
                            session.give_iterator(produced.drain(..));
                        });
                    }
                    spare.push(groups);
                }
                clocked.gc(&frontiers[0], &[]);
                // Records at a time without a tick (none should come) go once no tick can.
                open.retain(|(time, _)| {
                    frontiers[0].less_equal(time) || clocked.pending(|tick| tick == time)
                });
            }
        });
        BulkCollection::from_parts(self.rounds, [Part { level, stream }])
    }
}

/// What a grouping operator computes from the values of each key.
trait PerKey<K, V, O>: 'static {
    /// What [`PerKey::fold`] keeps of a key's values seen so far.
    type Running: Default;
    /// Whether [`PerKey::fold`] and [`PerKey::finish`] give the output of
    /// [`PerKey::sorted`] from values in any order, not consolidated, when none has a negative
    /// multiplicity.
    const FOLDS: bool;
    /// Pushes the output of `key` given its values, sorted and consolidated.
    fn sorted(&mut self, key: &K, values: &[(&V, isize)], output: &mut Vec<(O, isize)>);
    /// Adds a value with its multiplicity to `running` (only called if `FOLDS`).
    fn fold(_running: &mut Self::Running, _value: &V, _count: isize) {
        unreachable!("only called on logic that folds")
    }
    /// Pushes the output of `key` given all its values folded into `running`.
    fn finish(_key: &K, _running: Self::Running, _output: &mut Vec<(O, isize)>) {
        unreachable!("only called on logic that folds")
    }
}

/// Logic that needs each key's values sorted and consolidated.
struct Sorted<F>(F);

impl<K, V, O, F> PerKey<K, V, O> for Sorted<F>
where
    F: FnMut(&K, &[(&V, isize)], &mut Vec<(O, isize)>) + 'static,
{
    type Running = ();
    const FOLDS: bool = false;
    fn sorted(&mut self, key: &K, values: &[(&V, isize)], output: &mut Vec<(O, isize)>) {
        (self.0)(key, values, output)
    }
}

/// `min` (`Extreme<false>`): the smallest value of each key; `max` (`Extreme<true>`): the
/// largest.
struct Extreme<const LARGEST: bool>;
/// `sum`: the sum of each key's values.
struct Total;

/// Pushes `(key, value)` for each value `f(key, values)` computes.
fn keyed<K: Clone, V>(
    key: &K,
    values: &[(&V, isize)],
    f: impl FnOnce(&K, &[(&V, isize)], &mut Vec<(V, isize)>),
    output: &mut Vec<((K, V), isize)>,
) {
    let mut produced = Vec::with_capacity(1);
    f(key, values, &mut produced);
    output.extend(
        produced
            .into_iter()
            .map(|(v, diff)| ((key.clone(), v), diff)),
    );
}

impl<K: Data, V: Data, const LARGEST: bool> PerKey<K, V, (K, V)> for Extreme<LARGEST> {
    type Running = Option<V>;
    const FOLDS: bool = true;
    fn sorted(&mut self, key: &K, values: &[(&V, isize)], output: &mut Vec<((K, V), isize)>) {
        match LARGEST {
            true => keyed(key, values, largest, output),
            false => keyed(key, values, smallest, output),
        }
    }
    fn fold(running: &mut Option<V>, value: &V, _: isize) {
        let better = |kept: &V| if LARGEST { value > kept } else { value < kept };
        if running.as_ref().is_none_or(better) {
            *running = Some(value.clone());
        }
    }
    fn finish(key: &K, running: Option<V>, output: &mut Vec<((K, V), isize)>) {
        output.extend(running.map(|value| ((key.clone(), value), 1)))
    }
}

impl<K: Data, V: Data + Summable> PerKey<K, V, (K, V)> for Total {
    type Running = Option<V::Sum>;
    const FOLDS: bool = true;
    fn sorted(&mut self, key: &K, values: &[(&V, isize)], output: &mut Vec<((K, V), isize)>) {
        keyed(key, values, total, output)
    }
    fn fold(running: &mut Option<V::Sum>, value: &V, count: isize) {
        value.add_to(count, running.get_or_insert_with(V::Sum::default))
    }
    fn finish(key: &K, running: Option<V::Sum>, output: &mut Vec<((K, V), isize)>) {
        output.extend(running.map(|sum| ((key.clone(), V::total(&sum)), 1)))
    }
}

/// One time's records of a grouping operator's deepest part, grouped for `L`.
type KeyGroups<K, V, O, L> = Groups<K, V, <L as PerKey<K, V, O>>::Running>;

/// The inputs of a grouping operator: records by key, prepared into groups at lower levels.
type Grouping<T, K, V> = Clocked<T, ((K, V), isize), Index<K, V>>;

/// Calls `logic(key, values)` once for every key of `deepest` and `lower` that has values once
/// consolidated: with the key's values from all of them, sorted and added up. Empties `deepest`.
fn each_group<K: Data, V: Data, R: Default>(
    deepest: &mut Groups<K, V, R>,
    lower: &[&Index<K, V>],
    mut logic: impl FnMut(&K, &[(&V, isize)]),
) {
    let mut spare = [Vec::new(), Vec::new()];
    let mut lower = Lower::new(lower);
    deepest.drain_consolidated(|key, own| gather(&mut spare, key, own, &mut lower, 0, &mut logic));
    lower.each_unseen(|lower, first, key, own| {
        gather(&mut spare, key, own, lower, first, &mut logic)
    });
}

/// Calls `finish(key, running)` once for every key of `deepest` (which is folding) and `lower`,
/// with all its values (none with a negative multiplicity) folded into `running` by `fold`.
/// Empties `deepest`.
fn each_folded<K: Data, V: Data, R: Default>(
    deepest: &mut Groups<K, V, R>,
    lower: &[&Index<K, V>],
    fold: impl Fn(&mut R, &V, isize),
    mut finish: impl FnMut(&K, R),
) {
    let fold_all = |running: &mut R, values: &[(V, isize)]| {
        for (value, diff) in values {
            fold(running, value, *diff);
        }
    };
    let mut lower = Lower::new(lower);
    deepest.drain_folded(|key, mut running| {
        lower.find(0, key, |values| fold_all(&mut running, values));
        finish(key, running);
    });
    lower.each_unseen(|lower, first, key, own| {
        let mut running = R::default();
        fold_all(&mut running, own);
        lower.find(first, key, |values| fold_all(&mut running, values));
        finish(key, running);
    });
}

/// The indexes of a grouping's lower parts, which of their groups were handled already (with a
/// deeper part's, or an earlier index's, values of the same key), and lookup cursors.
struct Lower<'a, K, V> {
    indexes: &'a [&'a Index<K, V>],
    seen: Vec<Vec<bool>>,
    cursors: Vec<usize>,
}

impl<'a, K: Data, V: Data> Lower<'a, K, V> {
    fn new(indexes: &'a [&'a Index<K, V>]) -> Self {
        Lower {
            indexes,
            seen: indexes
                .iter()
                .map(|index| vec![false; index.groups()])
                .collect(),
            cursors: vec![0; indexes.len()],
        }
    }

    /// Calls `f(values)` with the values of `key` in every index from the `first` on that has
    /// some, and marks those groups handled.
    fn find(&mut self, first: usize, key: &K, mut f: impl FnMut(&'a [(V, isize)])) {
        let lookups = self.indexes[first..]
            .iter()
            .zip(&mut self.seen[first..])
            .zip(&mut self.cursors[first..]);
        for ((index, seen), cursor) in lookups {
            if let Some((group, values)) = index.find(key, cursor) {
                seen[group] = true;
                f(values);
            }
        }
    }

    /// Calls `f(self, first, key, values)` for every group not handled yet, index by index:
    /// `first` is the index after the group's, where the key's other values are to be found.
    fn each_unseen(&mut self, mut f: impl FnMut(&mut Self, usize, &'a K, &'a [(V, isize)])) {
        let indexes = self.indexes;
        for (position, index) in indexes.iter().enumerate() {
            self.cursors[position + 1..].fill(0);
            for (key, group, own) in index.iter() {
                if !self.seen[position][group] {
                    f(self, position + 1, key, own);
                }
            }
        }
    }
}

/// Calls `logic(key, values)` with `own` values and those of `key` in the indexes of `lower`
/// from the `first` on (each sorted and consolidated), merged, unless they cancel out; marks the
/// groups of `key` there as handled. `spare` lends its allocations.
fn gather<K: Data, V: Data>(
    spare: &mut [Vec<(&'static V, isize)>; 2],
    key: &K,
    own: &[(V, isize)],
    lower: &mut Lower<'_, K, V>,
    first: usize,
    logic: &mut impl FnMut(&K, &[(&V, isize)]),
) {
    let mut values = recycle(std::mem::take(&mut spare[0]));
    let mut merged = recycle(std::mem::take(&mut spare[1]));
    values.extend(own.iter().map(|(value, diff)| (value, *diff)));
    lower.find(first, key, |more| {
        merge(&values, more, &mut merged);
        std::mem::swap(&mut values, &mut merged);
    });
    if !values.is_empty() {
        logic(key, &values);
    }
    *spare = [recycle(values), recycle(merged)];
}

/// An empty vector with the allocation of `vector`, whose references may live for another
/// lifetime (collecting in place keeps the allocation).
fn recycle<'b, V>(mut vector: Vec<(&V, isize)>) -> Vec<(&'b V, isize)> {
    vector.clear();
    vector
        .into_iter()
        .map(|_| unreachable!("cleared"))
        .collect()
}

/// Merges the sorted, consolidated `values` and `more` into `merged`, adding up equal values and
/// dropping those that cancel out.
fn merge<'a, V: Ord>(
    values: &[(&'a V, isize)],
    more: &'a [(V, isize)],
    merged: &mut Vec<(&'a V, isize)>,
) {
    merged.clear();
    let (mut left, mut right) = (values.iter().peekable(), more.iter().peekable());
    loop {
        match (left.peek(), right.peek()) {
            (Some(&&(a, da)), Some((b, db))) => match a.cmp(b) {
                std::cmp::Ordering::Less => {
                    merged.push((a, da));
                    left.next();
                }
                std::cmp::Ordering::Greater => {
                    merged.push((b, *db));
                    right.next();
                }
                std::cmp::Ordering::Equal => {
                    if da + db != 0 {
                        merged.push((a, da + db));
                    }
                    left.next();
                    right.next();
                }
            },
            (Some(_), None) => {
                merged.extend(left);
                break;
            }
            (None, Some(_)) => {
                merged.extend(right.map(|(value, diff)| (value, *diff)));
                break;
            }
            (None, None) => break,
        }
    }
}
