//! Window pipelines written with `dataflow!`, against results computed by hand.

use rill::prelude::*;

#[test]
fn tumbling_counts() {
    let out = Collector::new();
    let late = Collector::new();
    let (o, l) = (out.clone(), late.clone());
    let job = dataflow! {
        let (counts, too_late) = source(generate(1000, 1, |i, _| (i * 10, format!("w{}", i % 3))).events_per_epoch(100))
            -> timestamps(|e: &(u64, String)| e.0, bounded(50ms))
            -> key_by(|e: &(u64, String)| e.1.clone())
            -> window(tumbling(1s), lateness(std::time::Duration::ZERO))
            -> count();
        counts -> sink(collect(&o));
        too_late -> sink(collect(&l));
    };
    job.run_with(&RunOptions {
        quiet: true,
        workers: 2,
        ..Default::default()
    })
    .unwrap();
    let results: Vec<WindowResult<String, u64>> = out.sorted();
    // Event i is at i * 10 ms: window w holds events 100w..100(w+1), word i % 3.
    let mut expected: Vec<WindowResult<String, u64>> = (0..10u64)
        .flat_map(|w| {
            (0..3u64).map(move |k| WindowResult {
                key: format!("w{k}"),
                start: w * 1000,
                end: (w + 1) * 1000,
                value: (w * 100..(w + 1) * 100).filter(|i| i % 3 == k).count() as u64,
            })
        })
        .collect();
    expected.sort();
    assert_eq!(results, expected);
    assert!(late.is_empty());
}

#[test]
fn window_all_counts_everything_in_one_window_set() {
    let out = Collector::new();
    let o = out.clone();
    let job = dataflow! {
        source(generate(1000, 1, |i, _| i * 10).events_per_epoch(100))
            -> timestamps(|ts: &u64| *ts, monotonous())
            -> window_all(tumbling(1s))
            -> sum(|ts: u64| ts)
            -> sink(collect(&o));
    };
    job.run_with(&RunOptions {
        quiet: true,
        workers: 3,
        ..Default::default()
    })
    .unwrap();
    let results: Vec<WindowResult<(), u64>> = out.sorted();
    let expected: Vec<WindowResult<(), u64>> = (0..10u64)
        .map(|w| WindowResult {
            key: (),
            start: w * 1000,
            end: (w + 1) * 1000,
            value: (w * 100..(w + 1) * 100).map(|i| i * 10).sum(),
        })
        .collect();
    assert_eq!(results, expected);
}

#[test]
fn ingestion_time_windows_see_every_record() {
    let out = Collector::new();
    let o = out.clone();
    let job = dataflow! {
        source(generate(5000, 1, |i, _| i % 7))
            -> ingestion_timestamps()
            -> key_by(|k: &u64| *k)
            -> window(tumbling(1h))
            -> count()
            -> sink(collect(&o));
    };
    job.run_with(&RunOptions {
        quiet: true,
        workers: 2,
        ..Default::default()
    })
    .unwrap();
    let results: Vec<WindowResult<u64, u64>> = out.take();
    // Each key's records fall in one hour-long window, or two if the run straddles an hour.
    assert_eq!(results.iter().map(|r| r.value).sum::<u64>(), 5000);
    assert!(results.iter().all(|r| r.end - r.start == 3_600_000));
}
