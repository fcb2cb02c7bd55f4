//! [`Groups`]: one round's records grouped by key, in flat arrays reused from round to round.

use std::collections::hash_map::Entry;
use std::hash::Hash;

use differential_dataflow::consolidation::consolidate_slice;

use crate::key::StableHashMap;

/// Records `((key, value), multiplicity)` of one time, grouped by key. Each key has a slot that it
/// keeps from round to round (the next round mostly has the same keys, so it hashes no new
/// entries), and slots are renumbered in key order when keys were added: groups are visited, and
/// results produced, in key order. A round's records mostly come in the order of the last
/// round's (the same computation on the same keys), so a record's key is first compared with
/// the key of the record at its place last round, and hashed only if they differ.
pub(crate) struct Groups<K, V> {
    slots: StableHashMap<K, u32>,
    /// The key of every slot.
    keys: Vec<K>,
    /// Whether `keys` is sorted.
    sorted: bool,
    /// This round's records with their slots, as they arrived.
    staged: Vec<(u32, V, isize)>,
    /// Whether a staged record has a negative multiplicity.
    negative: bool,
    /// The slots of the last round's records, in order of arrival.
    previous: Vec<u32>,
    /// Scratch for grouping: slot `s`'s values are `values[bounds[s]..bounds[s + 1]]`.
    bounds: Vec<usize>,
    next: Vec<usize>,
    values: Vec<(V, isize)>,
}

impl<K: Hash + Ord + Clone, V: Ord + Clone> Groups<K, V> {
    /// No groups.
    pub(crate) fn new() -> Self {
        Groups {
            slots: StableHashMap::default(),
            keys: Vec::new(),
            sorted: true,
            staged: Vec::new(),
            negative: false,
            previous: Vec::new(),
            bounds: Vec::new(),
            next: Vec::new(),
            values: Vec::new(),
        }
    }

    /// Adds `records`, leaving `records` empty.
    pub(crate) fn absorb(&mut self, records: &mut Vec<((K, V), isize)>) {
        for ((key, value), diff) in records.drain(..) {
            let slot = match self.previous.get(self.staged.len()) {
                Some(&slot) if self.keys.get(slot as usize) == Some(&key) => slot,
                _ => self.slot(key),
            };
            self.negative |= diff < 0;
            self.staged.push((slot, value, diff));
        }
    }

    /// The slot of `key`, made if it has none.
    fn slot(&mut self, key: K) -> u32 {
        match self.slots.entry(key) {
            Entry::Occupied(slot) => *slot.get(),
            Entry::Vacant(vacant) => {
                let slot = self.keys.len() as u32;
                self.sorted &= self.keys.last().is_none_or(|last| last < vacant.key());
                self.keys.push(vacant.key().clone());
                *vacant.insert(slot)
            }
        }
    }

    /// Remembers the slots of the staged records, in order, for the next round.
    fn remember_arrivals(&mut self) {
        self.previous.clear();
        self.previous
            .extend(self.staged.iter().map(|(slot, _, _)| *slot));
    }

    /// Whether a record absorbed since the last drain has a negative multiplicity.
    pub(crate) fn has_negative(&self) -> bool {
        self.negative
    }

    /// Folds every record into a running result of its key (`fold(running, value,
    /// multiplicity)`, in the order of arrival, values not consolidated), then calls `f(key,
    /// running)` for every key with records, in slot order. Then forgets the records. `running`
    /// is scratch space, empty before and after.
    pub(crate) fn drain_folded<R: Default>(
        &mut self,
        running: &mut Vec<Option<R>>,
        fold: impl Fn(&mut R, &V, isize),
        mut f: impl FnMut(&K, R),
    ) {
        self.remember_arrivals();
        running.resize_with(self.keys.len(), || None);
        for (slot, value, diff) in self.staged.drain(..) {
            fold(
                running[slot as usize].get_or_insert_with(R::default),
                &value,
                diff,
            );
        }
        let mut touched = 0;
        for (key, running) in self.keys.iter().zip(running.drain(..)) {
            if let Some(running) = running {
                touched += 1;
                f(key, running);
            }
        }
        self.negative = false;
        self.tidy(touched);
    }

    /// Calls `f(key, values)` for every key with records, in slot order, with its values sorted
    /// and consolidated (equal values added up, those that cancel out dropped; `f` sees no
    /// empty group). Then forgets the records.
    pub(crate) fn drain_consolidated(&mut self, mut f: impl FnMut(&K, &[(V, isize)])) {
        self.remember_arrivals();
        let slots = self.keys.len();
        // A counting sort by slot: sizes, offsets, then every record moved to its place.
        self.bounds.clear();
        self.bounds.resize(slots + 1, 0);
        for (slot, _, _) in &self.staged {
            self.bounds[*slot as usize + 1] += 1;
        }
        for slot in 0..slots {
            self.bounds[slot + 1] += self.bounds[slot];
        }
        self.next.clone_from(&self.bounds);
        self.values.clear();
        if let Some((_, value, diff)) = self.staged.first() {
            self.values
                .resize(self.staged.len(), (value.clone(), *diff));
        }
        for (slot, value, diff) in self.staged.drain(..) {
            let place = &mut self.next[slot as usize];
            self.values[*place] = (value, diff);
            *place += 1;
        }
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
        self.negative = false;
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
