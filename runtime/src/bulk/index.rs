//! [`Index`]: records grouped by key in flat arrays, in key order, built once per version of a
//! collection.

use std::hash::Hash;

use super::groups::sort_into_groups;
use crate::key::StableHashMap;

/// Records `((key, value), multiplicity)` grouped by key: the keys in order, each group's values
/// in one contiguous range of a flat array, and a hash map from key to group. Lookups in key
/// order (what a sorted round of a variable makes) follow a cursor instead of hashing.
pub(crate) struct Index<K, V> {
    groups: StableHashMap<K, u32>,
    /// The keys of the groups, sorted.
    keys: Vec<K>,
    /// Group `g`'s values are `values[bounds[g]..bounds[g + 1]]`.
    bounds: Vec<usize>,
    values: Vec<(V, isize)>,
    /// Whether a value has a negative multiplicity.
    negative: bool,
}

impl<K: Hash + Ord + Clone, V: Ord + Clone> Index<K, V> {
    /// An index of the records of `batches`; with `consolidated`, or if some multiplicity is
    /// negative, each group's values are sorted and equal values added up (zero multiplicities
    /// dropped).
    pub(crate) fn build(batches: Vec<Vec<((K, V), isize)>>, consolidated: bool) -> Self {
        let records = batches.iter().map(Vec::len).sum();
        // Groups numbered in order of arrival first. Records often come in runs of one key
        // (sorted inputs): a key equal to the previous record's is not hashed.
        let mut groups: StableHashMap<K, u32> = StableHashMap::default();
        let mut keys: Vec<K> = Vec::new();
        let mut group_of: Vec<u32> = Vec::with_capacity(records);
        for ((key, _), _) in batches.iter().flatten() {
            let group = match group_of.last() {
                Some(&last) if keys[last as usize] == *key => last,
                _ => match groups.get(key) {
                    Some(&group) => group,
                    None => {
                        let group = keys.len() as u32;
                        keys.push(key.clone());
                        groups.insert(key.clone(), group);
                        group
                    }
                },
            };
            group_of.push(group);
        }
        // Then renumbered in key order.
        let mut by_key: Vec<u32> = (0..keys.len() as u32).collect();
        by_key.sort_unstable_by(|a, b| keys[*a as usize].cmp(&keys[*b as usize]));
        let mut rank = vec![0u32; keys.len()];
        for (position, &group) in by_key.iter().enumerate() {
            rank[group as usize] = position as u32;
        }
        for group in groups.values_mut() {
            *group = rank[*group as usize];
        }
        let keys = by_key
            .iter()
            .map(|&group| keys[group as usize].clone())
            .collect();
        for group in group_of.iter_mut() {
            *group = rank[*group as usize];
        }
        let (mut bounds, mut values) = (Vec::new(), Vec::new());
        let first = batches.iter().flatten().next();
        let first = first.map(|((_, value), diff)| (value.clone(), *diff));
        let received = batches.into_iter().flatten();
        sort_into_groups(
            &group_of,
            rank.len(),
            first,
            received.map(|((_, value), diff)| (value, diff)),
            &mut bounds,
            &mut Vec::new(),
            &mut values,
        );
        // Negative multiplicities (an antijoin's output, say) mostly cancel out once
        // consolidated; left in, they would make every probe's output carry them too.
        let mut negative = values.iter().any(|(_, diff)| *diff < 0);
        if consolidated || negative {
            consolidate_groups(&mut values, &mut bounds);
            negative = values.iter().any(|(_, diff)| *diff < 0);
        }
        Index {
            groups,
            keys,
            bounds,
            values,
            negative,
        }
    }

    /// The group of `key` and its values, or `None` if it has none. `cursor` remembers where the
    /// previous lookup ended: a lookup of the same key or of the next key in order is a
    /// comparison, not a hash.
    pub(crate) fn find(&self, key: &K, cursor: &mut usize) -> Option<(usize, &[(V, isize)])> {
        let group = if self.keys.get(*cursor) == Some(key) {
            *cursor
        } else if *cursor > 0 && self.keys.get(*cursor - 1) == Some(key) {
            *cursor - 1
        } else {
            *self.groups.get(key)? as usize
        };
        *cursor = group + 1;
        let values = self.group(group);
        (!values.is_empty()).then_some((group, values))
    }

    /// Whether some record has a negative multiplicity.
    pub(crate) fn has_negative(&self) -> bool {
        self.negative
    }

    /// The number of groups (group numbers are below it).
    pub(crate) fn groups(&self) -> usize {
        self.keys.len()
    }

    /// Every key that has values, in order, with its group and values.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&K, usize, &[(V, isize)])> {
        self.keys
            .iter()
            .enumerate()
            .map(|(group, key)| (key, group, self.group(group)))
            .filter(|(_, _, values)| !values.is_empty())
    }

    fn group(&self, group: usize) -> &[(V, isize)] {
        &self.values[self.bounds[group]..self.bounds[group + 1]]
    }
}

/// Sorts the values of every group (group `g` is `values[bounds[g]..bounds[g + 1]]`) and adds up
/// equal ones, dropping those that cancel out; compacts the groups to the left as it goes.
fn consolidate_groups<V: Ord>(values: &mut Vec<(V, isize)>, bounds: &mut [usize]) {
    let groups = bounds.len() - 1;
    let mut write = 0;
    for group in 0..groups {
        let (start, end) = (bounds[group], bounds[group + 1]);
        bounds[group] = write;
        values[start..end].sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let mut read = start;
        while read < end {
            let mut diff = values[read].1;
            let mut same = read + 1;
            while same < end && values[same].0 == values[read].0 {
                diff += values[same].1;
                same += 1;
            }
            if diff != 0 {
                values.swap(write, read);
                values[write].1 = diff;
                write += 1;
            }
            read = same;
        }
    }
    bounds[groups] = write;
    values.truncate(write);
}
