//! Idle sources (`Source::idleness`, `generate(..).idle_after(d)`): a source that stops producing
//! but stays open closes its current epoch after the timeout, so windows over it fire while it is
//! still open; without the timeout they wait for the end of the input.
//!
//! The stalling source below produces its records at once and then nothing until the test tells
//! it to end, so what the windows emit while it is open does not depend on timing: with the
//! timeout, exactly the windows that the watermark of the closed epoch reaches (the sequential
//! model); without it, nothing. The test waits for those results (up to a minute) before it ends
//! the source.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rill::prelude::*;
use rill::runtime::{Batch, ReadStatus, SourceReader, WorkerInfo};

/// `(timestamp ms, word)`.
type Event = (u64, String);

/// Counts per word and window.
type Counts = Vec<WindowResult<String, u64>>;

/// A source whose worker 0 produces `events` at once (epoch 0), after which every worker waits,
/// producing nothing, until `stop` is set.
#[derive(Clone)]
struct Stalling {
    events: Arc<Vec<Event>>,
    stop: Arc<AtomicBool>,
    idle_after: Option<Duration>,
}

impl Stalling {
    fn new(events: Vec<Event>, stop: &Arc<AtomicBool>) -> Self {
        Stalling {
            events: Arc::new(events),
            stop: stop.clone(),
            idle_after: None,
        }
    }

    fn idle_after(self, timeout: Duration) -> Self {
        Stalling {
            idle_after: Some(timeout),
            ..self
        }
    }
}

struct StallingReader {
    pending: Option<Arc<Vec<Event>>>,
    stop: Arc<AtomicBool>,
}

impl Source for Stalling {
    type Item = Event;
    type Reader = StallingReader;
    fn open(self, worker: WorkerInfo) -> rill::runtime::Result<StallingReader> {
        Ok(StallingReader {
            pending: (worker.index == 0).then_some(self.events),
            stop: self.stop,
        })
    }
    fn idleness(&self) -> Option<Duration> {
        self.idle_after
    }
}

impl SourceReader for StallingReader {
    type Item = Event;
    fn read(&mut self, batch: &mut Batch<Event>) -> rill::runtime::Result<ReadStatus> {
        if let Some(events) = self.pending.take() {
            batch.records.extend(events.iter().cloned());
            return Ok(ReadStatus::Wait(Duration::from_millis(5)));
        }
        if self.stop.load(Ordering::SeqCst) {
            return Ok(ReadStatus::Done);
        }
        Ok(ReadStatus::Wait(Duration::from_millis(20)))
    }
}

/// Words at 0..2500 ms: windows `[0, 1s)` and `[1s, 2s)` are complete once the watermark reaches
/// 2499 - 100; `[2s, 3s)` only at the end of the input.
fn events() -> Vec<Event> {
    (0..50u64)
        .map(|i| (i * 50, ["a", "b"][(i % 2) as usize].to_owned()))
        .collect()
}

/// The model: tumbling 1 s counts per word of `events` whose window ends at or before
/// `watermark`.
fn counts_up_to(watermark: u64) -> Counts {
    let mut out: Counts = Vec::new();
    for (ts, word) in events() {
        let start = ts - ts % 1000;
        if start + 1000 > watermark {
            continue;
        }
        match out.iter_mut().find(|w| w.key == word && w.start == start) {
            Some(w) => w.value += 1,
            None => out.push(WindowResult {
                key: word,
                start,
                end: start + 1000,
                value: 1,
            }),
        }
    }
    out.sort();
    out
}

fn options(workers: usize) -> RunOptions {
    RunOptions {
        workers,
        quiet: true,
        ..RunOptions::default()
    }
}

/// Runs the word count over a stalling source; returns what arrived while the source was open
/// (waiting up to `wait` for `expected_open` results) and what arrived after.
fn run_stalling(
    idle: bool,
    workers: usize,
    expected_open: usize,
    wait: Duration,
) -> (Counts, Counts) {
    let stop = Arc::new(AtomicBool::new(false));
    let out = Collector::new();
    let o = out.clone();
    let input = if idle {
        Stalling::new(events(), &stop).idle_after(Duration::from_millis(100))
    } else {
        Stalling::new(events(), &stop)
    };
    let job = dataflow! {
        source(input)
            -> timestamps(|e: &Event| e.0, bounded(100ms))
            -> key_by(|e: &Event| e.1.clone())
            -> window(tumbling(1s))
            -> count()
            -> sink(collect(&o));
    };
    let running = std::thread::spawn(move || job.run_with(&options(workers)));
    let deadline = Instant::now() + wait;
    while out.len() < expected_open && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    // A little longer, to catch results that should not be there.
    std::thread::sleep(Duration::from_millis(200));
    let open = out.sorted();
    assert!(!running.is_finished(), "the source ended by itself");
    stop.store(true, Ordering::SeqCst);
    running
        .join()
        .expect("the job thread")
        .expect("the job runs");
    (open, out.sorted())
}

#[test]
fn an_idle_source_closes_its_epoch_and_windows_fire_while_it_is_open() {
    // The watermark of epoch 0: the largest timestamp, 2450, minus 100.
    let expected_open = counts_up_to(2350);
    assert_eq!(expected_open.len(), 4);
    let everything = counts_up_to(u64::MAX);
    for workers in [1, 3] {
        let (open, after) =
            run_stalling(true, workers, expected_open.len(), Duration::from_secs(60));
        assert_eq!(
            open, expected_open,
            "{workers} worker(s): results while the source was open"
        );
        let mut all = open;
        all.extend(after);
        all.sort();
        assert_eq!(all, everything, "{workers} worker(s): all results");
    }
}

#[test]
fn without_a_timeout_a_stalled_source_holds_its_windows() {
    let (open, after) = run_stalling(false, 2, 1, Duration::from_millis(500));
    assert!(
        open.is_empty(),
        "results before the end of the input: {open:?}"
    );
    assert_eq!(after, counts_up_to(u64::MAX));
}

/// A rate-limited generator with an idleness timeout shorter than the gap between its records:
/// every gap closes an epoch, windows fire as the input goes, and the results are those of the
/// input read as a whole (timestamps grow, so epochs do not change them).
#[test]
fn a_slow_generator_fires_windows_as_it_goes() {
    const COUNT: u64 = 30;
    let generated = Arc::new(AtomicU64::new(0));
    let seen_at = Arc::new(Mutex::new(Vec::new()));
    let (g, s) = (generated.clone(), seen_at.clone());
    let out = Collector::new();
    let o = out.clone();
    let job = dataflow! {
        let windows = source(generate(COUNT, 0, move |i, _| {
                g.fetch_add(1, Ordering::SeqCst);
                (i * 100, "w".to_owned())
            })
            .events_per_epoch(1000)
            .rate(10.0)
            .idle_after(Duration::from_millis(20)))
            -> timestamps(|e: &Event| e.0, monotonous())
            -> key_by(|e: &Event| e.1.clone())
            -> window(tumbling(300ms))
            -> count();
        windows
            -> inspect(move |_: &WindowResult<String, u64>| {
                let generated = generated.load(Ordering::SeqCst);
                s.lock().expect("lock").push(generated);
            })
            -> sink(collect(&o));
    };
    job.run_with(&options(1)).expect("the job runs");
    let expected: Vec<WindowResult<String, u64>> = (0..10)
        .map(|k| WindowResult {
            key: "w".to_owned(),
            start: k * 300,
            end: (k + 1) * 300,
            value: 3,
        })
        .collect();
    assert_eq!(out.sorted(), expected);
    // 3 s of input, one record every 100 ms, each gap closing an epoch: windows fired long
    // before the last record (without the timeout, all 30 records are one epoch and every window
    // fires at the end).
    let seen_at = seen_at.lock().expect("lock");
    assert!(
        seen_at.iter().any(|&generated| generated < COUNT),
        "every window fired after the last record: {seen_at:?}"
    );
}
