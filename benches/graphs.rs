//! PageRank and weakly connected components on an R-MAT graph: the sequential baselines over
//! compressed sparse rows, hand-written differential dataflow, and the `dataflow!` graph library
//! with both loop strategies, in one process; and the time to absorb a one-edge change of a live
//! WCC job against recomputing it.
//!
//! ```text
//! cargo bench --bench graphs                                   # scale 18, 2 reps, 1 and 2 workers
//! cargo bench --bench graphs -- --scale 14 --reps 5 --workers 1,2,4
//! cargo bench --bench graphs -- --only pr                      # the PageRank versions only
//! cargo bench --bench graphs -- --only wcc-baseline,wcc-bulk,wcc-update --updates 20
//! ```
//!
//! The graph is `rmat(scale, 16, 1)` (directed; scale 18: 173,856 vertices, 3,939,818 edges),
//! generated once. Its [`Csr`] (for the baselines) and its [`GraphInput`] (the shared vertex and
//! arc arrays that the dataflow versions read) are built once, outside every timed region; the
//! CSR build is timed on its own. Versions (`--only` takes names, or `pr` / `wcc` for a group):
//!
//! * `pr-baseline`, `wcc-baseline`: `baseline::pagerank(&csr, 0.85, 20)` and
//!   `baseline::wcc(&csr)` (union-find), one thread. Timed: the call only.
//! * `pr-differential`, `wcc-differential`: what an expert writes with differential dataflow
//!   and no Rill ([`differential_pagerank`], [`differential_wcc`]): `InputSession`s, closed once
//!   loaded; loop-invariant inputs arranged once and entered into an `iterative` scope; a
//!   `Variable`; `join_core` against the arrangements. PageRank carries each rank as its
//!   record's multiplicity (an `f64` difference type), so contributions add up as arrangements
//!   consolidate; WCC is min-label propagation as differential's own `propagate`. Timed from
//!   just before `timely::execute` until it returns: worker threads, building the dataflow, each
//!   worker feeding its share of the shared arrays into its inputs, the computation,
//!   consolidating the result and gathering it, and tearing the dataflow down.
//! * `pr-bulk`, `pr-incremental`, `wcc-bulk`, `wcc-incremental`: `rill::graph::pagerank` /
//!   `rill::graph::wcc` with `Strategy::Bulk` / `Strategy::Incremental` into a `collect` sink.
//!   Timed from just before `Job::run_with` until it returns: the same steps as the
//!   differential version (the sources read the same shared arrays).
//! * `wcc-update`: the hand-written differential WCC kept alive ([`differential_wcc_updates`]).
//!   It loads the graph (timed from just before `timely::execute` until the labels are
//!   complete: "from scratch"), then absorbs `--updates` changes one at a time, each removing
//!   an existing edge and inserting a new random one in one epoch; each timed from flushing the
//!   change until the probe passes its epoch.
//! * `wcc-update-dsl`: the same changes through the DSL ([`dsl_wcc_updates`]): an incremental
//!   WCC job fed by an `InputHandle`, run with `Job::spawn`; each change timed from
//!   `advance()` until `Collector::wait_for_epoch` returns for it.
//!
//! The headline of the update versions is "from scratch" / median update time.
//!
//! Every version's result is checked once per worker count (on its first rep, outside the
//! timed region) against the baseline's: PageRank within 1e-9 relative, WCC labels identical
//! (every version labels a component by its smallest vertex id). The update versions check
//! their labels after loading and after the last change (against union-find on the changed
//! graph). A mismatch panics.

#[path = "common/mod.rs"]
mod common;

use std::cell::RefCell;
use std::collections::{BTreeMap, HashSet};
use std::rc::Rc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use differential_dataflow::difference::{Abelian, IsZero, Monoid, Multiply, Semigroup};
use differential_dataflow::input::InputSession;
use differential_dataflow::operators::iterate::Variable;
use differential_dataflow::trace::implementations::{ValBuilder, ValSpine};
use differential_dataflow::{AsCollection, VecCollection};
use rill::graph::{self, baseline, rmat, Csr, Graph, GraphInput, Strategy, F64};
use rill::prelude::*;
use serde::{Deserialize, Serialize};
use timely::dataflow::operators::probe::Handle as ProbeHandle;
use timely::dataflow::operators::vec::Filter;
use timely::order::Product;

const EDGE_FACTOR: u32 = 16;
const SEED: u64 = 1;
const DAMPING: f64 = 0.85;
const ROUNDS: u32 = 20;
/// The relative difference allowed between a version's ranks and the baseline's.
const TOLERANCE: f64 = 1e-9;
/// `--reps` when not given: at scale 18 the default run then takes about 7 minutes on 2 cores
/// (3 reps: about 10; `pr-incremental` is 60% of it).
const DEFAULT_REPS: usize = 2;
/// The hand-written PageRank spreads the per-round "every vertex gets the dangling rank" join
/// over this many keys, so that no single worker produces all of it.
const BUCKETS: u64 = 64;

const VERSIONS: [&str; 10] = [
    "pr-baseline",
    "pr-differential",
    "pr-bulk",
    "pr-incremental",
    "wcc-baseline",
    "wcc-differential",
    "wcc-bulk",
    "wcc-incremental",
    "wcc-update",
    "wcc-update-dsl",
];

type Ranks = Vec<(u64, f64)>;
type Labels = Vec<(u64, u64)>;
type Arc64 = (u64, u64);

struct Args {
    scale: u32,
    reps: usize,
    workers: Vec<usize>,
    versions: Vec<&'static str>,
    updates: usize,
}

fn parse_args() -> Args {
    let flags = common::parse_flags(
        "--scale",
        18,
        &[("--updates", 10)],
        "pr,wcc,pr-baseline,pr-differential,pr-bulk,pr-incremental,wcc-baseline,wcc-differential,wcc-bulk,wcc-incremental,wcc-update,wcc-update-dsl",
    );
    let reps = if std::env::args().any(|arg| arg == "--reps") {
        flags.reps
    } else {
        DEFAULT_REPS
    };
    let versions = match flags.only.as_deref() {
        None => VERSIONS.to_vec(),
        Some(only) => {
            let wanted: Vec<&str> = only.split(',').map(str::trim).collect();
            for name in &wanted {
                assert!(
                    VERSIONS.iter().any(|v| selects(name, v)),
                    "--only takes names of {VERSIONS:?} or the prefixes pr, wcc; not {name:?}"
                );
            }
            VERSIONS
                .iter()
                .copied()
                .filter(|v| wanted.iter().any(|name| selects(name, v)))
                .collect()
        }
    };
    assert!(flags.size <= 26, "--scale N: at most 26");
    Args {
        scale: flags.size as u32,
        reps,
        workers: flags.workers,
        versions,
        updates: flags.extra[0],
    }
}

/// Whether `--only` item `name` selects `version`: its name, or its group (`pr`, `wcc`).
fn selects(name: &str, version: &str) -> bool {
    version == name || (["pr", "wcc"].contains(&name) && version.starts_with(&format!("{name}-")))
}

fn timely_config(workers: usize) -> timely::Config {
    if workers == 1 {
        timely::Config::thread()
    } else {
        timely::Config::process(workers)
    }
}

/// Worker `index` of `peers`'s share of `items`: every `peers`-th from the `index`-th.
fn share<T: Copy>(items: &[T], index: usize, peers: usize) -> impl Iterator<Item = T> + '_ {
    items.iter().skip(index).step_by(peers).copied()
}

/// Rank mass: the *difference* type of the hand-written PageRank's collections. A vertex's
/// rank is the multiplicity of its record, so summing contributions is differential's own
/// consolidation, and a join multiplies a rank by an edge's weight.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
struct Mass(F64);

impl IsZero for Mass {
    fn is_zero(&self) -> bool {
        self.0 .0 == 0.0
    }
}
impl Semigroup for Mass {
    fn plus_equals(&mut self, other: &Self) {
        self.0 .0 += other.0 .0;
    }
}
impl Monoid for Mass {
    fn zero() -> Self {
        Mass(F64(0.0))
    }
}
impl Abelian for Mass {
    fn negate(&mut self) {
        self.0 .0 = -self.0 .0;
    }
}
impl Multiply<Mass> for Mass {
    type Output = Mass;
    fn multiply(self, other: &Mass) -> Mass {
        Mass(F64(self.0 .0 * other.0 .0))
    }
}
impl Multiply<isize> for Mass {
    type Output = Mass;
    fn multiply(self, other: &isize) -> Mass {
        Mass(F64(self.0 .0 * *other as f64))
    }
}

/// A record with a rank mass, for [`VecCollection::explode`].
fn mass<D>(record: D, value: f64) -> Option<(D, Mass)> {
    Some((record, Mass(F64(value))))
}

/// Hand-written differential PageRank, Graphalytics' definition (dangling vertices' rank spread
/// over every vertex), `rounds` rounds from `1 / n`, written as an expert writes it (and as
/// differential's own PageRank example does, there with integer "surfers"): a vertex's rank is
/// the multiplicity of its record, of type [`Mass`]. Every loop-invariant input is arranged once
/// outside the loop, with its weight as multiplicity: arcs `src -> dst` weighing
/// `damping / outdegree(src)`, the dangling vertices, and every vertex (by bucket, so that the
/// dangling rank reaches them from every worker) weighing `damping / n`. Each round arranges the
/// rank changes once and joins them with those arrangements; PageRank is linear, so no `reduce`
/// is needed: contributions add up as the arrangements consolidate.
fn differential_pagerank(input: &GraphInput, workers: usize, rounds: u32) -> (Duration, Ranks) {
    let (vertices, arcs) = (Arc::clone(&input.vertices), Arc::clone(&input.arcs));
    let n = vertices.len() as f64;
    let results: Arc<Mutex<Vec<(u64, Mass)>>> = Arc::default();
    let gathered = Arc::clone(&results);
    let started = Instant::now();
    timely::execute(timely_config(workers), move |worker| {
        let (index, peers) = (worker.index(), worker.peers());
        let mut vertex_input = InputSession::<u64, u64, isize>::new();
        let mut arc_input = InputSession::<u64, Arc64, isize>::new();
        let probe = ProbeHandle::new();
        let local: Rc<RefCell<Vec<(u64, Mass)>>> = Rc::default();
        let sink = Rc::clone(&local);
        worker.dataflow::<u64, _, _>(|scope| {
            let vertices = vertex_input.to_collection(scope);
            let arcs = arc_input.to_collection(scope);
            let degrees = arcs.clone().map(|(from, _)| from).count();
            let out_arcs = arcs
                .join_map(degrees.clone(), |&from, &to, &degree| (from, to, degree))
                .explode(|(from, to, degree)| mass((from, to), DAMPING / degree as f64))
                .arrange_by_key();
            let dangling = vertices
                .clone()
                .map(|vertex| (vertex, ()))
                .antijoin(degrees.map(|(vertex, _)| vertex))
                .explode(|record| mass(record, 1.0))
                .arrange_by_key();
            let by_bucket = vertices
                .clone()
                .explode(move |vertex| mass((vertex % BUCKETS, vertex), DAMPING / n))
                .arrange_by_key();
            let teleport = vertices
                .clone()
                .explode(move |vertex| mass((vertex, ()), (1.0 - DAMPING) / n));
            let initial = vertices.explode(move |vertex| mass((vertex, ()), 1.0 / n));
            let ranks = scope.iterative::<u64, _, _>(|inner| {
                let (out_arcs, dangling) = (out_arcs.enter(inner), dangling.enter(inner));
                let by_bucket = by_bucket.enter(inner);
                let (variable, ranks) =
                    Variable::new_from(initial.enter(inner), Product::new(0, 1));
                let ranks = ranks.arrange_by_key();
                let pushed = ranks
                    .clone()
                    .join_core(out_arcs, |_, (), &to: &u64| Some((to, ())));
                let lost = ranks.clone().join_core(dangling, |_, (), ()| {
                    (0..BUCKETS).map(|bucket| (bucket, ()))
                });
                let returned = lost.join_core(by_bucket, |_, (), &vertex: &u64| Some((vertex, ())));
                let next = pushed.concat(returned).concat(teleport.enter(inner));
                // Round `r`'s next ranks are round `r + 1`'s ranks, up to round `rounds`.
                variable.set(
                    next.inner
                        .filter(move |(_, time, _)| time.inner < u64::from(rounds))
                        .as_collection(),
                );
                ranks.as_collection(|&vertex, ()| vertex).leave(scope)
            });
            ranks
                .consolidate()
                .inspect(move |&(vertex, _, rank)| sink.borrow_mut().push((vertex, rank)))
                .probe_with(&probe);
        });
        for vertex in share(&vertices, index, peers) {
            vertex_input.insert(vertex);
        }
        for arc in share(&arcs, index, peers) {
            arc_input.insert(arc);
        }
        // Closed inputs let every trace compact the loop's past rounds away.
        vertex_input.close();
        arc_input.close();
        worker.step_while(|| !probe.done());
        gathered.lock().unwrap().append(&mut local.borrow_mut());
    })
    .expect("the differential PageRank failed");
    let elapsed = started.elapsed();
    let ranks = std::mem::take(&mut *results.lock().unwrap());
    let ranks = ranks
        .into_iter()
        .map(|(vertex, rank)| (vertex, rank.0 .0))
        .collect();
    (elapsed, ranks)
}

/// Min-label propagation as differential's own `propagate` does it: the loop variable holds the
/// labels proposed along links; the labels are the smallest proposal or the vertex's own id, in
/// an arrangement (the `reduce`'s output) that the next proposals join with the links'.
fn wcc_dataflow<'scope>(
    vertices: VecCollection<'scope, u64, u64, isize>,
    arcs: VecCollection<'scope, u64, Arc64, isize>,
) -> VecCollection<'scope, u64, (u64, u64), isize> {
    let scope = vertices.scope();
    let links = arcs
        .flat_map(|(from, to)| [(from, to), (to, from)])
        .arrange_by_key();
    let own = vertices.map(|vertex| (vertex, vertex));
    scope
        .iterative::<u64, _, _>(|inner| {
            let (links, own) = (links.enter(inner), own.enter(inner));
            let (variable, proposals) = Variable::new(inner, Product::new(0, 1));
            let labels = proposals
                .concat(own)
                .reduce_abelian::<_, ValBuilder<_, _, _, _>, ValSpine<_, _, _, _>>(
                    "Smallest",
                    |_, labels, output| output.push((*labels[0].0, 1)),
                );
            let offered = labels
                .clone()
                .join_core(links, |_, label: &u64, neighbour: &u64| {
                    Some((*neighbour, *label))
                });
            variable.set(offered);
            labels
                .as_collection(|vertex, label| (*vertex, *label))
                .leave(scope)
        })
        .consolidate()
}

/// Hand-written differential WCC, run once.
fn differential_wcc(input: &GraphInput, workers: usize) -> (Duration, Labels) {
    let (vertices, arcs) = (Arc::clone(&input.vertices), Arc::clone(&input.arcs));
    let results: Arc<Mutex<Vec<(Arc64, isize)>>> = Arc::default();
    let gathered = Arc::clone(&results);
    let started = Instant::now();
    timely::execute(timely_config(workers), move |worker| {
        let (index, peers) = (worker.index(), worker.peers());
        let mut vertex_input = InputSession::<u64, u64, isize>::new();
        let mut arc_input = InputSession::<u64, Arc64, isize>::new();
        let probe = ProbeHandle::new();
        let local: Rc<RefCell<Vec<(Arc64, isize)>>> = Rc::default();
        let sink = Rc::clone(&local);
        worker.dataflow::<u64, _, _>(|scope| {
            wcc_dataflow(
                vertex_input.to_collection(scope),
                arc_input.to_collection(scope),
            )
            .inspect(move |(record, _, diff)| sink.borrow_mut().push((*record, *diff)))
            .probe_with(&probe);
        });
        for vertex in share(&vertices, index, peers) {
            vertex_input.insert(vertex);
        }
        for arc in share(&arcs, index, peers) {
            arc_input.insert(arc);
        }
        // Closed inputs let every trace compact the loop's past rounds away.
        vertex_input.close();
        arc_input.close();
        worker.step_while(|| !probe.done());
        gathered.lock().unwrap().append(&mut local.borrow_mut());
    })
    .expect("the differential WCC failed");
    let elapsed = started.elapsed();
    let updates = std::mem::take(&mut *results.lock().unwrap());
    let labels = updates
        .into_iter()
        .map(|(label, diff)| {
            assert_eq!(diff, 1, "differential WCC: {label:?} has diff {diff}");
            label
        })
        .collect();
    (elapsed, labels)
}

/// One edge change: an arc removed and a new one inserted, in one epoch.
#[derive(Clone, Copy)]
struct EdgeChange {
    removed: Arc64,
    inserted: Arc64,
}

/// `count` changes, each removing a random arc of the original graph (never the same twice) and
/// inserting a random arc between two of its vertices that is not in the graph at that moment.
fn edge_changes(input: &GraphInput, count: usize) -> Vec<EdgeChange> {
    let mut rng = Rng::new(SEED + 1);
    let mut removable = input.arcs.to_vec();
    let mut present: HashSet<Arc64> = input.arcs.iter().copied().collect();
    (0..count)
        .map(|_| {
            let removed = removable.swap_remove(rng.below(removable.len() as u64) as usize);
            present.remove(&removed);
            let inserted = loop {
                let arc = (*rng.pick(&input.vertices), *rng.pick(&input.vertices));
                if arc.0 != arc.1 && present.insert(arc) {
                    break arc;
                }
            };
            EdgeChange { removed, inserted }
        })
        .collect()
}

/// What a run of an update version measured and produced.
struct UpdateRun {
    /// From just before the job starts until the labels of the whole graph are complete.
    from_scratch: Duration,
    /// Each change, from closing its epoch until its labels are complete.
    updates: Vec<Duration>,
    /// The labels after loading.
    initial: Labels,
    /// The labels after the last change.
    last: Labels,
}

/// A hand-written differential WCC kept alive: loads the graph at epoch 0, then applies each
/// change at epochs 1, 2, ... (worker 0 feeds them; every worker advances).
fn differential_wcc_updates(
    input: &GraphInput,
    changes: &[EdgeChange],
    workers: usize,
) -> UpdateRun {
    let (vertices, arcs) = (Arc::clone(&input.vertices), Arc::clone(&input.arcs));
    let changes = changes.to_vec();
    type Update = (Arc64, u64, isize);
    let results: Arc<Mutex<Vec<Update>>> = Arc::default();
    let timings: Arc<Mutex<(Duration, Vec<Duration>)>> = Arc::default();
    let (gathered, timed) = (Arc::clone(&results), Arc::clone(&timings));
    let started = Instant::now();
    timely::execute(timely_config(workers), move |worker| {
        let (index, peers) = (worker.index(), worker.peers());
        let mut vertex_input = InputSession::<u64, u64, isize>::new();
        let mut arc_input = InputSession::<u64, Arc64, isize>::new();
        let probe = ProbeHandle::new();
        let local: Rc<RefCell<Vec<Update>>> = Rc::default();
        let sink = Rc::clone(&local);
        worker.dataflow::<u64, _, _>(|scope| {
            wcc_dataflow(
                vertex_input.to_collection(scope),
                arc_input.to_collection(scope),
            )
            .inspect(move |update| sink.borrow_mut().push(*update))
            .probe_with(&probe);
        });
        for vertex in share(&vertices, index, peers) {
            vertex_input.insert(vertex);
        }
        for arc in share(&arcs, index, peers) {
            arc_input.insert(arc);
        }
        // The vertices never change: close their input.
        vertex_input.close();
        arc_input.advance_to(1);
        arc_input.flush();
        // Waiting workers park rather than spin: on a shared machine a spinning worker that
        // has nothing to do takes the core from the one that has.
        while probe.less_than(arc_input.time()) {
            worker.step_or_park(None);
        }
        let from_scratch = started.elapsed();
        let mut updates = Vec::with_capacity(changes.len());
        for (i, change) in changes.iter().enumerate() {
            if index == 0 {
                arc_input.remove(change.removed);
                arc_input.insert(change.inserted);
            }
            arc_input.advance_to(i as u64 + 2);
            arc_input.flush();
            let flushed = Instant::now();
            while probe.less_than(arc_input.time()) {
                worker.step_or_park(None);
            }
            updates.push(flushed.elapsed());
        }
        if index == 0 {
            *timed.lock().unwrap() = (from_scratch, updates);
        }
        gathered.lock().unwrap().append(&mut local.borrow_mut());
    })
    .expect("the differential WCC with updates failed");
    let updates = std::mem::take(&mut *results.lock().unwrap());
    let (from_scratch, timings) = std::mem::take(&mut *timings.lock().unwrap());
    let at = |last_epoch: u64| -> Labels {
        let mut totals: BTreeMap<Arc64, isize> = BTreeMap::new();
        for &(label, epoch, diff) in &updates {
            if epoch <= last_epoch {
                *totals.entry(label).or_default() += diff;
            }
        }
        totals
            .into_iter()
            .filter(|&(label, count)| {
                assert!(
                    (0..=1).contains(&count),
                    "wcc-update: {label:?} accumulates to {count}"
                );
                count == 1
            })
            .map(|(label, _)| label)
            .collect()
    };
    UpdateRun {
        from_scratch,
        updates: timings,
        initial: at(0),
        last: at(u64::MAX),
    }
}

/// The same through the DSL: a WCC job with `strategy = incremental` whose edges are the graph's
/// (a `from_shared` source) plus the changes fed to an `InputHandle`, run with `Job::spawn`;
/// its label changes go to a `collect` sink. Loads the graph at epoch 0 (timed from just before
/// `spawn` until `wait_for_epoch(0)` returns), then makes each change at epochs 1, 2, ...: timed
/// from `advance()` (which closes the change's epoch) until `wait_for_epoch` returns for it.
fn dsl_wcc_updates(input: &GraphInput, changes: &[EdgeChange], workers: usize) -> UpdateRun {
    let (vertices, arcs) = (Arc::clone(&input.vertices), Arc::clone(&input.arcs));
    let handle: InputHandle<Arc64> = InputHandle::new();
    let labels: Collector<Change<Arc64>> = Collector::new();
    let (fed, results) = (handle.clone(), labels.clone());
    let job = dataflow! {
        #![name = "wcc-updates"]
        let vertices = source(from_shared(vertices)) -> to_collection();
        let loaded = source(from_shared(arcs)) -> to_collection();
        let changed = source(fed) -> from_changes();
        let links = loaded
            -> concat(changed)
            -> flat_map(|(from, to): Arc64| [(from, to), (to, from)]);
        let labels = iterate(strategy = incremental) {
            var labels = vertices -> map(|vertex: u64| (vertex, vertex));
            let offered = labels -> join_map(links, |_, label: &u64, neighbour: &u64| (*neighbour, *label));
            next labels = offered -> concat(labels) -> min();
            labels
        };
        labels -> changes() -> sink(collect(&results));
    };
    let mut current: BTreeMap<u64, u64> = BTreeMap::new();
    fn apply(current: &mut BTreeMap<u64, u64>, produced: Vec<Change<Arc64>>) {
        // Retractions first: a vertex's new label may arrive before its old one leaves.
        let (mut gone, mut new): (Vec<_>, Vec<_>) =
            produced.into_iter().partition(|change| change.diff < 0);
        for change in gone.drain(..) {
            let (vertex, label) = change.data;
            assert!(
                change.diff == -1 && current.remove(&vertex) == Some(label),
                "wcc-update-dsl: {change:?} retracts a label the vertex does not have"
            );
        }
        for change in new.drain(..) {
            let (vertex, label) = change.data;
            assert!(
                change.diff == 1 && current.insert(vertex, label).is_none(),
                "wcc-update-dsl: {change:?} gives a second label"
            );
        }
    }
    let started = Instant::now();
    let running = job.spawn(run_options(workers));
    assert_eq!(handle.advance(), 1);
    labels.wait_for_epoch(0);
    let from_scratch = started.elapsed();
    apply(&mut current, labels.take());
    let initial: Labels = current.iter().map(|(&v, &l)| (v, l)).collect();
    let mut updates = Vec::with_capacity(changes.len());
    for (i, change) in changes.iter().enumerate() {
        handle.retract(change.removed);
        handle.insert(change.inserted);
        let flushed = Instant::now();
        let epoch = handle.advance();
        assert_eq!(epoch, i as u64 + 2);
        labels.wait_for_epoch(epoch - 1);
        updates.push(flushed.elapsed());
        apply(&mut current, labels.take());
    }
    handle.close();
    running
        .join()
        .expect("the DSL job's thread")
        .expect("the DSL WCC with updates failed");
    apply(&mut current, labels.take());
    UpdateRun {
        from_scratch,
        updates,
        initial,
        last: current.into_iter().collect(),
    }
}

/// The DSL job, run once with `strategy`.
fn dsl_pagerank(input: &GraphInput, workers: usize, strategy: Strategy) -> (Duration, Ranks) {
    let ranks = Collector::new();
    let job = graph::pagerank(input, DAMPING, ROUNDS, strategy, collect(&ranks));
    let started = Instant::now();
    job.run_with(&run_options(workers))
        .expect("the DSL PageRank failed");
    let elapsed = started.elapsed();
    (elapsed, ranks.take())
}

fn dsl_wcc(input: &GraphInput, workers: usize, strategy: Strategy) -> (Duration, Labels) {
    let labels = Collector::new();
    let job = graph::wcc(input, strategy, collect(&labels));
    let started = Instant::now();
    job.run_with(&run_options(workers))
        .expect("the DSL WCC failed");
    let elapsed = started.elapsed();
    (elapsed, labels.take())
}

fn run_options(workers: usize) -> RunOptions {
    RunOptions {
        workers,
        quiet: true,
        ..RunOptions::default()
    }
}

fn check_ranks(version: &str, workers: usize, mut ranks: Ranks, expected: &[(u64, f64)]) {
    ranks.sort_by_key(|&(vertex, _)| vertex);
    assert_eq!(
        ranks.len(),
        expected.len(),
        "{version} on {workers} workers: {} ranks for {} vertices",
        ranks.len(),
        expected.len()
    );
    for (&(vertex, rank), &(id, want)) in ranks.iter().zip(expected) {
        assert_eq!(
            vertex, id,
            "{version} on {workers} workers: vertex {vertex} where the baseline has {id}"
        );
        let error = (rank - want).abs() / want.abs().max(f64::MIN_POSITIVE);
        assert!(
            error <= TOLERANCE,
            "{version} on {workers} workers: vertex {vertex} has rank {rank}, the baseline {want} (relative difference {error:.2e})"
        );
    }
}

fn check_labels(version: &str, workers: usize, mut labels: Labels, expected: &[(u64, u64)]) {
    labels.sort_unstable();
    if labels != expected {
        let first = labels
            .iter()
            .zip(expected)
            .find(|(got, want)| got != want)
            .map_or(String::new(), |(got, want)| {
                format!("; first difference: {got:?}, the baseline {want:?}")
            });
        panic!(
            "{version} on {workers} workers: {} labels, the baseline {}; they differ{first}",
            labels.len(),
            expected.len()
        );
    }
}

fn seconds(duration: Duration) -> f64 {
    duration.as_secs_f64()
}

fn main() {
    let args = parse_args();
    let started = Instant::now();
    let graph = rmat(args.scale, EDGE_FACTOR, SEED);
    let (n, m) = (graph.vertices().len(), graph.edges().len());
    eprintln!(
        "graph: rmat(scale {}, edge factor {EDGE_FACTOR}, seed {SEED}): {n} vertices, {m} edges, generated in {:.2} s",
        args.scale,
        started.elapsed().as_secs_f64()
    );
    let mut csr_times = Vec::new();
    let mut csr = None;
    for _ in 0..args.reps {
        let started = Instant::now();
        let built = Csr::new(&graph);
        csr_times.push(started.elapsed().as_secs_f64());
        csr = Some(built);
    }
    let csr = csr.expect("at least one rep");
    let started = Instant::now();
    let input = GraphInput::new(&graph);
    eprintln!(
        "CSR build: median {:.3} s; GraphInput (the dataflows' shared arrays): {:.3} s",
        common::median(&csr_times),
        started.elapsed().as_secs_f64()
    );
    let expected_ranks = csr.with_ids(&baseline::pagerank(&csr, DAMPING, ROUNDS));
    let expected_labels = csr.with_ids(&baseline::wcc(&csr));
    let components = expected_labels
        .iter()
        .filter(|(vertex, label)| vertex == label)
        .count();
    eprintln!("reference: PageRank, {ROUNDS} rounds; WCC: {components} components");

    let timed: Vec<&str> = args
        .versions
        .iter()
        .copied()
        .filter(|v| !v.starts_with("wcc-update"))
        .collect();
    // (version, workers) -> seconds of every rep; the baselines under workers 1.
    let mut times: BTreeMap<(&str, usize), Vec<f64>> = BTreeMap::new();
    for &workers in &args.workers {
        for rep in 0..args.reps {
            // Alternate the order, so that drift in the machine's load evens out.
            let mut order = timed.clone();
            if rep % 2 == 1 {
                order.reverse();
            }
            for &version in &order {
                let check = rep == 0;
                let elapsed = match version {
                    "pr-baseline" => {
                        let started = Instant::now();
                        let ranks = baseline::pagerank(&csr, DAMPING, ROUNDS);
                        let elapsed = started.elapsed();
                        if check {
                            check_ranks(version, 1, csr.with_ids(&ranks), &expected_ranks);
                        }
                        elapsed
                    }
                    "wcc-baseline" => {
                        let started = Instant::now();
                        let labels = baseline::wcc(&csr);
                        let elapsed = started.elapsed();
                        if check {
                            check_labels(version, 1, csr.with_ids(&labels), &expected_labels);
                        }
                        elapsed
                    }
                    "pr-differential" | "pr-bulk" | "pr-incremental" => {
                        let (elapsed, ranks) = match version {
                            "pr-differential" => differential_pagerank(&input, workers, ROUNDS),
                            "pr-bulk" => dsl_pagerank(&input, workers, Strategy::Bulk),
                            _ => dsl_pagerank(&input, workers, Strategy::Incremental),
                        };
                        if check {
                            check_ranks(version, workers, ranks, &expected_ranks);
                        }
                        elapsed
                    }
                    _ => {
                        let (elapsed, labels) = match version {
                            "wcc-differential" => differential_wcc(&input, workers),
                            "wcc-bulk" => dsl_wcc(&input, workers, Strategy::Bulk),
                            _ => dsl_wcc(&input, workers, Strategy::Incremental),
                        };
                        if check {
                            check_labels(version, workers, labels, &expected_labels);
                        }
                        elapsed
                    }
                };
                let workers = if version.ends_with("-baseline") {
                    1
                } else {
                    workers
                };
                eprintln!(
                    "  {version:16} workers {workers} rep {rep}: {:.3} s{}",
                    seconds(elapsed),
                    if check { " (checked)" } else { "" }
                );
                times
                    .entry((version, workers))
                    .or_default()
                    .push(seconds(elapsed));
            }
        }
    }

    // The one-edge updates: one live session per version and worker count.
    let update_versions: Vec<&str> = args
        .versions
        .iter()
        .copied()
        .filter(|v| v.starts_with("wcc-update"))
        .collect();
    let mut update_runs: Vec<(&str, usize, UpdateRun)> = Vec::new();
    if !update_versions.is_empty() {
        let changes = edge_changes(&input, args.updates);
        let mut arcs: Vec<Arc64> = input.arcs.to_vec();
        let removed: HashSet<Arc64> = changes.iter().map(|c| c.removed).collect();
        arcs.retain(|arc| !removed.contains(arc));
        arcs.extend(changes.iter().map(|c| c.inserted));
        let changed = Graph::new(
            graph.vertices().to_vec(),
            arcs.iter().map(|&(from, to)| (from, to, 1.0)).collect(),
            true,
        )
        .expect("the changed graph is valid");
        let changed_csr = Csr::new(&changed);
        let expected_last = changed_csr.with_ids(&baseline::wcc(&changed_csr));
        for (i, &workers) in args.workers.iter().enumerate() {
            let mut order = update_versions.clone();
            if i % 2 == 1 {
                order.reverse();
            }
            for version in order {
                let run = if version == "wcc-update" {
                    differential_wcc_updates(&input, &changes, workers)
                } else {
                    dsl_wcc_updates(&input, &changes, workers)
                };
                check_labels(
                    &format!("{version} (after loading)"),
                    workers,
                    run.initial.clone(),
                    &expected_labels,
                );
                check_labels(
                    &format!("{version} (after the last change)"),
                    workers,
                    run.last.clone(),
                    &expected_last,
                );
                eprintln!(
                    "  {version:16} workers {workers}: from scratch {:.3} s; updates (ms) {:?} (checked)",
                    seconds(run.from_scratch),
                    run.updates
                        .iter()
                        .map(|&t| (seconds(t) * 1e5).round() / 100.0)
                        .collect::<Vec<_>>()
                );
                update_runs.push((version, workers, run));
            }
        }
    }

    println!();
    println!(
        "rmat(scale {}, {EDGE_FACTOR}, seed {SEED}): {n} vertices, {m} edges; {} reps per row (median); {} cores",
        args.scale,
        args.reps,
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!(
        "CSR build (not in the baselines' times): {:.3} s",
        common::median(&csr_times)
    );
    println!(
        "{:<17} {:>7} {:>10} {:>12} {:>18}",
        "version", "workers", "median s", "x baseline", "ns/edge/iteration"
    );
    let median_of =
        |version: &str, workers: usize| times.get(&(version, workers)).map(|t| common::median(t));
    for group in ["pr", "wcc"] {
        let base = median_of(&format!("{group}-baseline"), 1);
        for version in VERSIONS
            .iter()
            .filter(|v| v.starts_with(&format!("{group}-")))
        {
            for &workers in &args.workers {
                let Some(median) = median_of(version, workers) else {
                    continue;
                };
                let ratio = base.map_or(String::new(), |b| format!("{:.1}x", median / b));
                let per_edge = if group == "pr" {
                    format!("{:.2}", median * 1e9 / (m as f64 * f64::from(ROUNDS)))
                } else {
                    String::new()
                };
                println!(
                    "{:<17} {:>7} {:>10.3} {:>12} {:>18}",
                    version, workers, median, ratio, per_edge
                );
                if version.ends_with("-baseline") {
                    break;
                }
            }
        }
    }
    if !update_runs.is_empty() {
        println!();
        println!(
            "one-edge WCC update (remove an edge, insert a random one), {} changes (median); \"from scratch\": loading the graph into the live job",
            args.updates
        );
        println!(
            "{:<17} {:>7} {:>14} {:>10} {:>16} {:>16} {:>16}",
            "version",
            "workers",
            "from scratch s",
            "update ms",
            "scratch/update",
            "one-shot/update",
            "union-find/update"
        );
        let union_find = median_of("wcc-baseline", 1);
        for (version, workers, run) in &update_runs {
            let update =
                common::median(&run.updates.iter().map(|&d| seconds(d)).collect::<Vec<_>>());
            let scratch = seconds(run.from_scratch);
            // The same engine run once on the static graph: hand-written or DSL incremental.
            let one_shot = if *version == "wcc-update" {
                median_of("wcc-differential", *workers)
            } else {
                median_of("wcc-incremental", *workers)
            };
            println!(
                "{:<17} {:>7} {:>14.3} {:>10.3} {:>15.0}x {:>16} {:>16}",
                version,
                workers,
                scratch,
                update * 1e3,
                scratch / update,
                one_shot.map_or(String::new(), |o| format!("{:.0}x", o / update)),
                union_find.map_or(String::new(), |u| format!("{:.2}x", u / update))
            );
        }
    }
}
