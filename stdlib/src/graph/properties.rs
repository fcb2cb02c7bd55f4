//! [`Properties`]: a Graphalytics `.properties` file, which names a graph's files and the
//! parameters of each algorithm on it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use rill_runtime::{Result, RillError};

use super::lines::{for_each_line, located};
use super::{load_graphalytics, Graph};

/// What a Graphalytics `.properties` file says about its graph (`graph.<name>.<key> = value`
/// lines; `#` lines are comments). Parameters the file does not give are `None`.
#[derive(Debug, Clone, PartialEq)]
pub struct Properties {
    /// The graph's name, e.g. `example-directed`.
    pub name: String,
    /// The vertex file (`vertex-file`), resolved as described at [`Properties::load`].
    pub vertex_file: PathBuf,
    /// The edge file (`edge-file`), resolved like the vertex file.
    pub edge_file: PathBuf,
    /// Whether the graph is directed (`directed`).
    pub directed: bool,
    /// BFS's source vertex (`bfs.source-vertex`).
    pub bfs_source: Option<u64>,
    /// SSSP's source vertex (`sssp.source-vertex`).
    pub sssp_source: Option<u64>,
    /// CDLP's number of rounds (`cdlp.max-iterations`).
    pub cdlp_iterations: Option<u32>,
    /// PageRank's damping factor (`pr.damping-factor`).
    pub pr_damping: Option<f64>,
    /// PageRank's number of iterations (`pr.num-iterations`).
    pub pr_iterations: Option<u32>,
}

impl Properties {
    /// Reads the properties file at `path`. It must describe exactly one graph and give its
    /// vertex file, edge file and `directed`.
    ///
    /// The vertex and edge files are looked up relative to the properties file's directory and,
    /// if not there, in the sibling directory `../example/` (where the Graphalytics oracle layout
    /// keeps them). Errors name the file and, where there is one, the line.
    pub fn load(path: &Path) -> Result<Properties> {
        let mut entries = HashMap::new();
        for_each_line(path, |line, text| {
            let text = text.trim();
            if text.is_empty() || text.starts_with('#') {
                return Ok(());
            }
            let (key, value) = text
                .split_once('=')
                .ok_or_else(|| format!("expected \"key = value\", found {text:?}"))?;
            entries.insert(key.trim().to_owned(), (value.trim().to_owned(), line));
            Ok(())
        })?;
        let mut names: Vec<&str> = entries
            .keys()
            .filter_map(|key| key.strip_prefix("graph.")?.strip_suffix(".vertex-file"))
            .collect();
        names.sort_unstable();
        let &[name] = names.as_slice() else {
            return Err(RillError::new(format!(
                "{}: expected one graph.<name>.vertex-file key, found {}",
                path.display(),
                names.len()
            )));
        };
        let file = PropertiesFile {
            path,
            name,
            entries: &entries,
        };
        Ok(Properties {
            name: name.to_owned(),
            vertex_file: file.resolve("vertex-file")?,
            edge_file: file.resolve("edge-file")?,
            directed: file.required("directed", "true or false")?,
            bfs_source: file.parse("bfs.source-vertex", "a vertex id")?,
            sssp_source: file.parse("sssp.source-vertex", "a vertex id")?,
            cdlp_iterations: file.parse("cdlp.max-iterations", "a number of iterations")?,
            pr_damping: file.parse("pr.damping-factor", "a number")?,
            pr_iterations: file.parse("pr.num-iterations", "a number of iterations")?,
        })
    }

    /// Loads the graph the file describes (see [`load_graphalytics`]).
    pub fn load_graph(&self) -> Result<Graph> {
        load_graphalytics(&self.vertex_file, &self.edge_file, self.directed)
    }
}

/// The parsed lines of one properties file, for looking up one graph's keys.
struct PropertiesFile<'a> {
    path: &'a Path,
    name: &'a str,
    /// Key -> (value, line).
    entries: &'a HashMap<String, (String, usize)>,
}

impl PropertiesFile<'_> {
    /// The value and line of `graph.<name>.<key>`, if present.
    fn get(&self, key: &str) -> Option<(&str, usize)> {
        let (value, line) = self.entries.get(&format!("graph.{}.{key}", self.name))?;
        Some((value, *line))
    }

    /// The value of `graph.<name>.<key>` parsed as `T`, if present; `what` describes a valid one.
    fn parse<T: FromStr>(&self, key: &str, what: &str) -> Result<Option<T>> {
        let Some((value, line)) = self.get(key) else {
            return Ok(None);
        };
        let parsed = value.parse().map_err(|_| {
            located(
                self.path,
                line,
                format!(
                    "graph.{}.{key}: expected {what}, found {value:?}",
                    self.name
                ),
            )
        })?;
        Ok(Some(parsed))
    }

    /// Like [`PropertiesFile::parse`], failing if the key is missing.
    fn required<T: FromStr>(&self, key: &str, what: &str) -> Result<T> {
        self.parse(key, what)?.ok_or_else(|| self.missing(key))
    }

    fn missing(&self, key: &str) -> RillError {
        RillError::new(format!(
            "{}: graph.{}.{key} is missing",
            self.path.display(),
            self.name
        ))
    }

    /// The file `graph.<name>.<key>` names, next to the properties file or in `../example/`.
    fn resolve(&self, key: &str) -> Result<PathBuf> {
        let (value, line) = self.get(key).ok_or_else(|| self.missing(key))?;
        let directory = self.path.parent().unwrap_or(Path::new(""));
        let fallback = directory.join("..").join("example");
        [directory, fallback.as_path()]
            .iter()
            .map(|candidate_directory| candidate_directory.join(value))
            .find(|candidate| candidate.is_file())
            .ok_or_else(|| {
                located(
                    self.path,
                    line,
                    format!(
                        "{value:?} is neither in {:?} nor in {:?}",
                        directory.display().to_string(),
                        fallback.display().to_string()
                    ),
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loads_files_next_to_it_and_optional_parameters() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("g.v"), "1\n2\n").unwrap();
        std::fs::write(dir.path().join("g.e"), "1 2\n").unwrap();
        let path = dir.path().join("g.properties");
        std::fs::write(
            &path,
            "# comment\ngraph.g.vertex-file = g.v\ngraph.g.edge-file=g.e\n\
             graph.g.directed = false\ngraph.g.pr.damping-factor = 0.9\n",
        )
        .unwrap();
        let properties = Properties::load(&path).unwrap();
        assert_eq!(properties.name, "g");
        assert_eq!(properties.vertex_file, dir.path().join("g.v"));
        assert!(!properties.directed);
        assert_eq!(properties.pr_damping, Some(0.9));
        assert_eq!(properties.bfs_source, None);
        assert_eq!(properties.load_graph().unwrap().edges(), [(1, 2, 1.0)]);
    }

    #[test]
    fn errors_name_file_line_and_key() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("g.v"), "1\n").unwrap();
        let path = dir.path().join("g.properties");
        let error = |text: &str| {
            std::fs::write(&path, text).unwrap();
            let message = Properties::load(&path).unwrap_err().to_string();
            message.replace(&dir.path().display().to_string(), "DIR")
        };
        let files = "graph.g.vertex-file = g.v\ngraph.g.edge-file = g.v\n";
        assert_eq!(
            error(&format!("{files}graph.g.directed = maybe\n")),
            r#"DIR/g.properties:3: graph.g.directed: expected true or false, found "maybe""#
        );
        assert_eq!(
            error(files),
            "DIR/g.properties: graph.g.directed is missing"
        );
        assert_eq!(
            error("graph.g.vertex-file = nowhere.v\n"),
            r#"DIR/g.properties:1: "nowhere.v" is neither in "DIR" nor in "DIR/../example""#
        );
        assert_eq!(
            error("graph.g.vertex-file\n"),
            r#"DIR/g.properties:1: expected "key = value", found "graph.g.vertex-file""#
        );
        assert_eq!(
            error("# nothing\n"),
            "DIR/g.properties: expected one graph.<name>.vertex-file key, found 0"
        );
    }
}
