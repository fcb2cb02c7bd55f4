//! `words`: Zipf-distributed words from a synthetic vocabulary, for word counts.

use super::generate::{generate, Generate};
use super::rng::{Rng, Zipf};

/// Syllables that make the vocabulary's words pronounceable.
const SYLLABLES: [&str; 16] = [
    "ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "ba", "de", "fu", "go", "hi", "ja", "pe", "zu",
];

/// The word of `rank` (1-based) in the vocabulary: distinct for distinct ranks, e.g. 1 is
/// `"lo"` and 16 is `"loka"`.
///
/// ```
/// use rill_stdlib::source::word;
///
/// assert_eq!(word(1), "lo");
/// assert_ne!(word(16), word(17));
/// ```
pub fn word(rank: u64) -> String {
    let mut digits = Vec::new();
    let mut n = rank;
    loop {
        digits.push(SYLLABLES[(n % 16) as usize]);
        n /= 16;
        if n == 0 {
            break;
        }
    }
    digits.iter().rev().copied().collect()
}

/// Generates `count` words drawn from a vocabulary of `vocabulary` words with Zipf frequencies
/// (exponent 1, like natural language): the rank-`k` word, [`word(k)`](word), is about `k` times
/// rarer than the most common one. Deterministic for a `seed`, whatever the number of workers;
/// a [`generate`] source, so [`Generate::events_per_epoch`] and [`Generate::rate`] apply.
/// Panics if `vocabulary` is 0.
///
/// ```
/// use rill_runtime::{Batch, ReadStatus, Source, SourceReader, WorkerInfo};
/// use rill_stdlib::source::{word, words};
///
/// let mut reader = words(1000, 50, 7).open(WorkerInfo::SINGLE)?;
/// let mut batch = Batch::new(0, 1000);
/// reader.read(&mut batch)?;
/// let most_common = batch.records.iter().filter(|w| **w == word(1)).count();
/// assert!(most_common > 100);
/// # Ok::<(), rill_runtime::RillError>(())
/// ```
pub fn words(
    count: u64,
    vocabulary: u64,
    seed: u64,
) -> Generate<String, impl Fn(u64, &mut Rng) -> String + Clone + 'static> {
    let zipf = Zipf::new(vocabulary, 1.0);
    generate(count, seed, move |_, rng| word(zipf.sample(rng)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::drain_all;
    use std::collections::HashSet;

    #[test]
    fn vocabulary_words_are_distinct() {
        let all: HashSet<String> = (1..=5000).map(word).collect();
        assert_eq!(all.len(), 5000);
        assert_eq!(word(16), "loka");
    }

    #[test]
    fn same_words_on_any_number_of_workers() {
        let source = words(500, 100, 3).events_per_epoch(128);
        let mut one: Vec<String> = drain_all(&source, 1)
            .into_iter()
            .flat_map(|d| d.records)
            .map(|(_, w)| w)
            .collect();
        let mut three: Vec<String> = drain_all(&source, 3)
            .into_iter()
            .flat_map(|d| d.records)
            .map(|(_, w)| w)
            .collect();
        assert_eq!(one.len(), 500);
        one.sort();
        three.sort();
        assert_eq!(one, three);
    }
}
