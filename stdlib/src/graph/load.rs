//! Loading graphs from LDBC Graphalytics (`.v` + `.e`) and SNAP edge-list files.

use std::path::Path;

use rill_runtime::Result;

use super::edge_list::{check_edge, sorted_vertices, EdgeProblem, Repeated};
use super::lines::{for_each_line, located};
use super::Graph;

/// Loads a Graphalytics graph: `vertices` holds one vertex id a line, `edges` one edge a line as
/// `src dst [weight]`, fields separated by spaces or tabs (weight 1.0 where it is missing).
///
/// Fails with `file:line: problem` on a malformed line, a vertex listed twice, an edge naming a
/// vertex that is not in `vertices`, or a weight that is negative or not a number. Blank lines are
/// skipped.
pub fn load_graphalytics(vertices: &Path, edges: &Path, directed: bool) -> Result<Graph> {
    let mut entries = Vec::new();
    for_each_line(vertices, |line, text| {
        let mut fields = text.split_ascii_whitespace();
        match (fields.next().map(str::parse), fields.next()) {
            (None, _) => {}
            (Some(Ok(id)), None) => entries.push((id, line)),
            _ => return Err(format!("expected a vertex id, found {text:?}")),
        }
        Ok(())
    })?;
    let ids = sorted_vertices(entries).map_err(|Repeated { id, first, second }| {
        located(
            vertices,
            second,
            format!("vertex {id} is listed twice (first on line {first})"),
        )
    })?;

    let mut edge_list = Vec::new();
    for_each_line(edges, |_, text| {
        let Some(edge) = parse_edge(text, true)? else {
            return Ok(());
        };
        let (source, target, weight) = edge;
        check_edge(&ids, source, target, weight).map_err(|problem| match problem {
            EdgeProblem::UnknownVertex(id) => {
                format!("vertex {id} is not in {}", vertices.display())
            }
            EdgeProblem::BadWeight(_) => problem.to_string(),
        })?;
        edge_list.push(edge);
        Ok(())
    })?;
    Ok(Graph::from_checked_parts(ids, edge_list, directed))
}

/// Loads a SNAP edge list: `src dst` a line, separated by whitespace, `#` lines are comments.
/// The vertices are the ids that appear in some edge; every weight is 1.0.
///
/// An undirected SNAP file that lists each edge in both directions gives each edge twice; load
/// it as directed instead. Fails with `file:line: problem` on a malformed line.
pub fn load_snap(path: &Path, directed: bool) -> Result<Graph> {
    let mut edges = Vec::new();
    for_each_line(path, |_, text| {
        if !text.starts_with('#') {
            edges.extend(parse_edge(text, false)?);
        }
        Ok(())
    })?;
    let mut ids: Vec<u64> = edges.iter().flat_map(|&(s, t, _)| [s, t]).collect();
    ids.sort_unstable();
    ids.dedup();
    Ok(Graph::from_checked_parts(ids, edges, directed))
}

/// Parses a `src dst` line, or with `weighted` a `src dst [weight]` line: `None` if it is blank.
fn parse_edge(text: &str, weighted: bool) -> Result<Option<(u64, u64, f64)>, String> {
    if text.trim_ascii().is_empty() {
        return Ok(None);
    }
    let expected = if weighted {
        "src dst [weight]"
    } else {
        "src dst"
    };
    edge_fields(text, weighted)
        .map(Some)
        .ok_or_else(|| format!("expected {expected:?}, found {text:?}"))
}

/// The fields of a non-blank edge line, or `None` if they do not fit.
fn edge_fields(text: &str, weighted: bool) -> Option<(u64, u64, f64)> {
    let mut fields = text.split_ascii_whitespace();
    let source = fields.next()?.parse().ok()?;
    let target = fields.next()?.parse().ok()?;
    let weight = match fields.next() {
        None => 1.0,
        Some(weight) if weighted => weight.parse().ok()?,
        Some(_) => return None,
    };
    fields.next().is_none().then_some((source, target, weight))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn graphalytics_files_load_with_optional_weights() {
        let dir = tempfile::tempdir().unwrap();
        let v = write(dir.path(), "g.v", "3\n1\n2\n9\n");
        let e = write(dir.path(), "g.e", "1 2 0.5\n2\t3\n\n3 1 2\n");
        let graph = load_graphalytics(&v, &e, true).unwrap();
        assert_eq!(graph.vertices(), [1, 2, 3, 9]);
        assert_eq!(graph.edges(), [(1, 2, 0.5), (2, 3, 1.0), (3, 1, 2.0)]);
        assert!(graph.is_directed());
    }

    #[test]
    fn graphalytics_errors_name_file_line_and_problem() {
        let dir = tempfile::tempdir().unwrap();
        let v = write(dir.path(), "g.v", "1\n2\n3\n");
        let error = |edges: &str| {
            let e = write(dir.path(), "g.e", edges);
            let message = load_graphalytics(&v, &e, true).unwrap_err().to_string();
            message.replace(&dir.path().display().to_string(), "DIR")
        };
        assert_eq!(
            error("1 2\n1 x\n"),
            r#"DIR/g.e:2: expected "src dst [weight]", found "1 x""#
        );
        assert_eq!(
            error("1 2 3 4"),
            r#"DIR/g.e:1: expected "src dst [weight]", found "1 2 3 4""#
        );
        assert_eq!(
            error("1 2\n\n3 7\n"),
            "DIR/g.e:3: vertex 7 is not in DIR/g.v"
        );
        assert_eq!(
            error("1 2 -1\n"),
            "DIR/g.e:1: weight -1 is not a number >= 0"
        );

        let e = write(dir.path(), "g.e", "");
        let bad_v = write(dir.path(), "bad.v", "1\n2\n1\n");
        let message = load_graphalytics(&bad_v, &e, true).unwrap_err().to_string();
        assert!(
            message.ends_with("bad.v:3: vertex 1 is listed twice (first on line 1)"),
            "{message}"
        );
        let bad_v = write(dir.path(), "bad.v", "1\n2 3\n");
        let message = load_graphalytics(&bad_v, &e, true).unwrap_err().to_string();
        assert!(
            message.ends_with(r#"bad.v:2: expected a vertex id, found "2 3""#),
            "{message}"
        );
        let missing = dir.path().join("missing.v");
        let message = load_graphalytics(&missing, &e, true)
            .unwrap_err()
            .to_string();
        assert!(message.starts_with("cannot open "), "{message}");
    }

    #[test]
    fn snap_skips_comments_and_collects_vertices() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(
            dir.path(),
            "g.txt",
            "# Directed graph: g.txt\n# FromNodeId\tToNodeId\n5\t7\n7 2\r\n\n",
        );
        let graph = load_snap(&path, false).unwrap();
        assert_eq!(graph.vertices(), [2, 5, 7]);
        assert_eq!(graph.edges(), [(5, 7, 1.0), (7, 2, 1.0)]);
        assert!(!graph.is_directed());

        let path = write(dir.path(), "bad.txt", "# c\n1 2 0.5\n");
        let message = load_snap(&path, true).unwrap_err().to_string();
        assert!(
            message.ends_with(r#"bad.txt:2: expected "src dst", found "1 2 0.5""#),
            "{message}"
        );
    }
}
