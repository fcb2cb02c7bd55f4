//! [`Groups`]: one round's records grouped by key, in flat arrays reused from round to round.

use std::hash::Hash;

use differential_dataflow::consolidation::consolidate_slice;

use crate::key::StableHashMap;

/// Records `((key, value), multiplicity)` of one time, grouped by key. Each key has a slot that it
/// keeps from round to round (the next round mostly has the same keys, so it hashes no new
/// entries), and slots are renumbered in key order when keys were added: groups are visited, and
/// results produced, in key order. A round's records mostly come in the order of the last
/// round's (the same computation on the same keys), so a record's key is first compared with
/// the key of the record at its place last round, and hashed only if they differ.
///
/// For logic that folds (`min`, `max`, `sum`), records are folded into a running result of
/// their key (`R`) as they arrive, as long as none has a negative multiplicity; the batches are
/// kept as they came, so that the records can still be grouped and sorted if one has.
pub(crate) struct Groups<K, V, R> {
    slots: StableHashMap<K, u32>,
    /// The key of every slot.
    keys: Vec<K>,
    /// Whether `keys` is sorted.
    sorted: bool,
    /// Whether the logic folds: each round starts folding if so.
    folds: bool,
    /// Whether this round's records are folded as they arrive (into `running`, by slot, with
    /// the batches kept in `kept`) rather than staged.
    folding: bool,
    running: Vec<Option<R>>,
    kept: Vec<Vec<((K, V), isize)>>,
    /// The slots of this round's records, in order of arrival.
    arrivals: Vec<u32>,
    /// This round's values with their multiplicities, as they arrived (when not folding).
    staged: Vec<(V, isize)>,
    /// The slots of the last round's records, in order of arrival.
    previous: Vec<u32>,
    /// Scratch for grouping: slot `s`'s values are `values[bounds[s]..bounds[s + 1]]`.
    bounds: Vec<usize>,
    next: Vec<usize>,
    values: Vec<(V, isize)>,
}

impl<K: Hash + Ord + Clone, V: Ord + Clone, R: Default> Groups<K, V, R> {
    /// No groups; with `folds`, records are folded as they arrive (see [`Groups::absorb`]).
    pub(crate) fn new(folds: bool) -> Self {
        Groups {
            slots: StableHashMap::default(),
            keys: Vec::new(),
            sorted: true,
            folds,
            folding: folds,
            running: Vec::new(),
            kept: Vec::new(),
            arrivals: Vec::new(),
            staged: Vec::new(),
            previous: Vec::new(),
            bounds: Vec::new(),
            next: Vec::new(),
            values: Vec::new(),
        }
    }

    /// Adds `records`, leaving `records` empty: folded into their keys' running results by
    /// `fold(running, value, multiplicity)` while folding, else staged.
    pub(crate) fn absorb(
        &mut self,
        records: &mut Vec<((K, V), isize)>,
        fold: impl Fn(&mut R, &V, isize),
    ) {
        if self.folding && records.iter().any(|(_, diff)| *diff < 0) {
            self.stop_folding();
        }
        if self.folding {
            self.running.resize_with(self.keys.len(), || None);
            for ((key, value), diff) in records.iter() {
                // The slot a record a few places on had last round: its key and running
                // result are fetched into the cache while this one is folded.
                let ahead = self.arrivals.len() + PREFETCH_DISTANCE;
                if let Some(&slot) = self.previous.get(ahead) {
                    prefetch(self.keys.get(slot as usize));
                    prefetch(self.running.get(slot as usize));
                }
                let slot = self.arrival_slot(key) as usize;
                if slot >= self.running.len() {
                    self.running.resize_with(self.keys.len(), || None);
                }
                fold(
                    self.running[slot].get_or_insert_with(R::default),
                    value,
                    *diff,
                );
            }
            self.kept.push(std::mem::take(records));
        } else {
            for ((key, value), diff) in records.drain(..) {
                self.arrival_slot(&key);
                self.staged.push((value, diff));
            }
        }
    }

    /// The slot of the next record to arrive, whose key is `key` (made if it has none); noted
    /// in `arrivals`.
    fn arrival_slot(&mut self, key: &K) -> u32 {
        let slot = match self.previous.get(self.arrivals.len()) {
            Some(&slot) if self.keys.get(slot as usize) == Some(key) => slot,
            _ => match self.slots.get(key) {
                Some(&slot) => slot,
                None => {
                    let slot = self.keys.len() as u32;
                    self.sorted &= self.keys.last().is_none_or(|last| last < key);
                    self.keys.push(key.clone());
                    self.slots.insert(key.clone(), slot);
                    slot
                }
            },
        };
        self.arrivals.push(slot);
        slot
    }

    /// Stops folding this round's records: stages those kept and forgets the running results.
    pub(crate) fn stop_folding(&mut self) {
        if !self.folding {
            return;
        }
        self.folding = false;
        self.running.clear();
        let kept = self.kept.drain(..).flatten();
        self.staged
            .extend(kept.map(|((_, value), diff)| (value, diff)));
    }

    /// Whether this round's records are being folded (none had a negative multiplicity).
    pub(crate) fn is_folding(&self) -> bool {
        self.folding
    }

    /// Calls `f(key, running)` for every key with records, in slot order, with the records
    /// folded into `running`. Then forgets the records. Only while folding.
    pub(crate) fn drain_folded(&mut self, mut f: impl FnMut(&K, R)) {
        debug_assert!(self.folding, "records were staged, not folded");
        let mut touched = 0;
        for (key, running) in self.keys.iter().zip(self.running.iter_mut()) {
            if let Some(running) = running.take() {
                touched += 1;
                f(key, running);
            }
        }
        self.kept.clear();
        self.end_round(touched);
    }

    /// Calls `f(key, values)` for every key with records, in slot order, with its values sorted
    /// and consolidated (equal values added up, those that cancel out dropped; `f` sees no
    /// empty group). Then forgets the records. Only once not folding.
    pub(crate) fn drain_consolidated(&mut self, mut f: impl FnMut(&K, &[(V, isize)])) {
        debug_assert!(!self.folding, "records were folded, not staged");
        let slots = self.keys.len();
        sort_into_groups(
            &self.arrivals,
            slots,
            self.staged.first().cloned(),
            self.staged.drain(..),
            &mut self.bounds,
            &mut self.next,
            &mut self.values,
        );
        let mut touched = 0;
        for slot in 0..slots {
            let group = &mut self.values[self.bounds[slot]..self.bounds[slot + 1]];
            if group.is_empty() {
                continue;
            }
            touched += 1;
            let kept = consolidate_slice(group);
            if kept > 0 {
                f(&self.keys[slot], &group[..kept]);
            }
        }
        self.values.clear();
        self.end_round(touched);
    }

    /// Remembers the round's arrivals for the next round, which starts folding if the logic
    /// folds; tidies the slots (`touched` had records).
    fn end_round(&mut self, touched: usize) {
        std::mem::swap(&mut self.previous, &mut self.arrivals);
        self.arrivals.clear();
        self.folding = self.folds;
        self.tidy(touched);
    }

    /// Renumbers the slots in key order if keys were added, or forgets them all when most of them
    /// had no records (`touched` did), so that the slots stay proportional to the rounds' keys.
    fn tidy(&mut self, touched: usize) {
        if self.keys.len() > 4 * touched + 1024 {
            self.slots.clear();
            self.keys.clear();
            self.previous.clear();
            self.sorted = true;
        } else if !self.sorted {
            self.previous.clear();
            self.keys.sort_unstable();
            for (slot, key) in self.keys.iter().enumerate() {
                *self.slots.get_mut(key).expect("every key has a slot") = slot as u32;
            }
            self.sorted = true;
        }
    }
}

/// Moves `records` into `values` ordered by group, the `i`th record being of group `groups[i]`
/// (below `group_count`): a counting sort, so group `g`'s records become
/// `values[bounds[g]..bounds[g + 1]]` in the order they came. `values` is first filled with
/// copies of `first`, the first record, each then written over; `next` is scratch.
pub(super) fn sort_into_groups<V: Clone>(
    groups: &[u32],
    group_count: usize,
    first: Option<(V, isize)>,
    records: impl Iterator<Item = (V, isize)>,
    bounds: &mut Vec<usize>,
    next: &mut Vec<usize>,
    values: &mut Vec<(V, isize)>,
) {
    bounds.clear();
    bounds.resize(group_count + 1, 0);
    for group in groups {
        bounds[*group as usize + 1] += 1;
    }
    for group in 0..group_count {
        bounds[group + 1] += bounds[group];
    }
    next.clone_from(bounds);
    values.clear();
    if let Some(first) = first {
        values.resize(groups.len(), first);
    }
    for (group, record) in groups.iter().zip(records) {
        let place = &mut next[*group as usize];
        values[*place] = record;
        *place += 1;
    }
}

/// How many records ahead [`Groups::absorb`] fetches slots into the cache.
const PREFETCH_DISTANCE: usize = 16;

/// Asks the processor to bring `place` into its caches (a hint; nothing on other processors).
#[inline]
fn prefetch<T>(place: Option<&T>) {
    #[cfg(target_arch = "x86_64")]
    if let Some(place) = place {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        // SAFETY: a prefetch is a hint: it neither faults nor changes what the program sees,
        // and SSE, which it needs, is part of every x86_64 processor.
        unsafe { _mm_prefetch::<_MM_HINT_T0>((place as *const T).cast()) };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = place;
}

#[cfg(test)]
mod tests {
    use super::Groups;

    /// A sum of values times multiplicities, the running result of these tests' folds.
    fn add(sum: &mut i64, value: &i64, diff: isize) {
        *sum += value * diff as i64;
    }

    /// Every group's values, sorted and consolidated, by key.
    fn consolidated<R: Default>(groups: &mut Groups<u32, i64, R>) -> Vec<(u32, Vec<(i64, isize)>)> {
        let mut seen = Vec::new();
        groups.drain_consolidated(|key, values| seen.push((*key, values.to_vec())));
        seen.sort();
        seen
    }

    /// Every group's folded sum, by key.
    fn folded(groups: &mut Groups<u32, i64, i64>) -> Vec<(u32, i64)> {
        let mut sums = Vec::new();
        groups.drain_folded(|key, sum| sums.push((*key, sum)));
        sums.sort();
        sums
    }

    #[test]
    fn folds_as_records_arrive_until_a_multiplicity_is_negative() {
        let mut groups: Groups<u32, i64, i64> = Groups::new(true);
        groups.absorb(&mut vec![((2, 5), 1), ((1, 7), 2)], add);
        groups.absorb(&mut vec![((2, 1), 1)], add);
        assert!(groups.is_folding());
        assert_eq!(folded(&mut groups), vec![(1, 14), (2, 6)]);

        // Next round: a negative multiplicity in the second batch stages the first one too.
        groups.absorb(&mut vec![((2, 5), 1), ((1, 7), 2)], add);
        groups.absorb(&mut vec![((2, 5), -1), ((3, 4), 1)], add);
        assert!(!groups.is_folding());
        assert_eq!(
            consolidated(&mut groups),
            vec![(1, vec![(7, 2)]), (3, vec![(4, 1)])]
        );

        // And the round after folds again.
        groups.absorb(&mut vec![((3, 2), 3)], add);
        assert!(groups.is_folding());
        assert_eq!(folded(&mut groups), vec![(3, 6)]);
    }

    #[test]
    fn stops_folding_when_told_and_groups_what_was_folded() {
        let mut groups: Groups<u32, i64, i64> = Groups::new(true);
        groups.absorb(
            &mut vec![((9, 3), 1), ((4, 3), 1), ((9, 3), 1), ((9, 1), 1)],
            add,
        );
        groups.stop_folding();
        assert_eq!(
            consolidated(&mut groups),
            vec![(4, vec![(3, 1)]), (9, vec![(1, 1), (3, 2)])]
        );
    }

    #[test]
    fn logic_that_does_not_fold_stages_every_record() {
        let mut groups: Groups<u32, i64, ()> = Groups::new(false);
        groups.absorb(
            &mut vec![((1, 2), 1), ((1, 2), -1), ((0, 5), 1)],
            |_, _, _| unreachable!("not folding"),
        );
        assert!(!groups.is_folding());
        assert_eq!(consolidated(&mut groups), vec![(0, vec![(5, 1)])]);
    }
}
