//! Reading a text file line by line, with errors that name the file and line.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

use rill_runtime::{Result, RillError};

/// Calls `each(line_number, line)` for every line of the file at `path`, numbering from 1 and
/// without the line ending. A problem `each` returns, or a read error, fails with
/// `path:line: problem`.
pub(super) fn for_each_line(
    path: &Path,
    mut each: impl FnMut(usize, &str) -> Result<(), String>,
) -> Result<()> {
    let file = File::open(path)
        .map_err(|error| RillError::new(format!("cannot open {}: {error}", path.display())))?;
    let mut reader = BufReader::with_capacity(1 << 16, file);
    let mut line = String::new();
    for number in 1.. {
        line.clear();
        let read = reader
            .read_line(&mut line)
            .map_err(|error| located(path, number, error))?;
        if read == 0 {
            break;
        }
        let text = line.strip_suffix('\n').unwrap_or(&line);
        let text = text.strip_suffix('\r').unwrap_or(text);
        each(number, text).map_err(|problem| located(path, number, problem))?;
    }
    Ok(())
}

/// The error `path:line: problem`.
pub(super) fn located(path: &Path, line: usize, problem: impl std::fmt::Display) -> RillError {
    RillError::new(format!("{}:{line}: {problem}", path.display()))
}
