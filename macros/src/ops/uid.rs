//! `uid("name")`: names the operator before it in checkpoints (Flink's `.uid("...")`).
//!
//! A checkpoint finds each stateful operator's state by the operator's name, by default
//! `op@file:line:col`: editing the job's source moves operators, which renames them, and an old
//! checkpoint no longer restores. `-> count() -> uid("word-counts")` pins the name. A `uid` lowers
//! to no call of its own: the operator before it gets the uid as its name. Which operators keep
//! state is said by their specs ([`OpSpec::checkpointed`]); where a `uid` may stand, and that no
//! two are alike, is checked with the rest of the pipeline (`graph.rs`).

use proc_macro2::TokenStream;
use syn::spanned::Spanned;
use syn::{Expr, Lit, LitStr};

use super::{Arg, ArgKind, Input, OpSpec, Output, Special};
use crate::ast::{OpCall, Stage};
use crate::diagnostics::Diagnostics;

pub const SPEC: OpSpec = OpSpec {
    name: "uid",
    aliases: &[],
    summary: "names the operator before it in checkpoints, in place of `op@file:line:col`, so that they still restore after the job's source is edited; it follows an operator that keeps state (a source, an aggregation, a join, a sink...)",
    // Not an operator of its own: the graph checks where it stands, and it lowers to nothing.
    input: Input::Stream,
    output: Output::Same,
    args: &[Arg {
        shape: "\"name\"",
        kind: ArgKind::Value,
    }],
    optional: 0,
    variadic: false,
    special: Some(Special { check, lower }),
    checkpointed: false,
};

/// Whether `stage` is a `uid(...)`.
pub fn is_uid(stage: &Stage) -> bool {
    matches!(stage, Stage::Op(call) if call.name == SPEC.name)
}

/// The string a `uid(...)` gives, if it is a usable one: a single non-empty string literal.
pub fn given(call: &OpCall) -> Option<&LitStr> {
    match call.args.as_slice() {
        [arg] => literal(arg).filter(|text| !text.value().trim().is_empty()),
        _ => None,
    }
}

/// The string literal `expr` is, if it is one.
fn literal(expr: &Expr) -> Option<&LitStr> {
    match expr {
        Expr::Lit(syn::ExprLit {
            lit: Lit::Str(text),
            attrs,
        }) if attrs.is_empty() => Some(text),
        _ => None,
    }
}

/// Checks that the uid is a non-empty string literal (the number of arguments is checked already).
fn check(call: &OpCall, diagnostics: &mut Diagnostics) {
    let Some(arg) = call.args.first() else {
        return;
    };
    match literal(arg) {
        None => diagnostics.error(
            arg.span(),
            "the uid must be a string literal",
            "write it as `uid(\"word-counts\")`: checkpoints find the operator's state by this name, so it is fixed when the job is compiled",
        ),
        Some(text) if text.value().trim().is_empty() => diagnostics.error(
            text.span(),
            "the uid is empty",
            "name the operator after what it keeps, e.g. `uid(\"word-counts\")`",
        ),
        Some(_) => {}
    }
}

/// Never called for arguments: a `uid` lowers to no call (the operator before it takes its name).
fn lower(_: &OpCall) -> Vec<TokenStream> {
    Vec::new()
}
