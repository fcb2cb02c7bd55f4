//! One worker's share of a line-oriented file: the lines whose first byte lies in its byte range.
//!
//! Worker `w` of `P` owns the byte range `[w * len / P, (w + 1) * len / P)` of a file of `len`
//! bytes and reads every line that *starts* in it, finishing its last line past the range's end
//! (the Hadoop split). Every line is read by exactly one worker, and each worker knows the
//! absolute number of its first line by counting the newlines before it.

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Take};
use std::path::Path;

use rill_runtime::{Result, RillError, WorkerInfo};

use crate::io_message::describe;

const CHUNK: usize = 64 * 1024;

/// Reads the lines of one worker's share of a file, with their 1-based line numbers.
pub(crate) struct LineSplit {
    origin: String,
    reader: BufReader<Take<File>>,
    next_line: u64,
    line: Vec<u8>,
}

impl LineSplit {
    /// Opens the share of `path` that `worker` reads.
    pub(crate) fn open(path: &Path, worker: WorkerInfo) -> Result<Self> {
        let origin = path.display().to_string();
        let fail = |e: std::io::Error| {
            RillError::new(format!("cannot read input `{origin}`: {}", describe(&e)))
        };
        let mut file = open_input(path)?;
        let len = file.metadata().map_err(fail)?.len();
        let (peers, index) = (worker.peers.max(1) as u128, worker.index as u128);
        let range_start = (index * len as u128 / peers) as u64;
        let range_end = ((index + 1) * len as u128 / peers) as u64;
        let start = line_start_at_or_after(&mut file, range_start, len).map_err(fail)?;
        let end = line_start_at_or_after(&mut file, range_end, len)
            .map_err(fail)?
            .max(start);
        let lines_before = count_newlines(&mut file, start).map_err(fail)?;
        file.seek(SeekFrom::Start(start)).map_err(fail)?;
        Ok(LineSplit {
            origin,
            reader: BufReader::with_capacity(CHUNK, file.take(end - start)),
            next_line: lines_before + 1,
            line: Vec::new(),
        })
    }

    /// The next line; `None` at the end of the share.
    pub(crate) fn next_line(&mut self) -> Result<Option<Line<'_>>> {
        self.line.clear();
        let read = self.reader.read_until(b'\n', &mut self.line).map_err(|e| {
            RillError::new(format!(
                "cannot read input `{}`: {}",
                self.origin,
                describe(&e)
            ))
        })?;
        if read == 0 {
            return Ok(None);
        }
        let number = self.next_line;
        self.next_line += 1;
        let mut text = &self.line[..];
        if let Some(rest) = text.strip_suffix(b"\n") {
            text = rest.strip_suffix(b"\r").unwrap_or(rest);
        }
        Ok(Some(Line {
            number,
            text,
            origin: &self.origin,
        }))
    }
}

/// A line of a [`LineSplit`].
pub(crate) struct Line<'a> {
    /// Its 1-based number in the file.
    pub(crate) number: u64,
    /// Its bytes, without the `\n` or `\r\n`.
    pub(crate) text: &'a [u8],
    /// The file's name, as given, for messages and bad records.
    pub(crate) origin: &'a str,
}

/// Opens a file to read, with the message users see when it is missing or unreadable.
pub(crate) fn open_input(path: &Path) -> Result<File> {
    File::open(path).map_err(|e| {
        RillError::new(format!(
            "cannot open input `{}`: {}",
            path.display(),
            describe(&e)
        ))
    })
}

/// The first line of `path` without its terminator, or `None` if the file is empty.
pub(crate) fn first_line(path: &Path) -> Result<Option<Vec<u8>>> {
    let mut reader = BufReader::new(open_input(path)?);
    let mut line = Vec::new();
    reader.read_until(b'\n', &mut line).map_err(|e| {
        RillError::new(format!(
            "cannot read input `{}`: {}",
            path.display(),
            describe(&e)
        ))
    })?;
    if line.is_empty() {
        return Ok(None);
    }
    if line.ends_with(b"\n") {
        line.pop();
        if line.ends_with(b"\r") {
            line.pop();
        }
    }
    Ok(Some(line))
}

/// The offset of the first line that starts at or after `offset` (`len` if none does).
fn line_start_at_or_after(file: &mut File, offset: u64, len: u64) -> std::io::Result<u64> {
    if offset == 0 || offset >= len {
        return Ok(offset.min(len));
    }
    // A line starts at `offset` exactly when the byte before it is a newline.
    file.seek(SeekFrom::Start(offset - 1))?;
    let mut position = offset - 1;
    let mut chunk = vec![0; CHUNK];
    loop {
        let read = file.read(&mut chunk)?;
        if read == 0 {
            return Ok(len);
        }
        if let Some(at) = memchr::memchr(b'\n', &chunk[..read]) {
            return Ok(position + at as u64 + 1);
        }
        position += read as u64;
    }
}

/// The number of newlines in the first `end` bytes of `file`.
fn count_newlines(file: &mut File, end: u64) -> std::io::Result<u64> {
    file.seek(SeekFrom::Start(0))?;
    let mut remaining = end;
    let mut count = 0;
    let mut chunk = vec![0; CHUNK];
    while remaining > 0 {
        let want = remaining.min(CHUNK as u64) as usize;
        let read = file.read(&mut chunk[..want])?;
        if read == 0 {
            break;
        }
        count += memchr::memchr_iter(b'\n', &chunk[..read]).count() as u64;
        remaining -= read as u64;
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::worker;

    fn lines_of(path: &Path, w: usize, peers: usize) -> Vec<(u64, Vec<u8>)> {
        let mut split = LineSplit::open(path, worker(w, peers)).unwrap();
        let mut out = Vec::new();
        while let Some(line) = split.next_line().unwrap() {
            out.push((line.number, line.text.to_vec()));
        }
        out
    }

    /// The lines of `content` with their numbers, computed the obvious way.
    fn expected(content: &[u8]) -> Vec<(u64, Vec<u8>)> {
        if content.is_empty() {
            return Vec::new();
        }
        let body = content.strip_suffix(b"\n").unwrap_or(content);
        body.split(|&b| b == b'\n')
            .enumerate()
            .map(|(i, l)| (i as u64 + 1, l.strip_suffix(b"\r").unwrap_or(l).to_vec()))
            .collect()
    }

    fn check(content: &[u8]) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("input.txt");
        std::fs::write(&path, content).unwrap();
        for peers in 1..=7 {
            let mut union = Vec::new();
            for w in 0..peers {
                union.extend(lines_of(&path, w, peers));
            }
            assert_eq!(
                union,
                expected(content),
                "{peers} workers, content {content:?}"
            );
        }
    }

    #[test]
    fn every_line_read_once_whatever_the_worker_count() {
        check(b"alpha\nbeta\ngamma\ndelta\nepsilon\nzeta\neta\ntheta\n");
        check(b"no\ntrailing\nnewline");
        check(b"crlf\r\nlines\r\nhere\r\n");
        check(b"\n\nempty\n\nlines\n\n");
        check(b"");
        check(b"\n");
        check(b"x");
        check(&[b'a'; 10_000]);
        check(
            b"short\nlines\nthen one very long line that spans every byte range of the file\nend",
        );
    }

    #[test]
    fn long_file_with_many_lines() {
        let content: String = (0..5000).map(|i| format!("line number {i}\n")).collect();
        check(content.as_bytes());
    }

    #[test]
    fn missing_file_names_the_path() {
        let error = LineSplit::open(Path::new("/no/such/file.txt"), worker(0, 1))
            .err()
            .unwrap();
        assert_eq!(
            error.message(),
            "cannot open input `/no/such/file.txt`: No such file or directory"
        );
    }

    #[test]
    fn first_line_strips_terminator() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("h.csv");
        std::fs::write(&path, "a,b\r\n1,2\n").unwrap();
        assert_eq!(first_line(&path).unwrap(), Some(b"a,b".to_vec()));
        std::fs::write(&path, "").unwrap();
        assert_eq!(first_line(&path).unwrap(), None);
    }
}
