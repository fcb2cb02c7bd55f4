//! From the checked graph to Rust: one statement per pipeline, method chains in source order, each
//! call under its operator's span so that rustc's type errors land on the user's tokens.

use std::collections::HashMap;

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::{Expr, Ident};

use crate::ast::{Binding, OpCall, Stage};
use crate::check::stream_name;
use crate::graph::{has_second_output, Graph, Node};
use crate::ops::{self, key_by, ArgKind, Input, OpSpec, Output};

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

fn lower_statement(node: &Node, remaining_uses: &mut HashMap<String, usize>) -> TokenStream {
    let statement = node.statement;
    let two_outputs =
        matches!(&statement.binding, Some(Binding::Tuple { names, .. }) if names.len() == 2);
    let mut chain = TokenStream::new();
    let stages = &statement.pipeline.stages;
    for (position, (stage, planned)) in stages.iter().zip(&node.stages).enumerate() {
        chain.extend(match (stage, planned) {
            (Stage::Name(name), _) => stream_ref(name, remaining_uses),
            (Stage::Op(call), Some((spec, _))) if spec.input == Input::None => {
                let method = if two_outputs && position + 1 == stages.len() {
                    quote!(source_with_errors)
                } else {
                    quote!(source)
                };
                let method = Ident::new(&method.to_string(), call.name.span());
                let name = operator_name(spec, call.name.span());
                let args = &call.args;
                quote_spanned!(call.name.span()=> __rill_dataflow.#method(#name, #(#args),*))
            }
            (Stage::Op(call), Some((spec, input))) => {
                let span = call.name.span();
                let unkey = if matches!(spec.input, Input::Stream | Input::Untimed) && input.keyed {
                    quote_spanned!(span=> .values())
                } else {
                    TokenStream::new()
                };
                let method = Ident::new(method(spec, call, stages.get(position + 1)), span);
                let name = operator_name(spec, span);
                let args = match &spec.special {
                    Some(special) => {
                        let args = (special.lower)(call);
                        quote!(#(#args),*)
                    }
                    None => lower_args(spec, &call.args, remaining_uses),
                };
                // A windowed aggregation has a second output, the late records: bound, or logged.
                let last = position + 1 == stages.len();
                let side = spec.output == Output::StreamAndSide;
                let outputs = match (has_second_output(spec, *input), two_outputs && last) {
                    (true, true) if side => quote_spanned!(span=> .with_side()),
                    (true, false) if side => quote_spanned!(span=> .main()),
                    (true, true) => quote_spanned!(span=> .with_late()),
                    (true, false) => quote_spanned!(span=> .results(#name)),
                    (false, _) => TokenStream::new(),
                };
                quote_spanned!(span=> #unkey.#method(#name, #args)#outputs)
            }
            (Stage::Op(_), None) => TokenStream::new(),
        });
    }
    match &statement.binding {
        // `non_snake_case`: the mangled name of a stream called `_spare` or `rawLines` is not
        // snake case, and the lint would point at the user's name with a confusing suggestion.
        Some(Binding::Single(name)) => {
            let name = mangle(name);
            quote!(#[allow(non_snake_case)] let #name = #chain;)
        }
        Some(Binding::Tuple { names, .. }) => {
            let names = names.iter().map(mangle);
            quote!(#[allow(non_snake_case)] let (#(#names),*) = #chain;)
        }
        None => quote!(#chain;),
    }
}

/// The runtime method an operator call lowers to: its own name, except for a `key_by` whose key
/// is the record itself followed by `count`, which moves records into keys instead of copying.
fn method(spec: &OpSpec, call: &OpCall, next: Option<&Stage>) -> &'static str {
    let counts_next = matches!(next, Some(Stage::Op(next)) if ops::lookup(&next.name.to_string()).is_some_and(|s| s.name == "count"));
    if spec.name == "key_by"
        && counts_next
        && call.args.first().is_some_and(key_by::keys_by_the_record)
    {
        "key_by_itself"
    } else {
        spec.name
    }
}

/// The arguments of a call: expressions as written, stream names as (cloned) streams; the
/// repeated arguments of a variadic operator are gathered into an array.
fn lower_args(
    spec: &OpSpec,
    args: &[Expr],
    remaining_uses: &mut HashMap<String, usize>,
) -> TokenStream {
    let mut lowered: Vec<TokenStream> = args
        .iter()
        .enumerate()
        .map(|(index, arg)| match (spec.arg(index).map(|a| a.kind), stream_name(arg)) {
            (Some(ArgKind::Stream { keyed }), Some(name)) => {
                let stream = stream_ref(name, remaining_uses);
                if keyed {
                    stream
                } else {
                    // A keyed stream given where records are expected is passed as its records.
                    quote_spanned!(name.span()=> ::rill::__private::IntoRecords::into_records(#stream))
                }
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

/// A use of a named stream: the stream itself on its last use, a clone before.
fn stream_ref(name: &Ident, remaining_uses: &mut HashMap<String, usize>) -> TokenStream {
    let mangled = mangle(name);
    let remaining = remaining_uses.entry(name.to_string()).or_insert(1);
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

/// The stable operator name, `op@file:line:col`: it appears in logs and identifies the operator's
/// state in checkpoints.
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
