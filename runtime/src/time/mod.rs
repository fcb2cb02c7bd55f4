//! Event time: streams whose records carry timestamps, watermarks, and windows.
//!
//! `timestamps(|r| r.ts_ms, bounded(2s))` turns a [`Stream`] into a [`TimedStream`]: every record
//! travels with its event time (ms), and every worker reports, per epoch, the largest timestamp it
//! saw. The **watermark** after epoch `e` is the largest timestamp of all records of epochs `<= e`,
//! over all workers and processes, minus the allowed out-of-orderness. It is computed where it is
//! needed (the window operator), once timely's frontier says epoch `e` is complete everywhere, so:
//!
//! - it does not depend on how the input is split among workers: results are the same on 1 worker,
//!   on 4, and on 2 processes;
//! - a worker or source partition that has no data does not hold it back (Flink needs an idleness
//!   timeout for that): the watermark is a maximum over the data that exists; a source that stays
//!   open without producing does hold its current epoch open, unless it has an idleness timeout
//!   ([`crate::Source::idleness`]), which closes the epoch;
//! - a bounded source read in one epoch gets exact (batch) results; a source with many epochs (the
//!   generator, `text_lines(..).lines_per_epoch(k)`) gets streaming behaviour, late records included.

mod assign;
mod clock;
mod duration;
mod panes;
mod process;
mod timestamps;
mod window;

pub use assign::Windows;
pub use duration::parse_duration;
pub use process::{state, ProcessContext, ProcessOutput, State, StateSpec, TimeDomain, Timer};
pub use window::{Aggregate, WindowOutput, WindowResult, WindowedStream};

use serde::{Deserialize, Serialize};
use timely::dataflow::channels::pact::Pipeline;
use timely::dataflow::operators::generic::builder_rc::OperatorBuilder;
use timely::dataflow::operators::generic::OutputBuilder;
use timely::dataflow::StreamVec;

use crate::context::Epoch;
use crate::io::Sink;
use crate::key::{Key, Record};
use crate::stream::{IntoRecords, KeyedStream, Stream};

/// A duration in event time, in milliseconds.
pub type Millis = u64;

/// A record that arrived after the watermark had passed the end of its windows plus the allowed
/// lateness: too late to be counted, reported on the late-data output instead.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Late<T> {
    /// The record's event time.
    pub timestamp: Millis,
    /// The watermark when it arrived.
    pub watermark: Millis,
    /// The record.
    pub record: T,
}

/// A stream of records with event times.
pub struct TimedStream<'scope, T: 'static> {
    /// `(timestamp, record)` pairs.
    pub(crate) data: Stream<'scope, (Millis, T)>,
    /// Per epoch and worker, the largest timestamp seen, broadcast to every worker.
    pub(crate) marks: StreamVec<'scope, Epoch, Millis>,
    /// How far behind the largest timestamp the watermark stays.
    pub(crate) out_of_orderness: Millis,
}

impl<T: Clone + 'static> Clone for TimedStream<'_, T> {
    fn clone(&self) -> Self {
        TimedStream {
            data: self.data.clone(),
            marks: self.marks.clone(),
            out_of_orderness: self.out_of_orderness,
        }
    }
}

/// A timed stream grouped by key (after `key_by`): what windows are defined on.
pub struct KeyedTimedStream<'scope, K: 'static, T: 'static> {
    pub(crate) pairs: KeyedStream<'scope, K, (Millis, T)>,
    pub(crate) marks: StreamVec<'scope, Epoch, Millis>,
    pub(crate) out_of_orderness: Millis,
}

impl<K: Clone + 'static, T: Clone + 'static> Clone for KeyedTimedStream<'_, K, T> {
    fn clone(&self) -> Self {
        KeyedTimedStream {
            pairs: self.pairs.clone(),
            marks: self.marks.clone(),
            out_of_orderness: self.out_of_orderness,
        }
    }
}

impl<'scope, T: 'static> TimedStream<'scope, T> {
    /// The same stream with its records transformed by `f`; the watermark is unchanged.
    fn map_data<U: 'static>(
        self,
        f: impl FnOnce(Stream<'scope, (Millis, T)>) -> Stream<'scope, (Millis, U)>,
    ) -> TimedStream<'scope, U> {
        TimedStream {
            data: f(self.data),
            marks: self.marks,
            out_of_orderness: self.out_of_orderness,
        }
    }

    /// Applies `f` to every record; timestamps are kept.
    pub fn map<U: 'static>(
        self,
        name: &str,
        mut f: impl FnMut(T) -> U + 'static,
    ) -> TimedStream<'scope, U> {
        self.map_data(|data| data.map(name, move |(ts, record)| (ts, f(record))))
    }

    /// Keeps the records for which `f` is true.
    pub fn filter(
        self,
        name: &str,
        mut f: impl FnMut(&T) -> bool + 'static,
    ) -> TimedStream<'scope, T> {
        self.map_data(|data| data.filter(name, move |(_, record)| f(record)))
    }

    /// Replaces every record by the records `f` returns for it, all with its timestamp.
    pub fn flat_map<I>(
        self,
        name: &str,
        mut f: impl FnMut(T) -> I + 'static,
    ) -> TimedStream<'scope, I::Item>
    where
        I: IntoIterator,
        I::Item: 'static,
    {
        self.map_data(|data| {
            data.flat_map(name, move |(ts, record)| {
                f(record).into_iter().map(move |r| (ts, r))
            })
        })
    }

    /// Calls `f` on every record and passes it on.
    pub fn inspect(self, name: &str, mut f: impl FnMut(&T) + 'static) -> TimedStream<'scope, T> {
        self.map_data(|data| data.inspect(name, move |(_, record)| f(record)))
    }

    /// Groups records by the key `f` computes; windows can then be defined per key.
    pub fn key_by<K: Key>(
        self,
        name: &str,
        mut f: impl FnMut(&T) -> K + 'static,
    ) -> KeyedTimedStream<'scope, K, T> {
        let pairs = self.data.key_by(name, move |(_, record)| f(record));
        KeyedTimedStream {
            pairs,
            marks: self.marks,
            out_of_orderness: self.out_of_orderness,
        }
    }

    /// Groups records by a key moved out of each record, which is then dropped (only the
    /// timestamps stay): for windows whose aggregation needs only the keys (`count`).
    pub fn key_by_moving<K: Key>(
        self,
        name: &str,
        mut key: impl FnMut(T) -> K + 'static,
    ) -> KeyedTimedStream<'scope, K, ()> {
        let keys = self
            .data
            .map(name, move |(ts, record)| (key(record), (ts, ())));
        let pairs = KeyedStream {
            pairs: keys.inner,
            env: keys.env,
        };
        KeyedTimedStream {
            pairs,
            marks: self.marks,
            out_of_orderness: self.out_of_orderness,
        }
    }

    /// The records of this stream and of `others`; the watermark follows all of them, with the
    /// largest out-of-orderness of any.
    pub fn concat(
        self,
        name: &str,
        others: impl IntoIterator<Item = TimedStream<'scope, T>>,
    ) -> TimedStream<'scope, T> {
        let others: Vec<TimedStream<'scope, T>> = others.into_iter().collect();
        let out_of_orderness = others
            .iter()
            .map(|o| o.out_of_orderness)
            .fold(self.out_of_orderness, u64::max);
        let marks = merge_marks(
            name,
            std::iter::once(self.marks).chain(others.iter().map(|o| o.marks.clone())),
        );
        let data = self.data.concat(name, others.into_iter().map(|o| o.data));
        TimedStream {
            data,
            marks,
            out_of_orderness,
        }
    }

    /// Assigns all records to windows (one window set for the whole stream, on one worker); an
    /// aggregation follows, its results keyed by `()`.
    pub fn window_all(
        self,
        name: &str,
        windows: Windows,
        lateness: std::time::Duration,
    ) -> WindowedStream<'scope, (), T>
    where
        T: Record,
    {
        self.key_by(name, |_| ()).window(name, windows, lateness)
    }

    /// The records without their timestamps.
    pub fn untimed(self, name: &str) -> Stream<'scope, T> {
        self.data.map(name, |(_, record)| record)
    }

    /// Writes every record (without its timestamp) to `sink`.
    pub fn sink<S: Sink<T>>(self, name: &str, sink: S)
    where
        T: Record,
    {
        self.untimed(name).sink(name, sink)
    }
}

impl<'scope, K: 'static, T: 'static> KeyedTimedStream<'scope, K, T> {
    /// Assigns every record to windows; an aggregation follows. Records later than the watermark
    /// by up to `lateness` still update their windows; later ones go to the late-data output.
    pub fn window(
        self,
        _name: &str,
        windows: Windows,
        lateness: std::time::Duration,
    ) -> WindowedStream<'scope, K, T> {
        WindowedStream::new(self, windows, lateness.as_millis() as Millis)
    }

    /// The records with their timestamps, without keys.
    pub fn values(self) -> TimedStream<'scope, T> {
        let data = self.pairs.values();
        TimedStream {
            data,
            marks: self.marks,
            out_of_orderness: self.out_of_orderness,
        }
    }
}

impl<'scope, T: 'static> IntoRecords for TimedStream<'scope, T> {
    type Records = TimedStream<'scope, T>;
    fn into_records(self) -> Self::Records {
        self
    }
}

impl<'scope, K: 'static, T: 'static> IntoRecords for KeyedTimedStream<'scope, K, T> {
    type Records = TimedStream<'scope, T>;
    fn into_records(self) -> Self::Records {
        self.values()
    }
}

/// One stream with the marks of several.
fn merge_marks<'scope>(
    name: &str,
    marks: impl Iterator<Item = StreamVec<'scope, Epoch, Millis>>,
) -> StreamVec<'scope, Epoch, Millis> {
    let mut marks = marks.peekable();
    let scope = marks.peek().expect("at least one stream").scope();
    let mut builder = OperatorBuilder::new(format!("{name}:marks"), scope);
    let mut inputs: Vec<_> = marks.map(|m| builder.new_input(m, Pipeline)).collect();
    let (output, merged) = builder.new_output::<Vec<Millis>>();
    let mut output = OutputBuilder::from(output);
    builder.build(move |_| {
        move |_| {
            let mut output = output.activate();
            for input in inputs.iter_mut() {
                input.for_each(|time, batch| output.session(&time).give_container(batch));
            }
        }
    });
    merged
}
