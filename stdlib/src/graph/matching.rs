//! [`match_output`]: whether a result matches a Graphalytics reference output.

use std::collections::hash_map::{Entry, HashMap};

use super::Algorithm;

/// How many mismatching vertices a message names.
const SHOWN: usize = 5;

/// Checks `actual` against the reference `expected` (both `(vertex, value)` as in output files,
/// e.g. from [`read_graphalytics_output`] or [`format_output`]) under Graphalytics' match rules:
/// the same vertices; BFS and CDLP values equal as integers; WCC labels equal up to a one-to-one
/// renaming; PR, LCC and SSSP values within `|r - s| <= 0.0001 * |r|` of the reference `r`
/// (`Infinity` matches `Infinity`).
///
/// The error names the first few vertices that do not match.
///
/// [`read_graphalytics_output`]: super::read_graphalytics_output
/// [`format_output`]: super::format_output
pub fn match_output(
    algorithm: Algorithm,
    expected: &[(u64, String)],
    actual: &[(u64, String)],
) -> Result<(), String> {
    let expected = by_vertex(expected, "reference")?;
    let actual = by_vertex(actual, "result")?;
    let missing = absent_from(&expected, &actual);
    let unexpected = absent_from(&actual, &expected);
    if !missing.is_empty() || !unexpected.is_empty() {
        return Err(format!(
            "{algorithm}: the vertices differ: {} missing ({}), {} unexpected ({})",
            missing.len(),
            first_few(&missing),
            unexpected.len(),
            first_few(&unexpected)
        ));
    }
    let pairs = expected
        .iter()
        .zip(&actual)
        .map(|(&(vertex, r), &(_, s))| (vertex, r, s));
    let mismatches = match algorithm {
        Algorithm::Bfs | Algorithm::Cdlp => differing(
            pairs,
            |r, s| matches!((integer(r), integer(s)), (Some(r), Some(s)) if r == s),
        ),
        Algorithm::Pr | Algorithm::Lcc | Algorithm::Sssp => differing(
            pairs,
            |r, s| matches!((r.parse(), s.parse()), (Ok(r), Ok(s)) if close(r, s)),
        ),
        Algorithm::Wcc => not_renamed(pairs),
    };
    if mismatches.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{algorithm}: {} of {} vertices do not match: {}",
            mismatches.len(),
            expected.len(),
            first_few(&mismatches)
        ))
    }
}

/// `output` sorted by vertex, or an error if a vertex occurs twice.
fn by_vertex<'a>(output: &'a [(u64, String)], which: &str) -> Result<Vec<(u64, &'a str)>, String> {
    let mut sorted: Vec<(u64, &str)> = output
        .iter()
        .map(|(v, value)| (*v, value.as_str()))
        .collect();
    sorted.sort_unstable_by_key(|&(vertex, _)| vertex);
    match sorted.windows(2).find(|pair| pair[0].0 == pair[1].0) {
        Some(pair) => Err(format!("vertex {} occurs twice in the {which}", pair[0].0)),
        None => Ok(sorted),
    }
}

/// The vertices of `these` that `those` lacks (both sorted).
fn absent_from(these: &[(u64, &str)], those: &[(u64, &str)]) -> Vec<u64> {
    these
        .iter()
        .map(|&(vertex, _)| vertex)
        .filter(|vertex| those.binary_search_by_key(vertex, |&(v, _)| v).is_err())
        .collect()
}

fn first_few<T: std::fmt::Display>(items: &[T]) -> String {
    let mut shown: Vec<String> = items.iter().take(SHOWN).map(T::to_string).collect();
    if items.len() > SHOWN {
        shown.push("...".to_owned());
    }
    shown.join("; ")
}

/// A description of each `(vertex, expected, actual)` whose values are not `same`.
fn differing<'a>(
    pairs: impl Iterator<Item = (u64, &'a str, &'a str)>,
    same: impl Fn(&str, &str) -> bool,
) -> Vec<String> {
    pairs
        .filter(|&(_, r, s)| !same(r, s))
        .map(|(vertex, r, s)| format!("vertex {vertex}: expected {r}, found {s}"))
        .collect()
}

fn integer(value: &str) -> Option<i128> {
    value.parse().ok()
}

/// Whether `s` is within 0.01% of the reference `r` (an infinite `r` only matches itself).
fn close(r: f64, s: f64) -> bool {
    r == s || (r.is_finite() && (r - s).abs() <= 0.0001 * r.abs())
}

/// A description of each vertex where the labels stop being a one-to-one renaming of the
/// reference's: its label differs from that of another vertex in the same reference component,
/// or equals that of a vertex in another one.
fn not_renamed<'a>(pairs: impl Iterator<Item = (u64, &'a str, &'a str)>) -> Vec<String> {
    // Label -> (the other side's label, the first vertex that had both).
    let mut renamed: HashMap<&str, (&str, u64)> = HashMap::new();
    let mut reverse: HashMap<&str, (&str, u64)> = HashMap::new();
    let mut mismatches = Vec::new();
    for (vertex, r, s) in pairs {
        if let Entry::Occupied(entry) = renamed.entry(r) {
            let &(label, first) = entry.get();
            if label != s {
                mismatches.push(format!(
                    "vertex {vertex}: labelled {s}, but vertex {first} of the same component \
                     is labelled {label}"
                ));
                continue;
            }
        }
        match reverse.entry(s) {
            Entry::Occupied(entry) if entry.get().0 != r => mismatches.push(format!(
                "vertex {vertex}: labelled {s} like vertex {}, which is in another component",
                entry.get().1
            )),
            Entry::Occupied(_) => {}
            Entry::Vacant(entry) => {
                entry.insert((r, vertex));
                renamed.insert(r, (s, vertex));
            }
        }
    }
    mismatches
}

#[cfg(test)]
mod tests {
    use super::*;

    fn output(pairs: &[(u64, &str)]) -> Vec<(u64, String)> {
        pairs
            .iter()
            .map(|&(v, value)| (v, value.to_owned()))
            .collect()
    }

    #[test]
    fn exact_and_tolerant_rules() {
        let bfs = output(&[(1, "0"), (2, "9223372036854775807")]);
        assert_eq!(match_output(Algorithm::Bfs, &bfs, &bfs), Ok(()));
        let off = output(&[(2, "9223372036854775807"), (1, "1")]);
        assert_eq!(
            match_output(Algorithm::Bfs, &bfs, &off),
            Err("bfs: 1 of 2 vertices do not match: vertex 1: expected 0, found 1".into())
        );

        let pr = output(&[(1, "1.0e-1"), (2, "Infinity"), (3, "0")]);
        let near = output(&[(1, "0.100009"), (2, "Infinity"), (3, "0e0")]);
        assert_eq!(match_output(Algorithm::Sssp, &pr, &near), Ok(()));
        let one_percent = output(&[(1, "0.101"), (2, "Infinity"), (3, "0")]);
        assert_eq!(
            match_output(Algorithm::Pr, &pr, &one_percent),
            Err("pr: 1 of 3 vertices do not match: vertex 1: expected 1.0e-1, found 0.101".into())
        );
        let finite = output(&[(1, "0.1"), (2, "1e300"), (3, "x")]);
        assert!(match_output(Algorithm::Sssp, &pr, &finite)
            .unwrap_err()
            .starts_with("sssp: 2 of 3 vertices do not match"));
    }

    #[test]
    fn vertex_sets_must_agree() {
        let expected = output(&[(1, "1"), (2, "1")]);
        let actual = output(&[(1, "1"), (3, "1")]);
        assert_eq!(
            match_output(Algorithm::Cdlp, &expected, &actual),
            Err("cdlp: the vertices differ: 1 missing (2), 1 unexpected (3)".into())
        );
        let twice = output(&[(1, "1"), (1, "1")]);
        assert_eq!(
            match_output(Algorithm::Cdlp, &expected, &twice),
            Err("vertex 1 occurs twice in the result".into())
        );
    }

    #[test]
    fn wcc_allows_renaming_but_not_merging_or_splitting() {
        let expected = output(&[(1, "1"), (2, "1"), (3, "3"), (4, "3")]);
        let renamed = output(&[(1, "4"), (2, "4"), (3, "2"), (4, "2")]);
        assert_eq!(match_output(Algorithm::Wcc, &expected, &renamed), Ok(()));
        let merged = output(&[(1, "1"), (2, "1"), (3, "1"), (4, "1")]);
        assert_eq!(
            match_output(Algorithm::Wcc, &expected, &merged),
            Err(
                "wcc: 2 of 4 vertices do not match: vertex 3: labelled 1 like vertex 1, \
                 which is in another component; vertex 4: labelled 1 like vertex 1, which is in \
                 another component"
                    .into()
            )
        );
        let split = output(&[(1, "1"), (2, "2"), (3, "3"), (4, "3")]);
        assert_eq!(
            match_output(Algorithm::Wcc, &expected, &split),
            Err(
                "wcc: 1 of 4 vertices do not match: vertex 2: labelled 2, but vertex 1 of the \
                 same component is labelled 1"
                    .into()
            )
        );
    }
}
