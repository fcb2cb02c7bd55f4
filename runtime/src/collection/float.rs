//! [`F64`]: a float that collections can hold.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::{Add, Div, Mul, Sub};

use serde::{Deserialize, Serialize};

/// An `f64` with a total order (`f64::total_cmp`) and a hash, so that collections can group,
/// join and deduplicate it (PageRank's ranks, shortest-path distances). Arithmetic works as on
/// `f64`.
///
/// ```
/// use rill_runtime::collection::F64;
/// let rank = F64(0.25) + F64(0.5) * 0.5;
/// assert_eq!(rank, F64(0.5));
/// assert!(F64(f64::NAN) > F64(f64::INFINITY)); // NaN sorts last, and equals itself
/// ```
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize)]
pub struct F64(pub f64);

impl PartialEq for F64 {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for F64 {}
impl PartialOrd for F64 {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for F64 {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.total_cmp(&other.0)
    }
}
impl Hash for F64 {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.to_bits().hash(state)
    }
}
impl fmt::Display for F64 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}
impl From<f64> for F64 {
    fn from(value: f64) -> Self {
        F64(value)
    }
}

/// `F64 op F64` and `F64 op f64`, all as on `f64`.
macro_rules! arithmetic {
    ($($trait:ident $method:ident),*) => {$(
        impl $trait for F64 {
            type Output = F64;
            fn $method(self, other: F64) -> F64 {
                F64(self.0.$method(other.0))
            }
        }
        impl $trait<f64> for F64 {
            type Output = F64;
            fn $method(self, other: f64) -> F64 {
                F64(self.0.$method(other))
            }
        }
    )*};
}
arithmetic!(Add add, Sub sub, Mul mul, Div div);
