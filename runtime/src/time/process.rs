//! Keyed process functions: per-key state and timers on a keyed stream with timestamps
//! (Flink's `KeyedProcessFunction`).
//!
//! - `on_record(ctx, record)` runs for every record once its epoch is complete, epoch by epoch and
//!   within an epoch in timestamp order (so results do not depend on the number of workers), with
//!   `ctx.watermark()` the watermark of the epochs before the record's own (late records are handed
//!   over too: compare `ctx.timestamp()` with `ctx.watermark()`).
//! - Event-time timers (`ctx.set_timer(t)`) fire, in timestamp order over all keys, once the
//!   watermark reaches `t`; at the end of the input every pending event-time timer fires.
//!   Processing-time timers (`ctx.set_processing_timer(d)`) fire once the wall clock has passed;
//!   at the end of the input they are dropped. A key has at most one timer per time and domain.
//! - State is one value of type `S` per key, created from the initial value given to `state(..)`,
//!   kept by key group (`crate::key`). With `state(..).ttl(..)`, a key's state and timers expire
//!   after `ttl` of event time without a record for the key: once the watermark is `ttl` past
//!   the key's last record, or when a record comes `ttl` or more after it.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::clock::{event_operator, EventClock, EventLogic, OnEvents};
use super::{KeyedTimedStream, Millis};
use crate::checkpoint::{ChunkWriter, WriteChunks};
use crate::error::Result;
use crate::key::{key_group, stable_hash, Key, Record, StableHashMap, MAX_KEY_GROUPS};
use crate::stream::Stream;

/// What keyed state must be: cloneable (each key starts from a clone of the initial value) and
/// serialisable (checkpoints save it).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be keyed state",
    label = "state of type `{Self}`",
    note = "keyed state must implement `Clone + Serialize + DeserializeOwned + 'static` so that checkpoints can save it; derive it with `#[derive(Clone, Default, Serialize, Deserialize)]`"
)]
pub trait State: Clone + Serialize + DeserializeOwned + 'static {}
impl<S: Clone + Serialize + DeserializeOwned + 'static> State for S {}

/// The state of a keyed process function: its initial value per key, and an optional time to live.
pub struct StateSpec<S> {
    initial: S,
    ttl: Option<Millis>,
}

/// Per-key state starting as a clone of `initial`: a value (`Option<T>`), a list (`Vec<T>`), a map
/// (`BTreeMap<K, V>`), or any serialisable struct of them.
pub fn state<S>(initial: S) -> StateSpec<S> {
    StateSpec { initial, ttl: None }
}

impl<S> StateSpec<S> {
    /// Drops a key's state (and its timers) once `ttl` of event time has passed without a record
    /// for the key.
    pub fn ttl(self, ttl: Duration) -> Self {
        StateSpec {
            ttl: Some(ttl.as_millis() as Millis),
            ..self
        }
    }
}

/// Which clock a timer follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum TimeDomain {
    /// The watermark.
    EventTime,
    /// The wall clock, in milliseconds since the job started.
    ProcessingTime,
}

/// A timer that fired.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timer {
    /// When it was set to fire (event time, or processing time since the job started).
    pub time: Millis,
    /// Which clock it followed.
    pub domain: TimeDomain,
}

/// What a process function sees and does for one record or timer of one key.
pub struct ProcessContext<'a, K, S, O, X> {
    key: &'a K,
    state: &'a mut S,
    timestamp: Millis,
    watermark: Millis,
    now: Millis,
    out: &'a mut Vec<O>,
    side: &'a mut Vec<X>,
    timers: &'a mut Vec<(TimeDomain, Millis)>,
    clear: bool,
}

impl<K, S, O, X> ProcessContext<'_, K, S, O, X> {
    /// The key.
    pub fn key(&self) -> &K {
        self.key
    }
    /// The key's state.
    pub fn state(&mut self) -> &mut S {
        self.state
    }
    /// The record's timestamp, or the timer's time.
    pub fn timestamp(&self) -> Millis {
        self.timestamp
    }
    /// The current watermark.
    pub fn watermark(&self) -> Millis {
        self.watermark
    }
    /// Emits a record on the main output.
    pub fn emit(&mut self, record: O) {
        self.out.push(record);
    }
    /// Emits a record on the side output (`let (main, side) = ... -> keyed_process(...)`).
    pub fn side(&mut self, record: X) {
        self.side.push(record);
    }
    /// Fires `on_timer` for this key once the watermark reaches `time`.
    pub fn set_timer(&mut self, time: Millis) {
        self.timers.push((TimeDomain::EventTime, time));
    }
    /// Fires `on_timer` for this key once `after` of wall-clock time has passed.
    pub fn set_processing_timer(&mut self, after: Duration) {
        self.timers.push((
            TimeDomain::ProcessingTime,
            self.now + after.as_millis() as Millis,
        ));
    }
    /// Drops this key's state and pending timers once the current call returns.
    pub fn clear(&mut self) {
        self.clear = true;
    }
}

/// The outputs of a keyed process function: the main one and a side output.
pub struct ProcessOutput<'scope, O: 'static, X: 'static> {
    main: Stream<'scope, O>,
    side: Stream<'scope, X>,
}

impl<'scope, O: 'static, X: 'static> ProcessOutput<'scope, O, X> {
    /// Both outputs: `let (main, side) = ... -> keyed_process(...);`.
    pub fn with_side(self) -> (Stream<'scope, O>, Stream<'scope, X>) {
        (self.main, self.side)
    }
}

impl<'scope, O: 'static> ProcessOutput<'scope, O, ()> {
    /// The main output of a function without side outputs.
    pub fn main(self) -> Stream<'scope, O> {
        self.main
    }
}

/// A key's state and when it last saw a record.
#[derive(Serialize, Deserialize)]
struct Entry<S> {
    state: S,
    last_seen: Millis,
}

/// A process function's keyed state in checkpoints: its keys' state, its event-time and
/// processing-time timers. (Its watermark is its unkeyed state.)
type KeysState<K, S> = (
    StableHashMap<K, Entry<S>>,
    BTreeSet<(Millis, K)>,
    BTreeSet<(Millis, K)>,
);

/// The keys' state of every key group, written as one map.
struct AllGroups<'a, K, S>(&'a [StableHashMap<K, Entry<S>>]);

impl<K: Key, S: State> WriteChunks for AllGroups<'_, K, S> {
    fn write_chunks(&self, out: &mut ChunkWriter) -> Result<()> {
        out.section(
            self.0
                .iter()
                .flatten()
                .map(|entry| (stable_hash(entry.0), entry)),
        )
    }
}

/// One worker's keys, timers, and the user's functions.
struct Keys<K, S, O, X, R, TF> {
    /// State by key group, then key.
    groups: Vec<StableHashMap<K, Entry<S>>>,
    initial: S,
    ttl: Option<Millis>,
    event_timers: BTreeSet<(Millis, K)>,
    processing_timers: BTreeSet<(Millis, K)>,
    on_record: R,
    on_timer: TF,
    started: Instant,
    watermark: Millis,
    out: Vec<O>,
    side: Vec<X>,
}

impl<K: Key + Ord, S: State, O, X, R, TF> Keys<K, S, O, X, R, TF>
where
    TF: FnMut(&mut ProcessContext<K, S, O, X>, Timer),
{
    fn now(&self) -> Millis {
        self.started.elapsed().as_millis() as Millis
    }

    /// Runs `call` on `key`'s context (for a record if `record`, else for a timer), then applies
    /// the timers it set and a `clear`.
    fn with_key(
        &mut self,
        key: K,
        timestamp: Millis,
        record: bool,
        call: impl FnOnce(&mut Self, &mut ProcessContext<K, S, O, X>),
    ) {
        let group = key_group(&key) as usize;
        let mut entry = self.groups[group].remove(&key).unwrap_or_else(|| Entry {
            state: self.initial.clone(),
            last_seen: timestamp,
        });
        if record {
            // A record a time to live after the key's last one finds the state expired, even if
            // the watermark has not caught up yet.
            if self
                .ttl
                .is_some_and(|ttl| timestamp >= entry.last_seen.saturating_add(ttl))
            {
                entry.state = self.initial.clone();
                self.event_timers.retain(|(_, k)| *k != key);
                self.processing_timers.retain(|(_, k)| *k != key);
            }
            entry.last_seen = entry.last_seen.max(timestamp);
        }
        let mut timers = Vec::new();
        let (mut out, mut side) = (
            std::mem::take(&mut self.out),
            std::mem::take(&mut self.side),
        );
        let mut ctx = ProcessContext {
            key: &key,
            state: &mut entry.state,
            timestamp,
            watermark: self.watermark,
            now: self.now(),
            out: &mut out,
            side: &mut side,
            timers: &mut timers,
            clear: false,
        };
        call(self, &mut ctx);
        let clear = ctx.clear;
        (self.out, self.side) = (out, side);
        if clear {
            self.event_timers.retain(|(_, k)| *k != key);
            self.processing_timers.retain(|(_, k)| *k != key);
            return;
        }
        for (domain, time) in timers {
            match domain {
                TimeDomain::EventTime => self.event_timers.insert((time, key.clone())),
                TimeDomain::ProcessingTime => self.processing_timers.insert((time, key.clone())),
            };
        }
        self.groups[group].insert(key, entry);
    }

    /// Fires the timers of `domain` that are due at `now`, in time order.
    fn fire(&mut self, domain: TimeDomain, now: Millis) {
        loop {
            let timers = match domain {
                TimeDomain::EventTime => &mut self.event_timers,
                TimeDomain::ProcessingTime => &mut self.processing_timers,
            };
            let Some((time, key)) = timers.first().cloned().filter(|(time, _)| *time <= now) else {
                break;
            };
            timers.remove(&(time, key.clone()));
            self.with_key(key, time, false, |keys, ctx| {
                (keys.on_timer)(ctx, Timer { time, domain })
            });
        }
    }

    /// Drops the state of keys that have seen no record for the time to live.
    fn expire(&mut self) {
        let (Some(ttl), watermark) = (self.ttl, self.watermark) else {
            return;
        };
        let mut expired = Vec::new();
        for group in self.groups.iter_mut() {
            group.retain(|key, entry| {
                let keep = entry.last_seen.saturating_add(ttl) > watermark;
                if !keep {
                    expired.push(key.clone());
                }
                keep
            });
        }
        if !expired.is_empty() {
            let expired: BTreeSet<K> = expired.into_iter().collect();
            self.event_timers.retain(|(_, k)| !expired.contains(k));
            self.processing_timers.retain(|(_, k)| !expired.contains(k));
        }
    }
}

impl<K: Key + Ord, T, S: State, O: 'static, X: 'static, R: 'static, TF: 'static> EventLogic<K, T>
    for Keys<K, S, O, X, R, TF>
where
    R: FnMut(&mut ProcessContext<K, S, O, X>, T),
    TF: FnMut(&mut ProcessContext<K, S, O, X>, Timer),
{
    type First = O;
    type Second = X;
    type State = KeysState<K, S>;

    fn after_events(&mut self) -> Option<Duration> {
        let now = self.now();
        self.fire(TimeDomain::ProcessingTime, now);
        let (due, _) = self.processing_timers.first()?;
        Some(Duration::from_millis(due.saturating_sub(now)))
    }

    fn keyed_state(&self) -> impl WriteChunks + '_ {
        (
            AllGroups(&self.groups),
            &self.event_timers,
            &self.processing_timers,
        )
    }

    type Unkeyed = Millis;
    fn unkeyed_state(&self) -> Millis {
        self.watermark
    }

    fn restore(&mut self, state: KeysState<K, S>, watermarks: Vec<Millis>) {
        let keys;
        (keys, self.event_timers, self.processing_timers) = state;
        for (key, entry) in keys {
            self.groups[key_group(&key) as usize].insert(key, entry);
        }
        self.watermark = watermarks.into_iter().max().unwrap_or(self.watermark);
    }

    fn outputs(&mut self) -> (&mut Vec<O>, &mut Vec<X>) {
        (&mut self.out, &mut self.side)
    }
}

impl<K: Key + Ord, T, S: State, O, X, R, TF> OnEvents<K, T> for Keys<K, S, O, X, R, TF>
where
    R: FnMut(&mut ProcessContext<K, S, O, X>, T),
    TF: FnMut(&mut ProcessContext<K, S, O, X>, Timer),
{
    fn record(&mut self, key: K, timestamp: Millis, record: T, watermark: Millis) {
        self.watermark = watermark;
        self.with_key(key, timestamp, true, |keys, ctx| {
            (keys.on_record)(ctx, record)
        });
    }

    fn watermark(&mut self, watermark: Millis) {
        self.watermark = watermark;
        self.fire(TimeDomain::EventTime, watermark);
        self.expire();
    }
}

impl<'scope, K: Key + Ord, T: Record> KeyedTimedStream<'scope, K, T> {
    /// Runs a keyed process function: `on_record` for every record and `on_timer` for every timer,
    /// each with the key's state, its timers and the outputs (see the module docs).
    pub fn keyed_process<S: State, O: 'static, X: 'static>(
        self,
        name: &str,
        spec: StateSpec<S>,
        on_record: impl FnMut(&mut ProcessContext<K, S, O, X>, T) + 'static,
        on_timer: impl FnMut(&mut ProcessContext<K, S, O, X>, Timer) + 'static,
    ) -> ProcessOutput<'scope, O, X> {
        let keys = Keys {
            groups: (0..MAX_KEY_GROUPS)
                .map(|_| StableHashMap::default())
                .collect(),
            initial: spec.initial,
            ttl: spec.ttl,
            event_timers: BTreeSet::new(),
            processing_timers: BTreeSet::new(),
            on_record,
            on_timer,
            started: Instant::now(),
            watermark: 0,
            out: Vec::new(),
            side: Vec::new(),
        };
        let clock = EventClock::sorted(self.out_of_orderness);
        let (main, side) = event_operator(name, self.pairs, self.marks, clock, keys);
        ProcessOutput { main, side }
    }
}
