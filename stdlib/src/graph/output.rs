//! Graphalytics output files: `vertex value` lines.

use std::fmt;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use rill_runtime::{Result, RillError};

use rill_runtime::{Placement, Sink, WorkerInfo};

use crate::sink::{file_or_stdout, Encode, FileOrStdout};

use super::lines::for_each_line;

/// A per-vertex result that Graphalytics output files can hold, written the way they spell it.
pub trait OutputValue: Copy {
    /// Writes the value: integers as integers (so BFS's unreachable `i64::MAX` is
    /// `9223372036854775807`), floats in shortest round-trip scientific notation, infinity as
    /// `Infinity`.
    fn fmt_output(self, f: &mut fmt::Formatter<'_>) -> fmt::Result;
}

impl OutputValue for i64 {
    fn fmt_output(self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self}")
    }
}

impl OutputValue for u64 {
    fn fmt_output(self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self}")
    }
}

impl OutputValue for f64 {
    fn fmt_output(self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            f64::INFINITY => f.write_str("Infinity"),
            f64::NEG_INFINITY => f.write_str("-Infinity"),
            _ => write!(f, "{self:e}"),
        }
    }
}

/// Displays an [`OutputValue`].
struct Shown<V>(V);

impl<V: OutputValue> fmt::Display for Shown<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt_output(f)
    }
}

/// Encodes `(vertex, value)` records as Graphalytics output lines, for a [`FileSink`].
#[derive(Debug, Clone, Copy, Default)]
pub struct GraphalyticsEncoding;

impl<V: OutputValue> Encode<(u64, V)> for GraphalyticsEncoding {
    fn encode(&mut self, &(vertex, value): &(u64, V), out: &mut Vec<u8>) -> Result<(), String> {
        writeln!(out, "{vertex} {}", Shown(value)).map_err(|e| e.to_string())
    }
}

/// A sink that writes `(vertex, value)` records as Graphalytics `vertex value` lines, gathered
/// on worker 0 in the order they arrive: to the file at `path` if there is one, else to standard
/// output. Made for a job's optional `--output` argument.
pub fn graphalytics_to<P: AsRef<Path>>(path: Option<P>) -> GraphalyticsTo {
    GraphalyticsTo {
        path: path.map(|p| p.as_ref().to_path_buf()),
    }
}

/// The sink [`graphalytics_to`] describes.
#[derive(Debug, Clone)]
pub struct GraphalyticsTo {
    path: Option<PathBuf>,
}

impl<V: OutputValue + 'static> Sink<(u64, V)> for GraphalyticsTo {
    type Writer = FileOrStdout<GraphalyticsEncoding>;

    fn placement(&self) -> Placement {
        Placement::Gathered
    }

    fn open(self, _worker: WorkerInfo) -> Result<Self::Writer> {
        file_or_stdout(self.path.as_deref(), GraphalyticsEncoding)
    }
}

/// Writes `results` to `path` as `vertex value` lines, in the given order.
pub fn write_graphalytics_output<V: OutputValue>(path: &Path, results: &[(u64, V)]) -> Result<()> {
    let failed =
        |error: std::io::Error| RillError::new(format!("cannot write {}: {error}", path.display()));
    let mut out = BufWriter::new(File::create(path).map_err(failed)?);
    for &(vertex, value) in results {
        writeln!(out, "{vertex} {}", Shown(value)).map_err(failed)?;
    }
    out.flush().map_err(failed)
}

/// `results` as the text that [`write_graphalytics_output`] writes, for [`match_output`].
///
/// [`match_output`]: super::match_output
pub fn format_output<V: OutputValue>(results: &[(u64, V)]) -> Vec<(u64, String)> {
    results
        .iter()
        .map(|&(vertex, value)| (vertex, Shown(value).to_string()))
        .collect()
}

/// Reads a Graphalytics output file: `vertex value` lines (the last may lack its newline; blank
/// lines are skipped). Fails with `file:line: problem` on a malformed line.
pub fn read_graphalytics_output(path: &Path) -> Result<Vec<(u64, String)>> {
    let mut results = Vec::new();
    for_each_line(path, |_, text| {
        let mut fields = text.split_ascii_whitespace();
        let Some(vertex) = fields.next() else {
            return Ok(());
        };
        match (vertex.parse(), fields.next(), fields.next()) {
            (Ok(vertex), Some(value), None) => {
                results.push((vertex, value.to_owned()));
                Ok(())
            }
            _ => Err(format!("expected \"vertex value\", found {text:?}")),
        }
    })?;
    Ok(results)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_and_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out");
        write_graphalytics_output(&path, &[(1, 0i64), (2, i64::MAX)]).unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "1 0\n2 9223372036854775807\n"
        );
        write_graphalytics_output(&path, &[(3, 0.1f64), (4, f64::INFINITY), (5, 0.0)]).unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "3 1e-1\n4 Infinity\n5 0e0\n"
        );
        assert_eq!(
            read_graphalytics_output(&path).unwrap(),
            [
                (3, "1e-1".into()),
                (4, "Infinity".into()),
                (5, "0e0".into())
            ]
        );
        assert_eq!(format_output(&[(7, 7u64)]), [(7, "7".to_owned())]);

        std::fs::write(&path, "1 2\n3 4").unwrap();
        assert_eq!(
            read_graphalytics_output(&path).unwrap(),
            [(1, "2".into()), (3, "4".into())]
        );
        std::fs::write(&path, "1 2\nx 4\n").unwrap();
        let message = read_graphalytics_output(&path).unwrap_err().to_string();
        assert!(
            message.ends_with(r#"out:2: expected "vertex value", found "x 4""#),
            "{message}"
        );
    }
}
