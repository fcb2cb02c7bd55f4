//! Processing records in epoch order, as early as progress tracking allows.
//!
//! Stateful operators (aggregates, `distinct`, `join`) must see all records of epoch `e` before any
//! of a later epoch, but records arrive in any order across workers. [`InOrder`] applies a batch at
//! once when no earlier record can still arrive (its epoch is the least of the input frontier) and
//! stashes it otherwise, applying stashed batches and completing epochs as the frontier passes them.

use std::collections::BTreeMap;

use timely::dataflow::operators::Capability;

use crate::context::Epoch;

/// Stashed batches and the capabilities of epochs that are not complete yet.
///
/// `apply` and `complete` receive the operator's own state (`S`, e.g. its keyed state and output
/// handle) as an argument, so that both can change it.
pub(crate) struct InOrder<D> {
    stash: BTreeMap<Epoch, Vec<Vec<D>>>,
    open: BTreeMap<Epoch, Capability<Epoch>>,
}

impl<D> Default for InOrder<D> {
    fn default() -> Self {
        InOrder {
            stash: BTreeMap::new(),
            open: BTreeMap::new(),
        }
    }
}

impl<D> InOrder<D> {
    /// Accepts a batch at `capability`'s epoch, given the least epoch of the input frontier.
    /// `apply` runs now if no earlier record can arrive, otherwise once the frontier gets there.
    pub(crate) fn accept<S>(
        &mut self,
        capability: Capability<Epoch>,
        batch: &mut Vec<D>,
        frontier_low: Option<Epoch>,
        state: &mut S,
        apply: impl Fn(&mut S, &Capability<Epoch>, &mut Vec<D>),
    ) {
        let epoch = *capability.time();
        let capability = self.open.entry(epoch).or_insert(capability);
        if frontier_low == Some(epoch) {
            apply(state, capability, batch);
            batch.clear();
        } else {
            self.stash
                .entry(epoch)
                .or_default()
                .push(std::mem::take(batch));
        }
    }

    /// Applies the batches of every epoch up to `last`, in epoch order, and calls `complete` for
    /// each: what a checkpoint after epoch `last` needs, whatever the frontier allows next.
    pub(crate) fn complete_through<S>(
        &mut self,
        last: Epoch,
        state: &mut S,
        apply: impl Fn(&mut S, &Capability<Epoch>, &mut Vec<D>),
        complete: impl Fn(&mut S, &Capability<Epoch>),
    ) {
        while let Some(entry) = self.open.first_entry() {
            if *entry.key() > last {
                break;
            }
            let (epoch, capability) = entry.remove_entry();
            for mut batch in self.stash.remove(&epoch).unwrap_or_default() {
                apply(state, &capability, &mut batch);
            }
            complete(state, &capability);
        }
    }

    /// Applies the batches the frontier (least epoch `frontier_low`, `None` once the input has
    /// ended) now allows, in epoch order, and calls `complete` for every epoch it has passed.
    pub(crate) fn advance<S>(
        &mut self,
        frontier_low: Option<Epoch>,
        state: &mut S,
        apply: impl Fn(&mut S, &Capability<Epoch>, &mut Vec<D>),
        complete: impl Fn(&mut S, &Capability<Epoch>),
    ) {
        let ready = |epoch: Epoch| frontier_low.is_none_or(|low| epoch <= low);
        while let Some((&epoch, _)) = self.open.first_key_value() {
            if !ready(epoch) {
                break;
            }
            let capability = &self.open[&epoch];
            for mut batch in self.stash.remove(&epoch).unwrap_or_default() {
                apply(state, capability, &mut batch);
            }
            if frontier_low == Some(epoch) {
                break;
            }
            complete(state, capability);
            self.open.remove(&epoch);
        }
    }
}
