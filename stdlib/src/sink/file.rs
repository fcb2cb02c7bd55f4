//! Sinks that write one file: [`text_file`], [`csv_file`], [`json_lines_file`].

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use rill_runtime::{Placement, Result, RillError, Sink, WorkerInfo};

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
    type Writer = EncodedWriter<BufWriter<File>, E>;

    fn placement(&self) -> Placement {
        Placement::Gathered
    }

    fn open(self, _worker: WorkerInfo) -> Result<Self::Writer> {
        let file = create_output(&self.path)?;
        let destination = format!("output `{}`", self.path.display());
        Ok(EncodedWriter::new(
            BufWriter::new(file),
            self.encoding,
            destination,
        ))
    }
}

/// Creates (or truncates) the file at `path`, with messages that name it.
pub(crate) fn create_output(path: &Path) -> Result<File> {
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
    File::create(path).map_err(|e| cannot(describe(&e)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rill_runtime::SinkWriter;
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
