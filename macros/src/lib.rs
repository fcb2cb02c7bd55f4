//! The `dataflow!` compiler.
//!
//! ```text
//! tokens --parse--> AST (ast.rs; every node keeps its span)
//!        --build--> graph (graph.rs; names resolved in source order, edge kinds known)
//!        --check--> errors collected on the user's own tokens (graph.rs, check.rs, diagnostics.rs)
//!        --lower--> method chains on rill's runtime types (lower.rs)
//! ```
//!
//! Operators are described by specs, one module each, under `ops/`. The user-facing guide to the
//! syntax is the documentation of `rill::dataflow!`.

use proc_macro::TokenStream;
use proc_macro2::TokenStream as TokenStream2;
use quote::quote;
use syn::{Expr, Lit, Meta};

mod ast;
mod check;
mod diagnostics;
mod duration;
mod graph;
mod loops;
mod lower;
mod ops;

use diagnostics::Diagnostics;

/// Compiles a pipeline into a `rill::Job`. See `rill::dataflow!` for the guide.
#[proc_macro]
pub fn dataflow(input: TokenStream) -> TokenStream {
    let job = match syn::parse::<ast::Job>(input) {
        Ok(job) => job,
        Err(error) => return error.to_compile_error().into(),
    };
    let mut diagnostics = Diagnostics::default();
    let job_name = job_name(&job, &mut diagnostics);
    let graph = graph::build(&job, &mut diagnostics);
    if !diagnostics.is_empty() {
        return diagnostics.into_compile_errors().into();
    }
    lower::lower(&graph, job_name).into()
}

/// The job's name from `#![name = "..."]`, by default the crate's name.
fn job_name(job: &ast::Job, diagnostics: &mut Diagnostics) -> TokenStream2 {
    let mut name = quote!(::core::env!("CARGO_CRATE_NAME"));
    for attribute in &job.attributes {
        match &attribute.meta {
            Meta::NameValue(pair) if pair.path.is_ident("name") => match &pair.value {
                Expr::Lit(syn::ExprLit {
                    lit: Lit::Str(text),
                    ..
                }) => name = quote!(#text),
                other => diagnostics.error(
                    syn::spanned::Spanned::span(other),
                    "the job name must be a string literal",
                    "write `#![name = \"my-job\"]`",
                ),
            },
            other => diagnostics.error(
                syn::spanned::Spanned::span(other),
                "unknown job attribute",
                "the job attributes are: `#![name = \"my-job\"]`",
            ),
        }
    }
    name
}
