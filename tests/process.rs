//! The keyed process function example (`card_alerts`) against a plain sequential reference of the
//! documented semantics (`rill_runtime::time::process`), on 1 worker, 4 workers, and 2 processes x
//! 2 workers: per-card state, event-time timers that fire once the watermark reaches them (or at
//! the end of the input), side outputs, and `ctx.clear()`.

mod support;

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use rill::stdlib::source::Rng;
use support::{layout_args, run, run_ok, sorted_lines, Layout, LAYOUTS};

/// Millisecond timestamps.
type Millis = u64;

/// One minute of event time: how long a small transaction flags its card.
const MINUTE: Millis = 60_000;
/// The example's allowed out-of-orderness, `bounded(5min)`.
const BOUND: Millis = 5 * MINUTE;
/// The header of the example's alert file.
const HEADER: &str = "card,small_ts,large_ts,cents";

/// A card transaction, as the example generates it.
#[derive(Clone, Copy, Debug)]
struct Transaction {
    ts_ms: Millis,
    card: u64,
    cents: u64,
}

/// The example's `transaction(index, cards, rng)`, drawing from the generator in the same order:
/// the delay, the amount class, the amount, then the card.
fn transaction(index: u64, cards: u64, rng: &mut Rng) -> Transaction {
    let ts_ms = (index + rng.below(300)) * 1_000 + index % 1_000;
    let cents = match rng.below(100) {
        0..=9 => 1 + rng.below(99),
        10..=14 => 50_001 + rng.below(50_000),
        _ => 1_000 + rng.below(20_000),
    };
    Transaction {
        ts_ms,
        card: rng.below(cards),
        cents,
    }
}

/// What the job produces: alerts `(card, small_ts, large_ts, cents)` and expired flags
/// `(card, small_ts)`.
#[derive(Default)]
struct Outcome {
    alerts: Vec<(u64, Millis, Millis, u64)>,
    expired: Vec<(u64, Millis)>,
}

/// The example's process function on the documented semantics, sequentially, one card's state
/// (`Option<small_ts>`) and event-time timers `(time, card)` at a time.
struct Reference {
    state: HashMap<u64, Option<Millis>>,
    timers: BTreeSet<(Millis, u64)>,
    outcome: Outcome,
}

impl Reference {
    /// `on_record`: a transaction takes the card's flag (alerting if it is large and within a
    /// minute of the flag), and a small one flags the card and sets a timer a minute later.
    fn on_record(&mut self, t: Transaction) {
        let state = self.state.entry(t.card).or_default();
        if let Some(small_ts) = state.take() {
            if t.cents > 50_000 && t.ts_ms < small_ts + MINUTE {
                self.outcome
                    .alerts
                    .push((t.card, small_ts, t.ts_ms, t.cents));
            }
        }
        if t.cents < 100 {
            *state = Some(t.ts_ms);
            // A card has at most one timer per time.
            self.timers.insert((t.ts_ms + MINUTE, t.card));
        }
    }

    /// Fires the timers the watermark reached, in (time, card) order. `on_timer`: a timer of the
    /// card's current flag reports it on the side output and clears the card (state and its other
    /// pending timers).
    fn fire(&mut self, watermark: Millis) {
        while let Some(&(time, card)) = self.timers.first() {
            if time > watermark {
                break;
            }
            self.timers.remove(&(time, card));
            let small_ts = time - MINUTE;
            if self.state.get(&card).copied().flatten() == Some(small_ts) {
                self.outcome.expired.push((card, small_ts));
                self.state.remove(&card);
                self.timers.retain(|(_, c)| *c != card);
            }
        }
    }
}

/// The documented semantics: epochs of `epoch_size` transactions in order; an epoch's records in
/// timestamp order; after each epoch the watermark becomes the largest timestamp so far minus
/// 5 minutes (at least 0) and the timers it reached fire; at the end every pending timer fires.
fn reference(transactions: &[Transaction], epoch_size: usize) -> Outcome {
    let mut model = Reference {
        state: HashMap::new(),
        timers: BTreeSet::new(),
        outcome: Outcome::default(),
    };
    let mut largest: Option<Millis> = None;
    for epoch in transactions.chunks(epoch_size) {
        let mut in_order = epoch.to_vec();
        in_order.sort_by_key(|t| t.ts_ms);
        for t in in_order {
            model.on_record(t);
        }
        largest = largest.max(epoch.iter().map(|t| t.ts_ms).max());
        model.fire(largest.map_or(0, |l| l.saturating_sub(BOUND)));
    }
    model.fire(Millis::MAX);
    model.outcome
}

/// The `expired card,small_ts` lines of a process's stderr, sorted.
fn expired_lines(stderr: &[u8]) -> Vec<String> {
    let mut lines: Vec<String> = String::from_utf8_lossy(stderr)
        .lines()
        .filter(|line| line.starts_with("expired "))
        .map(str::to_owned)
        .collect();
    lines.sort();
    lines
}

/// Runs `card_alerts` in `layout` with `--output`, returning the sorted alert lines (after
/// checking the header) and the sorted `expired ...` lines of stderr.
fn run_example(layout: Layout, dir: &Path, args: &[String]) -> (Vec<String>, Vec<String>) {
    let output = dir.join("alerts.csv");
    let mut all: Vec<String> = args.to_vec();
    all.extend(["--output".to_string(), output.display().to_string()]);
    all.extend(layout_args(layout, dir));
    let run = run_ok("card_alerts", &all);
    let text = std::fs::read_to_string(&output).expect("read output");
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some(HEADER), "{layout:?}: header row");
    let mut alerts: Vec<String> = lines.map(str::to_owned).collect();
    alerts.sort();
    (alerts, expired_lines(&run.stderr))
}

/// Checks `card_alerts` with these parameters against the reference on every layout, and once
/// with the alerts on stdout.
fn check(events: u64, cards: u64, epoch_size: u64, seed: u64) {
    let transactions: Vec<Transaction> = (0..events)
        .map(|i| transaction(i, cards, &mut Rng::for_record(seed, i)))
        .collect();
    let outcome = reference(&transactions, epoch_size as usize);
    // Without both, the test would not check the main output or the timers and side output.
    assert!(
        !outcome.alerts.is_empty(),
        "the reference must raise alerts"
    );
    assert!(
        !outcome.expired.is_empty(),
        "the reference must expire flags"
    );
    let expected = sorted_lines(
        &outcome
            .alerts
            .iter()
            .map(|(card, small, large, cents)| format!("{card},{small},{large},{cents}\n"))
            .collect::<String>(),
    );
    let expected_expired = sorted_lines(
        &outcome
            .expired
            .iter()
            .map(|(card, small)| format!("expired {card},{small}\n"))
            .collect::<String>(),
    );
    let args: Vec<String> = [
        ("--events", events),
        ("--cards", cards),
        ("--epoch-size", epoch_size),
        ("--seed", seed),
    ]
    .iter()
    .flat_map(|(flag, value)| [flag.to_string(), value.to_string()])
    .collect();
    let dir = tempfile::tempdir().unwrap();
    for layout in LAYOUTS {
        let (alerts, expired) = run_example(layout, dir.path(), &args);
        assert_eq!(alerts, expected, "{layout:?} {args:?}: alerts");
        assert_eq!(expired, expected_expired, "{layout:?} {args:?}: expired");
    }
    // Without `--output` the alerts go to stdout, as CSV rows without header.
    let mut all = args.clone();
    all.extend(layout_args(LAYOUTS[1], dir.path()));
    let out = run("card_alerts", &all);
    assert!(out.status.success(), "{all:?} failed");
    let stdout = sorted_lines(&String::from_utf8_lossy(&out.stdout));
    assert_eq!(stdout, expected, "stdout {args:?}: alerts");
    assert_eq!(
        expired_lines(&out.stderr),
        expected_expired,
        "stdout {args:?}"
    );
}

#[test]
fn card_alerts_match_reference() {
    check(20_000, 20, 500, 17);
}

#[test]
fn card_alerts_match_reference_with_small_epochs() {
    check(30_000, 120, 73, 5);
}

#[test]
fn card_alerts_match_reference_with_large_epochs() {
    check(25_000, 400, 2_500, 11);
}
