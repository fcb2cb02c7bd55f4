//! The operators `dataflow!` knows, one module each. A [`OpSpec`] says what an operator consumes,
//! produces and takes as arguments; the checks, the "did you mean" hints, the lowering and the
//! operator reference in the docs are all driven by these specs.

use proc_macro2::TokenStream;

use crate::ast::OpCall;
use crate::diagnostics::Diagnostics;

mod aggregate;
mod antijoin;
mod avg;
mod changes;
mod concat;
mod consolidate;
mod count;
mod distinct;
mod filter;
mod flat_map;
mod fold;
mod from_changes;
mod ingestion_timestamps;
mod inspect;
mod join;
mod join_map;
pub mod key_by;
mod keyed_process;
mod map;
mod max;
mod min;
mod negate;
mod process;
mod reduce;
mod semijoin;
mod sink;
mod source;
mod sum;
mod threshold;
mod timestamps;
mod to_collection;
pub mod uid;
mod window;
mod window_all;

/// What an operator needs upstream.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Input {
    /// Nothing: it starts a pipeline.
    None,
    /// Any stream but a windowed one; a keyed stream is passed on as its records.
    Stream,
    /// A stream without timestamps (a keyed one is passed on as its records).
    Untimed,
    /// A stream with timestamps (a keyed one is passed on as its records).
    Timed,
    /// A keyed stream without timestamps (after `key_by`).
    Keyed,
    /// A keyed stream with timestamps (after `timestamps` and `key_by`).
    KeyedTimed,
    /// A windowed stream (after `window`).
    Windowed,
    /// A keyed stream without timestamps, or a windowed one.
    KeyedOrWindowed,
    /// A collection.
    Collection,
}

/// What an operator produces.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Output {
    /// Nothing: it ends a pipeline.
    Nothing,
    /// A stream without keys, with timestamps if its input had them.
    Same,
    /// A stream without keys or timestamps; after a window, also the late records when bound to
    /// two names.
    Stream,
    /// A keyed stream, with timestamps if its input had them.
    Keyed,
    /// A stream with timestamps.
    Timed,
    /// A windowed stream.
    Windowed,
    /// A stream of records, and, when bound to two names, a stream of records that failed to decode.
    StreamAndErrors,
    /// A stream, and, when bound to two names, a side output.
    StreamAndSide,
    /// A collection.
    Collection,
}

/// What kind of argument an operator takes at a position.
#[derive(Clone, Copy, Debug)]
pub enum ArgKind {
    /// Any Rust expression, passed through.
    Value,
    /// A function; if written as a closure, it must take `params` parameters.
    Closure { params: usize },
    /// The name of a stream defined earlier; `keyed` if it must be a keyed stream.
    Stream { keyed: bool },
    /// The name of a collection defined earlier.
    Collection,
}

/// One argument of an operator.
#[derive(Clone, Copy, Debug)]
pub struct Arg {
    /// How the docs and errors call it, e.g. `|record| new_record`.
    pub shape: &'static str,
    pub kind: ArgKind,
}

/// Everything the compiler knows about an operator.
#[derive(Debug)]
pub struct OpSpec {
    /// The name users write, and the runtime method it lowers to.
    pub name: &'static str,
    /// Other names that mean the same operator.
    pub aliases: &'static [&'static str],
    /// One line on what it does, for docs and help messages.
    pub summary: &'static str,
    pub input: Input,
    pub output: Output,
    pub args: &'static [Arg],
    /// How many of the last arguments may be left out.
    pub optional: usize,
    /// Whether the last argument may be repeated (`concat(a, b, c)`).
    pub variadic: bool,
    /// Checks and lowering of arguments the compiler understands itself (durations, windows).
    pub special: Option<Special>,
    /// Whether the operator keeps state in checkpoints: at run time it registers a `StateWriter`
    /// (`runtime/src/checkpoint/writer.rs`) under its name, and a restore finds the state by that
    /// name. Only such an operator can be named with `uid`. Operators that transform records one
    /// by one keep none, and neither do operators on collections: a restore rebuilds their state
    /// by replaying what entered the collection (`to_collection`, `from_changes`).
    pub checkpointed: bool,
}

/// Arguments with a syntax of their own: checked at compile time and lowered by the operator.
#[derive(Debug)]
pub struct Special {
    /// Reports every problem with the arguments.
    pub check: fn(&OpCall, &mut Diagnostics),
    /// The arguments as Rust expressions, once they are known to be right.
    pub lower: fn(&OpCall) -> Vec<TokenStream>,
}

impl OpSpec {
    /// How a call looks, e.g. `map(|record| new_record)`.
    pub fn signature(&self) -> String {
        let args: Vec<&str> = self.args.iter().map(|arg| arg.shape).collect();
        let more = if self.variadic { ", ..." } else { "" };
        format!("{}({}{more})", self.name, args.join(", "))
    }

    /// "1 argument", "no arguments", "1 or more arguments", "1 or 2 arguments".
    pub fn arity_text(&self) -> String {
        let n = self.args.len();
        let noun = if n == 1 { "argument" } else { "arguments" };
        match (n, self.variadic, self.optional) {
            (0, _, _) => "no arguments".to_owned(),
            (_, true, _) => format!("{n} or more {noun}"),
            (_, false, 0) => format!("{n} {noun}"),
            (_, false, optional) => format!("{} to {n} arguments", n - optional),
        }
    }

    /// Whether `count` arguments fit this operator.
    pub fn accepts_arg_count(&self, count: usize) -> bool {
        let required = self.args.len() - self.optional;
        (required..=self.args.len()).contains(&count) || (self.variadic && count > self.args.len())
    }

    /// The spec of argument `index` (the last one repeats for variadic operators).
    pub fn arg(&self, index: usize) -> Option<&Arg> {
        self.args.get(index).or(if self.variadic {
            self.args.last()
        } else {
            None
        })
    }
}

/// Every operator, in the order the docs list them.
pub const ALL: &[&OpSpec] = &[
    &source::SPEC,
    &timestamps::SPEC,
    &ingestion_timestamps::SPEC,
    &map::SPEC,
    &filter::SPEC,
    &flat_map::SPEC,
    &inspect::SPEC,
    &key_by::SPEC,
    &concat::SPEC,
    &distinct::SPEC,
    &count::SPEC,
    &sum::SPEC,
    &min::SPEC,
    &max::SPEC,
    &fold::SPEC,
    &reduce::SPEC,
    &join::SPEC,
    &window::SPEC,
    &window_all::SPEC,
    &keyed_process::SPEC,
    &avg::SPEC,
    &aggregate::SPEC,
    &process::SPEC,
    &to_collection::SPEC,
    &from_changes::SPEC,
    &sink::SPEC,
    &uid::SPEC,
];

/// Every operator on collections, in the order the docs list them.
pub const COLLECTION_OPS: &[&OpSpec] = &[
    &map::COLLECTION,
    &filter::COLLECTION,
    &flat_map::COLLECTION,
    &inspect::COLLECTION,
    &concat::COLLECTION,
    &negate::SPEC,
    &consolidate::SPEC,
    &distinct::COLLECTION,
    &threshold::SPEC,
    &count::COLLECTION,
    &min::COLLECTION,
    &max::COLLECTION,
    &sum::COLLECTION,
    &reduce::COLLECTION,
    &join::COLLECTION,
    &join_map::SPEC,
    &semijoin::SPEC,
    &antijoin::SPEC,
    &changes::SPEC,
];

/// Whether `spec` is called `name` (or has it as an alias).
fn named(spec: &OpSpec, name: &str) -> bool {
    spec.name == name || spec.aliases.contains(&name)
}

/// The operator called `name` for an input that is a collection (`on_collection`) or a stream;
/// the other kind's operator of that name if only it exists (the caller reports the mismatch).
pub fn lookup(name: &str, on_collection: bool) -> Option<&'static OpSpec> {
    let (preferred, other) = if on_collection {
        (COLLECTION_OPS, ALL)
    } else {
        (ALL, COLLECTION_OPS)
    };
    let find = |table: &[&'static OpSpec]| table.iter().copied().find(|spec| named(spec, name));
    find(preferred).or_else(|| find(other))
}

/// Every name an operator can be called by.
pub fn all_names() -> impl Iterator<Item = &'static str> {
    ALL.iter()
        .chain(COLLECTION_OPS)
        .flat_map(|spec| std::iter::once(spec.name).chain(spec.aliases.iter().copied()))
}
