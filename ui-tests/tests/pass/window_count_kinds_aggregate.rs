//! Count windows (`count_tumbling` with `min`, `count_sliding` with `max`, `global_every` with
//! `reduce`) and a tumbling window with a user `Aggregate`, on one key's seven readings.

use rill::prelude::*;

/// `(timestamp ms, key, value)`: values 5, 3, 8, 1, 9, 2, 7 at 100, 200, ..., 700 ms, generated
/// in reverse so that the windows must put them in timestamp order.
fn reading(i: u64) -> (u64, String, u64) {
    const VALUES: [u64; 7] = [5, 3, 8, 1, 9, 2, 7];
    let n = 6 - i;
    (100 * (n + 1), "k".to_string(), VALUES[n as usize])
}

/// The least and greatest value of a window.
struct Range;

impl Aggregate<(u64, String, u64)> for Range {
    type Acc = Option<(u64, u64)>;
    type Out = (u64, u64);
    fn create(&mut self) -> Self::Acc {
        None
    }
    fn add(&mut self, acc: &mut Self::Acc, record: (u64, String, u64)) {
        let v = record.2;
        *acc = Some(acc.map_or((v, v), |(lo, hi)| (lo.min(v), hi.max(v))));
    }
    fn result(&mut self, acc: &Self::Acc) -> (u64, u64) {
        acc.expect("a window has records")
    }
}

/// The window of key `k` from the record at `start` to the one at `last`.
fn window<V>(start: u64, last: u64, value: V) -> WindowResult<String, V> {
    WindowResult {
        key: "k".to_string(),
        start,
        end: last + 1,
        value,
    }
}

fn main() -> Result<(), RillError> {
    let mins = Collector::new();
    let maxes = Collector::new();
    let totals = Collector::new();
    let ranges = Collector::new();
    let too_late = Collector::new();
    let (lo, hi, sum, range, l) = (
        mins.clone(),
        maxes.clone(),
        totals.clone(),
        ranges.clone(),
        too_late.clone(),
    );
    let every = 2;
    let job = dataflow! {
        let readings = source(generate(7, 0, |i, _| reading(i)))
            -> timestamps(|r: &(u64, String, u64)| r.0, bounded(2s))
            -> key_by(|r: &(u64, String, u64)| r.1.clone());
        let (least, late_min) = readings
            -> window(count_tumbling(3))
            -> min(|r: (u64, String, u64)| r.2);
        let (greatest, late_max) = readings
            -> window(count_sliding(3, every))
            -> max(|r: (u64, String, u64)| r.2);
        let (reduced, late_reduce) = readings
            -> window(global_every(3))
            -> reduce(|a: (u64, String, u64), b: (u64, String, u64)| (a.0.max(b.0), a.1, a.2 + b.2));
        let (spread, late_aggregate) = readings
            -> window(tumbling(500ms))
            -> aggregate(Range);
        least -> sink(collect(&lo));
        greatest -> sink(collect(&hi));
        reduced -> sink(collect(&sum));
        spread -> sink(collect(&range));
        late_min -> sink(collect(&l));
        late_max -> sink(collect(&l));
        late_reduce -> sink(collect(&l));
        late_aggregate -> sink(collect(&l));
    };
    job.run_with(&RunOptions {
        quiet: true,
        ..RunOptions::default()
    })?;
    // Every 3 readings: [5, 3, 8] and [1, 9, 2]; [7] never completes.
    assert_eq!(mins.sorted(), [window(100, 300, 3), window(400, 600, 1)]);
    // The last 3 readings after the 3rd, 5th and 7th: [5, 3, 8], [8, 1, 9], [9, 2, 7].
    assert_eq!(
        maxes.sorted(),
        [
            window(100, 300, 8),
            window(300, 500, 9),
            window(500, 700, 9)
        ]
    );
    // All readings so far, after the 3rd and the 6th: 5 + 3 + 8 = 16, then 16 + 1 + 9 + 2 = 28.
    assert_eq!(
        totals.sorted(),
        [
            window(100, 300, (300, "k".to_string(), 16)),
            window(100, 600, (600, "k".to_string(), 28)),
        ]
    );
    // [0, 500): 5, 3, 8, 1; [500, 1000): 9, 2, 7.
    assert_eq!(
        ranges.sorted(),
        [window(0, 499, (1, 8)), window(500, 999, (2, 9))]
    );
    assert!(too_late.is_empty());
    Ok(())
}
