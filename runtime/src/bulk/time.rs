//! [`LoopTime`]: the times of bulk loops, and truncation to the level a collection varies at.

use timely::order::Product;

use crate::collection::Time;
use crate::context::Epoch;

/// The time of a bulk loop: an epoch followed by one round counter per enclosing loop
/// (`Product<Epoch, u64>` in a loop, `Product<Product<Epoch, u64>, u64>` in a loop inside it).
///
/// A collection inside a loop *varies at a level*: level 0 if it depends only on the epoch (a
/// collection entered from outside), level 1 if it also depends on the first loop's round, and so
/// on. Its data sit at times whose deeper round counters are 0, and its value at any time `t` is
/// its data at `t.truncate(level)`.
pub trait LoopTime: Time + Ord + Copy {
    /// The number of round counters (0 for epochs).
    const DEPTH: usize;

    /// This time with the round counters after the first `level` set to 0.
    fn truncate(&self, level: usize) -> Self;
}

impl LoopTime for Epoch {
    const DEPTH: usize = 0;

    fn truncate(&self, _level: usize) -> Self {
        *self
    }
}

impl<T: LoopTime> LoopTime for Product<T, u64> {
    const DEPTH: usize = T::DEPTH + 1;

    fn truncate(&self, level: usize) -> Self {
        if level >= Self::DEPTH {
            *self
        } else {
            Product::new(self.outer.truncate(level), 0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_zeroes_the_deeper_rounds() {
        let t = Product::new(Product::new(7u64, 3u64), 5u64);
        assert_eq!(<Product<Product<u64, u64>, u64>>::DEPTH, 2);
        assert_eq!(t.truncate(2), t);
        assert_eq!(t.truncate(1), Product::new(Product::new(7, 3), 0));
        assert_eq!(t.truncate(0), Product::new(Product::new(7, 0), 0));
    }
}
