//! A keyed running aggregate: the running total of every customer's purchases, emitted per
//! epoch for the customers that epoch changed — `key_by -> sum()` in the DSL (Flink's
//! non-windowed keyed aggregation), against a hand-written timely program.
//!
//! The input, generated once in memory: `(customer, cents)` events, customers Zipf-distributed
//! over 10,000, cents uniform below 10,000. Epochs as in the windowed word count
//! ([`windowed::batch_epochs`]): worker `w` of `n` reads events `i % n == w` in batches of 1024,
//! and its `k`-th batch is epoch `k / 64`.
//!
//! * `dsl`: `source(batch_epochs(from_shared(events))) -> key_by(|e| e.0) -> sum(|e| e.1) ->
//!   sink(..)`.
//! * `timely`: a source operator emitting the worker's share, 1024 events per activation and
//!   epoch; events exchanged by `worker_for_key(customer)` (Rill's routing) into a
//!   `unary_frontier` that stashes them per epoch, and once the frontier has passed an epoch
//!   adds them to the totals (a `StableHashMap`) and emits `(customer, total)` for each customer
//!   it changed.
//!
//! Both sinks note, per batch, when results of each epoch arrive (epoch latency: the arrival of
//! an epoch's last result minus the first emission of that epoch by a source), count the
//! results and sum the totals; the check collects `(epoch, customer, total)` and compares them
//! with a sequential model.

use std::collections::{BTreeMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rill::prelude::*;
use rill::runtime::key::{worker_for_key, StableHashMap};
use rill::runtime::{Placement, SinkWriter, WorkerInfo};
use timely::dataflow::channels::pact::{Exchange, Pipeline};
use timely::dataflow::operators::generic::builder_rc::OperatorBuilder;
use timely::dataflow::operators::generic::{Operator, OutputBuilder};

use super::windowed::{self, epoch_of, Probe, Tally, BATCH, BATCHES_PER_EPOCH};

const CUSTOMERS: u64 = 10_000;
const SEED: u64 = 7;

/// `(customer, cents)`.
pub type Purchase = (u64, u64);
/// `(epoch, customer, running total)`.
pub type Total = (u64, u64, u64);

/// The two versions.
pub const VERSIONS: [&str; 2] = ["dsl", "timely"];

pub fn generate(events: u64) -> Arc<[Purchase]> {
    let zipf = Zipf::new(CUSTOMERS, 1.0);
    let mut rng = Rng::new(SEED);
    (0..events)
        .map(|_| (zipf.sample(&mut rng), rng.below(10_000)))
        .collect()
}

/// The sequential model on `workers` workers: every epoch's changed customers with their totals.
pub fn sequential(events: &[Purchase], workers: usize) -> Vec<Total> {
    let mut by_epoch: BTreeMap<usize, Vec<Purchase>> = BTreeMap::new();
    for (i, &event) in events.iter().enumerate() {
        by_epoch
            .entry(epoch_of(i, workers))
            .or_default()
            .push(event);
    }
    let mut totals: BTreeMap<u64, u64> = BTreeMap::new();
    let mut out = Vec::new();
    for (epoch, purchases) in by_epoch {
        let mut changed = HashSet::new();
        for (customer, cents) in purchases {
            *totals.entry(customer).or_default() += cents;
            changed.insert(customer);
        }
        out.extend(changed.into_iter().map(|c| (epoch as u64, c, totals[&c])));
    }
    out.sort_unstable();
    out
}

/// What a run measured: its time, the number of results and the sum of their totals, and the
/// per-epoch latencies in ms (from the first emission of the epoch by a source).
pub struct Run {
    pub elapsed: Duration,
    pub results: u64,
    pub sum: u64,
    pub latencies: Vec<f64>,
}

/// Runs `version` once; collects every result into `collect` if given.
pub fn run(
    version: &str,
    events: &Arc<[Purchase]>,
    workers: usize,
    collect: Option<Arc<Mutex<Vec<Total>>>>,
) -> Run {
    let epochs = events.len().div_ceil(workers * BATCH * BATCHES_PER_EPOCH);
    let probe = Arc::new(Probe::new(epochs, epochs));
    let totals: Arc<(AtomicU64, AtomicU64)> = Arc::default();
    let sink = EpochSink {
        probe: Arc::clone(&probe),
        tally: Tally::new(&totals),
        collect,
    };
    let started = Instant::now();
    match version {
        "dsl" => run_dsl(events, workers, &probe, sink),
        _ => run_timely(events, workers, &probe, sink),
    }
    let elapsed = started.elapsed();
    let latencies = (0..epochs)
        .map(|e| {
            let arrived = probe.arrival[e].load(Ordering::Relaxed) as f64;
            (arrived - probe.first_emit[e].load(Ordering::Relaxed) as f64) / 1e6
        })
        .collect();
    Run {
        elapsed,
        results: totals.0.load(Ordering::Relaxed),
        sum: totals.1.load(Ordering::Relaxed),
        latencies,
    }
}

/// Untimed: runs `version` with its results collected and compares them with the model;
/// panics on a difference. Returns the number of results.
pub fn check(version: &str, events: &Arc<[Purchase]>, workers: usize, expected: &[Total]) -> usize {
    let all: Arc<Mutex<Vec<Total>>> = Arc::default();
    run(version, events, workers, Some(Arc::clone(&all)));
    let mut rows = std::mem::take(&mut *all.lock().unwrap());
    rows.sort_unstable();
    assert!(
        rows == expected,
        "running aggregate, {version} on {workers} workers: {} results, expected {}; they differ",
        rows.len(),
        expected.len()
    );
    rows.len()
}

fn run_dsl(events: &Arc<[Purchase]>, workers: usize, probe: &Arc<Probe>, sink: EpochSink) {
    let source = windowed::BatchEpochs {
        inner: from_shared(Arc::clone(events)),
        probe: Some(Arc::clone(probe)),
    };
    let job = dataflow! {
        #![name = "running-aggregate-bench"]
        source(source)
            -> key_by(|p: &Purchase| p.0)
            -> sum(|p: Purchase| p.1)
            -> sink(sink);
    };
    job.run_with(&windowed::options(workers))
        .expect("the DSL job failed");
}

fn run_timely(events: &Arc<[Purchase]>, workers: usize, probe: &Arc<Probe>, sink: EpochSink) {
    let config = if workers == 1 {
        timely::Config::thread()
    } else {
        timely::Config::process(workers)
    };
    let (events, probe) = (Arc::clone(events), Arc::clone(probe));
    timely::execute(config, move |worker| {
        let (index, peers) = (worker.index(), worker.peers());
        let (events, probe) = (Arc::clone(&events), Arc::clone(&probe));
        let mut sink = sink.clone();
        worker.dataflow::<u64, _, _>(|scope| {
            // Source: per activation 1024 events; batch `k` in epoch `k / BATCHES_PER_EPOCH`.
            let mut builder = OperatorBuilder::new("Purchases".to_owned(), scope);
            let activator = scope.activator_for(builder.operator_info().address);
            let (output, purchases) = builder.new_output::<Vec<Purchase>>();
            let mut output = OutputBuilder::from(output);
            builder.build(move |capabilities| {
                let mut capability = capabilities.into_iter().next();
                let (mut next, mut batches) = (index, 0usize);
                let mut buffer: Vec<Purchase> = Vec::with_capacity(BATCH);
                move |_| {
                    let Some(cap) = capability.as_mut() else {
                        return;
                    };
                    let epoch = batches / BATCHES_PER_EPOCH;
                    cap.downgrade(&(epoch as u64));
                    for _ in 0..BATCH {
                        let Some(&event) = events.get(next) else {
                            break;
                        };
                        buffer.push(event);
                        next += peers;
                    }
                    if !buffer.is_empty() {
                        output.activate().session(&*cap).give_container(&mut buffer);
                        buffer.clear();
                        probe.emitted(epoch);
                    }
                    batches += 1;
                    if next >= events.len() {
                        capability = None;
                    } else {
                        activator.activate();
                    }
                }
            });
            purchases
                .unary_frontier(
                    Exchange::new(move |(customer, _): &Purchase| {
                        worker_for_key(customer, peers) as u64
                    }),
                    "RunningSum",
                    |_, _| {
                        let mut stash: BTreeMap<u64, Vec<Purchase>> = BTreeMap::new();
                        let mut capabilities = BTreeMap::new();
                        let mut totals: StableHashMap<u64, u64> = StableHashMap::default();
                        move |(input, frontier), output| {
                            input.for_each(|time, batch| {
                                let epoch = *time.time();
                                capabilities.entry(epoch).or_insert_with(|| time.retain(0));
                                stash.entry(epoch).or_default().append(batch);
                            });
                            while let Some(entry) = stash.first_entry() {
                                if frontier.less_equal(entry.key()) {
                                    break;
                                }
                                let (epoch, purchases) = entry.remove_entry();
                                let mut changed: StableHashMap<u64, ()> = StableHashMap::default();
                                for (customer, cents) in purchases {
                                    *totals.entry(customer).or_insert(0) += cents;
                                    changed.insert(customer, ());
                                }
                                let cap = capabilities.remove(&epoch).expect("a capability");
                                output
                                    .session(&cap)
                                    .give_iterator(changed.into_keys().map(|c| (c, totals[&c])));
                            }
                        }
                    },
                )
                .container::<Vec<(u64, u64)>>()
                .sink(Pipeline, "Totals", move |(input, _)| {
                    input.for_each(|time, batch| {
                        sink.write(*time.time(), batch).expect("the sink");
                    });
                });
        });
    })
    .expect("the timely job failed");
}

/// Counts results and notes, once per batch, when results of each epoch arrive; collects
/// `(epoch, customer, total)` when asked to.
#[derive(Clone)]
struct EpochSink {
    probe: Arc<Probe>,
    tally: Tally,
    collect: Option<Arc<Mutex<Vec<Total>>>>,
}

impl Sink<(u64, u64)> for EpochSink {
    type Writer = EpochSink;
    fn placement(&self) -> Placement {
        Placement::EachWorker
    }
    fn open(self, _worker: WorkerInfo) -> rill::runtime::Result<EpochSink> {
        Ok(self)
    }
}

impl SinkWriter<(u64, u64)> for EpochSink {
    fn write(&mut self, epoch: Epoch, records: &mut Vec<(u64, u64)>) -> rill::runtime::Result<()> {
        if records.is_empty() {
            return Ok(());
        }
        if let Some(all) = &self.collect {
            let mut all = all.lock().unwrap();
            all.extend(records.iter().map(|&(c, total)| (epoch, c, total)));
        }
        for (_, total) in records.drain(..) {
            self.tally.add(total);
        }
        self.probe.arrival[epoch as usize].fetch_max(self.probe.now(), Ordering::Relaxed);
        Ok(())
    }
    fn epoch_done(&mut self, _epoch: Epoch) -> rill::runtime::Result<()> {
        Ok(())
    }
    fn finish(&mut self) -> rill::runtime::Result<()> {
        Ok(())
    }
}
