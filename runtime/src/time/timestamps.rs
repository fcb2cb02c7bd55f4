//! `timestamps`: from a stream to a timed stream, reporting the largest timestamps seen.

use std::time::Duration;

use timely::dataflow::channels::pact::Pipeline;
use timely::dataflow::operators::generic::builder_rc::OperatorBuilder;
use timely::dataflow::operators::generic::OutputBuilder;
use timely::dataflow::operators::vec::Broadcast;

use super::{Millis, TimedStream};
use crate::stream::Stream;

impl<'scope, T: 'static> Stream<'scope, T> {
    /// Gives every record the event time `timestamp(record)` (in ms). The watermark trails the
    /// largest timestamp seen by `out_of_orderness` (zero for monotonously increasing timestamps).
    pub fn timestamps(
        self,
        name: &str,
        mut timestamp: impl FnMut(&T) -> Millis + 'static,
        out_of_orderness: Duration,
    ) -> TimedStream<'scope, T> {
        let mut builder = OperatorBuilder::new(name.to_owned(), self.inner.scope());
        let mut input = builder.new_input(self.inner, Pipeline);
        let (data_out, data) = builder.new_output::<Vec<(Millis, T)>>();
        let (marks_out, marks) = builder.new_output::<Vec<Millis>>();
        let mut data_out = OutputBuilder::from(data_out);
        let mut marks_out = OutputBuilder::from(marks_out);
        let mut stamped = Vec::new();
        builder.build(move |_| {
            move |_| {
                let (mut data_out, mut marks_out) = (data_out.activate(), marks_out.activate());
                input.for_each(|time, batch| {
                    stamped.extend(batch.drain(..).map(|record| (timestamp(&record), record)));
                    if let Some(largest) = stamped.iter().map(|(ts, _)| *ts).max() {
                        let marks_cap = time.retain(1);
                        marks_out.session(&marks_cap).give(largest);
                    }
                    data_out
                        .session(&time.retain(0))
                        .give_container(&mut stamped);
                    stamped.clear();
                });
            }
        });
        TimedStream {
            data: Stream {
                inner: data,
                env: self.env,
            },
            marks: marks.broadcast(),
            out_of_orderness: out_of_orderness.as_millis() as Millis,
        }
    }
}
