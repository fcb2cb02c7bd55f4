//! Incremental input and output against from-scratch sequential connected components: the
//! `incremental_wcc` example reading a changes file (1 worker, 4 workers, 2 processes x 2
//! workers), and a job fed through an `InputHandle` while it runs (`Job::spawn`,
//! `Collector::wait_for_epoch`) with random graphs and random batches of insertions and
//! deletions.

mod support;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write;

use proptest::prelude::*;
use proptest::sample::Index;
use rill::prelude::{collect, dataflow, Change, Collector, InputHandle, Job, RunOptions};
use rill::runtime::job::BuildDataflow;
use rill::stdlib::source::Rng;
use support::{layout_args, run, run_ok, Layout, LAYOUTS};

/// An edge `(src, dst)`, undirected.
type Edge = (u64, u64);

/// Every vertex of some edge with the smallest vertex id of its component: union-find, each
/// root the smallest id of its tree.
fn components(edges: impl IntoIterator<Item = Edge>) -> BTreeMap<u64, u64> {
    fn root(parent: &mut BTreeMap<u64, u64>, vertex: u64) -> u64 {
        let up = *parent.entry(vertex).or_insert(vertex);
        if up == vertex {
            return vertex;
        }
        let top = root(parent, up);
        parent.insert(vertex, top);
        top
    }
    let mut parent = BTreeMap::new();
    for (from, to) in edges {
        let (a, b) = (root(&mut parent, from), root(&mut parent, to));
        parent.insert(a.max(b), a.min(b));
    }
    let vertices: Vec<u64> = parent.keys().copied().collect();
    vertices
        .into_iter()
        .map(|vertex| (vertex, root(&mut parent, vertex)))
        .collect()
}

/// The edges whose multiplicity is positive.
fn present(multiset: &HashMap<Edge, isize>) -> impl Iterator<Item = Edge> + '_ {
    multiset
        .iter()
        .filter(|(_, &count)| count > 0)
        .map(|(&edge, _)| edge)
}

/// Applies one epoch's changes of `(vertex, component)` labels to `labels`, checking that every
/// change is a single copy, that a retraction removes the vertex's current label, that an
/// insertion labels a vertex that has none, and that every vertex mentioned changed.
fn replay(labels: &mut BTreeMap<u64, u64>, changes: &[(bool, u64, u64)], context: &str) {
    let before = labels.clone();
    for &(_, vertex, component) in changes.iter().filter(|(insert, ..)| !insert) {
        assert_eq!(
            labels.remove(&vertex),
            Some(component),
            "{context}: `- {vertex} {component}` retracts a label the vertex does not have"
        );
    }
    for &(_, vertex, component) in changes.iter().filter(|(insert, ..)| *insert) {
        assert_eq!(
            labels.insert(vertex, component),
            None,
            "{context}: `+ {vertex} {component}` gives a vertex a second label"
        );
    }
    for &(_, vertex, _) in changes {
        assert_ne!(
            before.get(&vertex),
            labels.get(&vertex),
            "{context}: vertex {vertex} appears although its component did not change"
        );
    }
}

/// A changes file of edges: a random graph on 80 vertex ids at epoch 0, then 14 epochs (none
/// at epoch 6) of random insertions (`+`, some `+2`, some reversed) and deletions (`-`, `-2`),
/// an epoch that deletes every edge and one that starts over; with comments and blank lines.
/// Returns the file and the edge multiset after each epoch.
fn changes_file_and_graphs() -> (String, Vec<HashMap<Edge, isize>>) {
    let mut rng = Rng::new(17);
    let mut text = String::from("# epoch +|- src dst\n\n");
    let mut edges: HashMap<Edge, isize> = HashMap::new();
    let mut graphs = Vec::new();
    /// Writes the line of an update, separating some tokens with tabs.
    fn line(text: &mut String, rng: &mut Rng, epoch: u64, diff: isize, (from, to): Edge) {
        let sign = match diff {
            1 => "+".to_string(),
            -1 => "-".to_string(),
            _ => format!("{diff:+}"),
        };
        let gap = if rng.below(4) == 0 { "\t" } else { " " };
        writeln!(text, "{epoch}{gap}{sign} {from}{gap}{to}").unwrap();
    }
    for epoch in 0..16u64 {
        let updates = match epoch {
            0 => 70,
            6 => 0,
            14 => {
                let all: Vec<(Edge, isize)> = edges.drain().filter(|(_, n)| *n > 0).collect();
                for (edge, count) in all {
                    line(&mut text, &mut rng, epoch, -count, edge);
                }
                0
            }
            _ => 5 + rng.below(15),
        };
        for _ in 0..updates {
            let existing: Vec<Edge> = present(&edges).collect();
            if epoch > 0 && rng.below(5) < 2 && !existing.is_empty() {
                let edge = existing[rng.below(existing.len() as u64) as usize];
                let diff = -(1 + rng.below(edges[&edge] as u64) as isize);
                *edges.get_mut(&edge).unwrap() += diff;
                line(&mut text, &mut rng, epoch, diff, edge);
            } else {
                let (from, to) = (rng.below(80), rng.below(80));
                let diff = if rng.below(5) == 0 { 2 } else { 1 };
                *edges.entry((from, to)).or_default() += diff;
                line(&mut text, &mut rng, epoch, diff, (from, to));
            }
        }
        if epoch % 4 == 1 {
            text.push_str("\n# a comment between epochs\n");
        }
        graphs.push(edges.clone());
    }
    (text, graphs)
}

/// The `+`/`-` lines of each epoch in the example's output, checking the `# epoch N` lines.
fn epochs_of(output: &str) -> BTreeMap<u64, Vec<(bool, u64, u64)>> {
    let mut epochs: BTreeMap<u64, Vec<(bool, u64, u64)>> = BTreeMap::new();
    let mut current = None;
    for line in output.lines() {
        if let Some(epoch) = line.strip_prefix("# epoch ") {
            let epoch: u64 = epoch.parse().expect("an epoch number");
            assert!(
                current.is_none_or(|c| c < epoch),
                "epoch {epoch} after epoch {current:?}"
            );
            current = Some(epoch);
            epochs.insert(epoch, Vec::new());
            continue;
        }
        let (sign, label) = line.split_at(2);
        let insert = match sign {
            "+ " => true,
            "- " => false,
            _ => panic!("not a change line: {line:?}"),
        };
        let (vertex, component) = label.split_once(' ').expect("`vertex component`");
        let change = (
            insert,
            vertex.parse().expect("a vertex"),
            component.parse().expect("a component"),
        );
        let epoch = current.expect("a change before the first `# epoch` line");
        epochs.get_mut(&epoch).unwrap().push(change);
    }
    assert!(
        epochs.values().all(|changes| !changes.is_empty()),
        "an epoch without changes has a header"
    );
    epochs
}

#[test]
fn example_prints_exactly_the_changed_components_of_each_epoch() {
    let dir = tempfile::tempdir().unwrap();
    let (text, graphs) = changes_file_and_graphs();
    let input = dir.path().join("edges.changes");
    std::fs::write(&input, &text).unwrap();
    let expected: Vec<BTreeMap<u64, u64>> = graphs
        .iter()
        .map(|graph| components(present(graph)))
        .collect();
    assert!(expected[14].is_empty() && !expected[15].is_empty());
    let mut first_output = None;
    for layout in LAYOUTS {
        let output = dir.path().join("changes.txt");
        let mut args = vec![
            "--changes".to_string(),
            input.display().to_string(),
            "--output".to_string(),
            output.display().to_string(),
        ];
        args.extend(layout_args(layout, dir.path()));
        run_ok("incremental_wcc", &args);
        let printed = std::fs::read_to_string(&output).unwrap();
        let epochs = epochs_of(&printed);
        let mut labels = BTreeMap::new();
        for (epoch, components) in expected.iter().enumerate() {
            let context = format!("{layout:?}, epoch {epoch}");
            if let Some(changes) = epochs.get(&(epoch as u64)) {
                replay(&mut labels, changes, &context);
            }
            assert_eq!(&labels, components, "{context}");
        }
        assert!(epochs.keys().all(|&epoch| epoch < expected.len() as u64));
        assert!(!epochs.contains_key(&6), "epoch 6 changes nothing");
        // Sorted within epochs, the output is the same on every layout.
        assert_eq!(first_output.get_or_insert(printed.clone()), &printed);
    }
}

#[test]
fn example_runs_a_generated_sequence_the_same_on_every_layout() {
    let dir = tempfile::tempdir().unwrap();
    let mut outputs = BTreeSet::new();
    for layout in LAYOUTS {
        let mut args = vec!["--batches".to_string(), "8".to_string()];
        args.extend(layout_args(layout, dir.path()));
        let output = run_ok("incremental_wcc", &args);
        let printed = String::from_utf8(output.stdout).unwrap();
        let epochs = epochs_of(&printed);
        assert!(epochs.contains_key(&0) && epochs.len() > 4, "{printed}");
        outputs.insert(printed);
    }
    assert_eq!(outputs.len(), 1);
}

#[test]
fn a_decreasing_epoch_fails_the_example_naming_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("bad.changes");
    std::fs::write(&input, "0 + 1 2\n2 + 2 3\n1 + 3 4\n").unwrap();
    for layout in [Layout::Threads(1), Layout::Threads(3)] {
        let mut args = vec!["--changes".to_string(), input.display().to_string()];
        args.extend(layout_args(layout, dir.path()));
        let output = run("incremental_wcc", &args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{layout:?}");
        let expected = format!(
            "{}:3: epoch 1 after epoch 2 on line 2: epochs must not decrease along the file",
            input.display()
        );
        assert!(stderr.contains(&expected), "{layout:?}: {stderr}");
    }
}

/// Connected components of the edges fed to `input`, whose changes go to `output`.
fn wcc(input: InputHandle<Edge>, output: &Collector<Change<Edge>>) -> Job<impl BuildDataflow> {
    let output = output.clone();
    dataflow! {
        #![name = "wcc_from_handle"]
        let edges = source(input) -> from_changes();
        let links = edges -> flat_map(|(from, to): Edge| [(from, to), (to, from)]);
        let vertices = links -> map(|(vertex, _): Edge| vertex) -> distinct();
        let labels = iterate(strategy = incremental) {
            var labels = vertices -> map(|vertex: u64| (vertex, vertex));
            let offered = labels -> join_map(links, |_, label: &u64, neighbour: &u64| (*neighbour, *label));
            next labels = offered -> concat(labels) -> min();
            labels
        };
        labels -> changes() -> sink(collect(&output));
    }
}

/// One change of a batch: insert the edge, or delete the existing edge the index picks (none
/// if there is none).
#[derive(Debug, Clone)]
enum Update {
    Insert(Edge),
    Delete(Index),
}

fn update() -> impl Strategy<Value = Update> {
    prop_oneof![
        (0..12u64, 0..12u64).prop_map(Update::Insert),
        any::<Index>().prop_map(Update::Delete),
    ]
}

/// Feeds `initial` and then every batch through an `InputHandle` into a job on `workers`
/// workers, and checks after each epoch that the changes it produced, applied to the labels so
/// far, give the components of the current edges.
fn check_handle_fed_wcc(workers: usize, initial: &[Edge], batches: &[Vec<Update>]) {
    let input = InputHandle::new();
    let changes = Collector::new();
    let options = RunOptions {
        workers,
        quiet: true,
        ..RunOptions::default()
    };
    let running = wcc(input.clone(), &changes).spawn(options);
    // The edges as a multiset: an edge inserted twice needs two deletions.
    let mut edges: Vec<Edge> = Vec::new();
    let mut labels = BTreeMap::new();
    let epochs = std::iter::once(
        initial
            .iter()
            .map(|&edge| Update::Insert(edge))
            .collect::<Vec<_>>(),
    )
    .chain(batches.iter().cloned());
    for (epoch, batch) in epochs.enumerate() {
        for update in batch {
            match update {
                Update::Delete(_) if edges.is_empty() => {}
                Update::Delete(index) => {
                    let edge = edges.swap_remove(index.index(edges.len()));
                    input.retract(edge);
                }
                Update::Insert(edge) => {
                    edges.push(edge);
                    input.insert(edge);
                }
            }
        }
        assert_eq!(input.advance(), epoch as u64 + 1);
        changes.wait_for_epoch(epoch as u64);
        let context = format!("{workers} workers, epoch {epoch}");
        let produced: Vec<(bool, u64, u64)> = changes
            .take()
            .into_iter()
            .map(|change| {
                assert_eq!(change.epoch, epoch as u64, "{context}: {change:?}");
                assert!(
                    change.diff == 1 || change.diff == -1,
                    "{context}: {change:?}"
                );
                (change.diff > 0, change.data.0, change.data.1)
            })
            .collect();
        replay(&mut labels, &produced, &context);
        assert_eq!(labels, components(edges.iter().copied()), "{context}");
    }
    input.close();
    running
        .join()
        .expect("the job's thread")
        .expect("the job runs");
    assert!(changes.is_empty(), "changes after the last epoch");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    #[test]
    fn handle_fed_wcc_equals_union_find_after_every_batch(
        initial in prop::collection::vec((0..12u64, 0..12u64), 0..20),
        batches in prop::collection::vec(prop::collection::vec(update(), 0..8), 1..6),
    ) {
        for workers in [1, 3] {
            check_handle_fed_wcc(workers, &initial, &batches);
        }
    }
}

#[test]
fn a_handle_fed_job_with_no_updates_finishes() {
    check_handle_fed_wcc(2, &[], &[vec![], vec![]]);
}
