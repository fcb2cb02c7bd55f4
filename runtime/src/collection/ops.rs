//! The operators of collections: record-at-a-time (`map`, `filter`, `flat_map`, `inspect`),
//! set algebra (`concat`, `negate`, `consolidate`, `distinct`, `threshold`), grouping (`count`,
//! `reduce`, `min`, `max`, `sum`) and joins on `(key, value)` pairs (`join`, `join_map`,
//! `semijoin`, `antijoin`). All of them are incremental: they emit only the changes of their
//! output when their inputs change.

use super::{Collection, Data, Time};

impl<'scope, D: 'static, T: Time> Collection<'scope, D, T> {
    /// Applies `f` to every record.
    pub fn map<D2: Data>(
        self,
        _name: &str,
        f: impl FnMut(D) -> D2 + 'static,
    ) -> Collection<'scope, D2, T>
    where
        D: Data,
    {
        self.derive(self.inner.clone().map(f))
    }

    /// Keeps the records for which `f` is true.
    pub fn filter(self, _name: &str, f: impl FnMut(&D) -> bool + 'static) -> Self
    where
        D: Data,
    {
        self.derive(self.inner.clone().filter(f))
    }

    /// Replaces every record by the records `f` returns for it.
    pub fn flat_map<I>(
        self,
        _name: &str,
        f: impl FnMut(D) -> I + 'static,
    ) -> Collection<'scope, I::Item, T>
    where
        D: Data,
        I: IntoIterator,
        I::Item: Data,
    {
        self.derive(self.inner.clone().flat_map(f))
    }

    /// Calls `f` on every update `(record, time, diff)` and passes it on unchanged.
    pub fn inspect(self, _name: &str, mut f: impl FnMut(&(D, T, isize)) + 'static) -> Self
    where
        D: Data,
    {
        self.derive(self.inner.clone().inspect(move |update| f(update)))
    }

    /// The records of this collection and of every collection in `others`.
    pub fn concat(self, _name: &str, others: impl IntoIterator<Item = Self>) -> Self
    where
        D: Data,
    {
        others.into_iter().fold(self, |all, other| {
            all.derive_with(other.changing, all.inner.clone().concat(other.inner))
        })
    }

    /// Every record with its multiplicity negated: `a -> concat(b -> negate())` is `a` minus `b`.
    pub fn negate(self, _name: &str) -> Self
    where
        D: Data,
    {
        self.derive(self.inner.clone().negate())
    }

    /// The same collection with the updates of each time added up: cancelling updates vanish.
    /// Inside `iterate`, it lets a loop whose other operators keep records reach its fixed point.
    pub fn consolidate(self, _name: &str) -> Self
    where
        D: Data,
    {
        self.derive(self.inner.clone().consolidate())
    }

    /// Every record once (multiplicity 1), whatever its multiplicity was.
    pub fn distinct(self, _name: &str) -> Self
    where
        D: Data,
    {
        self.derive(self.inner.clone().distinct())
    }

    /// Every record with the multiplicity `f(record, multiplicity)` (records whose new
    /// multiplicity is 0 disappear).
    pub fn threshold(self, name: &str, mut f: impl FnMut(&D, isize) -> isize + 'static) -> Self
    where
        D: Data,
    {
        self.derive(
            self.inner
                .clone()
                .threshold_named(name, move |record, count| f(record, *count)),
        )
    }

    /// `(record, multiplicity)` for every distinct record.
    pub fn count(self, _name: &str) -> Collection<'scope, (D, isize), T>
    where
        D: Data,
    {
        self.derive(self.inner.clone().count())
    }
}

impl<'scope, K: 'static, V: 'static, T: Time> Collection<'scope, (K, V), T> {
    /// `(key, (value, other_value))` for every pair of records with equal keys.
    pub fn join<W: Data>(
        self,
        _name: &str,
        other: Collection<'scope, (K, W), T>,
    ) -> Collection<'scope, (K, (V, W)), T>
    where
        K: Data,
        V: Data,
    {
        self.derive_with(other.changing, self.inner.clone().join(other.inner))
    }

    /// `f(key, value, other_value)` for every pair of records with equal keys.
    pub fn join_map<W: Data, D2: Data>(
        self,
        _name: &str,
        other: Collection<'scope, (K, W), T>,
        mut f: impl FnMut(&K, &V, &W) -> D2 + 'static,
    ) -> Collection<'scope, D2, T>
    where
        K: Data,
        V: Data,
    {
        let joined = self
            .inner
            .clone()
            .join_map(other.inner, move |key, value, other| f(key, value, other));
        self.derive_with(other.changing, joined)
    }

    /// The records whose key is in `keys` (with the product of multiplicities: make `keys`
    /// distinct for a plain filter).
    pub fn semijoin(self, _name: &str, keys: Collection<'scope, K, T>) -> Self
    where
        K: Data,
        V: Data,
    {
        self.derive_with(keys.changing, self.inner.clone().semijoin(keys.inner))
    }

    /// The records whose key is not in `keys` (`keys` is made distinct first).
    pub fn antijoin(self, _name: &str, keys: Collection<'scope, K, T>) -> Self
    where
        K: Data,
        V: Data,
    {
        let distinct_keys = keys.inner.distinct();
        self.derive_with(keys.changing, self.inner.clone().antijoin(distinct_keys))
    }

    /// Groups the values of each key: `f(key, values, output)` sees every distinct value with its
    /// (positive) multiplicity, sorted, and pushes the group's output values with multiplicities.
    /// The result has `(key, output_value)` records.
    pub fn reduce<V2: Data>(
        self,
        name: &str,
        mut f: impl FnMut(&K, &[(&V, isize)], &mut Vec<(V2, isize)>) + 'static,
    ) -> Collection<'scope, (K, V2), T>
    where
        K: Data,
        V: Data,
    {
        self.derive(
            self.inner
                .clone()
                .reduce_named(name, move |key, values, output| f(key, values, output)),
        )
    }

    /// `(key, smallest value)` for every key.
    pub fn min(self, name: &str) -> Self
    where
        K: Data,
        V: Data,
    {
        self.reduce(name, smallest)
    }

    /// `(key, largest value)` for every key.
    pub fn max(self, name: &str) -> Self
    where
        K: Data,
        V: Data,
    {
        self.reduce(name, largest)
    }

    /// `(key, sum of values)` for every key, each value counted as often as it occurs.
    pub fn sum(self, name: &str) -> Self
    where
        K: Data,
        V: Data,
        V: Summable,
    {
        self.reduce(name, total)
    }
}

/// The group function of `min`: the smallest of a key's values (they come sorted). Shared by
/// both loop strategies, so that they compute the same results.
pub(crate) fn smallest<K, V: Clone>(_: &K, values: &[(&V, isize)], output: &mut Vec<(V, isize)>) {
    output.push((values[0].0.clone(), 1));
}

/// The group function of `max`: the largest of a key's values.
pub(crate) fn largest<K, V: Clone>(_: &K, values: &[(&V, isize)], output: &mut Vec<(V, isize)>) {
    output.push((values[values.len() - 1].0.clone(), 1));
}

/// The group function of `sum`: every value times its multiplicity, added without rounding
/// ([`Summable::Sum`]), so that both strategies, and any order of additions, agree bit for bit.
pub(crate) fn total<K, V: Summable>(_: &K, values: &[(&V, isize)], output: &mut Vec<(V, isize)>) {
    let mut sum = V::Sum::default();
    for (value, count) in values {
        value.add_to(*count, &mut sum);
    }
    output.push((V::total(&sum), 1));
}

/// Values that `sum` adds up: numbers, and [`super::F64`].
pub trait Summable: Sized {
    /// A running sum. Whatever the order in which values are added to it, or in which partial
    /// sums are merged, it must come to the same total (floats use [`super::ExactSum`]).
    type Sum: Default;
    /// Adds `self` times `count` to `sum`.
    fn add_to(&self, count: isize, sum: &mut Self::Sum);
    /// Adds the partial sum `other` to `sum`.
    fn merge(sum: &mut Self::Sum, other: &Self::Sum);
    /// The value of `sum`.
    fn total(sum: &Self::Sum) -> Self;
}

/// `Summable` for the primitive integers.
macro_rules! summable_integers {
    ($($t:ty),*) => {$(
        impl Summable for $t {
            type Sum = $t;
            #[inline]
            fn add_to(&self, count: isize, sum: &mut $t) { *sum += self * count as $t }
            fn merge(sum: &mut $t, other: &$t) { *sum += other }
            fn total(sum: &$t) -> $t { *sum }
        }
    )*};
}
summable_integers!(i32, i64, isize, u32, u64, usize);

impl Summable for super::F64 {
    type Sum = super::ExactSum;
    #[inline]
    fn add_to(&self, count: isize, sum: &mut super::ExactSum) {
        sum.add(self.0, count)
    }
    fn merge(sum: &mut super::ExactSum, other: &super::ExactSum) {
        sum.merge(other)
    }
    fn total(sum: &super::ExactSum) -> Self {
        super::F64(sum.value())
    }
}
