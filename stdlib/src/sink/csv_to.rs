//! `csv_to`: CSV to a file if one is named, else to stdout — the usual `--output` option.

use std::path::{Path, PathBuf};

use rill_runtime::{Placement, Result, Sink, WorkerInfo};
use serde::Serialize;

use super::encode::CsvEncoding;
use super::file::{file_or_stdout, FileOrStdout};

/// Writes every record, gathered on worker 0, as CSV: to the file at `path` like
/// [`csv_file`](super::csv_file) if there is one, else to standard output like
/// [`stdout`](super::stdout) (without a header row).
///
/// Made for a job's optional `--output` argument: `sink(csv_to(args.output.as_ref()))`.
///
/// In a job that takes checkpoints, writing to a file is exactly-once (see
/// [`FileWriter`](super::FileWriter)); standard output is at-least-once.
///
/// ```
/// use rill_runtime::{Sink, SinkWriter, WorkerInfo};
/// use rill_stdlib::sink::csv_to;
///
/// let dir = tempfile::tempdir()?;
/// let output = Some(dir.path().join("counts.csv"));
/// let mut writer = Sink::<(&str, u64)>::open(csv_to(output.as_ref()), WorkerInfo::SINGLE)?;
/// writer.write(0, &mut vec![("word", 3)])?;
/// SinkWriter::<(&str, u64)>::finish(&mut writer)?;
/// assert_eq!(std::fs::read_to_string(dir.path().join("counts.csv"))?, "word,3\n");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn csv_to<P: AsRef<Path>>(path: Option<P>) -> CsvTo {
    CsvTo {
        path: path.map(|p| p.as_ref().to_path_buf()),
    }
}

/// The sink [`csv_to`] describes.
#[derive(Debug, Clone)]
pub struct CsvTo {
    path: Option<PathBuf>,
}

impl<T: Serialize + 'static> Sink<T> for CsvTo {
    type Writer = FileOrStdout<CsvEncoding>;

    fn placement(&self) -> Placement {
        Placement::Gathered
    }

    fn open(self, _worker: WorkerInfo) -> Result<Self::Writer> {
        let encoding = CsvEncoding::new(self.path.is_some());
        file_or_stdout(self.path.as_deref(), encoding)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rill_runtime::SinkWriter;
    use serde::Serialize;

    #[derive(Serialize)]
    struct Row {
        id: u64,
    }

    #[test]
    fn file_gets_a_header_for_structs() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rows.csv");
        let sink = csv_to(Some(&path));
        assert_eq!(Sink::<Row>::placement(&sink), Placement::Gathered);
        let mut writer = Sink::<Row>::open(sink, WorkerInfo::SINGLE).unwrap();
        writer
            .write(0, &mut vec![Row { id: 1 }, Row { id: 2 }])
            .unwrap();
        SinkWriter::<Row>::finish(&mut writer).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "id\n1\n2\n");
    }

    #[test]
    fn no_path_writes_to_stdout() {
        let mut writer = Sink::<Row>::open(csv_to(None::<&Path>), WorkerInfo::SINGLE).unwrap();
        writer.write(0, &mut vec![Row { id: 7 }]).unwrap();
        SinkWriter::<Row>::finish(&mut writer).unwrap();
    }
}
