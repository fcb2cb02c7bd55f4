//! The hand-written versions: what an expert writes with differential dataflow and no Rill.
//!
//! Every algorithm is a [`GraphDataflow`]: a function from the vertex and arc collections to a
//! result collection. [`execute`] runs one on the worker threads or processes of a [`Place`]:
//! each worker feeds its share of the shared vertex and arc arrays into `InputSession`s, closes
//! them (so that every trace can compact the loop's past rounds away), steps until the probe is
//! done, and hands its part of the consolidated result to its process. Timed from just before
//! `timely::execute` until it returns: threads (and connections), building the dataflow,
//! loading, the computation, gathering, teardown.
//!
//! The loops are written as differential's own examples write them: loop-invariant inputs
//! arranged once outside the loop and entered, a `Variable`, `join_core` against the
//! arrangements. WCC, BFS and SSSP are one function, [`propagate_min`]: the smallest label a
//! vertex is offered along its links. PageRank carries each rank as its record's multiplicity
//! (an `f64` difference type, [`Mass`]), so contributions add up as arrangements consolidate and
//! no `reduce` is needed.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use differential_dataflow::difference::{Abelian, IsZero, Monoid, Multiply, Semigroup};
use differential_dataflow::input::InputSession;
use differential_dataflow::operators::iterate::Variable;
use differential_dataflow::trace::implementations::{ValBuilder, ValSpine};
use differential_dataflow::{AsCollection, ExchangeData, Hashable, VecCollection};
use rill::graph::{GraphInput, F64};
use serde::{Deserialize, Serialize};
use timely::dataflow::operators::probe::Handle as ProbeHandle;
use timely::dataflow::operators::vec::Filter;
use timely::order::Product;

use super::child::{report, Place};
use super::graph::{Algo, Params, Results};
use super::incremental::EdgeChange;

type Arc64 = (u64, u64);
type Collection<'s, D, R = isize> = VecCollection<'s, u64, D, R>;

/// The hand-written PageRank spreads the per-round "every vertex gets the dangling rank" join
/// over this many keys, so that no single worker produces all of it.
const BUCKETS: u64 = 64;

/// A hand-written dataflow over a graph: vertices and arcs in, `(record, diff)` results out.
pub trait GraphDataflow: Clone + Send + Sync + 'static {
    /// What an arc is: `(from, to)`, or `(from, (to, weight))`.
    type Arc: ExchangeData + Hashable + Sync;
    /// A result record.
    type Out: ExchangeData;
    /// Its difference type.
    type Diff: ExchangeData + Semigroup;
    /// The result collection, consolidated.
    fn build<'s>(
        &self,
        vertices: Collection<'s, u64>,
        arcs: Collection<'s, Self::Arc>,
    ) -> Collection<'s, Self::Out, Self::Diff>;
}

/// A dataflow's consolidated result: `(record, diff)`.
pub type Updates<D> = Vec<(<D as GraphDataflow>::Out, <D as GraphDataflow>::Diff)>;

/// Runs `dataflow` on the graph's shared arrays at `place`; returns the time and this process's
/// part of the result.
pub fn execute<D: GraphDataflow>(
    dataflow: D,
    vertices: &Arc<[u64]>,
    arcs: &Arc<[D::Arc]>,
    place: &Place,
) -> (Duration, Updates<D>) {
    let (vertices, arcs) = (Arc::clone(vertices), Arc::clone(arcs));
    let results: Arc<Mutex<Changes<D>>> = Arc::default();
    let gathered = Arc::clone(&results);
    let started = Arc::new(Mutex::new(Instant::now()));
    let connected = place.cluster.is_some().then(|| Arc::clone(&started));
    timely::execute(place.timely_config(), move |worker| {
        if let Some(connected) = &connected {
            *connected.lock().unwrap() = Instant::now();
        }
        let (vertex_input, arc_input, probe, local) =
            build_and_load(worker, &dataflow, &vertices, &arcs);
        vertex_input.close();
        arc_input.close();
        worker.step_while(|| !probe.done());
        gathered.lock().unwrap().append(&mut local.borrow_mut());
    })
    .expect("a hand-written differential dataflow failed");
    let elapsed = started.lock().unwrap().elapsed();
    let changes = std::mem::take(&mut *results.lock().unwrap());
    (elapsed, accumulate::<D>(&changes, u64::MAX))
}

/// Runs the hand-written version of `algo`; returns the time and this process's part of the
/// result, formatted.
pub fn run(algo: Algo, input: &GraphInput, params: &Params, place: &Place) -> (Duration, Results) {
    let (vertices, arcs) = (&input.vertices, &input.arcs);
    match algo {
        Algo::Pr | Algo::PrCost => {
            let pagerank = PageRank {
                n: input.vertex_count() as f64,
                damping: params.damping,
                rounds: params.pr_rounds,
                redistribute: algo == Algo::Pr,
            };
            let (elapsed, ranks) = execute(pagerank, vertices, arcs, place);
            (elapsed, rank_results(ranks))
        }
        Algo::Wcc => {
            let (elapsed, labels) = execute(Wcc, vertices, arcs, place);
            (elapsed, Results::of(&once_each(labels)))
        }
        Algo::Bfs => {
            let bfs = Bfs { root: params.root };
            let (elapsed, depths) = execute(bfs, vertices, arcs, place);
            (elapsed, Results::of(&once_each(depths)))
        }
        Algo::Sssp => {
            let sssp = Sssp { root: params.root };
            let (elapsed, distances) = execute(sssp, vertices, &input.weighted_arcs, place);
            let distances: Vec<(u64, f64)> = once_each(distances)
                .into_iter()
                .map(|(v, d)| (v, d.0))
                .collect();
            (elapsed, Results::of(&distances))
        }
        Algo::Cdlp => {
            let cdlp = Cdlp {
                rounds: params.cdlp_rounds,
            };
            let (elapsed, labels) = execute(cdlp, vertices, arcs, place);
            (elapsed, Results::of(&once_each(labels)))
        }
    }
}

/// The hand-written PageRank's ranks (each vertex's mass), formatted.
fn rank_results(ranks: Vec<(u64, Mass)>) -> Results {
    let ranks: Vec<(u64, f64)> = ranks.into_iter().map(|(v, m)| (v, m.0 .0)).collect();
    Results::of(&ranks)
}

/// The incremental benchmark's hand-written version of `algo` (WCC, BFS or PageRank): a live
/// session ([`session`]); returns the results after loading and after the last batch.
pub fn run_session(
    algo: Algo,
    input: &GraphInput,
    params: &Params,
    batches: &[Vec<EdgeChange>],
    place: &Place,
) -> (Results, Results) {
    match algo {
        Algo::Wcc => {
            let (initial, last) = session(Wcc, input, batches, place);
            (
                Results::of(&once_each(initial)),
                Results::of(&once_each(last)),
            )
        }
        Algo::Bfs => {
            let bfs = Bfs { root: params.root };
            let (initial, last) = session(bfs, input, batches, place);
            (
                Results::of(&once_each(initial)),
                Results::of(&once_each(last)),
            )
        }
        Algo::Pr => {
            let pagerank = PageRank {
                n: input.vertex_count() as f64,
                damping: params.damping,
                rounds: params.pr_rounds,
                redistribute: true,
            };
            let (initial, last) = session(pagerank, input, batches, place);
            (rank_results(initial), rank_results(last))
        }
        other => panic!("no incremental hand-written version of {other}"),
    }
}

/// A live session of a hand-written dataflow, as an expert keeps one: the graph loaded at epoch
/// 0 (the vertex input then closed), then every batch of changes in an epoch of its own, each
/// worker feeding its share. Reports (from worker 0) `seconds_scratch`, from just before
/// `timely::execute` until epoch 0 is complete, and `update_<size>` per batch, from flushing it
/// until the probe passes its epoch. Returns the result after loading and after the last batch.
fn session<D: GraphDataflow<Arc = Arc64>>(
    dataflow: D,
    input: &GraphInput,
    batches: &[Vec<EdgeChange>],
    place: &Place,
) -> (Updates<D>, Updates<D>) {
    let (vertices, arcs) = (Arc::clone(&input.vertices), Arc::clone(&input.arcs));
    let batches: Arc<[Vec<EdgeChange>]> = batches.into();
    let changes: Arc<Mutex<Changes<D>>> = Arc::default();
    let gathered = Arc::clone(&changes);
    let started = Instant::now();
    timely::execute(place.timely_config(), move |worker| {
        let (index, peers) = (worker.index(), worker.peers());
        let (vertex_input, mut arc_input, probe, local) =
            build_and_load(worker, &dataflow, &vertices, &arcs);
        vertex_input.close();
        arc_input.advance_to(1);
        arc_input.flush();
        worker.step_while(|| probe.less_than(&1));
        if index == 0 {
            report("seconds_scratch", started.elapsed().as_secs_f64());
        }
        for (epoch, batch) in (2u64..).zip(batches.iter()) {
            for change in batch.iter().skip(index).step_by(peers) {
                arc_input.remove(change.removed);
                arc_input.insert(change.inserted);
            }
            let flushed = Instant::now();
            arc_input.advance_to(epoch);
            arc_input.flush();
            worker.step_while(|| probe.less_than(&epoch));
            if index == 0 {
                let name = format!("update_{}", batch.len());
                report(&name, flushed.elapsed().as_secs_f64());
            }
        }
        arc_input.close();
        worker.step_while(|| !probe.done());
        gathered.lock().unwrap().append(&mut local.borrow_mut());
    })
    .expect("a hand-written differential session failed");
    let changes = std::mem::take(&mut *changes.lock().unwrap());
    (
        accumulate::<D>(&changes, 0),
        accumulate::<D>(&changes, u64::MAX),
    )
}

/// The changes a worker's probe saw: `(record, epoch, diff)`.
type Changes<D> = Vec<(<D as GraphDataflow>::Out, u64, <D as GraphDataflow>::Diff)>;

/// The inputs, probe and collected output changes of a hand-written dataflow on one worker.
type Loaded<D> = (
    InputSession<u64, u64, isize>,
    InputSession<u64, <D as GraphDataflow>::Arc, isize>,
    ProbeHandle<u64>,
    Rc<RefCell<Changes<D>>>,
);

/// Builds `dataflow` on `worker`, collecting its output changes, and feeds the worker's share
/// of the vertices and arcs at epoch 0 (the inputs stay open).
fn build_and_load<D: GraphDataflow>(
    worker: &mut timely::worker::Worker,
    dataflow: &D,
    vertices: &[u64],
    arcs: &[D::Arc],
) -> Loaded<D> {
    let (index, peers) = (worker.index(), worker.peers());
    let mut vertex_input = InputSession::<u64, u64, isize>::new();
    let mut arc_input = InputSession::<u64, D::Arc, isize>::new();
    let probe = ProbeHandle::new();
    let local: Rc<RefCell<Changes<D>>> = Rc::default();
    let sink = Rc::clone(&local);
    worker.dataflow::<u64, _, _>(|scope| {
        dataflow
            .build(
                vertex_input.to_collection(scope),
                arc_input.to_collection(scope),
            )
            .inspect(move |(record, time, diff)| {
                sink.borrow_mut()
                    .push((record.clone(), *time, diff.clone()))
            })
            .probe_with(&probe);
    });
    for vertex in vertices.iter().skip(index).step_by(peers) {
        vertex_input.insert(*vertex);
    }
    for arc in arcs.iter().skip(index).step_by(peers) {
        arc_input.insert(arc.clone());
    }
    (vertex_input, arc_input, probe, local)
}

/// The result as of epoch `last`: the changes up to it, consolidated.
fn accumulate<D: GraphDataflow>(changes: &Changes<D>, last: u64) -> Updates<D> {
    let mut updates: Updates<D> = changes
        .iter()
        .filter(|(_, time, _)| *time <= last)
        .map(|(record, _, diff)| (record.clone(), diff.clone()))
        .collect();
    differential_dataflow::consolidation::consolidate(&mut updates);
    updates
}

/// The records of a consolidated result whose every difference must be 1.
fn once_each<T: std::fmt::Debug>(results: Vec<(T, isize)>) -> Vec<T> {
    results
        .into_iter()
        .map(|(record, diff)| {
            assert_eq!(diff, 1, "hand-written result {record:?} has diff {diff}");
            record
        })
        .collect()
}

/// Rank mass: the *difference* type of the hand-written PageRank's collections. A vertex's
/// rank is the multiplicity of its record, so summing contributions is differential's own
/// consolidation, and a join multiplies a rank by an edge's weight.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Mass(F64);

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

/// PageRank, `rounds` rounds from `1 / n`: Graphalytics' definition when `redistribute` (the
/// rank of vertices without out-arcs is spread over every vertex), the COST paper's otherwise
/// (that rank is lost). Every loop-invariant input is arranged once outside the loop, with its
/// weight as multiplicity: arcs `src -> dst` weighing `damping / outdegree(src)`, the dangling
/// vertices, and every vertex (by bucket, so that the dangling rank reaches them from every
/// worker) weighing `damping / n`. Each round arranges the ranks once and joins them with those
/// arrangements.
#[derive(Clone)]
struct PageRank {
    n: f64,
    damping: f64,
    rounds: u32,
    redistribute: bool,
}

impl GraphDataflow for PageRank {
    type Arc = Arc64;
    type Out = u64;
    type Diff = Mass;

    fn build<'s>(
        &self,
        vertices: Collection<'s, u64>,
        arcs: Collection<'s, Arc64>,
    ) -> Collection<'s, u64, Mass> {
        let PageRank {
            n,
            damping,
            rounds,
            redistribute,
        } = self.clone();
        let scope = vertices.scope();
        let degrees = arcs.clone().map(|(from, _)| from).count();
        let out_arcs = arcs
            .join_map(degrees.clone(), |&from, &to, &degree| (from, to, degree))
            .explode(move |(from, to, degree)| mass((from, to), damping / degree as f64))
            .arrange_by_key();
        let dangling = vertices
            .clone()
            .map(|vertex| (vertex, ()))
            .antijoin(degrees.map(|(vertex, _)| vertex))
            .filter(move |_| redistribute)
            .explode(|record| mass(record, 1.0))
            .arrange_by_key();
        let by_bucket = vertices
            .clone()
            .explode(move |vertex| mass((vertex % BUCKETS, vertex), damping / n))
            .arrange_by_key();
        let teleport = vertices
            .clone()
            .explode(move |vertex| mass((vertex, ()), (1.0 - damping) / n));
        let initial = vertices.explode(move |vertex| mass((vertex, ()), 1.0 / n));
        scope
            .iterative::<u64, _, _>(|inner| {
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
            })
            .consolidate()
    }
}

/// Min-label propagation as differential's own `propagate` does it: every vertex's label is the
/// smallest of its seed (if it has one) and the labels offered along its links; a vertex with
/// label `l` offers `offer(l, link)` to the vertex the link leads to. The labels are a
/// `reduce_abelian` arrangement that the next offers join with the arranged links.
pub fn propagate_min<'s, W, L>(
    seeds: Collection<'s, (u64, L)>,
    links: Collection<'s, (u64, W)>,
    offer: impl Fn(&L, &W) -> (u64, L) + 'static,
) -> Collection<'s, (u64, L)>
where
    W: ExchangeData,
    L: ExchangeData + std::hash::Hash,
{
    let scope = seeds.scope();
    let links = links.arrange_by_key();
    scope
        .iterative::<u64, _, _>(|inner| {
            let (links, seeds) = (links.enter(inner), seeds.enter(inner));
            let (variable, offers) = Variable::new(inner, Product::new(0, 1));
            let labels = offers
                .concat(seeds)
                .reduce_abelian::<_, ValBuilder<_, _, _, _>, ValSpine<_, _, _, _>>(
                    "Smallest",
                    |_, labels, output| output.push((labels[0].0.clone(), 1)),
                );
            variable.set(
                labels
                    .clone()
                    .join_core(links, move |_, label: &L, link: &W| {
                        Some(offer(label, link))
                    }),
            );
            labels
                .as_collection(|vertex, label| (*vertex, label.clone()))
                .leave(scope)
        })
        .consolidate()
}

/// `values` and `(vertex, unreached)` for every vertex without a value in them, consolidated.
fn with_unreached<'s, L: ExchangeData + std::hash::Hash>(
    vertices: Collection<'s, u64>,
    values: Collection<'s, (u64, L)>,
    unreached: L,
) -> Collection<'s, (u64, L)> {
    let missing = vertices
        .map(move |vertex| (vertex, unreached.clone()))
        .antijoin(values.clone().map(|(vertex, _)| vertex));
    values.concat(missing).consolidate()
}

/// Weakly connected components: each vertex's label is the smallest vertex id of its component.
#[derive(Clone)]
struct Wcc;

impl GraphDataflow for Wcc {
    type Arc = Arc64;
    type Out = (u64, u64);
    type Diff = isize;

    fn build<'s>(
        &self,
        vertices: Collection<'s, u64>,
        arcs: Collection<'s, Arc64>,
    ) -> Collection<'s, (u64, u64)> {
        let links = arcs.flat_map(|(from, to)| [(from, to), (to, from)]);
        let own = vertices.map(|vertex| (vertex, vertex));
        propagate_min(own, links, |&label, &neighbour| (neighbour, label))
    }
}

/// Breadth-first search: each vertex's depth from `root`, `i64::MAX` if unreachable.
#[derive(Clone)]
struct Bfs {
    root: u64,
}

impl GraphDataflow for Bfs {
    type Arc = Arc64;
    type Out = (u64, i64);
    type Diff = isize;

    fn build<'s>(
        &self,
        vertices: Collection<'s, u64>,
        arcs: Collection<'s, Arc64>,
    ) -> Collection<'s, (u64, i64)> {
        let root = self.root;
        let seed = vertices
            .clone()
            .filter(move |&vertex| vertex == root)
            .map(|vertex| (vertex, 0i64));
        let depths = propagate_min(seed, arcs, |&depth, &next| (next, depth + 1));
        with_unreached(vertices, depths, i64::MAX)
    }
}

/// Single-source shortest paths: each vertex's distance from `root`, infinite if unreachable.
#[derive(Clone)]
struct Sssp {
    root: u64,
}

impl GraphDataflow for Sssp {
    type Arc = (u64, (u64, F64));
    type Out = (u64, F64);
    type Diff = isize;

    fn build<'s>(
        &self,
        vertices: Collection<'s, u64>,
        arcs: Collection<'s, (u64, (u64, F64))>,
    ) -> Collection<'s, (u64, F64)> {
        let root = self.root;
        let seed = vertices
            .clone()
            .filter(move |&vertex| vertex == root)
            .map(|vertex| (vertex, F64(0.0)));
        let distances = propagate_min(seed, arcs, |&distance, &(next, weight)| {
            (next, distance + weight)
        });
        with_unreached(vertices, distances, F64(f64::INFINITY))
    }
}

/// Community detection by label propagation, `rounds` synchronous rounds: each vertex takes the
/// most frequent label among its neighbours (both directions; ties to the smallest); a vertex
/// without neighbours keeps its own.
#[derive(Clone)]
struct Cdlp {
    rounds: u32,
}

impl GraphDataflow for Cdlp {
    type Arc = Arc64;
    type Out = (u64, u64);
    type Diff = isize;

    fn build<'s>(
        &self,
        vertices: Collection<'s, u64>,
        arcs: Collection<'s, Arc64>,
    ) -> Collection<'s, (u64, u64)> {
        let rounds = u64::from(self.rounds);
        let scope = vertices.scope();
        let neighbours = arcs.flat_map(|(from, to)| [(from, to), (to, from)]);
        let alone = vertices
            .clone()
            .map(|vertex| (vertex, vertex))
            .antijoin(neighbours.clone().map(|(vertex, _)| vertex).distinct());
        let neighbours = neighbours.arrange_by_key();
        let initial = vertices.map(|vertex| (vertex, vertex));
        scope
            .iterative::<u64, _, _>(|inner| {
                let (neighbours, alone) = (neighbours.enter(inner), alone.enter(inner));
                let (variable, labels) =
                    Variable::new_from(initial.enter(inner), Product::new(0, 1));
                let heard = labels
                    .clone()
                    .arrange_by_key()
                    .join_core(neighbours, |_, &label, &neighbour| Some((neighbour, label)));
                let chosen = heard.reduce(|_, labels: &[(&u64, isize)], output| {
                    // Sorted by label: the first of the most frequent is the smallest.
                    let mut best = labels[0];
                    for &(label, count) in &labels[1..] {
                        if count > best.1 {
                            best = (label, count);
                        }
                    }
                    output.push((*best.0, 1isize));
                });
                variable.set(
                    chosen
                        .concat(alone)
                        .inner
                        .filter(move |(_, time, _)| time.inner < rounds)
                        .as_collection(),
                );
                labels.leave(scope)
            })
            .consolidate()
    }
}
