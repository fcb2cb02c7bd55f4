//! Every example against a plain sequential Rust reference, on 1 worker, 4 workers, and
//! 2 processes x 2 workers started by the launcher.

mod support;

use std::collections::{BTreeMap, HashMap};

use rill::stdlib::source::Rng;
use support::{run_to_sorted_lines, LAYOUTS};

/// A text with many lines, mixed case and punctuation, so every worker gets a share.
fn generated_text(lines: usize) -> String {
    let vocabulary = [
        "River",
        "stream",
        "flow,",
        "the",
        "a",
        "Count!",
        "wheel",
        "rain.",
        "sea",
        "(mill)",
        "Ünïcode",
        "—",
    ];
    let mut state = 12345u64;
    let mut text = String::new();
    for _ in 0..lines {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let words = 1 + (state >> 60) as usize;
        for w in 0..words {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            if w > 0 {
                text.push(if state >> 63 == 1 { ' ' } else { '\t' });
            }
            text.push_str(vocabulary[(state >> 33) as usize % vocabulary.len()]);
        }
        text.push('\n');
    }
    text
}

/// Word counting, done the plain way.
fn reference_wordcount(text: &str) -> Vec<String> {
    let mut counts: HashMap<String, u64> = HashMap::new();
    for word in text.split_whitespace() {
        let word = word
            .trim_matches(|c: char| !c.is_alphanumeric())
            .to_lowercase();
        if !word.is_empty() {
            *counts.entry(word).or_default() += 1;
        }
    }
    let mut lines: Vec<String> = counts
        .into_iter()
        .map(|(word, count)| format!("{word},{count}"))
        .collect();
    lines.sort();
    lines
}

#[test]
fn wordcount_matches_reference() {
    let dir = tempfile::tempdir().unwrap();
    let text = generated_text(20_000);
    let input = dir.path().join("input.txt");
    std::fs::write(&input, &text).unwrap();
    let expected = reference_wordcount(&text);
    for layout in LAYOUTS {
        let args = vec!["--input".to_string(), input.display().to_string()];
        assert_eq!(
            run_to_sorted_lines("wordcount", layout, dir.path(), &args),
            expected,
            "{layout:?}"
        );
    }
}

#[test]
fn wordcount_counts_the_bundled_sample() {
    let dir = tempfile::tempdir().unwrap();
    let sample = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/data/sample.txt");
    let expected = reference_wordcount(&std::fs::read_to_string(sample).unwrap());
    for layout in LAYOUTS {
        assert_eq!(
            run_to_sorted_lines("wordcount", layout, dir.path(), &[]),
            expected,
            "{layout:?}"
        );
    }
}

/// Command-line flags with numeric values.
fn flags(pairs: &[(&str, u64)]) -> Vec<String> {
    pairs
        .iter()
        .flat_map(|(flag, value)| [flag.to_string(), value.to_string()])
        .collect()
}

#[test]
fn running_totals_match_reference() {
    let (events, epoch_size, customers, seed) = (200_000u64, 30_000u64, 500u64, 3u64);
    // The reference: the same purchases, summed in order; after each epoch, the totals of the
    // customers that epoch changed.
    let mut totals: HashMap<u64, u64> = HashMap::new();
    let mut expected = Vec::new();
    let mut changed: BTreeMap<u64, ()> = BTreeMap::new();
    for index in 0..events {
        let mut rng = Rng::for_record(seed, index);
        let (customer, cents) = (rng.below(customers), 1 + rng.below(10_000));
        *totals.entry(customer).or_default() += cents;
        changed.insert(customer, ());
        if (index + 1) % epoch_size == 0 || index + 1 == events {
            expected.extend(changed.keys().map(|c| format!("{c},{}", totals[c])));
            changed.clear();
        }
    }
    expected.sort();
    let dir = tempfile::tempdir().unwrap();
    let args = flags(&[
        ("--events", events),
        ("--epoch-size", epoch_size),
        ("--customers", customers),
        ("--seed", seed),
    ]);
    for layout in LAYOUTS {
        assert_eq!(
            run_to_sorted_lines("running_totals", layout, dir.path(), &args),
            expected,
            "{layout:?}"
        );
    }
}

#[test]
fn orders_join_matches_reference() {
    let (orders, customers, seed) = (50_000u64, 300u64, 5u64);
    const COUNTRIES: [&str; 5] = ["NL", "FR", "DE", "US", "JP"];
    let mut expected = Vec::new();
    for index in 0..orders {
        let mut rng = Rng::for_record(seed, index);
        let (customer, cents) = (rng.below(customers * 11 / 10), 1 + rng.below(100_000));
        if customer < customers {
            let country = COUNTRIES[(customer * 7 % 5) as usize];
            expected.push(format!("{index},{customer},{country},{cents}"));
        }
    }
    expected.sort();
    assert!(
        expected.len() < orders as usize,
        "some orders must find no customer"
    );
    let dir = tempfile::tempdir().unwrap();
    let args = flags(&[
        ("--orders", orders),
        ("--customers", customers),
        ("--seed", seed),
    ]);
    for layout in LAYOUTS {
        let mut lines = run_to_sorted_lines("orders_join", layout, dir.path(), &args);
        lines.retain(|line| line != "order,customer,country,cents");
        assert_eq!(lines, expected, "{layout:?}");
    }
}
