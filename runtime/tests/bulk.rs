//! The bulk strategy of `iterate` against the incremental one and against plain sequential
//! models: every loop body is written once and run with both strategies (as `dataflow!` emits
//! it), on 1 and 3 workers, on random graphs whose edges are inserted and retracted over several
//! epochs; the changes each job emits must be exactly those of the model.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

use proptest::prelude::*;
use proptest::strategy::Strategy as _;
use proptest::test_runner::TestCaseError;
use rill_runtime::bulk::BulkLoop;
use rill_runtime::collection::{Data, DiffLoop, ExactSum, Strategy};
use rill_runtime::{Change, Collection, Dataflow, Epoch, Job, RunOptions, Stream, F64};
use timely::container::CapacityContainerBuilder;
use timely::dataflow::operators::generic::operator::source;

/// Builds an `iterate` loop whose body is `$body` (with the loop as `$lp`) with `$strategy`,
/// as the code `dataflow!` generates does: the same body text against either loop type.
macro_rules! iterate {
    ($strategy:expr, $first:expr, $rounds:expr, |$lp:ident| $body:expr) => {
        match $strategy {
            Strategy::Bulk => BulkLoop::run(&$first, $rounds, false, move |$lp| $body),
            _ => DiffLoop::run(&$first, $rounds, false, move |$lp| $body),
        }
    };
}

// ---------------------------------------------------------------------------------------------
// Running jobs.

/// The changes `(record, diff)` of an input, per epoch.
type Epochs<T> = Vec<Vec<(T, isize)>>;

/// A multiset: records with their multiplicities.
type Bag<T> = BTreeMap<T, isize>;

/// Consolidated changes `(epoch, record, diff)`, sorted.
type Changes<T> = Vec<(Epoch, T, isize)>;

/// A collection fed by `epochs`: at epoch `e`, the changes `epochs[e]`, split over the workers.
fn input<'s, T: Data>(df: &mut Dataflow<'s>, name: &str, epochs: &Epochs<T>) -> Collection<'s, T> {
    let epochs = Arc::new(epochs.clone());
    let worker = df.worker();
    let scope = df.scope();
    let stream = source::<Epoch, CapacityContainerBuilder<Vec<(T, isize)>>, _, _>(
        scope,
        name,
        move |capability, info| {
            let activator = scope.activator_for(info.address);
            let mut capability = Some(capability);
            move |output| {
                let Some(cap) = capability.as_mut() else {
                    return;
                };
                let epoch = *cap.time();
                match epochs.get(epoch as usize) {
                    Some(changes) => {
                        let mine = changes
                            .iter()
                            .enumerate()
                            .filter(|(i, _)| i % worker.peers == worker.index)
                            .map(|(_, change)| change.clone());
                        output.session(&*cap).give_iterator(mine);
                        cap.downgrade(&(epoch + 1));
                        activator.activate();
                    }
                    None => capability = None,
                }
            }
        },
    );
    Stream::from_timely(stream, df.env().clone()).from_changes(name)
}

/// Runs the dataflow `build` makes on `workers` workers: the changes of the collection it
/// returns, consolidated.
fn run<T: Data>(
    workers: usize,
    build: impl for<'s> Fn(&mut Dataflow<'s>) -> Collection<'s, T> + Clone + Send + Sync + 'static,
) -> Changes<T> {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&seen);
    let options = RunOptions {
        workers,
        quiet: true,
        ..RunOptions::default()
    };
    Job::new("bulk", move |df: &mut Dataflow<'_>| {
        let sink = Arc::clone(&sink);
        build(df)
            .changes("changes")
            .inspect("collect", move |change: &Change<T>| {
                sink.lock().unwrap().push(change.clone())
            });
    })
    .run_with(&options)
    .expect("the job runs");
    let changes = seen.lock().unwrap().clone();
    consolidated(
        changes
            .into_iter()
            .map(|change| ((change.epoch, change.data), change.diff)),
    )
}

fn consolidated<T: Ord>(updates: impl IntoIterator<Item = ((Epoch, T), isize)>) -> Changes<T> {
    let mut sums = BTreeMap::new();
    for (key, diff) in updates {
        *sums.entry(key).or_insert(0) += diff;
    }
    sums.into_iter()
        .filter(|(_, diff)| *diff != 0)
        .map(|((epoch, record), diff)| (epoch, record, diff))
        .collect()
}

/// The changes between consecutive results of a model (one result per epoch).
fn model_changes<T: Ord + Clone>(results: &[Bag<T>]) -> Changes<T> {
    let mut updates = Vec::new();
    let mut previous: Bag<T> = Bag::new();
    for (epoch, result) in results.iter().enumerate() {
        for (record, diff) in result {
            updates.push(((epoch as Epoch, record.clone()), *diff));
        }
        for (record, diff) in &previous {
            updates.push(((epoch as Epoch, record.clone()), -diff));
        }
        previous = result.clone();
    }
    consolidated(updates)
}

/// A loop job: builds a dataflow for a case with a strategy.
type LoopJob<C, T> = for<'s> fn(&mut Dataflow<'s>, &C, Strategy) -> Collection<'s, T>;

/// Runs `job` on `case` with both strategies on 1 and 3 workers; each must emit `expected`.
fn check<C, T>(case: &C, expected: &Changes<T>, job: LoopJob<C, T>) -> Result<(), TestCaseError>
where
    C: Clone + Send + Sync + 'static,
    T: Data,
{
    for workers in [1, 3] {
        for strategy in [Strategy::Bulk, Strategy::Incremental] {
            let case = case.clone();
            let got = run(workers, move |df| job(df, &case, strategy));
            prop_assert_eq!(&got, expected, "{:?} on {} worker(s)", strategy, workers);
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Cases: random graphs whose edges change over epochs.

/// A graph on `nodes` vertices whose edges (with repeats) change over epochs, and seeds.
#[derive(Clone, Debug)]
struct Graph {
    nodes: u32,
    edges: Epochs<(u32, u32)>,
    /// A second edge set, static.
    other: Vec<(u32, u32)>,
    seeds: Vec<u32>,
}

impl Graph {
    /// The edges after each epoch, as multisets.
    fn edge_bags(&self) -> Vec<Bag<(u32, u32)>> {
        let mut bag = Bag::new();
        self.edges
            .iter()
            .map(|changes| {
                for (edge, diff) in changes {
                    *bag.entry(*edge).or_insert(0) += diff;
                }
                bag.retain(|_, diff| *diff != 0);
                bag.clone()
            })
            .collect()
    }

    fn static_input<T: Clone>(records: &[T]) -> Epochs<T> {
        vec![records.iter().map(|record| (record.clone(), 1)).collect()]
    }

    fn nodes(&self) -> Vec<u32> {
        (0..self.nodes).collect()
    }
}

/// Up to `epochs` epochs of edges: random insertions, then in later epochs insertions and
/// retractions of present edges; distinct seeds; a static second edge set.
fn graphs(epochs: usize) -> impl proptest::strategy::Strategy<Value = Graph> {
    (1u32..=20).prop_flat_map(move |nodes| {
        let edge = (0..nodes, 0..nodes);
        let later = (
            prop::collection::vec(edge.clone(), 0..8),
            prop::collection::vec(any::<prop::sample::Index>(), 0..8),
        );
        (
            prop::collection::vec(edge.clone(), 0..40),
            prop::collection::vec(later, 0..epochs),
            prop::collection::vec(edge, 0..20),
            prop::collection::btree_set(0..nodes, 0..4),
        )
            .prop_map(move |(first, later, other, seeds)| {
                let mut present: Vec<(u32, u32)> = first.clone();
                let mut edges = vec![first.iter().map(|edge| (*edge, 1)).collect::<Vec<_>>()];
                for (inserted, retracted) in later {
                    let mut changes: Vec<_> = inserted.iter().map(|edge| (*edge, 1)).collect();
                    for pick in retracted {
                        if !present.is_empty() {
                            let edge = present.swap_remove(pick.index(present.len()));
                            changes.push((edge, -1));
                        }
                    }
                    present.extend(inserted);
                    edges.push(changes);
                }
                Graph {
                    nodes,
                    edges,
                    other,
                    seeds: seeds.into_iter().collect(),
                }
            })
    })
}

/// Out-neighbours, by vertex, of the edges present in `edges`.
fn adjacency(edges: &Bag<(u32, u32)>) -> BTreeMap<u32, Vec<u32>> {
    let mut adjacency: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
    for (&(src, dst), &count) in edges {
        for _ in 0..count {
            adjacency.entry(src).or_default().push(dst);
        }
    }
    adjacency
}

fn set<T: Ord>(records: impl IntoIterator<Item = T>) -> Bag<T> {
    records.into_iter().map(|record| (record, 1)).collect()
}

// ---------------------------------------------------------------------------------------------
// (a) BFS levels and reachability: fixpoint loops with join, concat of an entered collection,
// and min / distinct.

fn bfs_job<'s>(
    df: &mut Dataflow<'s>,
    graph: &Graph,
    strategy: Strategy,
) -> Collection<'s, (u32, u32)> {
    let edges = input(df, "edges", &graph.edges);
    let roots =
        input(df, "roots", &Graph::static_input(&graph.seeds)).map("at 0", |root| (root, 0u32));
    let first = roots.clone();
    iterate!(strategy, first, None, |lp| {
        let edges = lp.enter(edges);
        let start = lp.enter(roots.clone());
        let (levels, level) = lp.variable(roots);
        let next = level
            .clone()
            .join_map("step", edges, |_src, level, dst| (*dst, level + 1))
            .concat("with roots", [start])
            .min("nearest");
        levels.set(next);
        lp.leave(level)
    })
}

fn bfs_model(graph: &Graph) -> Changes<(u32, u32)> {
    let results: Vec<_> = graph
        .edge_bags()
        .iter()
        .map(|edges| {
            let adjacency = adjacency(edges);
            let mut level: BTreeMap<u32, u32> = graph.seeds.iter().map(|&root| (root, 0)).collect();
            let mut frontier: Vec<u32> = graph.seeds.clone();
            let mut depth = 0;
            while !frontier.is_empty() {
                depth += 1;
                let mut next = Vec::new();
                for vertex in frontier {
                    for &dst in adjacency.get(&vertex).into_iter().flatten() {
                        if let std::collections::btree_map::Entry::Vacant(entry) = level.entry(dst)
                        {
                            entry.insert(depth);
                            next.push(dst);
                        }
                    }
                }
                frontier = next;
            }
            set(level)
        })
        .collect();
    model_changes(&results)
}

fn reach_job<'s>(df: &mut Dataflow<'s>, graph: &Graph, strategy: Strategy) -> Collection<'s, u32> {
    let edges = input(df, "edges", &graph.edges);
    let roots = input(df, "roots", &Graph::static_input(&graph.seeds));
    let first = roots.clone();
    iterate!(strategy, first, None, |lp| {
        let edges = lp.enter(edges);
        let start = lp.enter(roots.clone());
        let (reached, reach) = lp.variable(roots);
        let next = reach
            .clone()
            .map("as key", |vertex| (vertex, ()))
            .join_map("step", edges, |_src, _, dst| *dst)
            .concat("with roots", [start])
            .distinct("once");
        reached.set(next);
        lp.leave(reach)
    })
}

/// The vertices reachable from `seeds` over `adjacency` (the seeds included).
fn closure(adjacency: &BTreeMap<u32, Vec<u32>>, seeds: &BTreeSet<u32>) -> BTreeSet<u32> {
    let mut reached = seeds.clone();
    let mut todo: Vec<u32> = seeds.iter().copied().collect();
    while let Some(vertex) = todo.pop() {
        for &dst in adjacency.get(&vertex).into_iter().flatten() {
            if reached.insert(dst) {
                todo.push(dst);
            }
        }
    }
    reached
}

fn reach_model(graph: &Graph) -> Changes<u32> {
    let seeds: BTreeSet<u32> = graph.seeds.iter().copied().collect();
    let results: Vec<_> = graph
        .edge_bags()
        .iter()
        .map(|edges| set(closure(&adjacency(edges), &seeds)))
        .collect();
    model_changes(&results)
}

// ---------------------------------------------------------------------------------------------
// (b) Connected components by propagating the smallest label: fixpoint, an entered collection
// transformed inside the loop.

fn components_job<'s>(
    df: &mut Dataflow<'s>,
    graph: &Graph,
    strategy: Strategy,
) -> Collection<'s, (u32, u32)> {
    components_job_with(df, graph, strategy, false, false)
}

/// [`components_job`] whose `min` also sees a label 0 for every vertex, with multiplicity 1
/// and -1: they cancel out, so the result is the same — if the operator consolidates first
/// (the bulk `min` folds values unconsolidated only when no multiplicity is negative).
fn components_with_cancelled_decoys<'s>(
    df: &mut Dataflow<'s>,
    graph: &Graph,
    strategy: Strategy,
) -> Collection<'s, (u32, u32)> {
    components_job_with(df, graph, strategy, true, false)
}

/// [`components_job`] with `max` instead of `min`: every vertex labelled with the largest
/// vertex of its component.
fn largest_labels<'s>(
    df: &mut Dataflow<'s>,
    graph: &Graph,
    strategy: Strategy,
) -> Collection<'s, (u32, u32)> {
    components_job_with(df, graph, strategy, false, true)
}

/// [`largest_labels`] with decoys (`u32::MAX`, cancelled out), as in
/// [`components_with_cancelled_decoys`].
fn largest_labels_with_cancelled_decoys<'s>(
    df: &mut Dataflow<'s>,
    graph: &Graph,
    strategy: Strategy,
) -> Collection<'s, (u32, u32)> {
    components_job_with(df, graph, strategy, true, true)
}

fn components_job_with<'s>(
    df: &mut Dataflow<'s>,
    graph: &Graph,
    strategy: Strategy,
    decoys: bool,
    largest: bool,
) -> Collection<'s, (u32, u32)> {
    let edges = input(df, "edges", &graph.edges);
    let labels =
        input(df, "nodes", &Graph::static_input(&graph.nodes())).map("own label", |v| (v, v));
    let first = labels.clone();
    iterate!(strategy, first, None, |lp| {
        let edges = lp
            .enter(edges)
            .flat_map("both ways", |(a, b)| [(a, b), (b, a)]);
        let own = lp.enter(labels.clone());
        let (set_labels, label) = lp.variable(labels);
        let decoys = label
            .clone()
            .filter("decoys", move |_| decoys)
            .map("decoy", move |(vertex, _)| {
                (vertex, if largest { u32::MAX } else { 0 })
            });
        let offers = label
            .clone()
            .join_map("send", edges, |_src, label, dst| (*dst, *label))
            .concat("with own", [own, decoys.clone(), decoys.negate("cancel")]);
        let next = if largest {
            offers.max("largest")
        } else {
            offers.min("smallest")
        };
        set_labels.set(next);
        lp.leave(label)
    })
}

fn components_model(graph: &Graph) -> Changes<(u32, u32)> {
    components_model_with(graph, false)
}

fn largest_labels_model(graph: &Graph) -> Changes<(u32, u32)> {
    components_model_with(graph, true)
}

fn components_model_with(graph: &Graph, largest: bool) -> Changes<(u32, u32)> {
    let results: Vec<_> = graph
        .edge_bags()
        .iter()
        .map(|edges| {
            let mut parent: Vec<u32> = graph.nodes();
            fn root(parent: &mut [u32], v: u32) -> u32 {
                let mut v = v;
                while parent[v as usize] != v {
                    parent[v as usize] = parent[parent[v as usize] as usize];
                    v = parent[v as usize];
                }
                v
            }
            for &(a, b) in edges.keys() {
                let (ra, rb) = (root(&mut parent, a), root(&mut parent, b));
                // The smaller (larger) root wins, so every root is its component's smallest
                // (largest) vertex.
                let (winner, loser) = if largest {
                    (ra.max(rb), ra.min(rb))
                } else {
                    (ra.min(rb), ra.max(rb))
                };
                parent[loser as usize] = winner;
            }
            set(graph.nodes().into_iter().map(|v| (v, root(&mut parent, v))))
        })
        .collect();
    model_changes(&results)
}

// ---------------------------------------------------------------------------------------------
// (c) A bounded PageRank-like loop: `sum` of `F64` contributions and of an entered base rank,
// out-degrees counted from an entered collection inside the loop.

const PAGERANK_ROUNDS: u64 = 6;

fn pagerank_job<'s>(
    df: &mut Dataflow<'s>,
    graph: &Graph,
    strategy: Strategy,
) -> Collection<'s, (u32, F64)> {
    let edges = input(df, "edges", &graph.edges);
    let nodes = input(df, "nodes", &Graph::static_input(&graph.nodes()));
    let ranks = nodes.clone().map("start", |v| (v, F64(1.0)));
    let first = ranks.clone();
    iterate!(strategy, first, Some(PAGERANK_ROUNDS), |lp| {
        let edges = lp.enter(edges);
        let base = lp.enter(nodes).map("base", |v| (v, F64(0.15)));
        let degrees = edges
            .clone()
            .map("sources", |(src, _)| src)
            .count("degrees");
        let links = edges.join("with degrees", degrees);
        let (set_ranks, rank) = lp.variable(ranks);
        let next = rank
            .clone()
            .join_map("contribute", links, |_src, rank, (dst, degree)| {
                (*dst, *rank * 0.85 / *degree as f64)
            })
            .concat("with base", [base])
            .sum("add up");
        set_ranks.set(next);
        lp.leave(rank)
    })
}

/// Adds up `values` as the strategies' `sum` does: every value times its multiplicity, without
/// rounding until the end (`ExactSum` is checked against an integer reference in its own tests);
/// `None` if the values cancel out.
fn exact_sum(values: Vec<(F64, isize)>) -> Option<F64> {
    let mut counts: BTreeMap<F64, isize> = BTreeMap::new();
    let mut sum = ExactSum::default();
    for (value, count) in values {
        *counts.entry(value).or_default() += count;
        sum.add(value.0, count);
    }
    counts
        .values()
        .any(|count| *count != 0)
        .then(|| F64(sum.value()))
}

fn pagerank_model(graph: &Graph) -> Changes<(u32, F64)> {
    let results: Vec<_> = graph
        .edge_bags()
        .iter()
        .map(|edges| {
            let mut degree: BTreeMap<u32, isize> = BTreeMap::new();
            for (&(src, _), &count) in edges {
                *degree.entry(src).or_default() += count;
            }
            let mut rank: BTreeMap<u32, F64> =
                graph.nodes().into_iter().map(|v| (v, F64(1.0))).collect();
            for _ in 0..PAGERANK_ROUNDS {
                let mut incoming: BTreeMap<u32, Vec<(F64, isize)>> = graph
                    .nodes()
                    .into_iter()
                    .map(|v| (v, vec![(F64(0.15), 1)]))
                    .collect();
                for (&(src, dst), &count) in edges {
                    if let Some(&r) = rank.get(&src) {
                        let share = r * 0.85 / degree[&src] as f64;
                        incoming.entry(dst).or_default().push((share, count));
                    }
                }
                rank = incoming
                    .into_iter()
                    .filter_map(|(v, values)| exact_sum(values).map(|total| (v, total)))
                    .collect();
            }
            set(rank)
        })
        .collect();
    model_changes(&results)
}

// ---------------------------------------------------------------------------------------------
// (d) Bootstrap percolation: a vertex is active if it is a seed or has at least K active
// in-neighbours (counting repeated edges); uses count, threshold, negate and antijoin.

const K: isize = 2;

fn percolation_job<'s>(
    df: &mut Dataflow<'s>,
    graph: &Graph,
    strategy: Strategy,
) -> Collection<'s, u32> {
    let edges = input(df, "edges", &graph.edges);
    let seeds = input(df, "seeds", &Graph::static_input(&graph.seeds));
    let first = seeds.clone();
    iterate!(strategy, first, None, |lp| {
        let edges = lp.enter(edges);
        let start = lp.enter(seeds.clone());
        let (set_active, active) = lp.variable(seeds);
        let hits =
            active
                .clone()
                .map("as key", |v| (v, ()))
                .join_map("hit", edges, |_src, _, dst| *dst);
        let counted = hits
            .clone()
            .count("hits")
            .filter("enough", |(_, hits)| *hits >= K)
            .map("vertex", |(v, _)| v);
        let thresholded = hits.threshold("at least K", |_, hits| if hits >= K { 1 } else { 0 });
        let newly = thresholded
            .concat("minus active", [active.clone().negate("negated")])
            .threshold("positive", |_, count| if count > 0 { 1 } else { 0 });
        let fresh = newly
            .map("as key", |v| (v, ()))
            .antijoin("not active", active.clone())
            .map("vertex", |(v, _)| v);
        let next = start.concat("all", [counted, fresh]).distinct("once");
        set_active.set(next);
        lp.leave(active)
    })
}

fn percolation_model(graph: &Graph) -> Changes<u32> {
    let seeds: BTreeSet<u32> = graph.seeds.iter().copied().collect();
    let results: Vec<_> = graph
        .edge_bags()
        .iter()
        .map(|edges| {
            let mut active = seeds.clone();
            loop {
                let mut hits: BTreeMap<u32, isize> = BTreeMap::new();
                for (&(src, dst), &count) in edges {
                    if active.contains(&src) {
                        *hits.entry(dst).or_default() += count;
                    }
                }
                let mut next = seeds.clone();
                next.extend(
                    hits.into_iter()
                        .filter(|(_, hits)| *hits >= K)
                        .map(|(v, _)| v),
                );
                if next == active {
                    break set(active);
                }
                active = next;
            }
        })
        .collect();
    model_changes(&results)
}

// ---------------------------------------------------------------------------------------------
// (e) A loop inside a loop: the inner loop closes a set under the first edge set (fixpoint),
// the outer one adds a hop over the second edge set, until nothing changes.

fn nested_job<'s>(df: &mut Dataflow<'s>, graph: &Graph, strategy: Strategy) -> Collection<'s, u32> {
    let edges = input(df, "edges", &graph.edges);
    let other = input(df, "other", &Graph::static_input(&graph.other));
    let seeds = input(df, "seeds", &Graph::static_input(&graph.seeds));
    let first = seeds.clone();
    iterate!(strategy, first, None, |lp| {
        let edges = lp.enter(edges);
        let other = lp.enter(other);
        let (set_current, current) = lp.variable(seeds);
        let inner_first = current.clone();
        let closed = lp.nested(&inner_first, None, move |inner| {
            let edges = inner.enter(edges);
            let start = inner.enter(current.clone());
            let (set_reach, reach) = inner.variable(current);
            let next = reach
                .clone()
                .map("as key", |v| (v, ()))
                .join_map("step", edges, |_src, _, dst| *dst)
                .concat("with start", [start])
                .distinct("once");
            set_reach.set(next);
            inner.leave(reach)
        });
        let next = closed
            .clone()
            .map("as key", |v| (v, ()))
            .join_map("hop", other, |_src, _, dst| *dst)
            .concat("with closed", [closed])
            .distinct("once");
        set_current.set(next);
        lp.leave(inner_first)
    })
}

fn nested_model(graph: &Graph) -> Changes<u32> {
    let other = adjacency(&graph.other.iter().map(|edge| (*edge, 1)).fold(
        Bag::new(),
        |mut bag, (edge, diff)| {
            *bag.entry(edge).or_insert(0) += diff;
            bag
        },
    ));
    let results: Vec<_> = graph
        .edge_bags()
        .iter()
        .map(|edges| {
            let adjacency = adjacency(edges);
            let mut current: BTreeSet<u32> = graph.seeds.iter().copied().collect();
            loop {
                let closed = closure(&adjacency, &current);
                let mut next = closed.clone();
                for vertex in &closed {
                    next.extend(other.get(vertex).into_iter().flatten().copied());
                }
                if next == current {
                    break set(current);
                }
                current = next;
            }
        })
        .collect();
    model_changes(&results)
}

// ---------------------------------------------------------------------------------------------
// (f) Two variables: `a` is the seeds plus the successors of `b`, `b` the seeds' successors'
// ... alternately: a' = seeds ∪ succ(b), b' = seeds + 1 ∪ succ(a).

fn alternating_job<'s>(
    df: &mut Dataflow<'s>,
    graph: &Graph,
    strategy: Strategy,
) -> Collection<'s, (u8, u32)> {
    let edges = input(df, "edges", &graph.edges);
    let seeds = input(df, "seeds", &Graph::static_input(&graph.seeds));
    let nodes = graph.nodes;
    let shifted = seeds.clone().map("shifted", move |v| (v + 1) % nodes);
    let first = seeds.clone();
    let (a, b) = iterate!(strategy, first, None, |lp| {
        let edges = lp.enter(edges);
        let a_start = lp.enter(seeds.clone());
        let b_start = lp.enter(shifted.clone());
        let (set_a, a) = lp.variable(seeds);
        let (set_b, b) = lp.variable(shifted);
        let next_a = b
            .clone()
            .map("as key", |v| (v, ()))
            .join_map("step", edges.clone(), |_src, _, dst| *dst)
            .concat("with seeds", [a_start])
            .distinct("once");
        let next_b = a
            .clone()
            .map("as key", |v| (v, ()))
            .join_map("step", edges, |_src, _, dst| *dst)
            .concat("with seeds", [b_start])
            .distinct("once");
        set_a.set(next_a);
        set_b.set(next_b);
        (lp.leave(a), lp.leave(b))
    });
    a.map("tag a", |v| (0, v))
        .concat("both", [b.map("tag b", |v| (1, v))])
}

fn alternating_model(graph: &Graph) -> Changes<(u8, u32)> {
    let seeds: BTreeSet<u32> = graph.seeds.iter().copied().collect();
    let shifted: BTreeSet<u32> = seeds.iter().map(|v| (v + 1) % graph.nodes).collect();
    let results: Vec<_> = graph
        .edge_bags()
        .iter()
        .map(|edges| {
            let adjacency = adjacency(edges);
            let successors = |set: &BTreeSet<u32>| -> BTreeSet<u32> {
                set.iter()
                    .flat_map(|v| adjacency.get(v).into_iter().flatten().copied())
                    .collect()
            };
            let (mut a, mut b) = (seeds.clone(), shifted.clone());
            loop {
                let next_a: BTreeSet<u32> = seeds.union(&successors(&b)).copied().collect();
                let next_b: BTreeSet<u32> = shifted.union(&successors(&a)).copied().collect();
                if next_a == a && next_b == b {
                    break set(a.iter().map(|v| (0, *v)).chain(b.iter().map(|v| (1, *v))));
                }
                (a, b) = (next_a, next_b);
            }
        })
        .collect();
    model_changes(&results)
}

// ---------------------------------------------------------------------------------------------
// The properties: (a)-(f) on graphs given in one epoch, and (g) on graphs whose edges change over
// several epochs (insertions and retractions).

/// 16 cases per property, or `PROPTEST_CASES` for a longer search.
fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(16);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn bfs_levels(graph in graphs(1)) {
        check(&graph, &bfs_model(&graph), bfs_job)?;
    }

    #[test]
    fn reachability(graph in graphs(1)) {
        check(&graph, &reach_model(&graph), reach_job)?;
    }

    #[test]
    fn connected_components(graph in graphs(1)) {
        check(&graph, &components_model(&graph), components_job)?;
    }

    #[test]
    fn connected_components_with_cancelled_decoys(graph in graphs(1)) {
        check(&graph, &components_model(&graph), components_with_cancelled_decoys)?;
    }

    #[test]
    fn components_by_largest_label(graph in graphs(1)) {
        check(&graph, &largest_labels_model(&graph), largest_labels)?;
    }

    #[test]
    fn largest_labels_with_cancelled_decoys_by_max(graph in graphs(1)) {
        check(&graph, &largest_labels_model(&graph), largest_labels_with_cancelled_decoys)?;
    }

    #[test]
    fn bounded_pagerank(graph in graphs(1)) {
        check(&graph, &pagerank_model(&graph), pagerank_job)?;
    }

    #[test]
    fn percolation_with_negate_antijoin_threshold_count(graph in graphs(1)) {
        check(&graph, &percolation_model(&graph), percolation_job)?;
    }

    #[test]
    fn nested_loops(graph in graphs(1)) {
        check(&graph, &nested_model(&graph), nested_job)?;
    }

    #[test]
    fn two_variables(graph in graphs(1)) {
        check(&graph, &alternating_model(&graph), alternating_job)?;
    }

    #[test]
    fn changing_bfs_levels(graph in graphs(4)) {
        check(&graph, &bfs_model(&graph), bfs_job)?;
    }

    #[test]
    fn changing_connected_components(graph in graphs(4)) {
        check(&graph, &components_model(&graph), components_job)?;
    }

    #[test]
    fn changing_pagerank(graph in graphs(4)) {
        check(&graph, &pagerank_model(&graph), pagerank_job)?;
    }

    #[test]
    fn changing_percolation(graph in graphs(4)) {
        check(&graph, &percolation_model(&graph), percolation_job)?;
    }

    #[test]
    fn changing_nested_loops(graph in graphs(4)) {
        check(&graph, &nested_model(&graph), nested_job)?;
    }

    #[test]
    fn changing_two_variables(graph in graphs(4)) {
        check(&graph, &alternating_model(&graph), alternating_job)?;
    }
}

/// A fixed chain with a cycle, in three epochs (an edge inserted, then retracted): the BFS
/// levels change and change back.
#[test]
fn bfs_levels_follow_an_edge_in_and_out() {
    let graph = Graph {
        nodes: 6,
        edges: vec![
            vec![
                ((0, 1), 1),
                ((1, 2), 1),
                ((2, 3), 1),
                ((3, 1), 1),
                ((4, 5), 1),
            ],
            vec![((0, 3), 1)],
            vec![((0, 3), -1), ((2, 4), 1)],
        ],
        other: Vec::new(),
        seeds: vec![0],
    };
    let expected = bfs_model(&graph);
    assert_eq!(
        expected,
        vec![
            (0, (0, 0), 1),
            (0, (1, 1), 1),
            (0, (2, 2), 1),
            (0, (3, 3), 1),
            (1, (3, 1), 1),
            (1, (3, 3), -1),
            (2, (3, 1), -1),
            (2, (3, 3), 1),
            (2, (4, 3), 1),
            (2, (5, 4), 1),
        ]
    );
    check(&graph, &expected, bfs_job).unwrap();
}
