//! The operators `dataflow!` knows, one module each. A [`OpSpec`] says what an operator consumes,
//! produces and takes as arguments; the checks, the "did you mean" hints, the lowering and the
//! operator reference in the docs are all driven by these specs.

mod concat;
mod count;
mod distinct;
mod filter;
mod flat_map;
mod fold;
mod inspect;
mod join;
pub mod key_by;
mod map;
mod max;
mod min;
mod reduce;
mod sink;
mod source;
mod sum;

/// What an operator needs upstream.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Input {
    /// Nothing: it starts a pipeline.
    None,
    /// Any stream; a keyed stream is passed on as its records (the keys are dropped).
    Stream,
    /// A keyed stream (after `key_by`).
    Keyed,
}

/// What an operator produces.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Output {
    /// Nothing: it ends a pipeline.
    Nothing,
    /// A stream.
    Stream,
    /// A keyed stream.
    Keyed,
    /// A stream of records, and, when bound to two names, a stream of records that failed to decode.
    StreamAndErrors,
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
    /// Whether the last argument may be repeated (`concat(a, b, c)`).
    pub variadic: bool,
}

impl OpSpec {
    /// How a call looks, e.g. `map(|record| new_record)`.
    pub fn signature(&self) -> String {
        let args: Vec<&str> = self.args.iter().map(|arg| arg.shape).collect();
        let more = if self.variadic { ", ..." } else { "" };
        format!("{}({}{more})", self.name, args.join(", "))
    }

    /// "1 argument", "no arguments", "1 or more arguments".
    pub fn arity_text(&self) -> String {
        let n = self.args.len();
        let noun = if n == 1 { "argument" } else { "arguments" };
        match (n, self.variadic) {
            (0, _) => "no arguments".to_owned(),
            (_, true) => format!("{n} or more {noun}"),
            _ => format!("{n} {noun}"),
        }
    }

    /// Whether `count` arguments fit this operator.
    pub fn accepts_arg_count(&self, count: usize) -> bool {
        count == self.args.len() || (self.variadic && count > self.args.len())
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
    &sink::SPEC,
];

/// The operator called `name` (or one of its aliases).
pub fn lookup(name: &str) -> Option<&'static OpSpec> {
    ALL.iter()
        .copied()
        .find(|spec| spec.name == name || spec.aliases.contains(&name))
}

/// Every name an operator can be called by.
pub fn all_names() -> impl Iterator<Item = &'static str> {
    ALL.iter()
        .flat_map(|spec| std::iter::once(spec.name).chain(spec.aliases.iter().copied()))
}
