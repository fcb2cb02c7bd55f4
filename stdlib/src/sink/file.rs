//! Sinks that write one file: [`text_file`], [`csv_file`], [`json_lines_file`].

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Seek, SeekFrom, Stdout, Write};
use std::path::{Path, PathBuf};

use rill_runtime::checkpoint::write_atomically;
use rill_runtime::{Epoch, Placement, Result, RillError, Sink, SinkWriter, WorkerInfo};

use super::encode::{CsvEncoding, Encode, JsonEncoding, TextEncoding};
use super::writer::EncodedWriter;
use crate::io_message::describe;

/// Writes every record, gathered on worker 0, to the file at `path`, one `Display` form a line.
///
/// The file is created, or truncated if it exists; output is buffered and flushed at the end of
/// every epoch.
///
/// ```
/// use rill_runtime::{Sink, SinkWriter, WorkerInfo};
/// use rill_stdlib::sink::text_file;
///
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("out.txt");
/// let mut writer = Sink::<&str>::open(text_file(&path), WorkerInfo::SINGLE)?;
/// writer.write(0, &mut vec!["hello", "world"])?;
/// SinkWriter::<&str>::finish(&mut writer)?;
/// assert_eq!(std::fs::read_to_string(&path)?, "hello\nworld\n");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn text_file(path: impl AsRef<Path>) -> FileSink<TextEncoding> {
    FileSink::new(path, TextEncoding)
}

/// Writes every record, gathered on worker 0, to the CSV file at `path` with serde: a header
/// row of field names first for structs, none for tuples and primitives.
///
/// ```
/// use rill_runtime::{Sink, SinkWriter, WorkerInfo};
/// use rill_stdlib::sink::csv_file;
///
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("counts.csv");
/// let mut writer = Sink::<(String, u64)>::open(csv_file(&path), WorkerInfo::SINGLE)?;
/// writer.write(0, &mut vec![("word".to_string(), 3u64)])?;
/// SinkWriter::<(String, u64)>::finish(&mut writer)?;
/// assert_eq!(std::fs::read_to_string(&path)?, "word,3\n");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn csv_file(path: impl AsRef<Path>) -> FileSink<CsvEncoding> {
    FileSink::new(path, CsvEncoding::new(true))
}

/// Writes every record, gathered on worker 0, to the file at `path` as one JSON value a line.
pub fn json_lines_file(path: impl AsRef<Path>) -> FileSink<JsonEncoding> {
    FileSink::new(path, JsonEncoding)
}

/// A sink that writes all records, gathered on worker 0, to one file in the format `E`.
#[derive(Debug, Clone)]
pub struct FileSink<E> {
    path: PathBuf,
    encoding: E,
}

impl<E> FileSink<E> {
    /// Writes to the file at `path`, encoding records with `encoding`.
    pub fn new(path: impl AsRef<Path>, encoding: E) -> Self {
        FileSink {
            path: path.as_ref().to_path_buf(),
            encoding,
        }
    }
}

impl<T, E: Encode<T>> Sink<T> for FileSink<E> {
    type Writer = FileWriter<E>;

    fn placement(&self) -> Placement {
        Placement::Gathered
    }

    fn open(self, _worker: WorkerInfo) -> Result<Self::Writer> {
        FileWriter::open(&self.path, self.encoding)
    }
}

/// Writes to the file at `path` if there is one, else to stdout (at-least-once in a job that
/// takes checkpoints: stdout cannot take back what it printed).
pub(crate) fn file_or_stdout<E>(path: Option<&Path>, encoding: E) -> Result<FileOrStdout<E>> {
    Ok(match path {
        Some(path) => FileOrStdout::File(FileWriter::open(path, encoding)?),
        None => FileOrStdout::Stdout(EncodedWriter::new(
            std::io::stdout(),
            encoding,
            "to stdout".to_string(),
        )),
    })
}

/// The writer of a sink that writes to a file or to stdout.
pub enum FileOrStdout<E> {
    /// To a file, exactly-once.
    File(FileWriter<E>),
    /// To stdout.
    Stdout(EncodedWriter<Stdout, E>),
}

impl<T, E: Encode<T>> SinkWriter<T> for FileOrStdout<E> {
    fn write(&mut self, epoch: Epoch, records: &mut Vec<T>) -> Result<()> {
        match self {
            FileOrStdout::File(file) => file.write(epoch, records),
            FileOrStdout::Stdout(stdout) => stdout.write(epoch, records),
        }
    }

    fn stage(&mut self, epoch: Epoch, records: &mut Vec<T>, staged: &mut Vec<u8>) -> Result<bool> {
        match self {
            FileOrStdout::File(file) => file.stage(epoch, records, staged),
            FileOrStdout::Stdout(stdout) => stdout.stage(epoch, records, staged),
        }
    }

    fn write_staged(&mut self, epoch: Epoch, staged: &[u8]) -> Result<()> {
        match self {
            FileOrStdout::File(file) => SinkWriter::<T>::write_staged(file, epoch, staged),
            FileOrStdout::Stdout(stdout) => SinkWriter::<T>::write_staged(stdout, epoch, staged),
        }
    }

    fn epoch_done(&mut self, epoch: Epoch) -> Result<()> {
        match self {
            FileOrStdout::File(file) => SinkWriter::<T>::epoch_done(file, epoch),
            FileOrStdout::Stdout(stdout) => SinkWriter::<T>::epoch_done(stdout, epoch),
        }
    }

    fn finish(&mut self) -> Result<()> {
        match self {
            FileOrStdout::File(file) => SinkWriter::<T>::finish(file),
            FileOrStdout::Stdout(stdout) => SinkWriter::<T>::finish(stdout),
        }
    }

    fn commit(&mut self, id: Epoch) -> Result<()> {
        match self {
            FileOrStdout::File(file) => SinkWriter::<T>::commit(file, id),
            FileOrStdout::Stdout(_) => Ok(()),
        }
    }

    fn recover(&mut self, restored: Epoch) -> Result<Option<Epoch>> {
        match self {
            FileOrStdout::File(file) => SinkWriter::<T>::recover(file, restored),
            FileOrStdout::Stdout(_) => Ok(None),
        }
    }
}

/// The writer of a [`FileSink`]. In a job that takes checkpoints it is exactly-once: each commit
/// makes the file durable and appends `checkpoint-id length` to `PATH.commits`; a restored run
/// cuts the file back to the length of the last commit the checkpoint covers.
pub struct FileWriter<E> {
    path: PathBuf,
    commits: PathBuf,
    /// Whether the file still has to be emptied: a run that restores nothing starts afresh.
    fresh: bool,
    out: EncodedWriter<BufWriter<File>, E>,
}

impl<T, E: Encode<T>> SinkWriter<T> for FileWriter<E> {
    fn write(&mut self, epoch: Epoch, records: &mut Vec<T>) -> Result<()> {
        self.start()?;
        self.out.write(epoch, records)
    }

    fn stage(&mut self, epoch: Epoch, records: &mut Vec<T>, staged: &mut Vec<u8>) -> Result<bool> {
        self.out.stage(epoch, records, staged)
    }

    fn write_staged(&mut self, epoch: Epoch, staged: &[u8]) -> Result<()> {
        self.start()?;
        SinkWriter::<T>::write_staged(&mut self.out, epoch, staged)
    }

    fn epoch_done(&mut self, epoch: Epoch) -> Result<()> {
        self.start()?;
        SinkWriter::<T>::epoch_done(&mut self.out, epoch)
    }

    fn finish(&mut self) -> Result<()> {
        self.start()?;
        SinkWriter::<T>::finish(&mut self.out)
    }

    fn commit(&mut self, id: Epoch) -> Result<()> {
        self.start()?;
        self.out.flush()?;
        let file = self.out.destination_mut().get_mut();
        let length = file
            .sync_data()
            .and_then(|()| file.stream_position())
            .map_err(|e| self.out.io_error(e))?;
        let line = format!("{id} {length}\n");
        let appended = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.commits)
            .and_then(|mut commits| {
                commits.write_all(line.as_bytes())?;
                commits.sync_data()
            });
        appended.map_err(|e| self.commits_error(e))
    }

    fn recover(&mut self, restored: Epoch) -> Result<Option<Epoch>> {
        let text = match std::fs::read_to_string(&self.commits) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(self.commits_error(e)),
        };
        // A last line without its newline is an append that a killed process left torn: that
        // commit did not happen (the restored checkpoint still holds its output).
        let whole = text.rfind('\n').map_or(0, |end| end + 1);
        let mut kept = String::new();
        let mut last = None;
        for (number, line) in text[..whole].lines().enumerate() {
            let parsed = line.split_once(' ').and_then(|(id, length)| {
                Some((id.parse::<Epoch>().ok()?, length.parse::<u64>().ok()?))
            });
            let Some((id, length)) = parsed else {
                return Err(RillError::new(format!(
                    "{}:{}: expected `checkpoint-id length`, found `{line}`",
                    self.commits.display(),
                    number + 1
                )));
            };
            if id <= restored {
                last = Some((id, length));
                kept.push_str(line);
                kept.push('\n');
            }
        }
        // Atomically: a run killed while it rewrites the commits must not lose them all.
        let name = self
            .commits
            .file_name()
            .expect("a file path")
            .to_string_lossy();
        let dir = self.commits.parent().unwrap_or(Path::new("."));
        write_atomically(dir, &name, kept.as_bytes())?;
        let length = last.map_or(0, |(_, length)| length);
        self.cut_to(length)?;
        if length > 0 {
            self.out.encoding_mut().continuing();
        }
        self.fresh = false;
        Ok(last.map(|(id, _)| id))
    }
}

impl<E> FileWriter<E> {
    /// Opens the file at `path`, creating it; it is emptied before the first output unless a
    /// restored run recovers what earlier runs committed to it.
    fn open(path: &Path, encoding: E) -> Result<Self> {
        let file = open_output(path)?;
        let destination = format!("output `{}`", path.display());
        Ok(FileWriter {
            commits: commits_path(path),
            fresh: true,
            path: path.to_path_buf(),
            out: EncodedWriter::new(BufWriter::new(file), encoding, destination),
        })
    }

    /// Before the first output of a run that restored nothing: empties the file and forgets the
    /// commits of earlier runs.
    fn start(&mut self) -> Result<()> {
        if !std::mem::take(&mut self.fresh) {
            return Ok(());
        }
        match std::fs::remove_file(&self.commits) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(self.commits_error(e)),
            _ => {}
        }
        self.cut_to(0)
    }

    /// Cuts the file to `length` bytes and goes on writing there. A destination that is not a
    /// regular file (`/dev/null`, a pipe) cannot be cut and is left as it is.
    fn cut_to(&mut self, length: u64) -> Result<()> {
        let file = self.out.destination_mut().get_mut();
        let cut = file.metadata().and_then(|m| {
            if m.is_file() {
                file.set_len(length)?;
                file.seek(SeekFrom::Start(length))?;
            }
            Ok(())
        });
        cut.map_err(|e| self.out.io_error(e))
    }

    fn commits_error(&self, error: std::io::Error) -> RillError {
        RillError::new(format!(
            "cannot record a commit of output `{}` in `{}`: {}",
            self.path.display(),
            self.commits.display(),
            describe(&error)
        ))
    }
}

/// Where a file sink records its commits: `PATH.commits`.
fn commits_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".commits");
    PathBuf::from(name)
}

/// Opens the file at `path` to write, creating it if missing (not truncating it), with messages
/// that name it.
fn open_output(path: &Path) -> Result<File> {
    let cannot =
        |why: String| RillError::new(format!("cannot create output `{}`: {why}", path.display()));
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        if !parent.is_dir() {
            return Err(cannot(format!(
                "directory `{}` does not exist",
                parent.display()
            )));
        }
    }
    OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .map_err(|e| cannot(describe(&e)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Serialize;

    #[derive(Serialize)]
    struct Count {
        word: &'static str,
        count: u64,
    }

    fn write_epochs<T, E: Encode<T>>(sink: FileSink<E>, epochs: Vec<Vec<T>>) {
        assert_eq!(Sink::<T>::placement(&sink), Placement::Gathered);
        let mut writer = sink.open(WorkerInfo::SINGLE).unwrap();
        for (epoch, mut records) in epochs.into_iter().enumerate() {
            writer.write(epoch as u64, &mut records).unwrap();
            assert!(records.is_empty());
            SinkWriter::<T>::epoch_done(&mut writer, epoch as u64).unwrap();
        }
        SinkWriter::<T>::finish(&mut writer).unwrap();
    }

    #[test]
    fn csv_file_has_one_header_and_a_row_per_record() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("counts.csv");
        let epochs = vec![
            vec![Count {
                word: "a",
                count: 2,
            }],
            vec![
                Count {
                    word: "b",
                    count: 1,
                },
                Count {
                    word: "c,d",
                    count: 5,
                },
            ],
        ];
        write_epochs(csv_file(&path), epochs);
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "word,count\na,2\nb,1\n\"c,d\",5\n"
        );
    }

    #[test]
    fn json_and_text_files() {
        let dir = tempfile::tempdir().unwrap();
        let json = dir.path().join("out.jsonl");
        write_epochs(
            json_lines_file(&json),
            vec![
                vec![Count {
                    word: "a",
                    count: 2,
                }],
                vec![],
            ],
        );
        assert_eq!(
            std::fs::read_to_string(&json).unwrap(),
            "{\"word\":\"a\",\"count\":2}\n"
        );
        let text = dir.path().join("out.txt");
        write_epochs(text_file(&text), vec![vec![1, 2], vec![3]]);
        assert_eq!(std::fs::read_to_string(&text).unwrap(), "1\n2\n3\n");
    }

    #[test]
    fn existing_files_are_truncated_and_flushed_per_epoch() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        std::fs::write(&path, "old contents that are much longer\n").unwrap();
        let mut writer = Sink::<&str>::open(text_file(&path), WorkerInfo::SINGLE).unwrap();
        writer.write(0, &mut vec!["new"]).unwrap();
        SinkWriter::<&str>::epoch_done(&mut writer, 0).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new\n");
    }

    #[test]
    fn commits_survive_a_restore_and_later_output_is_cut() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        let open = || Sink::<u64>::open(text_file(&path), WorkerInfo::SINGLE).unwrap();
        let mut writer = open();
        writer.write(0, &mut vec![1, 2]).unwrap();
        SinkWriter::<u64>::commit(&mut writer, 5).unwrap();
        writer.write(6, &mut vec![3]).unwrap();
        SinkWriter::<u64>::commit(&mut writer, 9).unwrap();
        writer.write(10, &mut vec![4]).unwrap();
        SinkWriter::<u64>::epoch_done(&mut writer, 10).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "1\n2\n3\n4\n");
        // Restoring checkpoint 7: the last commit it covers is 5; what followed is cut.
        let mut restored = open();
        assert_eq!(
            SinkWriter::<u64>::recover(&mut restored, 7).unwrap(),
            Some(5)
        );
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "1\n2\n");
        restored.write(6, &mut vec![3]).unwrap();
        SinkWriter::<u64>::commit(&mut restored, 9).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "1\n2\n3\n");
        assert_eq!(
            std::fs::read_to_string(commits_path(&path)).unwrap(),
            "5 4\n9 6\n"
        );
        // A run that restores nothing starts afresh.
        let mut fresh = open();
        fresh.write(0, &mut vec![7]).unwrap();
        SinkWriter::<u64>::finish(&mut fresh).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "7\n");
        assert!(!commits_path(&path).exists());
    }

    #[test]
    fn a_torn_last_commit_did_not_happen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        let open = || Sink::<u64>::open(text_file(&path), WorkerInfo::SINGLE).unwrap();
        let mut writer = open();
        writer.write(0, &mut vec![1, 2]).unwrap();
        SinkWriter::<u64>::commit(&mut writer, 5).unwrap();
        writer.write(6, &mut vec![3]).unwrap();
        SinkWriter::<u64>::epoch_done(&mut writer, 6).unwrap();
        // A process killed while appending the commit of checkpoint 9 left half its line.
        let mut commits = OpenOptions::new()
            .append(true)
            .open(commits_path(&path))
            .unwrap();
        commits.write_all(b"9 ").unwrap();
        let mut restored = open();
        assert_eq!(
            SinkWriter::<u64>::recover(&mut restored, 9).unwrap(),
            Some(5)
        );
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "1\n2\n");
        assert_eq!(
            std::fs::read_to_string(commits_path(&path)).unwrap(),
            "5 4\n"
        );
    }

    #[test]
    fn errors_name_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("missing").join("out.txt");
        let error = Sink::<u64>::open(text_file(&path), WorkerInfo::SINGLE)
            .err()
            .unwrap();
        assert_eq!(
            error.message(),
            format!(
                "cannot create output `{}`: directory `{}` does not exist",
                path.display(),
                dir.path().join("missing").display()
            )
        );
        let error = Sink::<u64>::open(text_file(dir.path()), WorkerInfo::SINGLE)
            .err()
            .unwrap();
        assert!(error.message().starts_with(&format!(
            "cannot create output `{}`: ",
            dir.path().display()
        )));
        let nested = dir.path().join("nested.csv");
        type Map = std::collections::BTreeMap<&'static str, u8>;
        let mut writer = Sink::<Map>::open(csv_file(&nested), WorkerInfo::SINGLE).unwrap();
        let error = writer
            .write(0, &mut vec![Map::from([("k", 1)])])
            .err()
            .unwrap();
        assert!(error.message().starts_with(&format!(
            "cannot encode a record for output `{}`: ",
            nested.display()
        )));
    }
}
