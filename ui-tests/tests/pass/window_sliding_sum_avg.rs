//! Sliding windows (size a `Duration` variable, slide a literal) with `sum` and `avg` on one
//! named keyed stream; nothing is late in a single epoch.

use std::time::Duration;

use rill::prelude::*;

/// `(timestamp ms, sensor, value)`.
const READINGS: [(u64, &str, u64); 4] = [
    (500, "s", 10),
    (1_500, "s", 20),
    (2_500, "s", 60),
    (3_500, "t", 5),
];

fn reading(i: u64) -> (u64, String, u64) {
    let (ts, sensor, value) = READINGS[i as usize];
    (ts, sensor.to_string(), value)
}

fn main() -> Result<(), RillError> {
    let sums = Collector::new();
    let averages = Collector::new();
    let late_sums = Collector::new();
    let late_averages = Collector::new();
    let (s, a, ls, la) = (
        sums.clone(),
        averages.clone(),
        late_sums.clone(),
        late_averages.clone(),
    );
    let size = Duration::from_secs(2);
    let out_of_orderness = Duration::from_millis(500);
    let job = dataflow! {
        let readings = source(generate(4, 0, |i, _| reading(i)))
            -> timestamps(|r: &(u64, String, u64)| r.0, bounded(out_of_orderness))
            -> key_by(|r: &(u64, String, u64)| r.1.clone());
        let (summed, late_sum) = readings
            -> window(sliding(size, 1s))
            -> sum(|r: (u64, String, u64)| r.2);
        let (averaged, late_avg) = readings
            -> window(sliding(2s, 1_000ms), lateness(Duration::ZERO))
            -> avg(|r: (u64, String, u64)| r.2 as f64);
        summed -> sink(collect(&s));
        averaged
            -> map(|w: WindowResult<String, f64>| (w.key, w.start, w.end, w.value))
            -> sink(collect(&a));
        late_sum -> sink(collect(&ls));
        late_avg -> sink(collect(&la));
    };
    job.run_with(&RunOptions {
        quiet: true,
        ..RunOptions::default()
    })?;
    // Windows of 2 s every 1 s, none starting before 0: 500 is in [0, 2000) only, 1500 in
    // [0, 2000) and [1000, 3000), 2500 in [1000, 3000) and [2000, 4000), 3500 in [2000, 4000)
    // and [3000, 5000).
    let window = |key: &str, start: u64, value: u64| WindowResult {
        key: key.to_string(),
        start,
        end: start + 2_000,
        value,
    };
    assert_eq!(
        sums.sorted(),
        [
            window("s", 0, 30),
            window("s", 1_000, 80),
            window("s", 2_000, 60),
            window("t", 2_000, 5),
            window("t", 3_000, 5),
        ]
    );
    let mut averaged = averages.take();
    averaged.sort_by(|x, y| (&x.0, x.1).cmp(&(&y.0, y.1)));
    let expected = [
        ("s", 0, 15.0),
        ("s", 1_000, 40.0),
        ("s", 2_000, 60.0),
        ("t", 2_000, 5.0),
        ("t", 3_000, 5.0),
    ];
    assert_eq!(averaged.len(), expected.len(), "{averaged:?}");
    for ((key, start, end, avg), (k, st, v)) in averaged.iter().zip(expected) {
        assert_eq!((key.as_str(), *start, *end), (k, st, st + 2_000));
        assert!(
            (avg - v).abs() < 1e-9,
            "{key} [{start}, {end}): {avg} != {v}"
        );
    }
    assert!(late_sums.is_empty());
    assert!(late_averages.is_empty());
    Ok(())
}
