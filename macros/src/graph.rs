//! From statements to a checked graph: names resolved in source order and in nested `iterate`
//! scopes, the kind of every edge (stream, keyed stream, collection...) known, and every mistake
//! reported on the user's own token.

use std::collections::{BTreeSet, HashMap, HashSet};

use proc_macro2::Span;
use syn::Ident;

use crate::ast::{Binding, Body, Iterate, OpCall, Pipeline, Role, Stage, Statement};
use crate::check::{check_arguments, stream_name};
use crate::diagnostics::{did_you_mean, Diagnostics};
use crate::loops::{self, LoopOptions};
use crate::ops::{self, uid, ArgKind, Input, OpSpec, Output};

/// The kind of an edge between two operators: a stream, keyed or not, with timestamps or not,
/// or windowed (waiting for an aggregation); or a collection.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct Kind {
    pub keyed: bool,
    pub timed: bool,
    pub windowed: bool,
    pub collection: bool,
}

impl Kind {
    /// A plain stream.
    pub const STREAM: Kind = Kind {
        keyed: false,
        timed: false,
        windowed: false,
        collection: false,
    };

    /// A collection.
    pub const COLLECTION: Kind = Kind {
        collection: true,
        ..Kind::STREAM
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
                ..Kind::STREAM
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
            Output::Collection => Some(Kind::COLLECTION),
        }
    }

    /// How errors call an edge of this kind.
    fn noun(self) -> &'static str {
        if self.collection {
            "collection"
        } else {
            "stream"
        }
    }
}

/// A named stream or collection: where it was defined, its kind, and how often it is used.
struct Named {
    span: Span,
    kind: Kind,
    uses: usize,
}

/// The names of one scope: the job, or the body of an `iterate` block.
struct Frame<'a> {
    id: usize,
    names: HashMap<String, Named>,
    /// The statements of this scope, to tell "defined later" from "undefined".
    statements: &'a [Statement],
    /// For a loop: the outer names it enters, in order of first use.
    entered: Vec<Ident>,
    /// For a fixpoint loop: which loop variables reach each name without passing a
    /// consolidating operator (a feedback path that may never settle).
    unsettled: Option<HashMap<String, BTreeSet<String>>>,
}

/// The checked job: statements in source order, each with its operators' specs.
pub struct Graph<'a> {
    pub statements: Vec<Node<'a>>,
    /// How often each name is used in each scope; the lowering clones all but the last use.
    pub uses: HashMap<(usize, String), usize>,
}

/// One statement with the specs of its operators, or a loop.
pub struct Node<'a> {
    pub statement: &'a Statement,
    /// The scope the statement's names live in.
    pub scope: usize,
    /// The spec and input kind of every operator stage, in order (`None` for a leading name).
    pub stages: Vec<Option<(&'static OpSpec, Kind)>>,
    /// The loop, when the statement is `let ... = iterate { ... };`.
    pub looped: Option<LoopNode<'a>>,
}

/// A checked `iterate` block.
pub struct LoopNode<'a> {
    pub iterate: &'a Iterate,
    /// The scope of the loop's body.
    pub scope: usize,
    pub options: LoopOptions<'a>,
    /// The outer names the body uses, entered into the loop once.
    pub entered: Vec<Ident>,
    /// `var x = ...;` statements: their pipelines run outside the loop, before it.
    pub variables: Vec<Node<'a>>,
    /// The other statements of the body, in order (`next x = ...;` included).
    pub body: Vec<Node<'a>>,
}

/// Scopes under construction, and what is learned about names along the way.
struct Builder<'a, 'd> {
    frames: Vec<Frame<'a>>,
    uses: HashMap<(usize, String), usize>,
    /// Names defined in loops that have been closed: where they were defined, and their kind.
    loop_locals: HashMap<String, (Span, Kind)>,
    /// Names of the innermost scope whose mistakes are already reported ("never used" would
    /// repeat them).
    reported: HashSet<String>,
    next_scope: usize,
    /// While a `var`'s initial value is checked: the names the loop body defines.
    loop_body_names: HashSet<String>,
    /// Every `uid` of the job so far: where it is written, and the operator it names.
    uids: HashMap<String, (Span, &'static str)>,
    diagnostics: &'d mut Diagnostics,
}

/// Operators after which a collection's changes settle: the feedback path of a fixpoint loop
/// must pass one of them.
const CONSOLIDATING: &[&str] = &[
    "consolidate",
    "distinct",
    "count",
    "reduce",
    "min",
    "max",
    "sum",
    "threshold",
];

/// Builds and checks the graph of `job`, reporting into `diagnostics`.
pub fn build<'a>(job: &'a crate::ast::Job, diagnostics: &mut Diagnostics) -> Graph<'a> {
    if job.statements.is_empty() {
        diagnostics.error(
            job.span,
            "this dataflow is empty",
            "a job needs at least one pipeline, e.g. `source(from_iter(vec![1, 2, 3])) -> sink(stdout());`",
        );
    }
    let mut builder = Builder {
        frames: Vec::new(),
        uses: HashMap::new(),
        loop_locals: HashMap::new(),
        reported: HashSet::new(),
        next_scope: 0,
        loop_body_names: HashSet::new(),
        uids: HashMap::new(),
        diagnostics,
    };
    builder.open(&job.statements, false);
    let statements = job
        .statements
        .iter()
        .map(|statement| builder.statement(statement))
        .collect();
    builder.close();
    Graph {
        statements,
        uses: builder.uses,
    }
}

/// What a pipeline produced.
struct Built {
    stages: Vec<Option<(&'static OpSpec, Kind)>>,
    /// The kind flowing out of the last stage; `None` after a sink.
    output: Option<Kind>,
    /// The loop variables that reach the output without a consolidating operator.
    unsettled: BTreeSet<String>,
    /// Whether the pipeline's leading name was found (else its kind is a guess).
    known: bool,
}

impl<'a> Builder<'a, '_> {
    /// Opens a scope for `statements`; `fixpoint` loops track their feedback paths.
    fn open(&mut self, statements: &'a [Statement], fixpoint: bool) -> usize {
        let id = self.next_scope;
        self.next_scope += 1;
        self.frames.push(Frame {
            id,
            names: HashMap::new(),
            statements,
            entered: Vec::new(),
            unsettled: fixpoint.then(HashMap::new),
        });
        id
    }

    /// Closes the innermost scope: reports names never used and keeps how often each was used.
    fn close(&mut self) -> Frame<'a> {
        let frame = self.frames.pop().expect("a scope is open");
        // A name written somewhere but not counted as a use (used before its definition, or
        // after `->`) already has an error there; "never used" on top of it would be wrong.
        let mut referenced = HashSet::new();
        referenced_names(frame.statements, &mut referenced);
        let mut unused: Vec<(&String, &Named)> = frame
            .names
            .iter()
            .filter(|(name, named)| {
                named.uses == 0
                    && !name.starts_with('_')
                    && !referenced.contains(name.as_str())
                    && !self.reported.contains(name.as_str())
            })
            .collect();
        unused.sort_by_key(|(name, _)| name.as_str());
        for (name, named) in unused {
            let noun = named.kind.noun();
            self.diagnostics.error(
                named.span,
                format!("{noun} `{name}` is defined but never used"),
                format!("send it somewhere (`{name} -> sink(stdout());`), or name it `_{name}` to discard it on purpose"),
            );
        }
        for (name, named) in &frame.names {
            self.uses.insert((frame.id, name.clone()), named.uses);
        }
        self.reported.clear();
        frame
    }

    fn frame(&mut self) -> &mut Frame<'a> {
        self.frames.last_mut().expect("a scope is open")
    }

    fn in_loop(&self) -> bool {
        self.frames.len() > 1
    }

    fn statement(&mut self, statement: &'a Statement) -> Node<'a> {
        let scope = self.frame().id;
        let pipeline = match &statement.body {
            Body::Iterate(iterate) => return self.iterate(statement, iterate),
            Body::Pipeline(pipeline) => pipeline,
        };
        let built = self.pipeline(pipeline);
        match statement.role {
            Role::Next(keyword) => self.next(statement, keyword, &built),
            Role::Var(keyword) => {
                self.diagnostics.error(
                    keyword,
                    "`var` declares a loop variable, but this is not inside an `iterate` block",
                    "write loops as `let result = iterate { var x = initial; next x = ...; x };`, or use `let` for a plain name",
                );
                self.bind(statement, &built);
            }
            Role::Plain => self.bind(statement, &built),
        }
        Node {
            statement,
            scope,
            stages: built.stages,
            looped: None,
        }
    }

    /// `next x = ...;`: checks that `x` is a variable of this loop, set once, over a feedback
    /// path that settles.
    fn next(&mut self, statement: &Statement, keyword: Span, built: &Built) {
        let Some(Binding::Single(name)) = &statement.binding else {
            return;
        };
        let text = name.to_string();
        let is_variable = self.in_loop() && self.frames.len() > 1 && {
            let frame = self.frames.last().expect("a scope is open");
            loops::is_variable(frame.statements, &text)
        };
        if !is_variable {
            let help = if self.in_loop() {
                format!("declare it at the top of the loop: `var {text} = initial_value;`")
            } else {
                "`next` belongs inside `iterate { ... }`; outside a loop, bind names with `let`"
                    .to_owned()
            };
            self.diagnostics.error(
                name.span(),
                format!("`next {text}` sets a loop variable, but `{text}` is not one"),
                help,
            );
            return;
        }
        if built.known && built.output.is_some_and(|kind| !kind.collection) {
            self.diagnostics.error(
                statement.body_span(),
                format!(
                    "the next value of `{text}` is a stream, but loop variables are collections"
                ),
                "end the pipeline with `-> to_collection()`",
            );
        }
        if built.unsettled.contains(&text) {
            self.diagnostics.error(
                keyword,
                format!("the feedback path from `{text}` to its next value has no consolidating operator, so this loop may never reach a fixed point"),
                format!(
                    "add `-> consolidate()` (or `distinct()`, `reduce(...)`, `min()`...) on the way from `{text}` to `next {text}`, or bound the loop: `iterate(rounds = 10) {{ ... }}`"
                ),
            );
        }
    }

    /// `let ... = iterate(options) { ... };`
    fn iterate(&mut self, statement: &'a Statement, iterate: &'a Iterate) -> Node<'a> {
        let scope = self.frame().id;
        let options = loops::options(iterate, self.diagnostics);
        // Initial values are computed before the loop, in this scope.
        let mut variables = Vec::new();
        let mut initial_unsettled = BTreeSet::new();
        for var in iterate
            .statements
            .iter()
            .filter(|s| matches!(s.role, Role::Var(_)))
        {
            let Body::Pipeline(pipeline) = &var.body else {
                continue;
            };
            let built = self.pipeline_before_loop(pipeline, iterate);
            initial_unsettled.extend(built.unsettled.iter().cloned());
            if let (Some(Binding::Single(name)), Some(kind)) = (&var.binding, built.output) {
                if built.known && !kind.collection {
                    loops::report_stream_variable(name, options.rounds.is_none(), self.diagnostics);
                }
            }
            variables.push(Node {
                statement: var,
                scope,
                stages: built.stages,
                looped: None,
            });
        }
        let body_scope = self.open(&iterate.statements, options.rounds.is_none());
        for var in &variables {
            if let Some(Binding::Single(name)) = &var.statement.binding {
                self.define(name, Kind::COLLECTION, BTreeSet::from([name.to_string()]));
            }
        }
        let body: Vec<Node<'a>> = iterate
            .statements
            .iter()
            .filter(|s| !matches!(s.role, Role::Var(_)))
            .map(|s| self.statement(s))
            .collect();
        let unset = loops::check_variables_set(iterate, self.diagnostics);
        self.reported.extend(unset);
        for name in iterate.result.names() {
            if self.frame().names.contains_key(&name.to_string()) {
                self.use_name(name);
            } else {
                loops::report_result_not_defined(name, self.diagnostics);
            }
        }
        let frame = self.close();
        for (name, named) in &frame.names {
            if !frame.entered.iter().any(|entered| entered == name) {
                self.loop_locals
                    .insert(name.clone(), (named.span, named.kind));
            }
        }
        // The loop's results depend on everything that entered it.
        let mut unsettled = initial_unsettled;
        for entered in &frame.entered {
            unsettled.extend(self.unsettled_of(&entered.to_string()));
        }
        self.bind_loop_results(statement, iterate, unsettled);
        Node {
            statement,
            scope,
            stages: Vec::new(),
            looped: Some(LoopNode {
                iterate,
                scope: body_scope,
                options,
                entered: frame.entered,
                variables,
                body,
            }),
        }
    }

    /// A `var` initial value: built in the enclosing scope, where the loop's own names do not
    /// exist yet.
    fn pipeline_before_loop(&mut self, pipeline: &'a Pipeline, iterate: &Iterate) -> Built {
        self.loop_body_names = loops::names_defined(&iterate.statements);
        let built = self.pipeline(pipeline);
        self.loop_body_names.clear();
        built
    }

    /// Binds the names of `let (a, b) = iterate { ...; (x, y) };`.
    fn bind_loop_results(
        &mut self,
        statement: &Statement,
        iterate: &Iterate,
        unsettled: BTreeSet<String>,
    ) {
        let results = iterate.result.names().len();
        let Some(binding) = &statement.binding else {
            self.diagnostics.error(
                iterate.keyword.span(),
                "the result of this loop is never used",
                "bind it: `let result = iterate { ... };`",
            );
            return;
        };
        if !matches!(statement.role, Role::Plain) {
            self.diagnostics.error(
                iterate.keyword.span(),
                "a loop cannot be the value of a loop variable",
                "bind the inner loop's result with `let` and use that name in `var` or `next`",
            );
        }
        let bound = binding.names();
        if bound.len() != results {
            self.diagnostics.error(
                binding.span(),
                format!(
                    "the loop returns {results} collection(s), but {} name(s) are bound",
                    bound.len()
                ),
                "bind one name per result, in order: `let (a, b) = iterate { ...; (a, b) };`",
            );
        }
        for name in bound {
            self.define(name, Kind::COLLECTION, unsettled.clone());
        }
    }

    /// Checks the stages of a pipeline in order.
    fn pipeline(&mut self, pipeline: &'a Pipeline) -> Built {
        let stages = &pipeline.stages;
        let mut planned = Vec::with_capacity(stages.len());
        let mut current: Option<Kind> = None;
        let mut unsettled = BTreeSet::new();
        let mut ended_by: Option<&Ident> = None;
        let mut known = true;
        // Whether an operator follows a sink (reported once, on that operator).
        let mut after_sink = false;
        for (position, stage) in stages.iter().enumerate() {
            match stage {
                Stage::Name(name) if position == 0 => {
                    let kind = self.use_name(name);
                    known = kind.is_some();
                    current = kind.or(Some(Kind::STREAM));
                    unsettled = self.unsettled_of(&name.to_string());
                    planned.push(None);
                }
                Stage::Name(name) => {
                    self.diagnostics.error(
                        name.span(),
                        format!("expected an operator after `->`, found the name `{name}`"),
                        format!("to merge streams or collections write `-> concat({name})`; to join write `-> join({name})`"),
                    );
                    planned.push(None);
                }
                // Names the operator before it; changes nothing about what flows.
                Stage::Op(call) if uid::is_uid(stage) => {
                    self.uid(call, &stages[..position], &planned);
                    planned.push(None);
                    if position == 0 {
                        // Reported: check on as after an unknown name.
                        known = false;
                        current = Some(Kind::STREAM);
                    }
                }
                Stage::Op(call) => {
                    let on_collection = current.is_some_and(|kind| kind.collection);
                    let Some(spec) = self.resolve_op(call, on_collection) else {
                        current = Some(if on_collection {
                            Kind::COLLECTION
                        } else {
                            Kind::STREAM
                        });
                        planned.push(None);
                        continue;
                    };
                    if let Some(sink) = ended_by {
                        after_sink = true;
                        self.diagnostics.error(
                            call.name.span(),
                            format!("`{}` follows `{sink}`, which ends a pipeline", call.name),
                            "a sink produces no stream; to also process the records, bind the stream (`let s = ...;`) and use it in two pipelines",
                        );
                    }
                    check_arguments(call, spec, self.diagnostics);
                    if CONSOLIDATING.contains(&spec.name) && spec.input == Input::Collection {
                        unsettled.clear();
                    }
                    self.check_named_args(call, spec, &mut unsettled);
                    // After a sink there is no input; the error is already reported.
                    let input = if after_sink {
                        Kind::STREAM
                    } else {
                        self.check_input(call, spec, position, current)
                    };
                    planned.push(Some((spec, input)));
                    current = input.after(spec);
                    if current.is_none() {
                        ended_by = Some(&call.name);
                    }
                }
            }
        }
        Built {
            stages: planned,
            // The operators after the sink are already reported; "output never used" would repeat it.
            output: if after_sink { None } else { current },
            unsettled,
            known,
        }
    }

    /// `-> uid("name")`: a non-empty string literal, right after an operator that keeps state in
    /// checkpoints (`before` are the stages before it, `planned` their specs), and no other
    /// operator of the job named the same.
    fn uid(
        &mut self,
        call: &OpCall,
        before: &[Stage],
        planned: &[Option<(&'static OpSpec, Kind)>],
    ) {
        check_arguments(call, &uid::SPEC, self.diagnostics);
        let span = call.name.span();
        let named = match (before, planned.last()) {
            ([], _) => {
                self.diagnostics.error(
                    span,
                    "`uid` names the operator before it, but it starts this pipeline",
                    "put it right after the operator it names: `... -> count() -> uid(\"word-counts\")`",
                );
                return;
            }
            ([.., Stage::Name(name)], _) => {
                self.diagnostics.error(
                    span,
                    format!("`uid` names the operator before it, but `{name}` is a stream name, not an operator"),
                    format!("put it where the operator is called, right after it: `let {name} = ... -> count() -> uid(\"word-counts\");`"),
                );
                return;
            }
            ([.., previous @ Stage::Op(first)], _) if uid::is_uid(previous) => {
                let help = match uid::given(first) {
                    Some(text) => format!(
                        "keep one of the two: the operator is already named {}",
                        quote_literal(text)
                    ),
                    None => "keep one of the two".to_owned(),
                };
                self.diagnostics.error(
                    span,
                    "`uid` follows another `uid`, but an operator has one uid",
                    help,
                );
                return;
            }
            (_, Some(Some((spec, _)))) => *spec,
            // An unknown operator: already reported.
            _ => return,
        };
        if !named.checkpointed {
            let name = named.name;
            let (message, help) = if named.input == Input::Collection {
                (
                    format!("`{name}` on collections keeps no state in checkpoints, so there is nothing for `uid` to name"),
                    "a restore rebuilds the state of operators on collections by replaying what entered the collection: name that entry instead, `-> to_collection() -> uid(\"...\")` (or `from_changes()`)".to_owned(),
                )
            } else if named.output == Output::Windowed {
                (
                    format!("`{name}` keeps no state in checkpoints, so there is nothing for `uid` to name"),
                    format!("the aggregation after `{name}` keeps the windows' state: name it, `-> {name}(tumbling(1s)) -> count() -> uid(\"word-counts\")`"),
                )
            } else {
                let stateful: Vec<&str> = ops::ALL
                    .iter()
                    .filter(|spec| spec.checkpointed)
                    .map(|spec| spec.name)
                    .collect();
                let (last, others) = stateful.split_last().expect("stateful operators exist");
                (
                    format!("`{name}` keeps no state in checkpoints, so there is nothing for `uid` to name"),
                    format!(
                        "`uid` names an operator whose state checkpoints keep; it can follow {} or {last}",
                        others.join(", ")
                    ),
                )
            };
            self.diagnostics.error(span, message, help);
            return;
        }
        let Some(text) = uid::given(call) else {
            return;
        };
        if let Some((first, operator)) = self.uids.get(&text.value()) {
            self.diagnostics.error(
                text.span(),
                format!("the uid {} is given twice in this job", quote_literal(text)),
                format!(
                    "it already names `{operator}` on line {}; checkpoints find each operator's state by its uid, so give this one another",
                    first.start().line
                ),
            );
            return;
        }
        self.uids.insert(text.value(), (text.span(), named.name));
    }

    /// The spec of `call` for its input, or an "unknown operator" error with the closest name.
    fn resolve_op(&mut self, call: &OpCall, on_collection: bool) -> Option<&'static OpSpec> {
        let name = call.name.to_string();
        let spec = ops::lookup(&name, on_collection);
        if spec.is_none() {
            let help = match did_you_mean(&name, ops::all_names()) {
                Some(close) => format!("did you mean `{close}`?"),
                None => {
                    let table = if on_collection {
                        ops::COLLECTION_OPS
                    } else {
                        ops::ALL
                    };
                    let names: Vec<&str> = table.iter().map(|s| s.name).collect();
                    let noun = if on_collection {
                        "collection"
                    } else {
                        "stream"
                    };
                    format!("the {noun} operators are: {}", names.join(", "))
                }
            };
            self.diagnostics
                .error(call.name.span(), format!("unknown operator `{name}`"), help);
        }
        spec
    }

    /// Checks what flows into an operator, and says what kind it sees.
    fn check_input(
        &mut self,
        call: &OpCall,
        spec: &OpSpec,
        position: usize,
        current: Option<Kind>,
    ) -> Kind {
        let name = &call.name;
        let in_loop = self.in_loop();
        let mut error =
            |message: String, help: String| self.diagnostics.error(name.span(), message, help);
        if in_loop && spec.input == Input::None {
            error(
                format!("`{name}` cannot be used inside `iterate`"),
                "read the input before the loop (`let edges = source(...) -> to_collection();`) and use its name inside".to_owned(),
            );
            return Kind::COLLECTION;
        }
        if in_loop && spec.output == Output::Nothing {
            error(
                format!("`{name}` cannot be used inside `iterate`"),
                "bind what leaves the loop (`let result = iterate { ...; x };`) and send it to a sink after the loop".to_owned(),
            );
            return Kind::COLLECTION;
        }
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
        if kind.collection && spec.input != Input::Collection {
            let help = if in_loop {
                let names: Vec<&str> = ops::COLLECTION_OPS
                    .iter()
                    .map(|s| s.name)
                    .filter(|n| *n != "changes")
                    .collect();
                format!(
                    "inside `iterate` everything is a collection; its operators are: {}",
                    names.join(", ")
                )
            } else {
                format!("insert `-> changes()` before `{name}` to work on the stream of the collection's changes")
            };
            error(
                format!("`{name}` works on streams, but its input is a collection"),
                help,
            );
            return kind;
        }
        if !kind.collection && spec.input == Input::Collection {
            error(
                format!("`{name}` works on collections, but its input is a stream"),
                format!("insert `-> to_collection()` before `{name}` (or `-> from_changes()` for a stream of `(record, diff)` pairs)"),
            );
            return Kind::COLLECTION;
        }
        if in_loop && spec.output != Output::Collection {
            error(
                format!("`{name}` cannot be used inside `iterate`: loops compute collections"),
                "let the collection leave the loop (`let result = iterate { ...; x };`) and call it after the loop".to_owned(),
            );
            return Kind::COLLECTION;
        }
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

    /// Checks that arguments naming streams or collections refer to names defined earlier, of the
    /// right kind; a named collection's unsettled loop variables flow on.
    fn check_named_args(&mut self, call: &OpCall, spec: &OpSpec, unsettled: &mut BTreeSet<String>) {
        for (index, arg) in call.args.iter().enumerate() {
            let (Some(expected), Some(name)) = (spec.arg(index).map(|a| a.kind), stream_name(arg))
            else {
                continue;
            };
            let (wants_collection, wants_keyed) = match expected {
                ArgKind::Stream { keyed } => (false, keyed),
                ArgKind::Collection => (true, false),
                _ => continue,
            };
            let Some(kind) = self.use_name(name) else {
                continue;
            };
            unsettled.extend(self.unsettled_of(&name.to_string()));
            let op = &call.name;
            if wants_collection && !kind.collection {
                self.diagnostics.error(
                    name.span(),
                    format!("`{op}` on a collection needs a collection, but `{name}` is a stream"),
                    format!(
                        "convert it where it is defined: `let {name} = ... -> to_collection();`"
                    ),
                );
            } else if !wants_collection && kind.collection {
                self.diagnostics.error(
                    name.span(),
                    format!("`{op}` on a stream needs a stream, but `{name}` is a collection"),
                    format!("use the stream of its changes: `let {name}_changes = {name} -> changes();`"),
                );
            } else if wants_keyed && !kind.keyed {
                self.diagnostics.error(
                    name.span(),
                    format!("`{op}` needs a keyed stream, but `{name}` is not keyed"),
                    format!(
                        "key it where it is defined: `let {name} = ... -> key_by(|record| key);`"
                    ),
                );
            }
        }
    }

    /// The loop variables that reach `name` without passing a consolidating operator.
    fn unsettled_of(&mut self, name: &str) -> BTreeSet<String> {
        self.frame()
            .unsettled
            .as_ref()
            .and_then(|map| map.get(name).cloned())
            .unwrap_or_default()
    }

    /// Defines `name` in the current scope, or reports that it is defined twice.
    fn define(&mut self, name: &Ident, kind: Kind, unsettled: BTreeSet<String>) {
        let text = name.to_string();
        let frame = self.frame();
        if let Some(first) = frame.names.get(&text) {
            let line = first.span.start().line;
            self.diagnostics.error(
                name.span(),
                format!("`{text}` is defined twice"),
                format!("it was first defined on line {line}; give this one another name"),
            );
            return;
        }
        if let Some(map) = frame.unsettled.as_mut() {
            map.insert(text.clone(), unsettled);
        }
        frame.names.insert(
            text,
            Named {
                span: name.span(),
                kind,
                uses: 0,
            },
        );
    }

    /// Records a use of `name` and returns its kind, or reports that it is not defined (here).
    fn use_name(&mut self, name: &Ident) -> Option<Kind> {
        let text = name.to_string();
        let depth = self.frames.len() - 1;
        if let Some(kind) = self.resolve(&text, depth, name.span()) {
            return Some(kind);
        }
        let frame = self.frames.last().expect("a scope is open");
        let defined_later = frame
            .statements
            .iter()
            .filter_map(|s| s.binding.as_ref())
            .flat_map(Binding::names)
            .find(|defined| **defined == text);
        let help = if let Some(later) = defined_later {
            format!(
                "`{text}` is defined later (line {}); move its definition above this use",
                later.span().start().line
            )
        } else if self.loop_body_names.contains(&text) {
            self.diagnostics.error(
                name.span(),
                format!("the initial value of a loop variable is computed before the loop starts, so it cannot use `{text}`, which the loop defines"),
                "start the variable from collections defined before the loop; use the loop's names in `next` instead",
            );
            return None;
        } else if let Some(&(inside, kind)) = self.loop_locals.get(&text) {
            let line = inside.start().line;
            self.diagnostics.error(
                name.span(),
                format!("`{text}` is defined inside an `iterate` block (line {line}) and does not exist outside it"),
                format!("only the block's result leaves the loop: end the block with `{text}` (or a tuple `(..., {text})`) and bind it: `let {text} = iterate {{ ... }};`"),
            );
            // Checking on with the name's kind avoids follow-up errors about it.
            return Some(kind);
        } else {
            let visible: Vec<&str> = self
                .frames
                .iter()
                .flat_map(|frame| frame.names.keys().map(String::as_str))
                .collect();
            match did_you_mean(&text, visible) {
                Some(close) => format!("did you mean `{close}`?"),
                None => "define it first: `let name = source(...);`".to_owned(),
            }
        };
        self.diagnostics
            .error(name.span(), format!("undefined name `{text}`"), help);
        None
    }

    /// Finds `text` in scope `depth` or around it, entering it into the loops in between, and
    /// counts the use.
    fn resolve(&mut self, text: &str, depth: usize, span: Span) -> Option<Kind> {
        if let Some(named) = self.frames[depth].names.get_mut(text) {
            named.uses += 1;
            return Some(named.kind);
        }
        if depth == 0 {
            return None;
        }
        // Entering the loop at `depth` is one use in the scope around it.
        let kind = self.resolve(text, depth - 1, span)?;
        if !kind.collection {
            self.diagnostics.error(
                span,
                format!("`{text}` is a stream, and only collections can enter an `iterate` loop"),
                format!("convert it before the loop: `let {text} = ... -> to_collection();`"),
            );
        }
        let frame = &mut self.frames[depth];
        frame.entered.push(Ident::new(text, span));
        frame.names.insert(
            text.to_owned(),
            Named {
                span,
                kind: Kind::COLLECTION,
                uses: 1,
            },
        );
        Some(Kind::COLLECTION)
    }

    /// Binds the outputs of a pipeline to its `let` names, or reports output that goes nowhere.
    fn bind(&mut self, statement: &Statement, built: &Built) {
        let Body::Pipeline(pipeline) = &statement.body else {
            return;
        };
        // The last operator, not a `uid` naming it.
        let last = pipeline
            .stages
            .iter()
            .zip(&built.stages)
            .rev()
            .find(|(stage, _)| !uid::is_uid(stage))
            .and_then(|(_, planned)| *planned);
        let Some(binding) = &statement.binding else {
            if built.output.is_some() && !built.stages.is_empty() {
                let end = match pipeline.stages.last() {
                    Some(Stage::Op(call)) => call.args_span,
                    Some(Stage::Name(name)) => name.span(),
                    None => pipeline.span,
                };
                self.diagnostics.error_between(
                    pipeline.span,
                    end,
                    "the output of this pipeline is never used",
                    "end it with `-> sink(...)`, or bind it with `let name = ...;` and use the name",
                );
            }
            return;
        };
        let Some(kind) = built.output else {
            if pipeline.stages.len() > 1 || last.is_some() {
                self.diagnostics.error(
                    binding.span(),
                    "this pipeline ends in a sink, so there is no stream to bind",
                    "remove the `let ... =`",
                );
            }
            return;
        };
        let bound = binding.names();
        let outputs = if bound.len() == 2
            && last.is_some_and(|(spec, input)| has_second_output(spec, input))
        {
            2
        } else {
            1
        };
        if bound.len() != outputs {
            let operator = last.map_or("a stream name".to_owned(), |(spec, _)| {
                format!("`{}`", spec.name)
            });
            self.diagnostics.error(
                binding.span(),
                format!("{operator} produces one {}, but {} names are bound", kind.noun(), bound.len()),
                "bind one name (`let records = ...;`); two names bind a second output: `let (records, bad_records) = source(...);`, `let (counts, late) = ... -> window(...) -> count();`, `let (main, side) = ... -> keyed_process(...);`",
            );
        }
        for (index, name) in bound.into_iter().enumerate() {
            let kind = if index == 0 { kind } else { Kind::STREAM };
            self.define(name, kind, built.unsettled.clone());
        }
    }
}

/// Every name written where a stream or collection is read: leading names, names after `->`,
/// the named arguments of operators, and loop results, in these statements and nested loops.
fn referenced_names(statements: &[Statement], referenced: &mut HashSet<String>) {
    for statement in statements {
        let pipeline = match &statement.body {
            Body::Pipeline(pipeline) => pipeline,
            Body::Iterate(iterate) => {
                referenced_names(&iterate.statements, referenced);
                referenced.extend(iterate.result.names().iter().map(|n| n.to_string()));
                continue;
            }
        };
        if let (Role::Next(_), Some(binding)) = (&statement.role, &statement.binding) {
            referenced.extend(binding.names().iter().map(|n| n.to_string()));
        }
        for stage in &pipeline.stages {
            match stage {
                Stage::Name(name) => {
                    referenced.insert(name.to_string());
                }
                Stage::Op(call) => {
                    let name = call.name.to_string();
                    let specs = [ops::lookup(&name, false), ops::lookup(&name, true)];
                    for (index, arg) in call.args.iter().enumerate() {
                        let named = specs.iter().flatten().any(|spec| {
                            matches!(
                                spec.arg(index).map(|a| a.kind),
                                Some(ArgKind::Stream { .. } | ArgKind::Collection)
                            )
                        });
                        if let (true, Some(name)) = (named, stream_name(arg)) {
                            referenced.insert(name.to_string());
                        }
                    }
                }
            }
        }
    }
}

/// A string literal as written, e.g. `"word-counts"`.
fn quote_literal(text: &syn::LitStr) -> String {
    text.token().to_string()
}

/// Whether an operator with this input has a second output to bind: a source's bad records, a
/// windowed aggregation's late records.
pub fn has_second_output(spec: &OpSpec, input: Kind) -> bool {
    matches!(spec.output, Output::StreamAndErrors | Output::StreamAndSide)
        || (spec.output == Output::Stream && input.windowed)
}
