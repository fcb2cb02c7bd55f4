//! [`ExactSum`]: a sum of floats that is not rounded until it is read, so that the order in which
//! values are added cannot change it.

/// The wide accumulator counts in units of 2^-1074, the smallest subnormal `f64`.
const LOWEST: i32 = -1074;
/// 64-bit limbs of the wide accumulator: 2240 bits, from 2^-1074 past 2^1152 — room for 2^64
/// terms of the largest finite `f64` times the largest count, and a sign.
const LIMBS: usize = 35;

/// A sum of `f64` values (each times an integer count) computed without rounding: it reads as
/// the exact sum rounded once to the nearest `f64` (ties to even). So the same values give the
/// same bits in any order, grouped in any way — which lets `sum` add a key's values as they
/// arrive, or in partial sums on several workers, and still agree bit for bit with a sum over
/// sorted values. Infinities and NaN follow IEEE: `inf + -inf` is NaN.
///
/// ```
/// use rill_runtime::collection::ExactSum;
/// let mut sum = ExactSum::default();
/// for value in [1e100, 1.0, -1e100] {
///     sum.add(value, 1);
/// }
/// assert_eq!(sum.value(), 1.0); // plain f64 addition gives 0.0
/// sum.add(0.1, 3);
/// assert_eq!(sum.value(), 1.0 + 0.30000000000000004);
/// ```
#[derive(Clone, Debug, Default)]
pub struct ExactSum {
    /// `small * 2^low`: the terms added since the last spill, while they fit in 128 bits.
    small: i128,
    low: i32,
    /// What spilled from `small`: a two's-complement integer in units of 2^-1074, least
    /// significant limb first; none until the first spill (boxed, to keep sums small).
    wide: Option<Box<[u64; LIMBS]>>,
    /// Whether an infinite term of either sign, or a NaN, was added.
    positive_infinity: bool,
    negative_infinity: bool,
    nan: bool,
}

impl ExactSum {
    /// Adds `value` times `count`.
    #[inline]
    pub fn add(&mut self, value: f64, count: isize) {
        if count == 0 {
            return;
        }
        let bits = value.to_bits();
        let negative = (bits >> 63 == 1) != (count < 0);
        let biased_exponent = ((bits >> 52) & 0x7ff) as i32;
        if biased_exponent == 0x7ff {
            return self.add_non_finite(value, negative);
        }
        let fraction = bits & ((1 << 52) - 1);
        let (mantissa, exponent) = match biased_exponent {
            0 => (fraction, LOWEST),
            _ => (fraction | 1 << 52, biased_exponent - 1075),
        };
        // Below 2^53 * 2^63: no overflow.
        let magnitude = match count {
            1 | -1 => mantissa as i128,
            _ => mantissa as i128 * count.unsigned_abs() as i128,
        };
        self.add_term(if negative { -magnitude } else { magnitude }, exponent);
    }

    /// Notes an infinite (`negative` or not) or NaN `value`.
    #[cold]
    fn add_non_finite(&mut self, value: f64, negative: bool) {
        if value.is_nan() {
            self.nan = true;
        } else if negative {
            self.negative_infinity = true;
        } else {
            self.positive_infinity = true;
        }
    }

    /// Adds every term of `other`.
    pub fn merge(&mut self, other: &ExactSum) {
        self.nan |= other.nan;
        self.positive_infinity |= other.positive_infinity;
        self.negative_infinity |= other.negative_infinity;
        match (&mut self.wide, &other.wide) {
            (_, None) => {}
            (None, Some(more)) => self.wide = Some(more.clone()),
            (Some(wide), Some(more)) => {
                let mut carry = false;
                for (limb, &more) in wide.iter_mut().zip(more.iter()) {
                    (*limb, carry) = add_with_carry(*limb, more, carry);
                }
            }
        }
        self.add_term(other.small, other.low);
    }

    /// The sum, rounded to the nearest `f64`.
    pub fn value(&self) -> f64 {
        if self.nan || (self.positive_infinity && self.negative_infinity) {
            return f64::NAN;
        }
        if self.positive_infinity {
            return f64::INFINITY;
        }
        if self.negative_infinity {
            return f64::NEG_INFINITY;
        }
        let Some(wide) = &self.wide else {
            let magnitude = self.small.unsigned_abs();
            let limbs = [magnitude as u64, (magnitude >> 64) as u64];
            return round(self.small < 0, &limbs, self.low);
        };
        let mut wide = **wide;
        add_wide(&mut wide, self.small, self.low);
        let negative = wide[LIMBS - 1] >> 63 == 1;
        if negative {
            negate(&mut wide);
        }
        round(negative, &wide, LOWEST)
    }

    /// Adds `term * 2^exponent` (`exponent` at least -1074), spilling into the wide accumulator
    /// when `small` cannot hold the sum.
    #[inline]
    fn add_term(&mut self, term: i128, exponent: i32) {
        if term == 0 {
            return;
        }
        if self.small == 0 {
            (self.small, self.low) = (term, exponent);
            return;
        }
        if exponent < self.low {
            match shift_left(self.small, (self.low - exponent) as u32) {
                Some(small) => (self.small, self.low) = (small, exponent),
                None => return self.spill_then_start(term, exponent),
            }
        }
        match shift_left(term, (exponent - self.low) as u32)
            .and_then(|term| self.small.checked_add(term))
        {
            Some(small) => self.small = small,
            None => self.spill_then_start(term, exponent),
        }
    }

    /// Moves `small` into the wide accumulator, then starts it again from `term * 2^exponent`.
    #[cold]
    fn spill_then_start(&mut self, term: i128, exponent: i32) {
        let wide = self.wide.get_or_insert_with(|| Box::new([0; LIMBS]));
        add_wide(wide.as_mut_slice(), self.small, self.low);
        (self.small, self.low) = (term, exponent);
    }
}

/// Negates the two's-complement integer `limbs`: inverts and adds one.
fn negate(limbs: &mut [u64]) {
    let mut carry = true;
    for limb in limbs {
        (*limb, carry) = add_with_carry(!*limb, 0, carry);
    }
}

/// `a + b + carry`, and whether it carried out.
fn add_with_carry(a: u64, b: u64, carry: bool) -> (u64, bool) {
    let (sum, first) = a.overflowing_add(b);
    let (sum, second) = sum.overflowing_add(carry as u64);
    (sum, first || second)
}

/// `value << shift`, if no bit (or the sign) is lost.
#[inline]
fn shift_left(value: i128, shift: u32) -> Option<i128> {
    if shift >= 127 {
        return None;
    }
    let shifted = value << shift;
    (shifted >> shift == value).then_some(shifted)
}

/// Adds `term * 2^exponent` to the two's-complement limbs of `wide` (in units of 2^-1074).
fn add_wide(wide: &mut [u64], term: i128, exponent: i32) {
    let offset = (exponent - LOWEST) as usize;
    let (first, bit) = (offset / 64, offset % 64);
    let extension = if term < 0 { u64::MAX } else { 0 };
    let raw = [term as u64, (term >> 64) as u64, extension];
    let shifted = match bit {
        0 => raw,
        _ => [
            raw[0] << bit,
            raw[1] << bit | raw[0] >> (64 - bit),
            raw[2] << bit | raw[1] >> (64 - bit),
        ],
    };
    let mut carry = false;
    for (position, limb) in wide.iter_mut().enumerate().skip(first) {
        let more = shifted.get(position - first).copied().unwrap_or(extension);
        (*limb, carry) = add_with_carry(*limb, more, carry);
    }
}

/// `magnitude * 2^low` (limbs least significant first, `low` at least -1074) rounded to the
/// nearest `f64`, ties to even, negated if `negative`.
fn round(negative: bool, magnitude: &[u64], low: i32) -> f64 {
    let Some(top_limb) = magnitude.iter().rposition(|&limb| limb != 0) else {
        return 0.0;
    };
    let top_bit = top_limb * 64 + 63 - magnitude[top_limb].leading_zeros() as usize;
    // The 64 bits from the top one down, the lowest of them set if any bit below is (it is far
    // below the 53 kept, so the conversion still rounds to nearest correctly).
    let (window, shift) = if top_bit < 64 {
        (magnitude[0], 0)
    } else {
        let shift = top_bit - 63;
        let (limb, bit) = (shift / 64, shift % 64);
        let mut window = magnitude[limb] >> bit;
        if bit > 0 {
            window |= magnitude[limb + 1] << (64 - bit);
        }
        let below = magnitude[..limb].iter().any(|&l| l != 0)
            || (bit > 0 && magnitude[limb] << (64 - bit) != 0);
        (window | below as u64, shift)
    };
    let value = scale(window as f64, low + shift as i32);
    if negative {
        -value
    } else {
        value
    }
}

/// `value * 2^exponent` for `value` in `[1, 2^64]` and `exponent` at least -1074: exact whenever
/// the result is representable (the first step keeps the intermediate normal).
fn scale(mut value: f64, mut exponent: i32) -> f64 {
    if exponent < -1000 {
        value *= power_of_two(-1000);
        exponent += 1000;
    }
    while exponent > 1023 {
        value *= power_of_two(1023);
        exponent -= 1023;
    }
    value * power_of_two(exponent)
}

/// `2^exponent` for a normal exponent (-1022 to 1023).
fn power_of_two(exponent: i32) -> f64 {
    f64::from_bits(((exponent + 1023) as u64) << 52)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn sum(values: &[(f64, isize)]) -> f64 {
        let mut sum = ExactSum::default();
        for &(value, count) in values {
            sum.add(value, count);
        }
        sum.value()
    }

    #[test]
    fn cancellation_loses_nothing() {
        assert_eq!(sum(&[(1e308, 1), (1.0, 1), (-1e308, 1)]), 1.0);
        assert_eq!(sum(&[(1e308, 5), (-1e308, 5), (1e-300, 1)]), 1e-300);
        assert_eq!(sum(&[(f64::MAX, 2), (-f64::MAX, 1)]), f64::MAX);
        assert_eq!(sum(&[(f64::MAX, 1), (f64::MAX, 1)]), f64::INFINITY);
        assert_eq!(sum(&[(-f64::MAX, 3)]), f64::NEG_INFINITY);
        assert_eq!(sum(&[]), 0.0);
        assert_eq!(sum(&[(0.5, 3), (0.5, -3)]), 0.0);
    }

    #[test]
    fn subnormals_are_exact() {
        let tiny = f64::from_bits(1);
        assert_eq!(sum(&[(tiny, 3)]), f64::from_bits(3));
        assert_eq!(
            sum(&[(f64::MIN_POSITIVE, 1), (-tiny, 1)]),
            f64::MIN_POSITIVE - tiny
        );
        assert_eq!(sum(&[(1.0, 1), (tiny, 1), (-1.0, 1)]), tiny);
    }

    #[test]
    fn rounds_half_to_even() {
        let ulp = f64::EPSILON; // of 1.0
        assert_eq!(sum(&[(1.0, 1), (ulp / 2.0, 1)]), 1.0);
        assert_eq!(sum(&[(1.0 + ulp, 1), (ulp / 2.0, 1)]), 1.0 + 2.0 * ulp);
        assert_eq!(sum(&[(1.0, 1), (ulp / 2.0, 1), (1e-300, 1)]), 1.0 + ulp);
    }

    #[test]
    fn infinities_and_nan() {
        assert_eq!(sum(&[(f64::INFINITY, 1), (1.0, 1)]), f64::INFINITY);
        assert_eq!(sum(&[(f64::INFINITY, -2)]), f64::NEG_INFINITY);
        assert!(sum(&[(f64::INFINITY, 1), (f64::NEG_INFINITY, 1)]).is_nan());
        assert!(sum(&[(f64::NAN, 1), (1.0, 1)]).is_nan());
    }

    /// Values on a grid of 2^-60 below 2^40: their exact sum fits an `i128` count of 2^-60,
    /// which `as f64` rounds correctly — an independent reference.
    fn on_grid() -> impl Strategy<Value = (f64, isize)> {
        (any::<i64>(), 0u32..100, -1000isize..1000).prop_map(|(units, shift, count)| {
            let units = units >> (shift % 64).max(10);
            (units as f64 * (2f64).powi(-60), count)
        })
    }

    proptest! {
        #[test]
        fn equals_the_exact_sum_rounded_once(values in prop::collection::vec(on_grid(), 0..200)) {
            let exact: i128 = values
                .iter()
                .map(|&(value, count)| (value * (2f64).powi(60)) as i128 * count as i128)
                .sum();
            prop_assert_eq!(sum(&values).to_bits(), (exact as f64 * (2f64).powi(-60)).to_bits());
        }

        #[test]
        fn order_and_grouping_do_not_matter(
            values in prop::collection::vec(
                (any::<f64>().prop_filter("finite", |v| v.is_finite()), -3isize..4),
                0..60,
            ),
            split in 0usize..60,
        ) {
            let forward = sum(&values);
            let mut reversed = values.clone();
            reversed.reverse();
            prop_assert_eq!(sum(&reversed).to_bits(), forward.to_bits());
            let split = split.min(values.len());
            let (mut left, mut right) = (ExactSum::default(), ExactSum::default());
            for &(value, count) in &values[..split] {
                left.add(value, count);
            }
            for &(value, count) in &values[split..] {
                right.add(value, count);
            }
            right.merge(&left);
            prop_assert_eq!(right.value().to_bits(), forward.to_bits());
            // Every term cancelled by its negation leaves exactly zero.
            let mut cancelled = values.clone();
            cancelled.extend(values.iter().map(|&(value, count)| (-value, count)));
            prop_assert_eq!(sum(&cancelled), 0.0);
        }
    }
}
