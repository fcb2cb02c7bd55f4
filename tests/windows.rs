//! The windowed examples against a plain sequential reference of the documented semantics
//! (`rill_runtime::time`), on 1 worker, 4 workers, and 2 processes x 2 workers: out-of-order
//! input, windows that fire again when late records update them, and records too late for any
//! window.

mod support;

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use rill::stdlib::source::Rng;
use support::{layout_args, run_ok, sorted_lines, Layout, LAYOUTS};

/// Millisecond timestamps.
type Millis = u64;

/// Window kinds the examples use.
#[derive(Clone, Copy)]
enum Kind {
    /// Tumbling (`size == slide`) or sliding windows.
    Timed { size: Millis, slide: Millis },
    /// Session windows.
    Session { gap: Millis },
}

/// A window that fired: its key, bounds, and every record it held then.
struct Fired<K, V> {
    key: K,
    start: Millis,
    end: Millis,
    records: Vec<V>,
}

/// A record too late for every window, with the watermark it met.
struct TooLate<K> {
    key: K,
    timestamp: Millis,
    watermark: Millis,
}

/// A window's records, and whether they changed since it last fired.
struct Pane<V> {
    end: Millis,
    records: Vec<V>,
    dirty: bool,
}

/// The documented semantics, sequentially: the records of each epoch, in epoch order and within
/// an epoch in timestamp order, meet the watermark of the epochs before theirs; after each epoch the watermark becomes the largest
/// timestamp so far minus `bound`, every window that reached it and changed since it last fired
/// fires, and windows whose `end + lateness` it reached are forgotten. At the end, the
/// watermark is infinite.
fn reference<K: Ord + Clone, V: Clone>(
    epochs: &[Vec<(K, Millis, V)>],
    kind: Kind,
    bound: Millis,
    lateness: Millis,
) -> (Vec<Fired<K, V>>, Vec<TooLate<K>>) {
    // Per key, windows by start.
    let mut windows: BTreeMap<K, BTreeMap<Millis, Pane<V>>> = BTreeMap::new();
    let (mut fired, mut late) = (Vec::new(), Vec::new());
    let mut largest: Option<Millis> = None;
    let expired = |end: Millis, watermark: Millis| end.saturating_add(lateness) <= watermark;
    let advance = |windows: &mut BTreeMap<K, BTreeMap<Millis, Pane<V>>>,
                   watermark: Millis,
                   fired: &mut Vec<Fired<K, V>>| {
        for (key, panes) in windows.iter_mut() {
            for (start, pane) in panes.iter_mut() {
                if pane.dirty && pane.end <= watermark {
                    pane.dirty = false;
                    fired.push(Fired {
                        key: key.clone(),
                        start: *start,
                        end: pane.end,
                        records: pane.records.clone(),
                    });
                }
            }
            panes.retain(|_, pane| !expired(pane.end, watermark));
        }
    };
    for epoch in epochs {
        let watermark = largest.map_or(0, |l| l.saturating_sub(bound));
        // Sessions take an epoch's records in timestamp order (time windows do not mind).
        let mut in_order: Vec<&(K, Millis, V)> = epoch.iter().collect();
        in_order.sort_by_key(|(_, ts, _)| *ts);
        for (key, ts, record) in in_order {
            let panes = windows.entry(key.clone()).or_default();
            let taken = match kind {
                Kind::Timed { size, slide } => {
                    let last_start = ts - ts % slide;
                    let open: Vec<Millis> = (0..size / slide)
                        .map(|k| k * slide)
                        .filter(|back| *back <= last_start)
                        .map(|back| last_start - back)
                        .filter(|start| !expired(start + size, watermark))
                        .collect();
                    for start in &open {
                        let pane = panes.entry(*start).or_insert(Pane {
                            end: start + size,
                            records: Vec::new(),
                            dirty: false,
                        });
                        pane.records.push(record.clone());
                        pane.dirty = true;
                    }
                    !open.is_empty()
                }
                Kind::Session { gap } => {
                    let (mut start, mut end) = (*ts, ts + gap);
                    let overlapping: Vec<Millis> = panes
                        .iter()
                        .filter(|(s, pane)| **s < ts + gap && pane.end > *ts)
                        .map(|(s, _)| *s)
                        .collect();
                    for s in &overlapping {
                        start = start.min(*s);
                        end = end.max(panes[s].end);
                    }
                    if expired(end, watermark) {
                        false
                    } else {
                        let mut records = vec![record.clone()];
                        for s in overlapping {
                            records.extend(panes.remove(&s).unwrap().records);
                        }
                        panes.insert(
                            start,
                            Pane {
                                end,
                                records,
                                dirty: true,
                            },
                        );
                        true
                    }
                }
            };
            if !taken {
                late.push(TooLate {
                    key: key.clone(),
                    timestamp: *ts,
                    watermark,
                });
            }
        }
        if let Some(max) = epoch.iter().map(|(_, ts, _)| *ts).max() {
            largest = largest.max(Some(max));
        }
        let watermark = largest.map_or(0, |l| l.saturating_sub(bound));
        advance(&mut windows, watermark, &mut fired);
    }
    advance(&mut windows, Millis::MAX, &mut fired);
    (fired, late)
}

/// Fails unless the reference has late records and windows that fired more than once: the test
/// would otherwise not check lateness at all.
fn assert_not_vacuous<K: Ord + Clone, V>(fired: &[Fired<K, V>], late: &[TooLate<K>]) {
    assert!(!late.is_empty(), "the input must have late records");
    let mut firings: BTreeMap<(K, Millis), usize> = BTreeMap::new();
    for f in fired {
        *firings.entry((f.key.clone(), f.end)).or_default() += 1;
    }
    assert!(
        firings.values().any(|n| *n > 1),
        "some window must fire again after an update"
    );
}

/// Runs an example in `layout` with `--output`, returning the sorted output lines and the sorted
/// `late ...` lines of stderr.
fn run_example(
    name: &str,
    layout: Layout,
    dir: &Path,
    args: &[String],
) -> (Vec<String>, Vec<String>) {
    let output = dir.join("output.csv");
    let mut all: Vec<String> = args.to_vec();
    all.extend(["--output".to_string(), output.display().to_string()]);
    all.extend(layout_args(layout, dir));
    let run = run_ok(name, &all);
    let results = sorted_lines(&std::fs::read_to_string(&output).expect("read output"));
    let mut late: Vec<String> = String::from_utf8_lossy(&run.stderr)
        .lines()
        .filter(|line| line.starts_with("late "))
        .map(str::to_owned)
        .collect();
    late.sort();
    (results, late)
}

/// Command-line flags and their values.
fn flags(pairs: &[(&str, &str)]) -> Vec<String> {
    pairs
        .iter()
        .flat_map(|(flag, value)| [flag.to_string(), value.to_string()])
        .collect()
}

fn sorted(mut lines: Vec<String>) -> Vec<String> {
    lines.sort();
    lines
}

#[test]
fn windowed_wordcount_from_a_file_matches_reference() {
    // `ts_ms,word` lines: time moves forward 7 ms a line, with a jitter below 400 ms, and one
    // line in 25 is up to 4 s late.
    let (lines, per_epoch) = (6_000u64, 40u64);
    let vocabulary = ["river", "stream", "flow", "rain", "sea", "mill", "wheel"];
    let mut rng = Rng::new(99);
    let mut text = String::new();
    let mut events = Vec::new();
    for n in 0..lines {
        let delay = if rng.below(25) == 0 {
            rng.below(4_000)
        } else {
            rng.below(400)
        };
        let ts = (7 * n).saturating_sub(delay);
        let word = vocabulary[rng.below(vocabulary.len() as u64) as usize];
        text.push_str(&format!("{ts},{word}\n"));
        events.push((word.to_string(), ts, ()));
    }
    // Line n (1-based) is in epoch (n - 1) / per_epoch.
    let epochs: Vec<Vec<(String, Millis, ())>> = events
        .chunks(per_epoch as usize)
        .map(<[_]>::to_vec)
        .collect();
    let (window, bound, lateness) = (1_000, 300, 1_200);
    let (fired, late) = reference(
        &epochs,
        Kind::Timed {
            size: window,
            slide: window,
        },
        bound,
        lateness,
    );
    assert_not_vacuous(&fired, &late);
    let expected = sorted(
        fired
            .iter()
            .map(|f| format!("{},{},{}", f.end, f.key, f.records.len()))
            .collect(),
    );
    let expected_late = sorted(
        late.iter()
            .map(|l| format!("late {},{} (watermark {})", l.timestamp, l.key, l.watermark))
            .collect(),
    );

    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("events.csv");
    std::fs::write(&input, text).unwrap();
    let args = flags(&[
        ("--input", &input.display().to_string()),
        ("--window", "1s"),
        ("--out-of-orderness", "300ms"),
        ("--lateness", "1.2s"),
        ("--lines-per-epoch", &per_epoch.to_string()),
    ]);
    for layout in LAYOUTS {
        let (results, late) = run_example("windowed_wordcount", layout, dir.path(), &args);
        assert_eq!(results, expected, "{layout:?}");
        assert_eq!(late, expected_late, "{layout:?}");
    }
}

#[test]
fn windowed_wordcount_generated_runs_on_every_layout_alike() {
    // The generator's own events (Zipf words): no reference, but every layout must agree.
    let dir = tempfile::tempdir().unwrap();
    let args = flags(&[("--events", "30000"), ("--lines-per-epoch", "300")]);
    let (first, first_late) = run_example("windowed_wordcount", LAYOUTS[0], dir.path(), &args);
    assert!(!first.is_empty() && !first_late.is_empty());
    for layout in &LAYOUTS[1..] {
        let (results, late) = run_example("windowed_wordcount", *layout, dir.path(), &args);
        assert_eq!(results, first, "{layout:?}");
        assert_eq!(late, first_late, "{layout:?}");
    }
}

#[test]
fn moving_average_matches_reference() {
    let (readings, sensors, epoch_size, seed) = (30_000u64, 8u64, 170u64, 4u64);
    let (size, slide, lateness, bound) = (5_000, 2_500, 1_500, 700);
    // The example's generator: sensor, temperature in tenths of a degree, then the delay.
    let records: Vec<(u64, Millis, u64)> = (0..readings)
        .map(|index| {
            let mut rng = Rng::for_record(seed, index);
            let sensor = rng.below(sensors);
            let deci_celsius = 150 + rng.below(150);
            let delay = if rng.below(20) == 0 {
                rng.below(10_000)
            } else {
                rng.below(500)
            };
            (sensor, (10 * index).saturating_sub(delay), deci_celsius)
        })
        .collect();
    let epochs: Vec<Vec<_>> = records
        .chunks(epoch_size as usize)
        .map(<[_]>::to_vec)
        .collect();
    let (fired, late) = reference(&epochs, Kind::Timed { size, slide }, bound, lateness);
    assert_not_vacuous(&fired, &late);
    let expected = sorted(
        fired
            .iter()
            .map(|f| {
                // Integer temperatures sum exactly as f64, in any order.
                let sum: f64 = f.records.iter().map(|t| *t as f64).sum();
                let mean = sum / f.records.len() as f64;
                format!("{},{},{},{:.2}", f.key, f.start, f.end, mean / 10.0)
            })
            .collect(),
    );
    let expected_late = sorted(
        late.iter()
            .map(|l| format!("late {},{} (watermark {})", l.timestamp, l.key, l.watermark))
            .collect(),
    );
    let dir = tempfile::tempdir().unwrap();
    let args = flags(&[
        ("--readings", &readings.to_string()),
        ("--sensors", &sensors.to_string()),
        ("--epoch-size", &epoch_size.to_string()),
        ("--seed", &seed.to_string()),
        ("--size", "5s"),
        ("--slide", "2500ms"),
        ("--lateness", "1.5s"),
        ("--out-of-orderness", "700ms"),
    ]);
    for layout in LAYOUTS {
        let (results, late) = run_example("moving_average", layout, dir.path(), &args);
        assert_eq!(results, expected, "{layout:?}");
        assert_eq!(late, expected_late, "{layout:?}");
    }
}

#[test]
fn sessions_match_reference() {
    let (clicks, users, epoch_size, seed) = (30_000u64, 15u64, 40u64, 8u64);
    let (gap, lateness, bound) = (20_000, 5_000, 1_500);
    // The example's generator, and its filter: users are online 40 s of every 100 s.
    let online = |user: u64, ts: Millis| (ts / 1_000 % 100 + 100 - (7 * user) % 100) % 100 < 40;
    let epochs: Vec<Vec<(u64, Millis, ())>> = (0..clicks)
        .map(|index| {
            let mut rng = Rng::for_record(seed, index);
            let user = rng.below(users);
            let delay = if rng.below(50) == 0 {
                rng.below(60_000)
            } else {
                rng.below(2_000)
            };
            (user, (100 * index).saturating_sub(delay), ())
        })
        .collect::<Vec<_>>()
        .chunks(epoch_size as usize)
        .map(|epoch| {
            epoch
                .iter()
                .filter(|(user, ts, _)| online(*user, *ts))
                .cloned()
                .collect()
        })
        .collect();
    let (fired, late) = reference(&epochs, Kind::Session { gap }, bound, lateness);
    assert_not_vacuous(&fired, &late);
    // Some fired sessions must have been merged into later, longer ones.
    let mut starts: HashMap<(u64, Millis), Vec<Millis>> = HashMap::new();
    for f in &fired {
        starts.entry((f.key, f.start)).or_default().push(f.end);
    }
    assert!(starts.values().any(|ends| ends.len() > 1));
    let expected = sorted(
        fired
            .iter()
            .map(|f| format!("{},{},{},{}", f.key, f.start, f.end, f.records.len()))
            .collect(),
    );
    let expected_late = sorted(
        late.iter()
            .map(|l| format!("late {},{} (watermark {})", l.timestamp, l.key, l.watermark))
            .collect(),
    );
    let dir = tempfile::tempdir().unwrap();
    let args = flags(&[
        ("--clicks", &clicks.to_string()),
        ("--users", &users.to_string()),
        ("--epoch-size", &epoch_size.to_string()),
        ("--seed", &seed.to_string()),
        ("--gap", "20s"),
        ("--lateness", "5s"),
        ("--out-of-orderness", "1500ms"),
    ]);
    for layout in LAYOUTS {
        let (results, late) = run_example("sessions", layout, dir.path(), &args);
        assert_eq!(results, expected, "{layout:?}");
        assert_eq!(late, expected_late, "{layout:?}");
    }
}
