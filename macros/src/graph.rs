//! From statements to a checked graph: names resolved in source order, the kind of every edge
//! (stream or keyed stream) known, and every mistake reported on the user's own token.

use std::collections::{HashMap, HashSet};

use proc_macro2::Span;
use syn::Ident;

use crate::ast::{Binding, Job, OpCall, Stage, Statement};
use crate::check::{check_arguments, stream_name};
use crate::diagnostics::{did_you_mean, Diagnostics};
use crate::ops::{self, ArgKind, Input, OpSpec, Output};

/// The kind of an edge between two operators: a stream, keyed or not, with timestamps or not,
/// or windowed (waiting for an aggregation).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct Kind {
    pub keyed: bool,
    pub timed: bool,
    pub windowed: bool,
}

impl Kind {
    /// A plain stream.
    pub const STREAM: Kind = Kind {
        keyed: false,
        timed: false,
        windowed: false,
    };

    /// The kind `spec` produces from an input of this kind (`None` for a sink).
    fn after(self, spec: &OpSpec) -> Option<Kind> {
        let timed = self.timed && !self.windowed;
        match spec.output {
            Output::Nothing => None,
            Output::Same => Some(Kind {
                timed,
                ..Kind::STREAM
            }),
            Output::Keyed => Some(Kind {
                keyed: true,
                timed,
                windowed: false,
            }),
            Output::Timed => Some(Kind {
                timed: true,
                ..Kind::STREAM
            }),
            // Windows are per key (`window_all`: one key for all records).
            Output::Windowed => Some(Kind {
                windowed: true,
                keyed: true,
                ..self
            }),
            Output::Stream | Output::StreamAndErrors | Output::StreamAndSide => Some(Kind::STREAM),
        }
    }
}

/// A named stream: where it was defined, its kind, and how often it is used.
struct Named {
    span: Span,
    kind: Kind,
    uses: usize,
}

/// The checked job: statements in source order, each with its operators' specs.
pub struct Graph<'a> {
    pub statements: Vec<Node<'a>>,
    /// How often each stream name is used; the lowering clones all but the last use.
    pub uses: HashMap<String, usize>,
}

/// One statement with the specs of its operators.
pub struct Node<'a> {
    pub statement: &'a Statement,
    /// The spec and input kind of every operator stage, in order (`None` for a leading name).
    pub stages: Vec<Option<(&'static OpSpec, Kind)>>,
}

/// Builds and checks the graph of `job`, reporting into `diagnostics`.
pub fn build<'a>(job: &'a Job, diagnostics: &mut Diagnostics) -> Graph<'a> {
    let mut names: HashMap<String, Named> = HashMap::new();
    let mut statements = Vec::new();
    if job.statements.is_empty() {
        diagnostics.error(
            job.span,
            "this dataflow is empty",
            "a job needs at least one pipeline, e.g. `source(from_iter(vec![1, 2, 3])) -> sink(stdout());`",
        );
    }
    for statement in &job.statements {
        statements.push(build_statement(
            statement,
            &job.statements,
            &mut names,
            diagnostics,
        ));
    }
    // A name written somewhere but not counted as a use (used before its definition, or after
    // `->`) already has an error there; "never used" on top of it would be wrong.
    let referenced = referenced_names(&job.statements);
    let mut unused: Vec<(&String, &Named)> = names
        .iter()
        .filter(|(name, named)| {
            named.uses == 0 && !name.starts_with('_') && !referenced.contains(name.as_str())
        })
        .collect();
    unused.sort_by_key(|(name, _)| name.as_str());
    for (name, named) in unused {
        diagnostics.error(
            named.span,
            format!("stream `{name}` is defined but never used"),
            format!("send it somewhere (`{name} -> sink(stdout());`), or name it `_{name}` to discard it on purpose"),
        );
    }
    let uses = names
        .into_iter()
        .map(|(name, named)| (name, named.uses))
        .collect();
    Graph { statements, uses }
}

/// Every stream name written where a stream is read: leading names, names after `->`, and the
/// stream arguments of operators.
fn referenced_names(statements: &[Statement]) -> HashSet<String> {
    let mut referenced = HashSet::new();
    for stage in statements.iter().flat_map(|s| &s.pipeline.stages) {
        match stage {
            Stage::Name(name) => {
                referenced.insert(name.to_string());
            }
            Stage::Op(call) => {
                let Some(spec) = ops::lookup(&call.name.to_string()) else {
                    continue;
                };
                for (index, arg) in call.args.iter().enumerate() {
                    if let (Some(ArgKind::Stream { .. }), Some(name)) =
                        (spec.arg(index).map(|a| a.kind), stream_name(arg))
                    {
                        referenced.insert(name.to_string());
                    }
                }
            }
        }
    }
    referenced
}

fn build_statement<'a>(
    statement: &'a Statement,
    all: &[Statement],
    names: &mut HashMap<String, Named>,
    diagnostics: &mut Diagnostics,
) -> Node<'a> {
    let stages = &statement.pipeline.stages;
    let mut planned = Vec::with_capacity(stages.len());
    // The kind flowing out of the previous stage; `None` before the first stage or after a sink.
    let mut current: Option<Kind> = None;
    let mut ended_by: Option<&Ident> = None;
    // Whether an operator follows a sink (reported once, on that operator).
    let mut after_sink = false;
    for (position, stage) in stages.iter().enumerate() {
        match stage {
            Stage::Name(name) if position == 0 => {
                current = use_name(name, all, names, diagnostics).or(Some(Kind::STREAM));
                planned.push(None);
            }
            Stage::Name(name) => {
                diagnostics.error(
                    name.span(),
                    format!("expected an operator after `->`, found the stream name `{name}`"),
                    format!("to merge streams write `-> concat({name})`; to join keyed streams write `-> join({name})`"),
                );
                planned.push(None);
            }
            Stage::Op(call) => {
                let Some(spec) = resolve_op(call, diagnostics) else {
                    current = Some(Kind::STREAM);
                    planned.push(None);
                    continue;
                };
                if let Some(sink) = ended_by {
                    after_sink = true;
                    diagnostics.error(
                        call.name.span(),
                        format!("`{}` follows `{sink}`, which ends a pipeline", call.name),
                        "a sink produces no stream; to also process the records, bind the stream (`let s = ...;`) and use it in two pipelines",
                    );
                }
                check_arguments(call, spec, diagnostics);
                check_stream_args(call, spec, all, names, diagnostics);
                // After a sink there is no input; the error is already reported.
                let input = if after_sink {
                    Kind::STREAM
                } else {
                    check_input(call, spec, position, current, diagnostics)
                };
                planned.push(Some((spec, input)));
                current = input.after(spec);
                if current.is_none() {
                    ended_by = Some(&call.name);
                }
            }
        }
    }
    if after_sink && statement.binding.is_none() {
        // The operators after the sink are already reported; "output never used" would repeat it.
        current = None;
    }
    bind_outputs(
        statement,
        current,
        planned.last().copied().flatten(),
        names,
        diagnostics,
    );
    Node {
        statement,
        stages: planned,
    }
}

/// The spec of `call`, or an "unknown operator" error with the closest name.
fn resolve_op(call: &OpCall, diagnostics: &mut Diagnostics) -> Option<&'static OpSpec> {
    let name = call.name.to_string();
    let spec = ops::lookup(&name);
    if spec.is_none() {
        let help = match did_you_mean(&name, ops::all_names()) {
            Some(close) => format!("did you mean `{close}`?"),
            None => format!(
                "the operators are: {}",
                ops::ALL
                    .iter()
                    .map(|s| s.name)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        diagnostics.error(call.name.span(), format!("unknown operator `{name}`"), help);
    }
    spec
}

/// Checks what flows into an operator, and says what kind it sees.
fn check_input(
    call: &OpCall,
    spec: &OpSpec,
    position: usize,
    current: Option<Kind>,
    diagnostics: &mut Diagnostics,
) -> Kind {
    let name = &call.name;
    let mut error = |message: String, help: String| diagnostics.error(name.span(), message, help);
    let kind = match (spec.input, position, current) {
        (Input::None, 0, _) => return Kind::STREAM,
        (Input::None, _, _) => {
            error(
                format!("`{name}` starts a pipeline; it cannot follow `->`"),
                format!("start a new statement: `let input = {name}(...);`"),
            );
            return Kind::STREAM;
        }
        (_, 0, _) | (_, _, None) => {
            error(
                format!("`{name}` needs an input stream"),
                format!(
                    "start the pipeline with a stream name or a source: `records -> {}`",
                    spec.signature()
                ),
            );
            return Kind::STREAM;
        }
        (_, _, Some(kind)) => kind,
    };
    let aggregations = "count, sum, min, max, avg, fold, reduce, aggregate or process";
    match spec.input {
        _ if kind.windowed && !matches!(spec.input, Input::Windowed | Input::KeyedOrWindowed) => error(
            format!("`{name}` cannot follow `window`: a window needs an aggregation"),
            format!("aggregate the windows first (`-> window(...) -> count()`); the operators that can follow `window` are {aggregations}"),
        ),
        Input::Untimed if kind.timed && spec.output == Output::Timed => error(
            format!("this stream already has timestamps; `{name}` would assign them twice"),
            "remove one of the two: a stream has one event time".to_owned(),
        ),
        Input::Untimed if kind.timed => error(
            format!("`{name}` does not work on a stream with timestamps yet"),
            "apply it before `timestamps(...)`".to_owned(),
        ),
        Input::Keyed if kind.timed => error(
            format!("`{name}` does not work on streams with timestamps yet"),
            "apply it before `timestamps(...)`, or aggregate per window: `-> window(tumbling(1s)) -> count()`".to_owned(),
        ),
        Input::KeyedTimed if !kind.keyed && spec.output == Output::Windowed => error(
            format!("`{name}` needs a keyed stream, but its input is not keyed"),
            format!("insert `-> key_by(|record| key)` before `{name}`, or use `window_all(...)` for windows over the whole stream"),
        ),
        Input::Keyed | Input::KeyedTimed | Input::KeyedOrWindowed if !kind.keyed => error(
            format!("`{name}` needs a keyed stream, but its input is not keyed"),
            format!("insert `-> key_by(|record| key)` before `{name}`"),
        ),
        Input::Timed if !kind.timed => error(
            format!("`{name}` needs a stream with timestamps, but its input has none"),
            format!("insert `-> timestamps(|record| record.timestamp_ms, bounded(1s))` before `{name}`"),
        ),
        Input::KeyedTimed if !kind.timed => error(
            format!("`{name}` needs a stream with timestamps, but its input has none"),
            "insert `-> timestamps(|record| record.timestamp_ms, bounded(1s))` before `key_by`".to_owned(),
        ),
        Input::KeyedOrWindowed if kind.timed && !kind.windowed => error(
            format!("`{name}` on a stream with timestamps aggregates per window, but no window is defined"),
            format!("insert `-> window(tumbling(1s))` before `{name}`"),
        ),
        Input::Windowed if !kind.windowed => error(
            format!("`{name}` aggregates windows, but its input has none"),
            match (kind.keyed, kind.timed) {
                (true, true) => format!("insert `-> window(tumbling(1s))` before `{name}`"),
                (true, false) => format!("give the records timestamps before `key_by` (`-> timestamps(|record| record.timestamp_ms, bounded(1s))`) and insert `-> window(tumbling(1s))` before `{name}`"),
                (false, true) => format!("insert `-> key_by(|record| key) -> window(tumbling(1s))` (or `-> window_all(tumbling(1s))`) before `{name}`"),
                (false, false) => format!("insert `-> timestamps(|record| record.timestamp_ms, bounded(1s)) -> key_by(|record| key) -> window(tumbling(1s))` before `{name}`"),
            },
        ),
        _ => {}
    }
    kind
}

/// Checks that arguments naming other streams refer to streams defined earlier, of the right kind.
fn check_stream_args(
    call: &OpCall,
    spec: &OpSpec,
    all: &[Statement],
    names: &mut HashMap<String, Named>,
    diagnostics: &mut Diagnostics,
) {
    for (index, arg) in call.args.iter().enumerate() {
        let (Some(ArgKind::Stream { keyed }), Some(name)) =
            (spec.arg(index).map(|a| a.kind), stream_name(arg))
        else {
            continue;
        };
        if let Some(Kind { keyed: false, .. }) = use_name(name, all, names, diagnostics) {
            if keyed {
                diagnostics.error(
                    name.span(),
                    format!(
                        "`{}` needs a keyed stream, but `{name}` is not keyed",
                        call.name
                    ),
                    format!(
                        "key it where it is defined: `let {name} = ... -> key_by(|record| key);`"
                    ),
                );
            }
        }
    }
}

/// Records a use of stream `name` and returns its kind, or reports that it is not defined (yet).
fn use_name(
    name: &Ident,
    all: &[Statement],
    names: &mut HashMap<String, Named>,
    diagnostics: &mut Diagnostics,
) -> Option<Kind> {
    let text = name.to_string();
    if let Some(named) = names.get_mut(&text) {
        named.uses += 1;
        return Some(named.kind);
    }
    let defined_later = all
        .iter()
        .filter_map(|s| s.binding.as_ref())
        .flat_map(Binding::names)
        .find(|defined| **defined == text);
    let help = match defined_later {
        Some(later) => format!(
            "`{text}` is defined later (line {}); move its definition above this use",
            later.span().start().line
        ),
        None => match did_you_mean(&text, names.keys().map(String::as_str)) {
            Some(close) => format!("did you mean `{close}`?"),
            None => "define it first: `let name = source(...);`".to_owned(),
        },
    };
    diagnostics.error(name.span(), format!("undefined stream `{text}`"), help);
    None
}

/// Whether an operator with this input has a second output to bind: a source's bad records, a
/// windowed aggregation's late records.
pub fn has_second_output(spec: &OpSpec, input: Kind) -> bool {
    matches!(spec.output, Output::StreamAndErrors | Output::StreamAndSide)
        || (spec.output == Output::Stream && input.windowed)
}

/// Binds the outputs of a pipeline to its `let` names, or reports output that goes nowhere.
fn bind_outputs(
    statement: &Statement,
    current: Option<Kind>,
    last: Option<(&'static OpSpec, Kind)>,
    names: &mut HashMap<String, Named>,
    diagnostics: &mut Diagnostics,
) {
    let pipeline_span = statement.pipeline.span;
    let Some(binding) = &statement.binding else {
        if current.is_some() {
            let end = match statement.pipeline.stages.last() {
                Some(Stage::Op(call)) => call.args_span,
                Some(Stage::Name(name)) => name.span(),
                None => pipeline_span,
            };
            diagnostics.error_between(
                pipeline_span,
                end,
                "the output of this pipeline is never used",
                "end it with `-> sink(...)`, or bind it with `let name = ...;` and use the name",
            );
        }
        return;
    };
    let Some(kind) = current else {
        diagnostics.error(
            binding.span(),
            "this pipeline ends in a sink, so there is no stream to bind",
            "remove the `let ... =`",
        );
        return;
    };
    let bound = binding.names();
    let outputs =
        if bound.len() == 2 && last.is_some_and(|(spec, input)| has_second_output(spec, input)) {
            2
        } else {
            1
        };
    if bound.len() != outputs {
        let operator = last.map_or("a stream name".to_owned(), |(spec, _)| {
            format!("`{}`", spec.name)
        });
        diagnostics.error(
            binding.span(),
            format!("{operator} produces one stream, but {} names are bound", bound.len()),
            "bind one name (`let records = ...;`); two names bind a second output: `let (records, bad_records) = source(...);`, `let (counts, late) = ... -> window(...) -> count();`, `let (main, side) = ... -> keyed_process(...);`",
        );
    }
    for (index, name) in bound.into_iter().enumerate() {
        let text = name.to_string();
        if let Some(first) = names.get(&text) {
            diagnostics.error(
                name.span(),
                format!("stream `{text}` is defined twice"),
                format!(
                    "it was first defined on line {}; give this stream another name",
                    first.span.start().line
                ),
            );
            continue;
        }
        let kind = if index == 0 { kind } else { Kind::STREAM };
        names.insert(
            text,
            Named {
                span: name.span(),
                kind,
                uses: 0,
            },
        );
    }
}
