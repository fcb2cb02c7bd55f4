//! `timestamps`: from a stream to a timed stream, reporting the largest timestamps seen.

use std::time::Duration;

use timely::dataflow::channels::pact::Pipeline;
use timely::dataflow::operators::generic::builder_rc::OperatorBuilder;
use timely::dataflow::operators::generic::OutputBuilder;
use timely::dataflow::operators::vec::Broadcast;
use timely::dataflow::StreamVec;

use super::{KeyedTimedStream, Millis, TimedStream};
use crate::context::Epoch;
use crate::key::Key;
use crate::stream::{KeyedStream, Stream};

impl<'scope, T: 'static> Stream<'scope, T> {
    /// Gives every record the event time `timestamp(record)` (in ms). The watermark trails the
    /// largest timestamp seen by `out_of_orderness` (zero for monotonously increasing timestamps).
    pub fn timestamps(
        self,
        name: &str,
        timestamp: impl FnMut(&T) -> Millis + 'static,
        out_of_orderness: Duration,
    ) -> TimedStream<'scope, T> {
        let env = self.env.clone();
        let (data, marks) = self.stamp(name, timestamp, |ts, record| (ts, record));
        TimedStream {
            data: Stream { inner: data, env },
            marks,
            out_of_orderness: millis(out_of_orderness),
        }
    }

    /// Gives every record the wall-clock time (ms since 1970) at which its batch passes this
    /// operator: Flink's ingestion time. Windows over it follow processing time.
    pub fn ingestion_timestamps(self, name: &str) -> TimedStream<'scope, T> {
        let (mut seen, mut now) = (0u64, 0);
        let stamp = move |_: &T| {
            // Reading the clock for every record would cost more than the record: every 1024.
            if seen % 1024 == 0 {
                now = wall_clock_millis();
            }
            seen += 1;
            now
        };
        self.timestamps(name, stamp, Duration::ZERO)
    }

    /// `timestamps(..) -> key_by(..)` in one operator (one pass over the records).
    pub fn timestamps_key_by<K: Key>(
        self,
        name: &str,
        timestamp: impl FnMut(&T) -> Millis + 'static,
        out_of_orderness: Duration,
        mut key: impl FnMut(&T) -> K + 'static,
    ) -> KeyedTimedStream<'scope, K, T> {
        let env = self.env.clone();
        let (pairs, marks) = self.stamp(name, timestamp, move |ts, record| {
            (key(&record), (ts, record))
        });
        let pairs = KeyedStream { pairs, env };
        KeyedTimedStream {
            pairs,
            marks,
            out_of_orderness: millis(out_of_orderness),
        }
    }

    /// `timestamps(..) -> key_by_moving(..)` in one operator (one pass over the records).
    pub fn timestamps_key_by_moving<K: Key>(
        self,
        name: &str,
        timestamp: impl FnMut(&T) -> Millis + 'static,
        out_of_orderness: Duration,
        mut key: impl FnMut(T) -> K + 'static,
    ) -> KeyedTimedStream<'scope, K, ()> {
        let env = self.env.clone();
        let (pairs, marks) = self.stamp(name, timestamp, move |ts, record| (key(record), (ts, ())));
        let pairs = KeyedStream { pairs, env };
        KeyedTimedStream {
            pairs,
            marks,
            out_of_orderness: millis(out_of_orderness),
        }
    }

    /// The operator behind the three: `shape(timestamp, record)` for every record, and per batch
    /// the largest timestamp, broadcast to every worker.
    #[allow(clippy::type_complexity)]
    fn stamp<U: 'static>(
        self,
        name: &str,
        mut timestamp: impl FnMut(&T) -> Millis + 'static,
        mut shape: impl FnMut(Millis, T) -> U + 'static,
    ) -> (
        StreamVec<'scope, Epoch, U>,
        StreamVec<'scope, Epoch, Millis>,
    ) {
        let mut builder = OperatorBuilder::new(name.to_owned(), self.inner.scope());
        let mut input = builder.new_input(self.inner, Pipeline);
        let (data_out, data) = builder.new_output::<Vec<U>>();
        let (marks_out, marks) = builder.new_output::<Vec<Millis>>();
        let mut data_out = OutputBuilder::from(data_out);
        let mut marks_out = OutputBuilder::from(marks_out);
        let mut shaped = Vec::new();
        builder.build(move |_| {
            move |_| {
                let (mut data_out, mut marks_out) = (data_out.activate(), marks_out.activate());
                input.for_each(|time, batch| {
                    let mut largest = None;
                    shaped.reserve(batch.len());
                    shaped.extend(batch.drain(..).map(|record| {
                        let ts = timestamp(&record);
                        largest = largest.max(Some(ts));
                        shape(ts, record)
                    }));
                    if let Some(largest) = largest {
                        marks_out.session(&time.retain(1)).give(largest);
                    }
                    data_out
                        .session(&time.retain(0))
                        .give_container(&mut shaped);
                    shaped.clear();
                });
            }
        });
        (data, marks.broadcast())
    }
}

/// Milliseconds since 1970 by the wall clock.
fn wall_clock_millis() -> Millis {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as Millis)
}

fn millis(duration: Duration) -> Millis {
    duration.as_millis() as Millis
}
