//! A small, fast, deterministic random number generator for generated data.

use std::sync::Arc;

const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

/// SplitMix64's output function: a bijective mix of all 64 bits.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A SplitMix64 random number generator: fast, small, and the same on every machine.
///
/// Not for cryptography. [`generate`](super::generate) hands each record its own `Rng`, seeded
/// from the source's seed and the record's index, so a record never depends on which worker
/// generated it.
///
/// ```
/// use rill_stdlib::source::Rng;
///
/// let mut rng = Rng::new(42);
/// let die = 1 + rng.below(6);
/// assert!((1..=6).contains(&die));
/// let coin = *rng.pick(&["heads", "tails"]);
/// assert!(coin == "heads" || coin == "tails");
/// assert!((0.0..1.0).contains(&rng.f64()));
/// assert_eq!(Rng::new(42).next_u64(), Rng::new(42).next_u64());
/// ```
#[derive(Debug, Clone)]
pub struct Rng {
    state: u64,
}

impl Rng {
    /// A generator whose whole sequence is determined by `seed`.
    pub fn new(seed: u64) -> Self {
        Rng { state: mix(seed) }
    }

    /// The generator for record `index` of a source seeded with `seed`.
    pub fn for_record(seed: u64, index: u64) -> Self {
        Rng {
            state: mix(mix(seed) ^ mix(index.wrapping_add(GOLDEN))),
        }
    }

    /// A uniformly distributed `u64`.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(GOLDEN);
        mix(self.state)
    }

    /// A uniformly distributed integer in `0..n`, without modulo bias. Panics if `n` is 0.
    pub fn below(&mut self, n: u64) -> u64 {
        assert!(n > 0, "Rng::below(0): the range is empty");
        // Lemire's multiply-and-shift, rejecting the few values that would bias the result.
        let threshold = n.wrapping_neg() % n;
        loop {
            let product = u128::from(self.next_u64()) * u128::from(n);
            if product as u64 >= threshold {
                return (product >> 64) as u64;
            }
        }
    }

    /// A uniformly distributed float in `[0, 1)`.
    pub fn f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// A uniformly chosen element of `items`. Panics if `items` is empty.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// The Zipf distribution over ranks `1..=n` with exponent `s`: rank `k` has probability
/// proportional to `1 / k^s`, so a few ranks are very common and most are rare, like words in
/// text.
///
/// Building one tabulates `n` probabilities (8 bytes each); clones share the table, so build it
/// once, outside the generator's closure, and move it in.
///
/// ```
/// use rill_stdlib::source::{Rng, Zipf};
///
/// let zipf = Zipf::new(1000, 1.0);
/// let mut rng = Rng::new(7);
/// let ranks: Vec<u64> = (0..10_000).map(|_| zipf.sample(&mut rng)).collect();
/// assert!(ranks.iter().all(|&r| (1..=1000).contains(&r)));
/// let ones = ranks.iter().filter(|&&r| r == 1).count();
/// assert!(ones > 1000, "rank 1 has probability about 13%");
/// ```
#[derive(Debug, Clone)]
pub struct Zipf {
    cumulative: Arc<[f64]>,
}

impl Zipf {
    /// The Zipf distribution over `1..=n` with exponent `s` (1.0 for natural-language words).
    /// Panics if `n` is 0 or `s` is negative or not finite.
    pub fn new(n: u64, s: f64) -> Self {
        assert!(n > 0, "Zipf::new: n must be at least 1");
        assert!(
            s.is_finite() && s >= 0.0,
            "Zipf::new: the exponent must be finite and >= 0"
        );
        let mut total = 0.0;
        let mut cumulative: Vec<f64> = (1..=n)
            .map(|k| {
                total += (k as f64).powf(-s);
                total
            })
            .collect();
        cumulative.iter_mut().for_each(|c| *c /= total);
        Zipf {
            cumulative: cumulative.into(),
        }
    }

    /// The number of ranks, `n`.
    pub fn ranks(&self) -> u64 {
        self.cumulative.len() as u64
    }

    /// A rank in `1..=n`, drawn with `rng`.
    pub fn sample(&self, rng: &mut Rng) -> u64 {
        let u = rng.f64();
        let index = self.cumulative.partition_point(|&c| c <= u);
        index.min(self.cumulative.len() - 1) as u64 + 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn below_is_in_range_and_roughly_uniform() {
        let mut rng = Rng::new(1);
        let mut counts = [0u32; 6];
        for _ in 0..60_000 {
            counts[rng.below(6) as usize] += 1;
        }
        assert!(
            counts.iter().all(|&c| (9_000..11_000).contains(&c)),
            "{counts:?}"
        );
        assert_eq!(rng.below(1), 0);
    }

    #[test]
    fn records_get_unrelated_streams() {
        let first: Vec<u64> = (0..100).map(|i| Rng::for_record(5, i).next_u64()).collect();
        let mut unique = first.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), 100);
        assert_ne!(
            Rng::for_record(5, 0).next_u64(),
            Rng::for_record(6, 0).next_u64()
        );
        // Record i's second draw is not record i+1's first, as it would be with seed + i.
        let mut zero = Rng::for_record(5, 0);
        zero.next_u64();
        assert_ne!(zero.next_u64(), first[1]);
    }

    #[test]
    fn zipf_follows_its_exponent() {
        let zipf = Zipf::new(100, 1.0);
        let mut rng = Rng::new(3);
        let mut counts = vec![0u32; 101];
        for _ in 0..100_000 {
            counts[zipf.sample(&mut rng) as usize] += 1;
        }
        // Rank 1 is about twice as common as rank 2 and ten times as common as rank 10.
        let ratio2 = f64::from(counts[1]) / f64::from(counts[2]);
        let ratio10 = f64::from(counts[1]) / f64::from(counts[10]);
        assert!((1.8..2.2).contains(&ratio2), "{ratio2}");
        assert!((8.5..11.5).contains(&ratio10), "{ratio10}");
        assert_eq!(zipf.ranks(), 100);
        assert_eq!(Zipf::new(1, 2.0).sample(&mut rng), 1);
    }
}
