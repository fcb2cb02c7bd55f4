//! Windowed aggregation: the window operator and the aggregations users call on it.
//!
//! Semantics, per key (Flink's, with Rill's watermark, see [`super`]):
//! - A time window `[start, end)` fires once the watermark reaches `end`, emitting a
//!   [`WindowResult`]. A record whose window has fired but whose `end + lateness` the watermark
//!   has not reached yet updates it: the window fires again, emitting the **updated** result
//!   (a new `WindowResult` for the same window; earlier ones are not retracted).
//! - A record all of whose windows are past `end + lateness` goes to the late-data output.
//! - Session windows merge when a record bridges them; a merged window fires again. A session
//!   takes the records of an epoch in timestamp order, whatever the split among workers: a record
//!   that is late on its own stays late even if a record of its epoch with a larger timestamp
//!   bridges its gap to a live session.
//! - Count windows take a key's records in timestamp order, once the watermark has passed them;
//!   incomplete count windows do not fire. Records with equal timestamps may be taken in any order.
//! - At the end of the input the watermark is infinite: every pending time window fires.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::assign::Windows;
use super::clock::{event_operator, EventClock, EventLogic, OnEvents};
use super::{KeyedTimedStream, Late, Millis};
use crate::key::{Key, Record, StableHashMap};
use crate::stream::Stream;

/// The result of one window of one key.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct WindowResult<K, V> {
    /// The key.
    pub key: K,
    /// The window's first millisecond (for count windows: the first record's timestamp).
    pub start: Millis,
    /// The millisecond after the window (for count windows: one after the last record's).
    pub end: Millis,
    /// The aggregate.
    pub value: V,
}

/// An incremental aggregation: an accumulator per window, created empty, updated by every record,
/// and turned into a result when the window fires.
pub trait Aggregate<T>: 'static {
    /// The running state of one window.
    type Acc: 'static;
    /// What a window emits.
    type Out: 'static;
    /// An empty accumulator.
    fn create(&mut self) -> Self::Acc;
    /// Adds a record.
    fn add(&mut self, acc: &mut Self::Acc, record: T);
    /// The result of a window.
    fn result(&mut self, acc: &Self::Acc) -> Self::Out;
}

/// An [`Aggregate`] made of three functions.
pub struct FnAggregate<C, A, R> {
    create: C,
    add: A,
    result: R,
}

impl<T, Acc: 'static, Out: 'static, C, A, R> Aggregate<T> for FnAggregate<C, A, R>
where
    C: FnMut() -> Acc + 'static,
    A: FnMut(&mut Acc, T) + 'static,
    R: FnMut(&Acc) -> Out + 'static,
{
    type Acc = Acc;
    type Out = Out;
    fn create(&mut self) -> Acc {
        (self.create)()
    }
    fn add(&mut self, acc: &mut Acc, record: T) {
        (self.add)(acc, record)
    }
    fn result(&mut self, acc: &Acc) -> Out {
        (self.result)(acc)
    }
}

fn aggregate_of<T, Acc: 'static, Out: 'static>(
    create: impl FnMut() -> Acc + 'static,
    add: impl FnMut(&mut Acc, T) + 'static,
    result: impl FnMut(&Acc) -> Out + 'static,
) -> impl Aggregate<T, Acc = Acc, Out = Out> {
    FnAggregate {
        create,
        add,
        result,
    }
}

/// A keyed timed stream with windows assigned; an aggregation follows.
pub struct WindowedStream<'scope, K: 'static, T: 'static> {
    keyed: KeyedTimedStream<'scope, K, T>,
    windows: Windows,
    lateness: Millis,
}

/// The two outputs of a windowed aggregation: results, and records too late for any window.
pub struct WindowOutput<'scope, R: 'static, T: 'static> {
    results: Stream<'scope, R>,
    late: Stream<'scope, Late<T>>,
}

impl<'scope, R: 'static, T: 'static> WindowOutput<'scope, R, T> {
    /// Both outputs: `let (results, late) = ... -> count();`.
    pub fn with_late(self) -> (Stream<'scope, R>, Stream<'scope, Late<T>>) {
        (self.results, self.late)
    }

    /// The results; late records are counted and logged as a warning (bind a second output to
    /// route them).
    pub fn results(self, name: &str) -> Stream<'scope, R> {
        let mut dropped = 0u64;
        let name_owned = name.to_owned();
        self.late.inspect(name, move |late: &Late<T>| {
            dropped += 1;
            if dropped.is_power_of_two() {
                tracing::warn!(
                    "{name_owned}: {dropped} late record(s) so far (latest: timestamp {} at watermark {}); bind a second output, `let (results, late) = ...`, to route them",
                    late.timestamp,
                    late.watermark
                );
            }
        });
        self.results
    }
}

type Windowed<'scope, K, V, T> = WindowOutput<'scope, WindowResult<K, V>, T>;

impl<'scope, K: 'static, T: 'static> WindowedStream<'scope, K, T> {
    pub(crate) fn new(
        keyed: KeyedTimedStream<'scope, K, T>,
        windows: Windows,
        lateness: Millis,
    ) -> Self {
        WindowedStream {
            keyed,
            windows,
            lateness,
        }
    }
}

impl<'scope, K: Key, T: Record + Clone> WindowedStream<'scope, K, T> {
    /// The number of records per window.
    pub fn count(self, name: &str) -> Windowed<'scope, K, u64, T> {
        self.aggregate(name, aggregate_of(|| 0u64, |n, _| *n += 1, |n| *n))
    }

    /// The sum of `f(record)` per window.
    pub fn sum<V>(
        self,
        name: &str,
        mut f: impl FnMut(T) -> V + 'static,
    ) -> Windowed<'scope, K, V, T>
    where
        V: std::ops::AddAssign + Default + Clone + Record,
    {
        self.aggregate(
            name,
            aggregate_of(V::default, move |s, r| *s += f(r), V::clone),
        )
    }

    /// The least `f(record)` per window.
    pub fn min<V: Ord + Clone + Record>(
        self,
        name: &str,
        f: impl FnMut(T) -> V + 'static,
    ) -> Windowed<'scope, K, V, T> {
        self.extremum(name, f, std::cmp::min)
    }

    /// The greatest `f(record)` per window.
    pub fn max<V: Ord + Clone + Record>(
        self,
        name: &str,
        f: impl FnMut(T) -> V + 'static,
    ) -> Windowed<'scope, K, V, T> {
        self.extremum(name, f, std::cmp::max)
    }

    /// The mean of `f(record)` per window.
    pub fn avg(
        self,
        name: &str,
        mut f: impl FnMut(T) -> f64 + 'static,
    ) -> Windowed<'scope, K, f64, T> {
        let add = move |(sum, n): &mut (f64, u64), r| {
            *sum += f(r);
            *n += 1;
        };
        self.aggregate(
            name,
            aggregate_of(|| (0.0, 0u64), add, |(sum, n)| sum / *n as f64),
        )
    }

    /// Folds the records of a window into a clone of `init`.
    pub fn fold<A: Clone + Record>(
        self,
        name: &str,
        init: A,
        f: impl FnMut(&mut A, T) + 'static,
    ) -> Windowed<'scope, K, A, T> {
        self.aggregate(name, aggregate_of(move || init.clone(), f, A::clone))
    }

    /// Combines the records of a window pairwise.
    pub fn reduce(
        self,
        name: &str,
        mut f: impl FnMut(T, T) -> T + 'static,
    ) -> Windowed<'scope, K, T, T> {
        let add = move |acc: &mut Option<T>, r| {
            *acc = Some(match acc.take() {
                Some(previous) => f(previous, r),
                None => r,
            })
        };
        self.aggregate(
            name,
            aggregate_of(
                || None,
                add,
                |acc: &Option<T>| acc.clone().expect("a window has records"),
            ),
        )
    }

    /// Hands all records of a window, with the window, to `f`, which returns the output records.
    pub fn process<O: 'static, I: IntoIterator<Item = O>>(
        self,
        name: &str,
        mut f: impl FnMut(&WindowResult<K, ()>, &[T]) -> I + 'static,
    ) -> WindowOutput<'scope, O, T> {
        let collected = self.aggregate(
            name,
            aggregate_of(Vec::new, |all: &mut Vec<T>, r| all.push(r), Vec::clone),
        );
        let results = collected
            .results
            .flat_map(name, move |window: WindowResult<K, Vec<T>>| {
                let meta = WindowResult {
                    key: window.key,
                    start: window.start,
                    end: window.end,
                    value: (),
                };
                f(&meta, &window.value)
            });
        WindowOutput {
            results,
            late: collected.late,
        }
    }

    fn extremum<V: Ord + Clone + Record>(
        self,
        name: &str,
        mut f: impl FnMut(T) -> V + 'static,
        pick: fn(V, V) -> V,
    ) -> Windowed<'scope, K, V, T> {
        let add = move |acc: &mut Option<V>, r| {
            let v = f(r);
            *acc = Some(match acc.take() {
                Some(previous) => pick(previous, v),
                None => v,
            })
        };
        self.aggregate(
            name,
            aggregate_of(
                || None,
                add,
                |acc: &Option<V>| acc.clone().expect("a window has records"),
            ),
        )
    }

    /// Runs `aggregate` over every window.
    pub fn aggregate<G: Aggregate<T>>(
        self,
        name: &str,
        aggregate: G,
    ) -> Windowed<'scope, K, G::Out, T> {
        let WindowedStream {
            keyed,
            windows,
            lateness,
        } = self;
        let env = keyed.pairs.env.clone();
        if let Err(error) = windows.validate() {
            env.failure.fail(error.context(name));
        }
        // Whether a record joins a session or is late can depend on the records of its epoch that
        // came before it: sessions take each epoch's records in timestamp order, so that the split
        // among workers does not matter.
        let clock = match windows {
            Windows::Session { .. } => EventClock::sorted(keyed.out_of_orderness),
            _ => EventClock::new(keyed.out_of_orderness),
        };
        let book = Book::new(windows, lateness, aggregate);
        let (results, late) = event_operator(name, keyed.pairs, keyed.marks, clock, book);
        WindowOutput { results, late }
    }
}

/// One time window's accumulators, by key.
type Panes<K, A> = StableHashMap<K, Pane<A>>;

/// One worker's windows, for every key it owns.
struct Book<K, T, G: Aggregate<T>> {
    windows: Windows,
    lateness: Millis,
    aggregate: G,
    /// Time windows by `(end, start)`, each with its keys' accumulators: firing a window takes
    /// the whole map, moving the keys into the results.
    panes: BTreeMap<(Millis, Millis), Panes<K, G::Acc>>,
    /// Time windows with a pane that changed since it last fired.
    pending: BTreeSet<(Millis, Millis)>,
    /// How many keys the last expired time window had: new windows start with room for as many.
    typical_keys: usize,
    /// Sessions per key, by start, with their records (sessions merge, accumulators cannot).
    sessions: StableHashMap<K, BTreeMap<Millis, Session<T>>>,
    /// Count windows per key.
    counts: StableHashMap<K, Counted<T, G::Acc>>,
    /// When a key needs attention: session ends or record timestamps (count windows).
    due: BTreeMap<Millis, Vec<K>>,
    /// When a key's sessions can be forgotten: `end + lateness`.
    expiry: BTreeMap<Millis, Vec<K>>,
    /// Results not sent yet.
    fired: Vec<WindowResult<K, G::Out>>,
    /// Late records not sent yet.
    late: Vec<Late<T>>,
}

/// A time window's accumulator.
struct Pane<A> {
    acc: A,
    /// Changed since it last fired (or never fired).
    dirty: bool,
}

/// A session window with its records.
struct Session<T> {
    end: Millis,
    records: Vec<T>,
    /// Changed since it last fired (or never fired).
    dirty: bool,
}

/// A key's count windows: records waiting for the watermark, and the window being filled.
struct Counted<T, A> {
    waiting: BTreeMap<Millis, Vec<T>>,
    /// The current window's records (sliding count windows) or accumulator (tumbling, global).
    recent: std::collections::VecDeque<(Millis, T)>,
    acc: Option<(A, Millis, Millis)>,
    taken: u64,
}

impl<K: Key, T: Clone + 'static, G: Aggregate<T>> EventLogic<K, T> for Book<K, T, G> {
    type First = WindowResult<K, G::Out>;
    type Second = Late<T>;

    fn outputs(&mut self) -> (&mut Vec<Self::First>, &mut Vec<Self::Second>) {
        (&mut self.fired, &mut self.late)
    }
}

impl<K: Key, T: Clone, G: Aggregate<T>> OnEvents<K, T> for Book<K, T, G> {
    fn record(&mut self, key: K, timestamp: Millis, record: T, watermark: Millis) {
        self.insert(key, timestamp, record, watermark);
    }

    fn watermark(&mut self, watermark: Millis) {
        self.fire(watermark);
    }
}

impl<K: Key, T: Clone, G: Aggregate<T>> Book<K, T, G> {
    fn new(windows: Windows, lateness: Millis, aggregate: G) -> Self {
        Book {
            windows,
            lateness,
            aggregate,
            panes: BTreeMap::new(),
            pending: BTreeSet::new(),
            typical_keys: 0,
            sessions: StableHashMap::default(),
            counts: StableHashMap::default(),
            due: BTreeMap::new(),
            expiry: BTreeMap::new(),
            fired: Vec::new(),
            late: Vec::new(),
        }
    }

    /// Adds a record that arrives at `watermark`; reports it in `late` if no window takes it.
    fn insert(&mut self, key: K, ts: Millis, record: T, watermark: Millis) {
        let taken = match self.windows {
            Windows::Tumbling { .. } | Windows::Sliding { .. } => {
                self.insert_timed(key, ts, record, watermark)
            }
            Windows::Session { gap } => self.insert_session(key, ts, gap, record, watermark),
            _ => self.insert_counted(key, ts, record, watermark),
        };
        if let Some(record) = taken {
            self.late.push(Late {
                timestamp: ts,
                watermark,
                record,
            });
        }
    }

    fn insert_timed(&mut self, key: K, ts: Millis, record: T, watermark: Millis) -> Option<T> {
        let lateness = self.lateness;
        let mut open = self
            .windows
            .time_windows(ts)
            .filter(move |(_, end)| end.saturating_add(lateness) > watermark)
            .peekable();
        if open.peek().is_none() {
            return Some(record);
        }
        let (mut key, mut record) = (Some(key), Some(record));
        while let Some((start, end)) = open.next() {
            // Every window but the last gets copies; the last gets the key and record themselves.
            let last = open.peek().is_none();
            let (key, record) = if last {
                (key.take(), record.take())
            } else {
                (key.clone(), record.clone())
            };
            let (key, record) = (key.expect("a key"), record.expect("a record"));
            let typical = self.typical_keys;
            let panes = self.panes.entry((end, start)).or_insert_with(|| {
                StableHashMap::with_capacity_and_hasher(typical, Default::default())
            });
            let pane = match panes.get_mut(&key) {
                Some(pane) => pane,
                None => panes.entry(key).or_insert(Pane {
                    acc: self.aggregate.create(),
                    dirty: false,
                }),
            };
            self.aggregate.add(&mut pane.acc, record);
            if !pane.dirty {
                pane.dirty = true;
                self.pending.insert((end, start));
            }
        }
        None
    }

    fn insert_session(
        &mut self,
        key: K,
        ts: Millis,
        gap: Millis,
        record: T,
        watermark: Millis,
    ) -> Option<T> {
        let sessions = self.sessions.entry(key.clone()).or_default();
        let (mut start, mut end) = (ts, ts.saturating_add(gap));
        let overlapping: Vec<Millis> = sessions
            .range(..end)
            .filter(|(_, s)| s.end > start)
            .map(|(start, _)| *start)
            .collect();
        for first in &overlapping {
            start = start.min(*first);
            end = end.max(sessions[first].end);
        }
        if end.saturating_add(self.lateness) <= watermark {
            return Some(record);
        }
        let mut merged = Session {
            end,
            records: vec![record],
            dirty: true,
        };
        for first in overlapping {
            merged.records.extend(
                sessions
                    .remove(&first)
                    .expect("overlapping session")
                    .records,
            );
        }
        sessions.insert(start, merged);
        self.due.entry(end).or_default().push(key.clone());
        self.expiry
            .entry(end.saturating_add(self.lateness))
            .or_default()
            .push(key);
        None
    }

    fn insert_counted(&mut self, key: K, ts: Millis, record: T, watermark: Millis) -> Option<T> {
        // A count window takes records once the watermark has passed them (`ts < watermark`).
        if ts.saturating_add(self.lateness) < watermark {
            return Some(record);
        }
        let counted = self.counts.entry(key.clone()).or_insert_with(|| Counted {
            waiting: BTreeMap::new(),
            recent: Default::default(),
            acc: None,
            taken: 0,
        });
        counted.waiting.entry(ts).or_default().push(record);
        self.due
            .entry((ts + 1).max(watermark))
            .or_default()
            .push(key);
        None
    }

    /// Emits every window the watermark has reached (or changed since it fired), then forgets
    /// windows past their lateness.
    fn fire(&mut self, watermark: Millis) {
        self.fire_time_windows(watermark);
        while let Some(entry) = self.due.first_entry() {
            if *entry.key() > watermark {
                break;
            }
            for key in entry.remove() {
                match self.windows {
                    Windows::Session { .. } => self.fire_sessions(key, watermark),
                    _ => self.fire_counted(key, watermark),
                }
            }
        }
        while let Some(entry) = self.expiry.first_entry() {
            if *entry.key() > watermark {
                break;
            }
            for key in entry.remove() {
                self.forget(&key, watermark);
            }
        }
    }

    /// Emits the changed panes of the time windows the watermark has reached, and drops the
    /// windows past their lateness (moving their keys into the results).
    fn fire_time_windows(&mut self, watermark: Millis) {
        let expired = |end: Millis, lateness: Millis| end.saturating_add(lateness) <= watermark;
        while let Some(&(end, start)) = self.pending.first() {
            if end > watermark {
                break;
            }
            self.pending.pop_first();
            if expired(end, self.lateness) {
                let panes = self.panes.remove(&(end, start)).unwrap_or_default();
                self.typical_keys = panes.len();
                for (key, pane) in panes {
                    if pane.dirty {
                        let value = self.aggregate.result(&pane.acc);
                        self.fired.push(WindowResult {
                            key,
                            start,
                            end,
                            value,
                        });
                    }
                }
            } else if let Some(panes) = self.panes.get_mut(&(end, start)) {
                for (key, pane) in panes.iter_mut().filter(|(_, pane)| pane.dirty) {
                    pane.dirty = false;
                    let value = self.aggregate.result(&pane.acc);
                    self.fired.push(WindowResult {
                        key: key.clone(),
                        start,
                        end,
                        value,
                    });
                }
            }
        }
        while let Some(entry) = self.panes.first_entry() {
            if !expired(entry.key().0, self.lateness) {
                break;
            }
            entry.remove();
        }
    }

    fn fire_sessions(&mut self, key: K, watermark: Millis) {
        let out = &mut self.fired;
        let Some(sessions) = self.sessions.get_mut(&key) else {
            return;
        };
        for (start, session) in sessions.iter_mut() {
            if session.dirty && session.end <= watermark {
                session.dirty = false;
                let mut acc = self.aggregate.create();
                for record in &session.records {
                    self.aggregate.add(&mut acc, record.clone());
                }
                let value = self.aggregate.result(&acc);
                out.push(WindowResult {
                    key: key.clone(),
                    start: *start,
                    end: session.end,
                    value,
                });
            }
        }
    }

    fn fire_counted(&mut self, key: K, watermark: Millis) {
        let out = &mut self.fired;
        let Some(counted) = self.counts.get_mut(&key) else {
            return;
        };
        let ready: Vec<Millis> = counted
            .waiting
            .range(..watermark)
            .map(|(ts, _)| *ts)
            .collect();
        for ts in ready {
            for record in counted.waiting.remove(&ts).unwrap_or_default() {
                counted.taken += 1;
                match self.windows {
                    Windows::CountSliding { size, slide } => {
                        counted.recent.push_back((ts, record));
                        if counted.recent.len() as u64 > size {
                            counted.recent.pop_front();
                        }
                        if counted.recent.len() as u64 == size
                            && (counted.taken - size) % slide == 0
                        {
                            let mut acc = self.aggregate.create();
                            for (_, r) in &counted.recent {
                                self.aggregate.add(&mut acc, r.clone());
                            }
                            // A record taken late (within the lateness) can be older than
                            // the ones before it: the window spans the least to the greatest.
                            let first = counted.recent.iter().map(|(ts, _)| *ts).min();
                            let last = counted.recent.iter().map(|(ts, _)| *ts).max();
                            let (first, last) = (first.unwrap_or(ts), last.unwrap_or(ts));
                            let value = self.aggregate.result(&acc);
                            out.push(WindowResult {
                                key: key.clone(),
                                start: first,
                                end: last + 1,
                                value,
                            });
                        }
                    }
                    Windows::CountTumbling { size: every } | Windows::Global { every } => {
                        let (acc, first, last) = counted
                            .acc
                            .get_or_insert_with(|| (self.aggregate.create(), ts, ts));
                        self.aggregate.add(acc, record);
                        *first = (*first).min(ts);
                        *last = (*last).max(ts);
                        if counted.taken % every == 0 {
                            let value = self.aggregate.result(acc);
                            out.push(WindowResult {
                                key: key.clone(),
                                start: *first,
                                end: *last + 1,
                                value,
                            });
                            if matches!(self.windows, Windows::CountTumbling { .. }) {
                                counted.acc = None;
                            }
                        }
                    }
                    _ => unreachable!("time windows are fired by fire_time_windows"),
                }
            }
        }
    }

    /// Drops the sessions of `key` that the watermark has passed by more than the lateness.
    fn forget(&mut self, key: &K, watermark: Millis) {
        let lateness = self.lateness;
        let expired = |end: Millis| end.saturating_add(lateness) <= watermark;
        if let Some(sessions) = self.sessions.get_mut(key) {
            sessions.retain(|_, session| !expired(session.end));
            if sessions.is_empty() {
                self.sessions.remove(key);
            }
        }
    }
}
