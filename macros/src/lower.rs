//! From the checked graph to Rust: one statement per pipeline, method chains in source order, each
//! call under its operator's span so that rustc's type errors land on the user's tokens.

use std::collections::HashMap;

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::{Expr, Ident};

use crate::ast::{Binding, Body, OpCall, Role, Stage};
use crate::check::stream_name;
use crate::duration;
use crate::graph::{has_second_output, Graph, Kind, LoopNode, Node};
use crate::loops::StrategyChoice;
use crate::ops::{self, key_by, uid, ArgKind, Input, OpSpec, Output};

/// How many uses of each name (per scope) are still to be lowered: all but the last clone.
type Remaining = HashMap<(usize, String), usize>;

/// The Rust expression that builds the job.
pub fn lower(graph: &Graph, job_name: TokenStream) -> TokenStream {
    let mut remaining_uses = graph.uses.clone();
    let statements: Vec<TokenStream> = graph
        .statements
        .iter()
        .map(|node| lower_statement(node, &mut remaining_uses))
        .collect();
    quote! {
        ::rill::__private::Job::new(#job_name, move |__rill_dataflow: &mut ::rill::__private::Dataflow<'_>| {
            #(#statements)*
        })
    }
}

fn lower_statement(node: &Node, remaining_uses: &mut Remaining) -> TokenStream {
    if let Some(looped) = &node.looped {
        return lower_loop(node, looped, remaining_uses);
    }
    let chain = lower_pipeline(node, remaining_uses);
    let statement = node.statement;
    match (&statement.role, &statement.binding) {
        (Role::Next(_), Some(Binding::Single(name))) => {
            let variable = variable_handle(name);
            quote!(#variable.set(#chain);)
        }
        // `non_snake_case`: the mangled name of a stream called `_spare` or `rawLines` is not
        // snake case, and the lint would point at the user's name with a confusing suggestion.
        (_, Some(Binding::Single(name))) => {
            let name = mangle(name);
            quote!(#[allow(non_snake_case)] let #name = #chain;)
        }
        (_, Some(Binding::Tuple { names, .. })) => {
            let names = names.iter().map(mangle);
            quote!(#[allow(non_snake_case)] let (#(#names),*) = #chain;)
        }
        (_, None) => quote!(#chain;),
    }
}

/// `let (a, b) = iterate(options) { ... };`: the initial values and the entered collections are
/// computed outside the loop; the body is emitted once per strategy (the same text against two
/// sets of types), and the planner picks one when the dataflow is built. A loop inside a loop
/// runs with the strategy of the loop around it.
fn lower_loop(node: &Node, looped: &LoopNode, remaining_uses: &mut Remaining) -> TokenStream {
    let variables: Vec<&Ident> = looped
        .variables
        .iter()
        .filter_map(|var| match &var.statement.binding {
            Some(Binding::Single(name)) => Some(name),
            _ => None,
        })
        .collect();
    let initial: Vec<Ident> = variables
        .iter()
        .map(|name| format_ident!("__rill_initial_{}", name))
        .collect();
    let initial_values: Vec<TokenStream> = looped
        .variables
        .iter()
        .map(|var| lower_pipeline(var, remaining_uses))
        .collect();
    let entered: Vec<Ident> = looped
        .entered
        .iter()
        .map(|name| format_ident!("__rill_entered_{}", name))
        .collect();
    let entered_values: Vec<TokenStream> = looped
        .entered
        .iter()
        .map(|name| stream_ref(name, node.scope, remaining_uses))
        .collect();
    let body = lower_loop_body(looped, &variables, &initial, &entered, remaining_uses);
    let rounds = match looped.options.rounds {
        Some(rounds) => {
            quote_spanned!(syn::spanned::Spanned::span(rounds)=> ::core::option::Option::Some((#rounds) as u64))
        }
        None => quote!(::core::option::Option::None),
    };
    let first = &initial[0];
    let run = if node.scope == 0 {
        let strategy = match &looped.options.strategy {
            Some(StrategyChoice::Named(name)) if *name == "bulk" => {
                quote!(::rill::__private::Strategy::Bulk)
            }
            Some(StrategyChoice::Named(name)) if *name == "incremental" => {
                quote!(::rill::__private::Strategy::Incremental)
            }
            Some(StrategyChoice::Value(value)) => {
                let span = syn::spanned::Spanned::span(value);
                quote_spanned!(span=> {
                    let __rill_strategy: ::rill::__private::Strategy = #value;
                    __rill_strategy
                })
            }
            _ => quote!(::rill::__private::Strategy::Auto),
        };
        quote! {
            let __rill_changing = false #(|| #initial.is_changing())* #(|| #entered.is_changing())*;
            match ::rill::__private::Strategy::plan(#strategy, __rill_changing) {
                ::rill::__private::Strategy::Bulk => ::rill::__private::BulkLoop::run(
                    &__rill_first, __rill_rounds, __rill_changing, move |__rill_loop| #body),
                _ => ::rill::__private::DiffLoop::run(
                    &__rill_first, __rill_rounds, __rill_changing, move |__rill_loop| #body),
            }
        }
    } else {
        quote!(__rill_loop.nested(&__rill_first, __rill_rounds, move |__rill_loop| #body))
    };
    let results = node
        .statement
        .binding
        .as_ref()
        .map(|binding| binding.names().into_iter().map(mangle).collect::<Vec<_>>())
        .unwrap_or_default();
    let results = if results.len() == 1 {
        quote!(#(#results)*)
    } else {
        quote!((#(#results),*))
    };
    quote! {
        #[allow(non_snake_case)]
        let #results = {
            #(#[allow(non_snake_case)] let #initial = #initial_values;)*
            #(#[allow(non_snake_case)] let #entered = #entered_values;)*
            let __rill_rounds: ::core::option::Option<u64> = #rounds;
            let __rill_first = ::core::clone::Clone::clone(&#first);
            #run
        };
    }
}

/// The closure body of a loop: enter the outer collections, make the variables, run the
/// statements, and let the results leave.
fn lower_loop_body(
    looped: &LoopNode,
    variables: &[&Ident],
    initial: &[Ident],
    entered: &[Ident],
    remaining_uses: &mut Remaining,
) -> TokenStream {
    let entered_names = looped.entered.iter().map(mangle);
    let handles = variables.iter().map(|name| variable_handle(name));
    let values = variables.iter().map(|name| mangle(name));
    let statements: Vec<TokenStream> = looped
        .body
        .iter()
        .map(|node| lower_statement(node, remaining_uses))
        .collect();
    let results: Vec<TokenStream> = looped
        .iterate
        .result
        .names()
        .into_iter()
        .map(|name| {
            let value = stream_ref(name, looped.scope, remaining_uses);
            quote!(__rill_loop.leave(#value))
        })
        .collect();
    let results = if results.len() == 1 {
        quote!(#(#results)*)
    } else {
        quote!((#(#results),*))
    };
    quote!({
        #(#[allow(non_snake_case)] let #entered_names = __rill_loop.enter(#entered);)*
        #(#[allow(non_snake_case)] let (#handles, #values) = __rill_loop.variable(#initial);)*
        #(#statements)*
        #results
    })
}

/// The handle that sets loop variable `name`'s next value.
fn variable_handle(name: &Ident) -> Ident {
    format_ident!("__rill_variable_{}", name)
}

/// The method chain of a pipeline statement.
fn lower_pipeline(node: &Node, remaining_uses: &mut Remaining) -> TokenStream {
    let statement = node.statement;
    let Body::Pipeline(pipeline) = &statement.body else {
        return TokenStream::new();
    };
    let two_outputs =
        matches!(&statement.binding, Some(Binding::Tuple { names, .. }) if names.len() == 2);
    let mut chain = TokenStream::new();
    // A `uid` lowers to no call: it names the operator before it.
    let mut stages: Vec<&Stage> = Vec::new();
    let mut plans = Vec::new();
    let mut uids: Vec<Option<String>> = Vec::new();
    for (stage, planned) in pipeline.stages.iter().zip(&node.stages) {
        match (stage, uids.last_mut()) {
            (Stage::Op(call), Some(named)) if uid::is_uid(stage) => {
                *named = uid::given(call).map(|text| text.value());
            }
            _ => {
                stages.push(stage);
                plans.push(planned);
                uids.push(None);
            }
        }
    }
    // Whether the previous stage lowered this one too (`timestamps -> key_by` in one operator).
    let mut fused = false;
    for (position, (stage, planned)) in stages.iter().zip(plans).enumerate() {
        if std::mem::take(&mut fused) {
            continue;
        }
        // The operator's name: its uid, or where it is in the source.
        let operator = |spec: &OpSpec, call: &OpCall| {
            uids[position]
                .clone()
                .unwrap_or_else(|| operator_name(spec, call.name.span()))
        };
        chain.extend(match (*stage, planned) {
            (Stage::Name(name), _) => stream_ref(name, node.scope, remaining_uses),
            (Stage::Op(call), Some((spec, _))) if spec.input == Input::None => {
                let method = if two_outputs && position + 1 == stages.len() {
                    "source_with_errors"
                } else {
                    "source"
                };
                let method = Ident::new(method, call.name.span());
                let name = operator(spec, call);
                // Duration literals work in source options too: `generate(..).idle_after(20ms)`.
                let args = call.args.iter().map(duration::lower_literals);
                quote_spanned!(call.name.span()=> __rill_dataflow.#method(#name, #(#args),*))
            }
            (Stage::Op(call), Some((spec, input))) => {
                let rest = &stages[position + 1..];
                let key_by = match rest.first() {
                    Some(Stage::Op(next)) if spec.name == "timestamps" && is_op(next, "key_by") => {
                        Some(next)
                    }
                    _ => None,
                };
                fused = key_by.is_some();
                let (key_call, after_key) = match key_by {
                    Some(next) => (Some(next), &rest[1..]),
                    None if spec.name == "key_by" => (Some(call), rest),
                    None => (None, rest),
                };
                let moving = key_call.and_then(|k| moving_key_by(k, after_key, two_outputs));
                let method = match (spec.name, key_by.is_some(), moving.is_some()) {
                    ("timestamps", true, true) => "timestamps_key_by_moving",
                    ("timestamps", true, false) => "timestamps_key_by",
                    ("key_by", _, true) => "key_by_moving",
                    (name, _, _) => name,
                };
                let mut args = match &spec.special {
                    _ if spec.name == "key_by" && moving.is_some() => {
                        vec![moving.clone().expect("checked")]
                    }
                    Some(special) => (special.lower)(call),
                    None => vec![lower_args(spec, &call.args, node.scope, remaining_uses)],
                };
                if let Some(next) = key_by {
                    args.push(moving.unwrap_or_else(|| {
                        let key = &next.args[0];
                        quote!(#key)
                    }));
                }
                lower_call(
                    spec,
                    call,
                    *input,
                    method,
                    operator(spec, call),
                    args,
                    two_outputs && position + 1 == stages.len(),
                )
            }
            (Stage::Op(_), None) => TokenStream::new(),
        });
    }
    chain
}

/// One operator call: `.method(name, args)`, with `.values()` before it when it drops keys and
/// the choice of outputs after it (a windowed aggregation's late records, a process function's
/// side output: bound when `bind_second`, else logged or left out).
fn lower_call(
    spec: &OpSpec,
    call: &OpCall,
    input: Kind,
    method: &str,
    name: String,
    args: Vec<TokenStream>,
    bind_second: bool,
) -> TokenStream {
    let span = call.name.span();
    let unkey =
        if matches!(spec.input, Input::Stream | Input::Untimed | Input::Timed) && input.keyed {
            quote_spanned!(span=> .values())
        } else {
            TokenStream::new()
        };
    let method = Ident::new(method, span);
    let side = spec.output == Output::StreamAndSide;
    let outputs = match (has_second_output(spec, input), bind_second) {
        (true, true) if side => quote_spanned!(span=> .with_side()),
        (true, false) if side => quote_spanned!(span=> .main()),
        (true, true) => quote_spanned!(span=> .with_late()),
        (true, false) => quote_spanned!(span=> .results(#name)),
        (false, _) => TokenStream::new(),
    };
    quote_spanned!(span=> #unkey.#method(#name, #(#args),*)#outputs)
}

/// Whether `call` is the operator called `name` (or an alias of it).
fn is_op(call: &OpCall, name: &str) -> bool {
    ops::lookup(&call.name.to_string(), false).is_some_and(|spec| spec.name == name)
}

/// A `key_by` whose key is a clone of (part of) the record, when only keys are used downstream
/// (`count`, directly or after a window whose late records are not bound): lowered to
/// `key_by_moving`, which moves that part of each record into its key instead of copying it.
fn moving_key_by(call: &OpCall, rest: &[&Stage], late_bound: bool) -> Option<TokenStream> {
    let op =
        |index: usize, name: &str| matches!(rest.get(index), Some(Stage::Op(c)) if is_op(c, name));
    let counts_keys =
        op(0, "count") || (op(0, "window") && op(1, "count") && !(late_bound && rest.len() == 2));
    let function = key_by::moving_key_function(call.args.first()?)?;
    counts_keys.then_some(function)
}

/// The arguments of a call: expressions as written, stream names as (cloned) streams; the
/// repeated arguments of a variadic operator are gathered into an array.
fn lower_args(
    spec: &OpSpec,
    args: &[Expr],
    scope: usize,
    remaining_uses: &mut Remaining,
) -> TokenStream {
    let mut lowered: Vec<TokenStream> = args
        .iter()
        .enumerate()
        .map(|(index, arg)| match (spec.arg(index).map(|a| a.kind), stream_name(arg)) {
            (Some(ArgKind::Collection), Some(name)) => stream_ref(name, scope, remaining_uses),
            (Some(ArgKind::Stream { keyed }), Some(name)) => {
                let stream = stream_ref(name, scope, remaining_uses);
                if keyed {
                    stream
                } else {
                    // A keyed stream given where records are expected is passed as its records.
                    quote_spanned!(name.span()=> ::rill::__private::IntoRecords::into_records(#stream))
                }
            }
            (Some(ArgKind::Value), _) => {
                let arg = duration::lower_literals(arg);
                quote!(#arg)
            }
            _ => quote!(#arg),
        })
        .collect();
    // Optional functions left out do nothing (`keyed_process` without a timer function).
    let missing = spec.args.len().saturating_sub(args.len());
    for arg in &spec.args[spec.args.len() - missing.min(spec.optional)..] {
        if let ArgKind::Closure { params } = arg.kind {
            let ignored = (0..params).map(|_| quote!(_));
            lowered.push(quote!(|#(#ignored),*| {}));
        }
    }
    if spec.variadic {
        let fixed = &lowered[..spec.args.len() - 1];
        let repeated = &lowered[spec.args.len() - 1..];
        // The array gets the span of the first repeated argument, so that a type error about it
        // (streams of different record types) lands on the user's argument, not on the whole macro.
        let span = args
            .get(spec.args.len() - 1)
            .map_or_else(Span::call_site, syn::spanned::Spanned::span);
        quote_spanned!(span=> #(#fixed,)* [#(#repeated),*])
    } else {
        quote!(#(#lowered),*)
    }
}

/// A use of a named stream or collection in `scope`: itself on its last use, a clone before.
fn stream_ref(name: &Ident, scope: usize, remaining_uses: &mut Remaining) -> TokenStream {
    let mangled = mangle(name);
    let remaining = remaining_uses.entry((scope, name.to_string())).or_insert(1);
    *remaining = remaining.saturating_sub(1);
    if *remaining > 0 {
        quote_spanned!(name.span()=> ::core::clone::Clone::clone(&#mangled))
    } else {
        quote!(#mangled)
    }
}

/// Stream names live in their own namespace, so they never shadow the user's variables.
fn mangle(name: &Ident) -> Ident {
    format_ident!("__rill_stream_{}", name, span = name.span())
}

/// The stable operator name, `op@file:line:col`, unless a `uid` names the operator: it appears in
/// logs and identifies the operator's state in checkpoints.
fn operator_name(spec: &OpSpec, span: Span) -> String {
    let start = span.start();
    format!(
        "{}@{}:{}:{}",
        spec.name,
        span.file(),
        start.line,
        start.column + 1
    )
}
