//! # Rill
//!
//! Apache Flink's programming model as a compile-time-checked Rust macro. [`dataflow!`] compiles
//! a pipeline into an ordinary, statically typed [timely dataflow] program that runs on one
//! thread, on many threads (`--workers N`), or on many processes listed in a host file
//! (`--hosts hosts.txt`).
//!
//! ```
//! use rill::prelude::*;
//!
//! # fn main() -> Result<(), RillError> {
//! let text = vec!["to be or not to be".to_string(), "to see or not".to_string()];
//! let counts = Collector::new();
//! let results = counts.clone();
//! let job = dataflow! {
//!     #![name = "wordcount"]
//!     let lines = source(from_iter(text));
//!     lines
//!         -> flat_map(|line: String| line.split_whitespace().map(str::to_owned).collect::<Vec<_>>())
//!         -> key_by(|word: &String| word.clone())
//!         -> count()
//!         -> sink(collect(&results));
//! };
//! job.run_with(&RunOptions { quiet: true, ..RunOptions::default() })?;
//! assert_eq!(counts.sorted()[..2], [("be".to_string(), 2), ("not".to_string(), 2)]);
//! # Ok(())
//! # }
//! ```
//!
//! The syntax, the operators and their semantics are described in the documentation of
//! [`dataflow!`] and in the README's DSL guide.
//!
//! [timely dataflow]: https://github.com/TimelyDataflow/timely-dataflow

/// Compiles a pipeline into a [`Job`](crate::prelude::Job).
///
/// # Grammar
///
/// ```text
/// job       := ("#![name = " STRING "]")? statement*
/// statement := "let" binding "=" pipeline ";"  |  pipeline ";"
///            | "let" binding "=" iterate ";"
/// iterate   := "iterate" ("(" option ("," option)* ")")? "{" loop-stmt* result "}"
/// loop-stmt := "var" NAME "=" pipeline ";"  |  "next" NAME "=" pipeline ";"  |  statement
/// option    := "rounds" "=" EXPR  |  "strategy" "=" ("auto" | "bulk" | "incremental" | EXPR)
/// result    := NAME  |  "(" NAME ("," NAME)* ")"
/// binding   := NAME  |  "(" NAME ("," NAME)* ")"
/// pipeline  := stage ("->" stage)*
/// stage     := NAME                       a stream or collection defined earlier (first stage only)
///            | OPERATOR "(" args ")"      an operator call
/// ```
///
/// A pipeline starts with a `source(...)` or the name of a stream bound earlier with `let`, pipes
/// records through operators with `->`, and either ends in a `sink(...)` or is bound to a name.
/// A name can be used by several pipelines (the stream is copied to each). Binary operators take
/// the other input by name: `orders -> key_by(|o: &Order| o.user) -> join(users)`.
/// `let (records, bad) = source(...)` binds a source's second output, the records that failed
/// to decode (as [`BadRecord`](crate::prelude::BadRecord)s), instead of failing the job on them.
///
/// # Operators
///
/// | operator | input | output |
/// |---|---|---|
/// | `source(description)` | — | records (and bad records when bound to two names) |
/// | `map(\|record\| new)` | stream | stream |
/// | `filter(\|record: &T\| keep)` | stream | stream |
/// | `flat_map(\|record\| iterable)` | stream | stream |
/// | `inspect(\|record: &T\| ...)` | stream | the same stream |
/// | `key_by(\|record: &T\| key)` | stream | keyed stream |
/// | `concat(other, ...)` / `union(...)` | streams | stream |
/// | `distinct()` | stream | stream: each record once, at its first epoch |
/// | `count()` | keyed | `(key, u64)` |
/// | `sum(\|record\| value)` | keyed | `(key, value)` |
/// | `min(\|record\| value)`, `max(...)` | keyed | `(key, value)` |
/// | `fold(initial, \|acc: &mut A, record\| ...)` | keyed | `(key, A)` |
/// | `reduce(\|a, b\| combined)` | keyed | `(key, record)` |
/// | `join(other_keyed)` | keyed | `(key, (record, other_record))` |
/// | `sink(description)` | stream | — |
/// | `uid("name")` | right after an operator that keeps state | names that operator in checkpoints, in place of `op@file:line:col` |
///
/// A keyed stream given to an operator that expects a plain stream passes on its records.
///
/// # Collections and loops
///
/// `to_collection()` turns a stream into a collection (a multiset maintained incrementally by
/// differential dataflow; `from_changes()` for a stream of `(record, diff)` pairs) and
/// `changes()` turns a collection into the stream of its [`Change`](crate::prelude::Change)s.
/// Collections have `map`, `filter`, `flat_map`, `inspect`, `concat`, `negate`, `consolidate`,
/// `distinct`, `threshold`, `count`, `min`, `max`, `sum`, `reduce`, `join`, `join_map`,
/// `semijoin` and `antijoin`. `iterate { var x = initial; next x = ...; x }` runs a loop over
/// collections, to a fixed point or for `rounds = N`; the strategy (`bulk` or `incremental`) is
/// chosen by the planner unless given. See the README's "Collections and iterations".
///
/// # Semantics
///
/// Records carry epochs. Sources that read a bounded input (a file, a collection) put all of it
/// in epoch 0; the generator advances the epoch every `events_per_epoch` records. The keyed
/// aggregates emit, when an epoch is complete, `(key, aggregate of all records of the key up to
/// and including that epoch)` for every key that epoch changed: on bounded input that is exactly
/// one final result per key, on unbounded input a running total per epoch. `join` emits every
/// matching pair once; `distinct` emits each record once.
///
/// # Compile-time checks
///
/// Unknown operators (with "did you mean"), wrong argument counts, closures with the wrong number
/// of parameters, undefined, duplicate and unused stream names, keyed operators without `key_by`,
/// joins with unkeyed or undefined inputs, sinks in the middle of a pipeline, and pipelines whose
/// output goes nowhere are reported on the offending token, with a help line. Type errors between
/// stages land on the user's closure, and key types that are not `Hash + Eq` are named.
pub use rill_macros::dataflow;

// The code `dataflow!` generates names `::rill`; this lets the graph library use it too.
extern crate self as rill;

pub mod graph;

pub use rill_runtime as runtime;
pub use rill_stdlib as stdlib;

/// Everything a job needs: `use rill::prelude::*;`.
pub mod prelude {
    pub use crate::dataflow;
    pub use rill_runtime::collection::Strategy;
    pub use rill_runtime::{
        state, Aggregate, BadRecord, Change, Collection, Epoch, Job, Key, KeyedStream, Late,
        ProcessContext, Record, RillError, RunOptions, RunSummary, Sink, Source, Stream,
        TimeDomain, Timer, WindowResult, F64,
    };
    pub use rill_stdlib::prelude::*;
}

/// What the code `dataflow!` generates refers to. Not a public API.
#[doc(hidden)]
pub mod __private {
    pub use rill_runtime::bulk::BulkLoop;
    pub use rill_runtime::collection::{DiffLoop, Strategy};
    pub use rill_runtime::{Dataflow, IntoRecords, Job, Windows};
}
