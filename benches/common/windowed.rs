//! The windowed word count in event time, shared by `benches/windowed_wordcount.rs` and the
//! suite: its input, the `dataflow!` job and the hand-written timely program, the sequential
//! checks, and window-fire latency. See `windowed_wordcount.rs` for what each version does.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rill::prelude::*;
use rill::runtime::key::{worker_for_key, StableHashMap};
use rill::runtime::{Batch, Placement, ReadStatus, SinkWriter, SourceReader, WorkerInfo};
use timely::dataflow::channels::pact::{Exchange, Pipeline};
use timely::dataflow::operators::generic::builder_rc::OperatorBuilder;
use timely::dataflow::operators::generic::{Operator, OutputBuilder};
use timely::dataflow::operators::vec::Broadcast;

/// Records per batch, per worker (Rill's sources emit 1024 records per activation).
pub const BATCH: usize = 1024;
/// Batches per epoch: batch `k` of every worker belongs to epoch `k / BATCHES_PER_EPOCH`. Fewer,
/// larger epochs cost less progress coordination between workers; windows still fire as soon as
/// an epoch completes (65,536 records per worker, a few milliseconds).
pub const BATCHES_PER_EPOCH: usize = 64;
pub const VOCABULARY: u64 = 10_000;
pub const SEED: u64 = 2024;
/// Events per simulated second.
pub const EVENTS_PER_SECOND: u64 = 10_000;
/// Timestamps are `i / 10` ms plus a jitter in `0..JITTER_MS`, below the 1 s bound: no late data.
pub const JITTER_MS: u64 = 750;
pub const WINDOW_MS: u64 = 1000;
pub const BOUND_MS: u64 = 1000;

pub type Event = (u64, String);
/// `(word, window start, window end, count)`.
pub type Row = (String, u64, u64, u64);

pub fn generate_events(events: u64) -> Arc<[Event]> {
    let vocabulary: Vec<String> = (1..=VOCABULARY).map(word).collect();
    let zipf = Zipf::new(VOCABULARY, 1.0);
    let mut rng = Rng::new(SEED);
    (0..events)
        .map(|i| {
            let ts = i * 1000 / EVENTS_PER_SECOND + rng.below(JITTER_MS);
            let w = vocabulary[zipf.sample(&mut rng) as usize - 1].clone();
            (ts, w)
        })
        .collect()
}

pub fn window_end(ts: u64) -> u64 {
    ts - ts % WINDOW_MS + WINDOW_MS
}

/// The epoch of event `i` on `peers` workers: worker `i % peers`'s batch number.
pub fn epoch_of(i: usize, peers: usize) -> usize {
    i / peers / BATCH / BATCHES_PER_EPOCH
}

pub fn sequential_count(events: &[Event]) -> Vec<Row> {
    let mut counts: HashMap<(&str, u64), u64> = HashMap::new();
    for (ts, w) in events {
        *counts.entry((w.as_str(), window_end(*ts))).or_insert(0) += 1;
    }
    let mut rows: Vec<Row> = counts
        .into_iter()
        .map(|((w, end), n)| (w.to_owned(), end - WINDOW_MS, end, n))
        .collect();
    rows.sort();
    rows
}

/// Per epoch, the largest timestamp of its events.
pub fn epoch_marks(events: &[Event], peers: usize) -> Vec<u64> {
    let epochs = events.len().div_ceil(peers * BATCH * BATCHES_PER_EPOCH);
    let mut marks = vec![0u64; epochs];
    for (i, (ts, _)) in events.iter().enumerate() {
        let m = &mut marks[epoch_of(i, peers)];
        *m = (*m).max(*ts);
    }
    marks
}

/// Replays the watermark sequentially: the number of events whose window had already fired when
/// their epoch arrived (the watermark of all earlier epochs reached the window's end).
pub fn sequential_late(events: &[Event], peers: usize) -> usize {
    let marks = epoch_marks(events, peers);
    let mut before = vec![0u64; marks.len()];
    let mut largest: Option<u64> = None;
    for (e, m) in marks.iter().enumerate() {
        before[e] = largest.map_or(0, |l| l.saturating_sub(BOUND_MS));
        largest = largest.max(Some(*m));
    }
    events
        .iter()
        .enumerate()
        .filter(|(i, (ts, _))| window_end(*ts) <= before[epoch_of(*i, peers)])
        .count()
}

// ---------------------------------------------------------------------------------------------
// Shared pieces: epochs per batch for the DSL's source, a counting sink, the latency probe.

/// A source whose `k`-th batch on every worker is in epoch `k / BATCHES_PER_EPOCH`; the records
/// come from `inner`.
#[derive(Clone)]
pub struct BatchEpochs<S> {
    pub inner: S,
    pub probe: Option<Arc<Probe>>,
}

pub fn batch_epochs<S: Source>(inner: S) -> BatchEpochs<S> {
    BatchEpochs { inner, probe: None }
}

pub struct BatchEpochsReader<R> {
    inner: R,
    batches: u64,
    probe: Option<Arc<Probe>>,
}

impl<S: Source> Source for BatchEpochs<S> {
    type Item = S::Item;
    type Reader = BatchEpochsReader<S::Reader>;
    fn open(self, worker: WorkerInfo) -> rill::runtime::Result<Self::Reader> {
        Ok(BatchEpochsReader {
            inner: self.inner.open(worker)?,
            batches: 0,
            probe: self.probe,
        })
    }
}

impl<R: SourceReader> SourceReader for BatchEpochsReader<R> {
    type Item = R::Item;
    fn read(&mut self, batch: &mut Batch<R::Item>) -> rill::runtime::Result<ReadStatus> {
        // The source operator hands over and clears the batch after every read.
        let epoch = self.batches / BATCHES_PER_EPOCH as u64;
        batch.set_epoch(epoch);
        let status = self.inner.read(batch);
        if let Some(probe) = &self.probe {
            if !batch.is_empty() {
                probe.emitted(epoch as usize);
            }
        }
        self.batches += 1;
        status
    }
}

/// Counts results and sums their counts on one worker; adds them to the totals when dropped.
#[derive(Clone)]
pub struct Tally {
    results: u64,
    sum: u64,
    totals: Arc<(AtomicU64, AtomicU64)>,
}

impl Tally {
    pub fn new(totals: &Arc<(AtomicU64, AtomicU64)>) -> Self {
        Tally {
            results: 0,
            sum: 0,
            totals: Arc::clone(totals),
        }
    }
    pub fn add(&mut self, count: u64) {
        self.results += 1;
        self.sum += count;
    }
}

impl Drop for Tally {
    fn drop(&mut self) {
        self.totals.0.fetch_add(self.results, Ordering::Relaxed);
        self.totals.1.fetch_add(self.sum, Ordering::Relaxed);
    }
}

/// Wall times, as nanoseconds since `start`, of source emissions per epoch and sink arrivals per
/// window.
pub struct Probe {
    start: Instant,
    pub first_emit: Vec<AtomicU64>,
    pub last_emit: Vec<AtomicU64>,
    /// Per window (`end / WINDOW_MS - 1`): when its last result reached a sink.
    pub arrival: Vec<AtomicU64>,
}

impl Probe {
    pub fn new(epochs: usize, windows: usize) -> Self {
        let filled = |n: usize, v: u64| (0..n).map(|_| AtomicU64::new(v)).collect();
        Probe {
            start: Instant::now(),
            first_emit: filled(epochs, u64::MAX),
            last_emit: filled(epochs, 0),
            arrival: filled(windows, 0),
        }
    }
    pub fn now(&self) -> u64 {
        self.start.elapsed().as_nanos() as u64
    }
    pub fn emitted(&self, epoch: usize) {
        let now = self.now();
        self.first_emit[epoch].fetch_min(now, Ordering::Relaxed);
        self.last_emit[epoch].fetch_max(now, Ordering::Relaxed);
    }
}

/// A sink that notes, once per batch, when results of each window arrive.
#[derive(Clone)]
pub struct ArrivalSink {
    probe: Arc<Probe>,
    tally: Tally,
}

impl Sink<WindowResult<String, u64>> for ArrivalSink {
    type Writer = ArrivalSink;
    fn placement(&self) -> Placement {
        Placement::EachWorker
    }
    fn open(self, _worker: WorkerInfo) -> rill::runtime::Result<ArrivalSink> {
        Ok(self)
    }
}

impl SinkWriter<WindowResult<String, u64>> for ArrivalSink {
    fn write(
        &mut self,
        _epoch: Epoch,
        records: &mut Vec<WindowResult<String, u64>>,
    ) -> rill::runtime::Result<()> {
        let now = self.probe.now();
        let mut last_end = u64::MAX;
        for r in records.drain(..) {
            self.tally.add(r.value);
            if r.end != last_end {
                last_end = r.end;
                let w = (r.end / WINDOW_MS - 1) as usize;
                self.probe.arrival[w].fetch_max(now, Ordering::Relaxed);
            }
        }
        Ok(())
    }
    fn epoch_done(&mut self, _epoch: Epoch) -> rill::runtime::Result<()> {
        Ok(())
    }
    fn finish(&mut self) -> rill::runtime::Result<()> {
        Ok(())
    }
}

pub fn options(workers: usize) -> RunOptions {
    RunOptions {
        workers,
        quiet: true,
        ..RunOptions::default()
    }
}

// ---------------------------------------------------------------------------------------------
// The DSL.

/// Timed: returns (elapsed, results, sum of counts, late records). The pipeline is what a user
/// writes who does not route late records (they are logged); `check_dsl` binds them and checks
/// there are none, on the same input.
pub fn run_dsl(events: &Arc<[Event]>, workers: usize) -> (Duration, u64, u64, u64) {
    let totals: Arc<(AtomicU64, AtomicU64)> = Arc::default();
    let mut tally = Tally::new(&totals);
    let shared = Arc::clone(events);
    let job = dataflow! {
        #![name = "windowed-wordcount-bench"]
        source(batch_epochs(from_shared(shared)))
            -> timestamps(|e: &(u64, String)| e.0, bounded(1s))
            -> key_by(|e: &(u64, String)| e.1.clone())
            -> window(tumbling(1s))
            -> count()
            -> sink(for_each(move |r: WindowResult<String, u64>| tally.add(r.value)));
    };
    let started = Instant::now();
    job.run_with(&options(workers)).expect("the DSL job failed");
    let elapsed = started.elapsed();
    (
        elapsed,
        totals.0.load(Ordering::Relaxed),
        totals.1.load(Ordering::Relaxed),
        0,
    )
}

/// Untimed: every result and late record.
pub fn check_dsl(events: &Arc<[Event]>, workers: usize) -> (Vec<Row>, usize) {
    let results = Collector::new();
    let late_records = Collector::new();
    let (r, l) = (results.clone(), late_records.clone());
    let shared = Arc::clone(events);
    let job = dataflow! {
        #![name = "windowed-wordcount-check"]
        let (counts, late) = source(batch_epochs(from_shared(shared)))
            -> timestamps(|e: &(u64, String)| e.0, bounded(1s))
            -> key_by(|e: &(u64, String)| e.1.clone())
            -> window(tumbling(1s))
            -> count();
        counts -> sink(collect(&r));
        late -> sink(collect(&l));
    };
    job.run_with(&options(workers)).expect("the DSL job failed");
    let rows: Vec<Row> = results
        .take()
        .into_iter()
        .map(|r: WindowResult<String, u64>| (r.key, r.start, r.end, r.value))
        .collect();
    let late: Vec<Late<Event>> = late_records.take();
    (rows, late.len())
}

/// Untimed: the probe after a run with latency instrumentation.
pub fn latency_dsl(events: &Arc<[Event]>, workers: usize) -> Arc<Probe> {
    let epochs = events.len().div_ceil(workers * BATCH * BATCHES_PER_EPOCH);
    let windows = events
        .iter()
        .map(|(ts, _)| window_end(*ts) / WINDOW_MS)
        .max()
        .unwrap_or(0) as usize;
    let probe = Arc::new(Probe::new(epochs, windows));
    let totals: Arc<(AtomicU64, AtomicU64)> = Arc::default();
    let source = BatchEpochs {
        inner: from_shared(Arc::clone(events)),
        probe: Some(Arc::clone(&probe)),
    };
    let sink = ArrivalSink {
        probe: Arc::clone(&probe),
        tally: Tally::new(&totals),
    };
    let job = dataflow! {
        #![name = "windowed-wordcount-latency"]
        source(source)
            -> timestamps(|e: &(u64, String)| e.0, bounded(1s))
            -> key_by(|e: &(u64, String)| e.1.clone())
            -> window(tumbling(1s))
            -> count()
            -> sink(sink);
    };
    job.run_with(&options(workers)).expect("the DSL job failed");
    assert_eq!(totals.1.load(Ordering::Relaxed), events.len() as u64);
    probe
}

// ---------------------------------------------------------------------------------------------
// Hand-written timely.

/// Runs the hand-written program; results are collected into `collect` if given.
pub fn run_timely(
    events: &Arc<[Event]>,
    workers: usize,
    collect: Option<Arc<Mutex<Vec<Row>>>>,
) -> (Duration, u64, u64, u64) {
    let totals: Arc<(AtomicU64, AtomicU64)> = Arc::default();
    let late_total: Arc<AtomicU64> = Arc::default();
    let config = if workers == 1 {
        timely::Config::thread()
    } else {
        timely::Config::process(workers)
    };
    let events = Arc::clone(events);
    let (totals_w, late_w) = (Arc::clone(&totals), Arc::clone(&late_total));
    let started = Instant::now();
    timely::execute(config, move |worker| {
        let (index, peers) = (worker.index(), worker.peers());
        let events = Arc::clone(&events);
        let collect = collect.clone();
        let mut tally = Tally::new(&totals_w);
        let late_w = Arc::clone(&late_w);
        worker.dataflow::<u64, _, _>(|scope| {
            // Source: per activation one epoch, 1024 events, and their largest timestamp.
            let mut builder = OperatorBuilder::new("Events".to_owned(), scope);
            let activator = scope.activator_for(builder.operator_info().address);
            let (data_out, data) = builder.new_output::<Vec<Event>>();
            let (marks_out, marks) = builder.new_output::<Vec<u64>>();
            let mut data_out = OutputBuilder::from(data_out);
            let mut marks_out = OutputBuilder::from(marks_out);
            builder.build(move |capabilities| {
                let mut capabilities = Some(capabilities);
                let (mut next, mut batches) = (index, 0usize);
                let mut buffer: Vec<Event> = Vec::with_capacity(BATCH);
                move |_| {
                    let Some(caps) = capabilities.as_mut() else {
                        return;
                    };
                    let epoch = (batches / BATCHES_PER_EPOCH) as u64;
                    caps.iter_mut().for_each(|cap| cap.downgrade(&epoch));
                    let mut largest = 0;
                    for _ in 0..BATCH {
                        let Some(event) = events.get(next) else { break };
                        largest = largest.max(event.0);
                        buffer.push(event.clone());
                        next += peers;
                    }
                    if !buffer.is_empty() {
                        data_out
                            .activate()
                            .session(&caps[0])
                            .give_container(&mut buffer);
                        buffer.clear();
                        marks_out.activate().session(&caps[1]).give(largest);
                    }
                    batches += 1;
                    if next >= events.len() {
                        capabilities = None;
                    } else {
                        activator.activate();
                    }
                }
            });

            data.binary_frontier(
                marks.broadcast(),
                Exchange::new(move |(_, w): &Event| worker_for_key(w, peers)),
                Pipeline,
                "Window",
                move |capability, _| {
                    let mut capability = Some(capability);
                    let mut windows: BTreeMap<u64, StableHashMap<String, u64>> = BTreeMap::new();
                    let mut pending: BTreeMap<u64, u64> = BTreeMap::new();
                    let mut largest: Option<u64> = None;
                    let mut late = 0u64;
                    move |(events_in, events_frontier), (marks_in, marks_frontier), output| {
                        let watermark = largest.map_or(0, |l: u64| l.saturating_sub(BOUND_MS));
                        events_in.for_each(|_, batch| {
                            for (ts, w) in batch.drain(..) {
                                let end = window_end(ts);
                                if end <= watermark {
                                    late += 1;
                                    continue;
                                }
                                *windows.entry(end).or_default().entry(w).or_insert(0) += 1;
                            }
                        });
                        marks_in.for_each(|time, batch| {
                            let mark = pending.entry(*time.time()).or_insert(0);
                            *mark = batch.iter().copied().fold(*mark, u64::max);
                        });
                        let low = [events_frontier, marks_frontier]
                            .iter()
                            .filter_map(|f| f.frontier().first().copied())
                            .min();
                        while let Some(entry) = pending.first_entry() {
                            if low.is_some_and(|low| *entry.key() >= low) {
                                break;
                            }
                            largest = largest.max(Some(entry.remove()));
                        }
                        let watermark = match low {
                            Some(_) => largest.map_or(0, |l| l.saturating_sub(BOUND_MS)),
                            None => u64::MAX,
                        };
                        if let Some(cap) = capability.as_mut() {
                            let mut session = output.session(&*cap);
                            while let Some(entry) = windows.first_entry() {
                                if *entry.key() > watermark {
                                    break;
                                }
                                let (end, counts) = entry.remove_entry();
                                session.give_iterator(counts.into_iter().map(|(w, n)| (w, end, n)));
                            }
                            drop(session);
                            match low {
                                Some(low) => cap.downgrade(&low),
                                None => {
                                    capability = None;
                                    late_w.fetch_add(late, Ordering::Relaxed);
                                }
                            }
                        }
                    }
                },
            )
            .container::<Vec<(String, u64, u64)>>()
            .sink(Pipeline, "Count", move |(input, _)| {
                input.for_each(|_, batch| {
                    if let Some(all) = &collect {
                        let mut all = all.lock().unwrap();
                        for (w, end, n) in batch.drain(..) {
                            tally.add(n);
                            all.push((w, end - WINDOW_MS, end, n));
                        }
                    } else {
                        for (_, _, n) in batch.drain(..) {
                            tally.add(n);
                        }
                    }
                });
            });
        });
    })
    .expect("the timely job failed");
    let elapsed = started.elapsed();
    (
        elapsed,
        totals.0.load(Ordering::Relaxed),
        totals.1.load(Ordering::Relaxed),
        late_total.load(Ordering::Relaxed),
    )
}

// ---------------------------------------------------------------------------------------------

pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Per window fired by the watermark (not by the end of the input): (ms from the first emission
/// of the epoch that moved the watermark past its end, ms from that epoch's last emission).
pub fn latencies(events: &[Event], workers: usize, probe: &Probe) -> Vec<(f64, f64)> {
    let marks = epoch_marks(events, workers);
    let mut out = Vec::new();
    let mut largest = 0u64;
    let mut next_window = 1u64; // window ends, in units of WINDOW_MS, not fired yet
    for (epoch, mark) in marks.iter().enumerate() {
        largest = largest.max(*mark);
        let watermark = largest.saturating_sub(BOUND_MS);
        while next_window * WINDOW_MS <= watermark {
            let w = (next_window - 1) as usize;
            let arrived = probe
                .arrival
                .get(w)
                .map_or(0, |a| a.load(Ordering::Relaxed));
            if arrived > 0 {
                let first = probe.first_emit[epoch].load(Ordering::Relaxed);
                let last = probe.last_emit[epoch].load(Ordering::Relaxed);
                out.push((
                    (arrived as f64 - first as f64) / 1e6,
                    (arrived as f64 - last as f64) / 1e6,
                ));
            }
            next_window += 1;
        }
    }
    out
}

/// The two versions.
pub const VERSIONS: [&str; 2] = ["dsl", "timely"];

/// Untimed: runs `version` with its results collected and checks them against the sequential
/// count `expected` (sorted), and that no record is late; panics otherwise. Returns the number
/// of results.
pub fn check(version: &str, events: &Arc<[Event]>, workers: usize, expected: &[Row]) -> usize {
    assert_eq!(
        sequential_late(events, workers),
        0,
        "the input has late records on {workers} workers"
    );
    let (mut rows, late) = match version {
        "dsl" => check_dsl(events, workers),
        _ => {
            let all: Arc<Mutex<Vec<Row>>> = Arc::default();
            let (_, _, _, late) = run_timely(events, workers, Some(Arc::clone(&all)));
            let rows = std::mem::take(&mut *all.lock().unwrap());
            (rows, late as usize)
        }
    };
    rows.sort();
    assert_eq!(late, 0, "{version} on {workers} workers: late records");
    assert!(
        rows == expected,
        "{version} on {workers} workers: {} results, expected {}; results differ from the sequential count",
        rows.len(),
        expected.len()
    );
    rows.len()
}

/// What a timed run produced: the number of results, the sum of their counts, late records.
pub struct Counts(pub u64, pub u64, pub u64);

/// One timed run of `version`: its time and what it produced (check with [`Counts::check`]).
pub fn timed(version: &str, events: &Arc<[Event]>, workers: usize) -> (Duration, Counts) {
    let (elapsed, results, sum, late) = match version {
        "dsl" => run_dsl(events, workers),
        _ => run_timely(events, workers, None),
    };
    (elapsed, Counts(results, sum, late))
}

impl Counts {
    /// Panics unless there are `expected_rows` results whose counts add up to `events`, and no
    /// late record.
    pub fn check(&self, version: &str, workers: usize, expected_rows: usize, events: usize) {
        assert_eq!(
            (self.0, self.1, self.2),
            (expected_rows as u64, events as u64, 0),
            "{version} on {workers} workers: (results, sum of counts, late)"
        );
    }
}

/// Untimed: the DSL's window-fire latencies over `reps` runs, in ms, sorted: (from the first
/// emission of the epoch that fires each window, from its last emission).
pub fn latency(events: &Arc<[Event]>, workers: usize, reps: usize) -> (Vec<f64>, Vec<f64>) {
    let (mut from_first, mut from_last) = (Vec::new(), Vec::new());
    for _ in 0..reps {
        let probe = latency_dsl(events, workers);
        for (first, last) in latencies(events, workers, &probe) {
            from_first.push(first);
            from_last.push(last);
        }
    }
    from_first.sort_by(f64::total_cmp);
    from_last.sort_by(f64::total_cmp);
    (from_first, from_last)
}
