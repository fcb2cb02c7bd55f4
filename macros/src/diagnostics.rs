//! Collecting errors: every check reports into [`Diagnostics`] and compilation goes on, so a user
//! sees all their mistakes at once, each on their own token.

use proc_macro2::{Span, TokenStream};

/// The errors found so far.
#[derive(Default)]
pub struct Diagnostics {
    errors: Vec<syn::Error>,
}

impl Diagnostics {
    /// Reports `message` at `span`, followed by a `help:` line.
    pub fn error(
        &mut self,
        span: Span,
        message: impl std::fmt::Display,
        help: impl std::fmt::Display,
    ) {
        self.errors.push(syn::Error::new(
            span,
            format!("{message}\n  = help: {help}"),
        ));
    }

    /// Reports `message` on everything from `start` to `end` (e.g. a closure's `|a, b|`).
    ///
    /// `Span::join` is unstable in proc macros and gives `None` on stable, so the range is made the
    /// way syn makes it: the error's first token gets `start`, its last `end`, and rustc underlines
    /// from one to the other.
    pub fn error_between(
        &mut self,
        start: Span,
        end: Span,
        message: impl std::fmt::Display,
        help: impl std::fmt::Display,
    ) {
        let first = proc_macro2::Ident::new("start", start);
        let last = proc_macro2::Ident::new("end", end);
        self.errors.push(syn::Error::new_spanned(
            quote::quote!(#first #last),
            format!("{message}\n  = help: {help}"),
        ));
    }

    /// Whether nothing was reported.
    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    /// The errors as `compile_error!` invocations, in one block expression: `dataflow!` is used
    /// where an expression is expected, and several invocations side by side are not one. The
    /// last invocation is the block's value, so no follow-up type error is reported on the job.
    pub fn into_compile_errors(self) -> TokenStream {
        let mut errors: Vec<TokenStream> = self
            .errors
            .into_iter()
            .map(|error| error.to_compile_error())
            .collect();
        let last = errors.pop();
        quote::quote!({ #(#errors;)* #last })
    }
}

/// The candidate closest to `word` by edit distance, if it is close enough to be a likely typo.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|candidate| (edit_distance(word, candidate), candidate))
        .filter(|(distance, candidate)| *distance <= (candidate.len().max(word.len()) / 3).max(1))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

/// Edit distance between two strings, counting an insertion, a deletion, a substitution or a swap
/// of two adjacent characters as one edit (optimal string alignment): `cuont` is one edit from
/// `count`.
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    // d[i][j]: the distance between the first i characters of a and the first j of b.
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let substitution = d[i - 1][j - 1] + usize::from(a[i - 1] != b[j - 1]);
            let mut best = substitution.min(d[i - 1][j] + 1).min(d[i][j - 1] + 1);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        assert_eq!(
            did_you_mean("cuont", ["count", "map", "filter"]),
            Some("count")
        );
        assert_eq!(
            did_you_mean("flatmap", ["flat_map", "map"]),
            Some("flat_map")
        );
        assert_eq!(did_you_mean("zzz", ["count", "map"]), None);
    }

    #[test]
    fn edit_distance_counts_edits() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("same", "same"), 0);
        assert_eq!(edit_distance("cuont", "count"), 1);
    }
}
