//! Grouping operators: `distinct`, `threshold`, `count` (grouping records by themselves) and
//! `reduce`, `min`, `max`, `sum` (grouping values by key).
//!
//! At every tick of its level, the operator groups the round's records by key (exchanged by the
//! key's stable hash; the hash map and arrays are reused from round to round), merges in the
//! groups of the parts at lower levels (exchanged and grouped once per version), and calls the
//! group's logic on each key's consolidated values, sorted, as differential's `reduce` does.

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
        self.map(name, |record| (record, ()))
            .group(name, move |record, counts, output| {
                let diff = f(record, counts[0].1);
                if diff != 0 {
                    output.push((record.clone(), diff));
                }
            })
    }

    /// `(record, multiplicity)` for every distinct record.
    pub fn count(self, name: &str) -> BulkCollection<'scope, (D, isize), T>
    where
        D: Data,
    {
        self.map(name, |record| (record, ()))
            .group(name, |record, counts, output| {
                output.push(((record.clone(), counts[0].1), 1))
            })
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
        self.group(name, move |key, values, output| {
            f(key, values, &mut produced);
            consolidate(&mut produced);
            output.extend(
                produced
                    .drain(..)
                    .map(|(value, diff)| ((key.clone(), value), diff)),
            );
        })
    }

    /// `(key, smallest value)` for every key.
    pub fn min(self, name: &str) -> Self
    where
        K: Data,
        V: Data,
    {
        self.reduce(name, smallest)
    }

    /// `(key, largest value)` for every key.
    pub fn max(self, name: &str) -> Self
    where
        K: Data,
        V: Data,
    {
        self.reduce(name, largest)
    }

    /// `(key, sum of values)` for every key, each value counted as often as it occurs (added in
    /// the order of the values, as the incremental strategy does, so that float sums agree).
    pub fn sum(self, name: &str) -> Self
    where
        K: Data,
        V: Data,
        V: Summable,
    {
        self.reduce(name, total)
    }

    /// Calls `logic(key, values, output)` for every key with values, at every tick of the
    /// collection's deepest level; `output` receives the records of the result.
    fn group<O: Data>(
        self,
        name: &str,
        mut logic: impl FnMut(&K, &[(&V, isize)], &mut Vec<(O, isize)>) + 'static,
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
            let mut open: Vec<(T, Groups<K, V>)> = Vec::new();
            let mut spare: Vec<Groups<K, V>> = Vec::new();
            let mut produced = Vec::new();
            move |frontiers| {
                clock.for_each(|tick, _| clocked.tick(tick.retain(0)));
                for (input, handle) in inputs.iter_mut().enumerate() {
                    if input == deepest {
                        handle.for_each(|time, data| {
                            let time = *time.time();
                            let position = match open.iter().position(|(open, _)| *open == time) {
                                Some(position) => position,
                                None => {
                                    open.push((time, spare.pop().unwrap_or_else(Groups::new)));
                                    open.len() - 1
                                }
                            };
                            open[position].1.absorb(data);
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
                        None => spare.pop().unwrap_or_else(Groups::new),
                    };
                    for input in 0..deepest {
                        clocked.prepare(input, &time, |records| Index::build(records, true));
                    }
                    let lower: Vec<_> = (0..deepest)
                        .filter_map(|input| clocked.prepared(input, &time))
                        .collect();
                    let mut session = output.session(&tick);
                    each_group(&mut groups, &lower, |key, values| {
                        logic(key, values, &mut produced);
                        session.give_iterator(produced.drain(..));
                    });
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

/// The inputs of a grouping operator: records by key, prepared into groups at lower levels.
type Grouping<T, K, V> = Clocked<T, ((K, V), isize), Index<K, V>>;

/// Calls `logic(key, values)` once for every key of `deepest` and `lower` that has values once
/// consolidated: with the key's values from all of them, sorted and added up. Empties `deepest`.
fn each_group<K: Data, V: Data>(
    deepest: &mut Groups<K, V>,
    lower: &[&Index<K, V>],
    mut logic: impl FnMut(&K, &[(&V, isize)]),
) {
    let mut spare = [Vec::new(), Vec::new()];
    // The groups of the lower parts already handled with a deeper part, and lookup cursors.
    let mut seen: Vec<Vec<bool>> = lower
        .iter()
        .map(|index| vec![false; index.groups()])
        .collect();
    let mut cursors = vec![0; lower.len()];
    deepest.drain_consolidated(|key, own| {
        let later = Later {
            indexes: lower,
            seen: &mut seen,
            cursors: &mut cursors,
        };
        gather(&mut spare, key, own, later, &mut logic)
    });
    for (position, index) in lower.iter().enumerate() {
        let (done, seen) = seen.split_at_mut(position + 1);
        let cursors = &mut cursors[position + 1..];
        cursors.fill(0);
        for (key, group, own) in index.iter() {
            if !done[position][group] {
                let later = Later {
                    indexes: &lower[position + 1..],
                    seen: &mut *seen,
                    cursors: &mut *cursors,
                };
                gather(&mut spare, key, own, later, &mut logic);
            }
        }
    }
}

/// The lower parts a key's values are looked up in: their indexes, the groups found so far, and
/// lookup cursors.
struct Later<'a, K, V> {
    indexes: &'a [&'a Index<K, V>],
    seen: &'a mut [Vec<bool>],
    cursors: &'a mut [usize],
}

/// Calls `logic(key, values)` with `own` values and those of `key` in `later` (each sorted and
/// consolidated), merged, unless they cancel out; marks the groups of `key` in `later` as seen.
/// `spare` lends its allocations.
fn gather<K: Data, V: Data>(
    spare: &mut [Vec<(&'static V, isize)>; 2],
    key: &K,
    own: &[(V, isize)],
    later: Later<'_, K, V>,
    logic: &mut impl FnMut(&K, &[(&V, isize)]),
) {
    let mut values = recycle(std::mem::take(&mut spare[0]));
    let mut merged = recycle(std::mem::take(&mut spare[1]));
    values.extend(own.iter().map(|(value, diff)| (value, *diff)));
    let lookups = later
        .indexes
        .iter()
        .zip(later.seen.iter_mut())
        .zip(later.cursors.iter_mut());
    for ((index, seen), cursor) in lookups {
        if let Some((group, more)) = index.find(key, cursor) {
            seen[group] = true;
            merge(&values, more, &mut merged);
            std::mem::swap(&mut values, &mut merged);
        }
    }
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
