//! The sink operator: hands records to a [`SinkWriter`] and tells it when epochs are complete.

use timely::dataflow::channels::pact::Exchange;
use timely::dataflow::operators::generic::Operator;

use super::staged_sink::staged_sink;
use super::Stream;
use crate::checkpoint::StateWriter;
use crate::context::Epoch;
use crate::io::{Placement, Sink, SinkWriter};
use crate::key::Record;

impl<T: 'static> Stream<'_, T> {
    /// Writes every record to `sink`: on worker 0 if the sink is [`Placement::Gathered`], on the
    /// worker that holds the record otherwise. A write error fails the job, naming the operator.
    /// In a job that takes checkpoints, output reaches the writer once its checkpoint is complete
    /// (see [`SinkWriter::commit`]).
    pub fn sink<S: Sink<T>>(self, name: &str, sink: S)
    where
        T: Record,
    {
        let env = self.env.clone();
        let worker = env.worker;
        let placement = sink.placement();
        let writes_here = placement == Placement::EachWorker || worker.index == 0;
        let name = name.to_owned();
        let opened = if writes_here {
            Some(sink.open(worker))
        } else {
            None
        };
        let mut writer = match opened {
            Some(Ok(writer)) => Some(writer),
            Some(Err(error)) => {
                env.failure.fail(error.context(&name));
                None
            }
            None => None,
        };
        let target = worker.index as u64;
        let route = move |_: &T| {
            if placement == Placement::Gathered {
                0
            } else {
                target
            }
        };
        if let Some(state) = StateWriter::register(&env, &name) {
            staged_sink(self.inner, route, &name, env, writer, state);
            return;
        }
        let mut open_epochs: Vec<Epoch> = Vec::new();
        // The latest epoch given to `epoch_done`.
        let mut reported: Option<Epoch> = None;
        self.inner.sink(
            Exchange::new(route),
            &name.clone(),
            move |(input, frontier)| {
                let fail = |error: crate::RillError| env.failure.fail(error.context(&name));
                input.for_each_time(|time, batches| {
                    let epoch = *time.time();
                    for records in batches {
                        env.metrics.add_out(records.len() as u64);
                        if let Some(writer) = writer.as_mut() {
                            if let Err(error) = writer.write(epoch, records) {
                                fail(error);
                            }
                        }
                        records.clear();
                    }
                    if !open_epochs.contains(&epoch) {
                        open_epochs.push(epoch);
                    }
                });
                open_epochs.sort_unstable();
                let passed = open_epochs
                    .iter()
                    .take_while(|e| !frontier.less_equal(e))
                    .count();
                // Every epoch below the frontier is complete: report those that had records
                // here, then the latest one, so that writers learn of the end of epochs that
                // brought them nothing too (`epoch_done(e)` covers every epoch up to `e`).
                let latest = frontier.frontier().first().and_then(|f| f.checked_sub(1));
                for epoch in open_epochs.drain(..passed).chain(latest) {
                    if reported.is_some_and(|r| r >= epoch) {
                        continue;
                    }
                    reported = Some(epoch);
                    if let Some(Err(error)) = writer.as_mut().map(|w| w.epoch_done(epoch)) {
                        fail(error);
                    }
                }
                if frontier.is_empty() {
                    if let Some(Err(error)) = writer.take().map(|mut w| w.finish()) {
                        fail(error);
                    }
                }
            },
        );
    }
}
