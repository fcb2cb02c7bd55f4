//! One worker's share of a line-oriented file: the lines whose first byte lies in its byte range.
//!
//! Worker `w` of `P` owns the byte range `[w * len / P, (w + 1) * len / P)` of a file of `len`
//! bytes and reads every line that *starts* in it, finishing its last line past the range's end
//! (the Hadoop split). Every line is read by exactly one worker, and each worker knows the
//! absolute number of its first line by counting the newlines before it.
//!
//! With `lines_per_epoch(k)`, line `n` (1-based, absolute) belongs to epoch `(n - 1) / k`: since
//! line numbers are absolute, the epochs do not depend on how the file is split.

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Take};
use std::path::Path;

use rill_runtime::checkpoint::Position;
use rill_runtime::{BadRecord, Batch, Epoch, ReadStatus, Result, RillError, WorkerInfo};

use crate::io_message::describe;

const CHUNK: usize = 64 * 1024;

/// Reads the lines of one worker's share of a file, with their 1-based line numbers.
pub(crate) struct LineSplit {
    origin: String,
    reader: BufReader<Take<File>>,
    next_line: u64,
    line: Vec<u8>,
    /// The number of the line in `line`.
    number: u64,
    /// Lines per epoch; `None`: every line at epoch 0.
    per_epoch: Option<u64>,
    /// `next_in` returns the line in `line` again instead of reading the next one.
    replay: bool,
    /// The byte offsets of the line in `line` and of the one after it, and the share's end.
    line_offset: u64,
    offset: u64,
    end: u64,
}

/// What [`LineSplit::next_in`] found.
pub(crate) enum Next<'a> {
    /// A line of the batch's epoch (set if the batch was empty).
    Line(Line<'a>),
    /// The next line belongs to a later epoch than the batch's records: return the batch first.
    LaterEpoch,
    /// The share has no more lines.
    End,
}

impl LineSplit {
    /// Opens the share of `path` that `worker` reads.
    pub(crate) fn open(path: &Path, worker: WorkerInfo) -> Result<Self> {
        let origin = path.display().to_string();
        let fail = |e: std::io::Error| {
            RillError::new(format!("cannot read input `{origin}`: {}", describe(&e)))
        };
        let mut file = open_input(path)?;
        let (start, end) = share(&mut file, worker).map_err(fail)?;
        let lines_before = count_newlines(&mut file, start).map_err(fail)?;
        file.seek(SeekFrom::Start(start)).map_err(fail)?;
        Ok(LineSplit::over(origin, file, start, end, lines_before))
    }

    /// The lines before the share of `path` that `worker` reads: those of the workers before it
    /// (none for worker 0), for a reader whose records depend on the lines before its own.
    pub(crate) fn before(path: &Path, worker: WorkerInfo) -> Result<Self> {
        let origin = path.display().to_string();
        let fail = |e: std::io::Error| {
            RillError::new(format!("cannot read input `{origin}`: {}", describe(&e)))
        };
        let mut file = open_input(path)?;
        let (start, _) = share(&mut file, worker).map_err(fail)?;
        file.seek(SeekFrom::Start(0)).map_err(fail)?;
        Ok(LineSplit::over(origin, file, 0, start, 0))
    }

    /// Reads the bytes `start..end` of `file` (positioned at `start`), whose first line is line
    /// `lines_before + 1`.
    fn over(origin: String, file: File, start: u64, end: u64, lines_before: u64) -> Self {
        LineSplit {
            origin,
            reader: BufReader::with_capacity(CHUNK, file.take(end - start)),
            next_line: lines_before + 1,
            line: Vec::new(),
            number: 0,
            per_epoch: None,
            replay: false,
            line_offset: start,
            offset: start,
            end,
        }
    }

    /// Where the split is, for a checkpoint: the byte offset and number of the next line it
    /// hands out.
    pub(crate) fn position(&self) -> Option<Position> {
        let position = if self.replay {
            (self.line_offset, self.number)
        } else {
            (self.offset, self.next_line)
        };
        Position::of(&position).ok()
    }

    /// Goes back to a position [`LineSplit::position`] returned.
    pub(crate) fn seek(&mut self, position: &Position) -> Result<()> {
        let (offset, number): (u64, u64) = position.decode(&self.origin)?;
        let fail = |e: std::io::Error| {
            RillError::new(format!(
                "cannot resume reading `{}` at byte {offset}: {}",
                self.origin,
                describe(&e)
            ))
        };
        let mut file = self.reader.get_ref().get_ref().try_clone().map_err(fail)?;
        file.seek(SeekFrom::Start(offset)).map_err(fail)?;
        self.reader = BufReader::with_capacity(CHUNK, file.take(self.end.saturating_sub(offset)));
        (self.offset, self.next_line, self.replay) = (offset, number, false);
        Ok(())
    }

    /// Puts `k` lines in each epoch: line `n` belongs to epoch `(n - 1) / k` (`None`: all in 0).
    pub(crate) fn lines_per_epoch(self, per_epoch: Option<u64>) -> Self {
        LineSplit { per_epoch, ..self }
    }

    /// The next line if it belongs in `batch`: a batch holds the lines of one epoch, so a line of
    /// a later epoch waits until the batch is returned ([`Next::LaterEpoch`]), and an empty batch
    /// moves to the line's epoch.
    pub(crate) fn next_in<T>(&mut self, batch: &mut Batch<T>) -> Result<Next<'_>> {
        if !std::mem::take(&mut self.replay) && !self.advance()? {
            return Ok(Next::End);
        }
        if let Some(k) = self.per_epoch {
            // The batch's epoch is a floor (an idle source's batch moves ahead).
            let epoch: Epoch = ((self.number - 1) / k).max(batch.epoch());
            if epoch != batch.epoch() {
                if !batch.is_empty() {
                    self.replay = true;
                    return Ok(Next::LaterEpoch);
                }
                batch.set_epoch(epoch);
            }
        }
        Ok(Next::Line(self.current()))
    }

    /// Makes [`LineSplit::next_in`] return the line it returned last once more, for a reader that
    /// finds only after decoding it that the line belongs to a later batch.
    pub(crate) fn unread(&mut self) {
        self.replay = true;
    }

    /// The next line; `None` at the end of the share.
    pub(crate) fn next_line(&mut self) -> Result<Option<Line<'_>>> {
        Ok(self.advance()?.then(|| self.current()))
    }

    /// Reads the next line into `line`, without its terminator; `false` at the end of the share.
    fn advance(&mut self) -> Result<bool> {
        self.line.clear();
        let read = self.reader.read_until(b'\n', &mut self.line).map_err(|e| {
            RillError::new(format!(
                "cannot read input `{}`: {}",
                self.origin,
                describe(&e)
            ))
        })?;
        if read == 0 {
            return Ok(false);
        }
        self.line_offset = self.offset;
        self.offset += read as u64;
        self.number = self.next_line;
        self.next_line += 1;
        if self.line.ends_with(b"\n") {
            self.line.pop();
            if self.line.ends_with(b"\r") {
                self.line.pop();
            }
        }
        Ok(true)
    }

    /// The line `advance` read.
    /// Fills `batch` with the records `decode` makes of this worker's lines: `None` skips a line
    /// (a header, a blank line), `Some(Err(problem))` makes it a [`BadRecord`] naming its line.
    pub(crate) fn decode_into<T>(
        &mut self,
        batch: &mut Batch<T>,
        mut decode: impl FnMut(&Line<'_>) -> Option<std::result::Result<T, String>>,
    ) -> Result<ReadStatus> {
        while !batch.is_full() {
            let line = match self.next_in(batch)? {
                Next::Line(line) => line,
                Next::LaterEpoch => return Ok(ReadStatus::More),
                Next::End => return Ok(ReadStatus::Done),
            };
            match decode(&line) {
                None => {}
                Some(Ok(record)) => batch.push(record),
                Some(Err(problem)) => batch.push_bad(BadRecord {
                    origin: line.origin.to_string(),
                    line: line.number,
                    problem,
                    text: String::from_utf8_lossy(line.text).into_owned(),
                }),
            }
        }
        Ok(ReadStatus::More)
    }

    fn current(&self) -> Line<'_> {
        Line {
            number: self.number,
            text: &self.line,
            origin: &self.origin,
        }
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

/// The byte range `worker` reads of `file`: from the first line that starts in its range to the
/// first line that starts in the next worker's.
fn share(file: &mut File, worker: WorkerInfo) -> std::io::Result<(u64, u64)> {
    let len = file.metadata()?.len();
    let (peers, index) = (worker.peers.max(1) as u128, worker.index as u128);
    let range_start = (index * len as u128 / peers) as u64;
    let range_end = ((index + 1) * len as u128 / peers) as u64;
    let start = line_start_at_or_after(file, range_start, len)?;
    let end = line_start_at_or_after(file, range_end, len)?.max(start);
    Ok((start, end))
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
