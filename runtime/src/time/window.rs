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
//! - A global window with a processing-time trigger ([`Windows::GlobalInterval`]) takes a key's
//!   records as their epoch completes (an epoch's records in timestamp order), never finds one
//!   late, and never purges: at every multiple of the interval of wall-clock time since the job
//!   started, each key whose window changed since it last fired emits its running result (Flink's
//!   `GlobalWindows` with a `ContinuousProcessingTimeTrigger`, without re-emitting unchanged
//!   results); at the end of the input every changed key fires once more, with its final result.
//! - At the end of the input the watermark is infinite: every pending time window fires.
//!
//! Sessions keep one accumulator per session and [`Aggregate::merge`] them when a record bridges
//! two; an aggregation that cannot merge (`fold`, an [`Aggregate`] whose `can_merge` is false)
//! keeps the session's records instead and aggregates them when the session fires.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::assign::Windows;
use super::clock::{event_operator, EventClock, EventLogic, OnEvents};
use super::panes::TimeWindows;
use super::{KeyedTimedStream, Late, Millis};
use crate::checkpoint::WriteChunks;
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

/// An incremental aggregation (Flink's `AggregateFunction`): an accumulator per window, created
/// empty, updated by every record, merged with another window's when two session windows merge,
/// and turned into a result when the window fires.
///
/// ```
/// use rill_runtime::Aggregate;
///
/// /// The least and greatest value of a window.
/// struct Range;
///
/// impl Aggregate<i64> for Range {
///     type Acc = Option<(i64, i64)>;
///     type Out = (i64, i64);
///     fn create(&mut self) -> Self::Acc {
///         None
///     }
///     fn add(&mut self, acc: &mut Self::Acc, v: i64) {
///         *acc = Some(acc.map_or((v, v), |(lo, hi)| (lo.min(v), hi.max(v))));
///     }
///     fn can_merge(&self) -> bool {
///         true
///     }
///     fn merge(&mut self, a: Self::Acc, b: Self::Acc) -> Self::Acc {
///         match (a, b) {
///             (Some((l1, h1)), Some((l2, h2))) => Some((l1.min(l2), h1.max(h2))),
///             (a, b) => a.or(b),
///         }
///     }
///     fn result(&mut self, acc: &Self::Acc) -> (i64, i64) {
///         acc.expect("a window has records")
///     }
/// }
///
/// let mut range = Range;
/// let (mut a, mut b) = (range.create(), range.create());
/// range.add(&mut a, 3);
/// range.add(&mut b, -1);
/// range.add(&mut b, 7);
/// let merged = range.merge(a, b);
/// assert_eq!(range.result(&merged), (-1, 7));
/// ```
pub trait Aggregate<T>: 'static {
    /// The running state of one window: serialisable, as checkpoints store it.
    type Acc: Serialize + DeserializeOwned + 'static;
    /// What a window emits.
    type Out: 'static;
    /// An empty accumulator.
    fn create(&mut self) -> Self::Acc;
    /// Adds a record.
    fn add(&mut self, acc: &mut Self::Acc, record: T);
    /// Whether [`Aggregate::merge`] is implemented. When it is not (the default), session windows
    /// keep their records and aggregate them when they fire, so every aggregation works on every
    /// window kind; implement `merge` and return `true` here to keep one accumulator per session.
    fn can_merge(&self) -> bool {
        false
    }
    /// The accumulator of the union of two windows of one key: what adding `b`'s records to `a`
    /// would give (`a` holds the earlier records when the two do not overlap). Called only if
    /// [`Aggregate::can_merge`] returns `true`, when a record bridges two session windows.
    fn merge(&mut self, a: Self::Acc, b: Self::Acc) -> Self::Acc {
        let _ = (a, b);
        panic!("Aggregate::merge called on an aggregation whose can_merge() is false")
    }
    /// The result of a window.
    fn result(&mut self, acc: &Self::Acc) -> Self::Out;
}

/// An [`Aggregate`] made of functions: `merge` is `None` if the accumulators cannot merge.
pub struct FnAggregate<C, A, M, R> {
    create: C,
    add: A,
    merge: Option<M>,
    result: R,
}

impl<T, Acc: Record, Out: 'static, C, A, M, R> Aggregate<T> for FnAggregate<C, A, M, R>
where
    C: FnMut() -> Acc + 'static,
    A: FnMut(&mut Acc, T) + 'static,
    M: FnMut(Acc, Acc) -> Acc + 'static,
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
    fn can_merge(&self) -> bool {
        self.merge.is_some()
    }
    fn merge(&mut self, a: Acc, b: Acc) -> Acc {
        (self.merge.as_mut().expect("can_merge() is true"))(a, b)
    }
    fn result(&mut self, acc: &Acc) -> Out {
        (self.result)(acc)
    }
}

/// An aggregation whose accumulators merge.
fn aggregate_of<T, Acc: Record, Out: 'static>(
    create: impl FnMut() -> Acc + 'static,
    add: impl FnMut(&mut Acc, T) + 'static,
    merge: impl FnMut(Acc, Acc) -> Acc + 'static,
    result: impl FnMut(&Acc) -> Out + 'static,
) -> impl Aggregate<T, Acc = Acc, Out = Out> {
    FnAggregate {
        create,
        add,
        merge: Some(merge),
        result,
    }
}

/// An aggregation whose accumulators cannot merge (sessions keep their records).
fn unmergeable<T, Acc: Record, Out: 'static>(
    create: impl FnMut() -> Acc + 'static,
    add: impl FnMut(&mut Acc, T) + 'static,
    result: impl FnMut(&Acc) -> Out + 'static,
) -> impl Aggregate<T, Acc = Acc, Out = Out> {
    FnAggregate {
        create,
        add,
        merge: None::<fn(Acc, Acc) -> Acc>,
        result,
    }
}

/// `reduce` as an [`Aggregate`]: the accumulator is the records combined so far.
struct Reduce<F>(F);

impl<T: Clone + Record, F: FnMut(T, T) -> T + 'static> Aggregate<T> for Reduce<F> {
    type Acc = Option<T>;
    type Out = T;
    fn create(&mut self) -> Option<T> {
        None
    }
    fn add(&mut self, acc: &mut Option<T>, record: T) {
        *acc = combine(acc.take(), Some(record), &mut self.0);
    }
    fn can_merge(&self) -> bool {
        true
    }
    fn merge(&mut self, a: Option<T>, b: Option<T>) -> Option<T> {
        combine(a, b, &mut self.0)
    }
    fn result(&mut self, acc: &Option<T>) -> T {
        acc.clone().expect("a window has records")
    }
}

/// Combines two optional values with `f`.
fn combine<V>(a: Option<V>, b: Option<V>, mut f: impl FnMut(V, V) -> V) -> Option<V> {
    match (a, b) {
        (Some(a), Some(b)) => Some(f(a, b)),
        (a, b) => a.or(b),
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
        self.aggregate(
            name,
            aggregate_of(|| 0u64, |n, _| *n += 1, |a, b| a + b, |n| *n),
        )
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
            aggregate_of(
                V::default,
                move |s, r| *s += f(r),
                |mut a, b| {
                    a += b;
                    a
                },
                V::clone,
            ),
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
            aggregate_of(
                || (0.0, 0u64),
                add,
                |(s1, n1), (s2, n2)| (s1 + s2, n1 + n2),
                |(sum, n)| sum / *n as f64,
            ),
        )
    }

    /// Folds the records of a window into a clone of `init`. Two folded values cannot be merged:
    /// session windows keep their records and fold them when they fire.
    pub fn fold<A: Clone + Record>(
        self,
        name: &str,
        init: A,
        f: impl FnMut(&mut A, T) + 'static,
    ) -> Windowed<'scope, K, A, T> {
        self.aggregate(name, unmergeable(move || init.clone(), f, A::clone))
    }

    /// Combines the records of a window pairwise (`f` should be associative: merged session
    /// windows combine their reduced values).
    pub fn reduce(
        self,
        name: &str,
        f: impl FnMut(T, T) -> T + 'static,
    ) -> Windowed<'scope, K, T, T> {
        self.aggregate(name, Reduce(f))
    }

    /// Hands all records of a window, with the window, to `f`, which returns the output records.
    pub fn process<O: 'static, I: IntoIterator<Item = O>>(
        self,
        name: &str,
        mut f: impl FnMut(&WindowResult<K, ()>, &[T]) -> I + 'static,
    ) -> WindowOutput<'scope, O, T> {
        let collected = self.aggregate(
            name,
            aggregate_of(
                Vec::new,
                |all: &mut Vec<T>, r| all.push(r),
                |mut a, b| {
                    a.extend(b);
                    a
                },
                Vec::clone,
            ),
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
        let add = move |acc: &mut Option<V>, r| *acc = combine(acc.take(), Some(f(r)), pick);
        self.aggregate(
            name,
            aggregate_of(
                || None,
                add,
                move |a, b| combine(a, b, pick),
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
        // among workers does not matter. A global window fired by the clock takes whole epochs
        // (in timestamp order), so that each result covers the key's records of whole epochs.
        let clock = match windows {
            Windows::Session { .. } | Windows::GlobalInterval { .. } => {
                EventClock::sorted(keyed.out_of_orderness)
            }
            _ => EventClock::new(keyed.out_of_orderness),
        };
        let book = Book::new(windows, lateness, aggregate);
        let (results, late) = event_operator(name, keyed.pairs, keyed.marks, clock, book);
        WindowOutput { results, late }
    }
}

/// One worker's windows, for every key it owns.
struct Book<K, T, G: Aggregate<T>> {
    windows: Windows,
    lateness: Millis,
    aggregate: G,
    /// Tumbling and sliding windows, each with its keys' accumulators.
    time_windows: TimeWindows<K, G::Acc>,
    /// Whether the aggregation merges accumulators (else sessions keep their records).
    merges: bool,
    /// Sessions per key, by start.
    sessions: StableHashMap<K, BTreeMap<Millis, Session<T, G::Acc>>>,
    /// Count windows per key.
    counts: StableHashMap<K, Counted<T, G::Acc>>,
    /// Global windows fired by the clock, per key.
    globals: StableHashMap<K, Pane<Spanned<G::Acc>>>,
    /// The keys whose global window changed since it last fired.
    changed: Vec<K>,
    /// When (ms of wall-clock time since `started`) the changed global windows fire.
    next_firing: Option<Millis>,
    started: Instant,
    /// When a key needs attention: session ends or record timestamps (count windows).
    due: BTreeMap<Millis, Vec<K>>,
    /// When a key's sessions can be forgotten: `end + lateness`.
    expiry: BTreeMap<Millis, Vec<K>>,
    /// Results not sent yet.
    fired: Vec<WindowResult<K, G::Out>>,
    /// Late records not sent yet.
    late: Vec<Late<T>>,
}

/// A global window's accumulator for one key.
#[derive(Serialize, Deserialize)]
struct Pane<A> {
    acc: A,
    /// Changed since it last fired (or never fired).
    dirty: bool,
}

/// A session window: its accumulator, or its records if accumulators cannot merge.
#[derive(Serialize, Deserialize)]
struct Session<T, A> {
    end: Millis,
    contents: Contents<T, A>,
    /// Changed since it last fired (or never fired).
    dirty: bool,
}

/// What a session keeps.
#[derive(Serialize, Deserialize)]
enum Contents<T, A> {
    /// The accumulator, for aggregations that merge.
    Acc(A),
    /// The records, aggregated when the session fires.
    Records(Vec<T>),
}

/// An accumulator with the least and greatest timestamp it holds.
#[derive(Serialize, Deserialize)]
struct Spanned<A> {
    acc: A,
    first: Millis,
    last: Millis,
}

/// A key's count windows: records waiting for the watermark, and the window being filled.
#[derive(Serialize, Deserialize)]
struct Counted<T, A> {
    waiting: BTreeMap<Millis, Vec<T>>,
    /// The current window's records (sliding count windows) or accumulator (tumbling, global).
    recent: std::collections::VecDeque<(Millis, T)>,
    acc: Option<(A, Millis, Millis)>,
    taken: u64,
}

impl<K: Key, T: Clone + Record, G: Aggregate<T>> EventLogic<K, T> for Book<K, T, G> {
    type First = WindowResult<K, G::Out>;
    type Second = Late<T>;
    type State = BookState<K, T, G::Acc>;

    /// Fires the changed global windows once the clock has reached the next multiple of the
    /// interval; returns how long until then.
    fn after_events(&mut self) -> Option<Duration> {
        let Windows::GlobalInterval { interval } = self.windows else {
            return None;
        };
        if self.changed.is_empty() {
            return None;
        }
        let now = self.started.elapsed().as_millis() as Millis;
        let due = *self
            .next_firing
            .get_or_insert_with(|| (now / interval.max(1) + 1).saturating_mul(interval));
        if now < due {
            return Some(Duration::from_millis(due - now));
        }
        self.next_firing = None;
        self.fire_globals();
        None
    }

    fn outputs(&mut self) -> (&mut Vec<Self::First>, &mut Vec<Self::Second>) {
        (&mut self.fired, &mut self.late)
    }

    fn keyed_state(&self) -> impl WriteChunks + '_ {
        (
            &self.time_windows,
            &self.sessions,
            &self.counts,
            &self.globals,
            &self.changed,
            &self.due,
            &self.expiry,
        )
    }

    type Unkeyed = ();
    fn unkeyed_state(&self) {}

    fn restore(&mut self, state: BookState<K, T, G::Acc>, _: Vec<()>) {
        (
            self.time_windows,
            self.sessions,
            self.counts,
            self.globals,
            self.changed,
            self.due,
            self.expiry,
        ) = state;
    }
}

/// A window operator's state in checkpoints: its time windows, sessions, count windows, global
/// windows, the keys whose global window changed, and when keys are due and expire.
type BookState<K, T, A> = (
    TimeWindows<K, A>,
    StableHashMap<K, BTreeMap<Millis, Session<T, A>>>,
    StableHashMap<K, Counted<T, A>>,
    StableHashMap<K, Pane<Spanned<A>>>,
    Vec<K>,
    BTreeMap<Millis, Vec<K>>,
    BTreeMap<Millis, Vec<K>>,
);

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
        let merges = aggregate.can_merge();
        Book {
            windows,
            lateness,
            aggregate,
            time_windows: TimeWindows::default(),
            merges,
            sessions: StableHashMap::default(),
            counts: StableHashMap::default(),
            globals: StableHashMap::default(),
            changed: Vec::new(),
            next_firing: None,
            started: Instant::now(),
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
            Windows::GlobalInterval { .. } => {
                self.insert_global(key, ts, record);
                None
            }
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
        if let Windows::Tumbling { size } = self.windows {
            // One window per record: no copies.
            let start = ts - ts % size;
            let end = start + size;
            if end.saturating_add(lateness) <= watermark {
                return Some(record);
            }
            self.add_timed(start, end, key, record);
            return None;
        }
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
            self.add_timed(start, end, key.expect("a key"), record.expect("a record"));
        }
        None
    }

    /// Adds `record` to `key`'s accumulator in the time window `[start, end)`.
    fn add_timed(&mut self, start: Millis, end: Millis, key: K, record: T) {
        let aggregate = &mut self.aggregate;
        let acc = self
            .time_windows
            .acc(start, end, key, || aggregate.create());
        aggregate.add(acc, record);
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
        // The overlapping sessions, in order, merged into the first; then the record added.
        let mut contents: Option<Contents<T, G::Acc>> = None;
        for first in overlapping {
            let next = sessions
                .remove(&first)
                .expect("overlapping session")
                .contents;
            contents = Some(match (contents, next) {
                (None, next) => next,
                (Some(Contents::Acc(a)), Contents::Acc(b)) => {
                    Contents::Acc(self.aggregate.merge(a, b))
                }
                (Some(Contents::Records(mut a)), Contents::Records(b)) => {
                    a.extend(b);
                    Contents::Records(a)
                }
                _ => unreachable!("a book's sessions all keep accumulators, or all records"),
            });
        }
        let contents = match contents {
            Some(Contents::Acc(mut acc)) => {
                self.aggregate.add(&mut acc, record);
                Contents::Acc(acc)
            }
            Some(Contents::Records(mut records)) => {
                records.push(record);
                Contents::Records(records)
            }
            None if self.merges => {
                let mut acc = self.aggregate.create();
                self.aggregate.add(&mut acc, record);
                Contents::Acc(acc)
            }
            None => Contents::Records(vec![record]),
        };
        sessions.insert(
            start,
            Session {
                end,
                contents,
                dirty: true,
            },
        );
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

    /// Adds a record to its key's global window (fired by the clock: nothing is late).
    fn insert_global(&mut self, key: K, ts: Millis, record: T) {
        let pane = match self.globals.get_mut(&key) {
            Some(pane) => pane,
            None => self.globals.entry(key.clone()).or_insert(Pane {
                acc: Spanned {
                    acc: self.aggregate.create(),
                    first: ts,
                    last: ts,
                },
                dirty: false,
            }),
        };
        self.aggregate.add(&mut pane.acc.acc, record);
        pane.acc.first = pane.acc.first.min(ts);
        pane.acc.last = pane.acc.last.max(ts);
        if !pane.dirty {
            pane.dirty = true;
            self.changed.push(key);
        }
    }

    /// Emits the running result of every global window that changed since it last fired.
    fn fire_globals(&mut self) {
        for key in self.changed.drain(..) {
            let Some(pane) = self.globals.get_mut(&key) else {
                continue;
            };
            pane.dirty = false;
            let value = self.aggregate.result(&pane.acc.acc);
            self.fired.push(WindowResult {
                key,
                start: pane.acc.first,
                end: pane.acc.last.saturating_add(1),
                value,
            });
        }
    }

    /// Emits every window the watermark has reached (or changed since it fired), then forgets
    /// windows past their lateness.
    fn fire(&mut self, watermark: Millis) {
        if let Windows::GlobalInterval { .. } = self.windows {
            // The clock fires these; the end of the input fires them a last time.
            if watermark == Millis::MAX {
                self.fire_globals();
            }
            return;
        }
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
        let (aggregate, fired) = (&mut self.aggregate, &mut self.fired);
        self.time_windows
            .fire(watermark, self.lateness, |key, start, end, acc| {
                fired.push(WindowResult {
                    value: aggregate.result(acc),
                    key,
                    start,
                    end,
                })
            });
    }

    fn fire_sessions(&mut self, key: K, watermark: Millis) {
        let out = &mut self.fired;
        let Some(sessions) = self.sessions.get_mut(&key) else {
            return;
        };
        for (start, session) in sessions.iter_mut() {
            if session.dirty && session.end <= watermark {
                session.dirty = false;
                let value = match &session.contents {
                    Contents::Acc(acc) => self.aggregate.result(acc),
                    Contents::Records(records) => {
                        let mut acc = self.aggregate.create();
                        for record in records {
                            self.aggregate.add(&mut acc, record.clone());
                        }
                        self.aggregate.result(&acc)
                    }
                };
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
                    _ => unreachable!("time and clock-fired windows are fired elsewhere"),
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
