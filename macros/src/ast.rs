//! The surface syntax of `dataflow!`, parsed into nodes that keep the user's spans.
//!
//! ```text
//! job       := inner-attribute* statement*
//! statement := "let" binding "=" pipeline ";"  |  pipeline ";"
//! binding   := IDENT  |  "(" IDENT ("," IDENT)* ","? ")"
//! pipeline  := stage ("->" stage)*
//! stage     := IDENT                       a stream defined earlier (first stage only)
//!            | IDENT "(" (EXPR ("," EXPR)* ","?)? ")"     an operator call
//! ```

use proc_macro2::Span;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{parenthesized, Attribute, Expr, Ident, Token};

/// A whole `dataflow!` invocation.
pub struct Job {
    pub attributes: Vec<Attribute>,
    pub statements: Vec<Statement>,
    /// The span of the whole invocation, for errors about the job as a whole.
    pub span: Span,
}

/// One `let ... = ...;` or `...;`.
pub struct Statement {
    pub binding: Option<Binding>,
    pub pipeline: Pipeline,
}

/// The names a pipeline's outputs are bound to.
pub enum Binding {
    Single(Ident),
    Tuple { names: Vec<Ident>, span: Span },
}

impl Binding {
    pub fn names(&self) -> Vec<&Ident> {
        match self {
            Binding::Single(name) => vec![name],
            Binding::Tuple { names, .. } => names.iter().collect(),
        }
    }

    pub fn span(&self) -> Span {
        match self {
            Binding::Single(name) => name.span(),
            Binding::Tuple { span, .. } => *span,
        }
    }
}

/// Stages joined by `->`.
pub struct Pipeline {
    pub stages: Vec<Stage>,
    pub span: Span,
}

/// A stream name or an operator call.
pub enum Stage {
    Name(Ident),
    Op(OpCall),
}

/// `name(args...)`.
pub struct OpCall {
    pub name: Ident,
    pub args: Vec<Expr>,
    /// The span of the parenthesised arguments.
    pub args_span: Span,
}

impl Parse for Job {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let span = input.span();
        let attributes = input.call(Attribute::parse_inner)?;
        let mut statements = Vec::new();
        while !input.is_empty() {
            statements.push(input.parse()?);
        }
        Ok(Job {
            attributes,
            statements,
            span,
        })
    }
}

impl Parse for Statement {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let binding = if input.peek(Token![let]) {
            input.parse::<Token![let]>()?;
            let binding = input.parse()?;
            input.parse::<Token![=]>()?;
            Some(binding)
        } else {
            None
        };
        if input.peek(Token![;]) || input.is_empty() {
            return Err(input.error(
                "expected a pipeline\n  = help: a pipeline starts with a source or a stream name: `source(...) -> map(...)` or `records -> map(...)`",
            ));
        }
        let pipeline: Pipeline = input.parse()?;
        if input.is_empty() {
            // At the end of the macro input, syn's span is the whole invocation: point at the
            // last stage instead.
            let last = match pipeline.stages.last() {
                Some(Stage::Name(name)) => name.span(),
                Some(Stage::Op(call)) => call.args_span,
                None => pipeline.span,
            };
            return Err(syn::Error::new(
                last,
                "expected `;` after this stage\n  = help: every statement ends with `;`, the last one too: `source(...) -> sink(...);`",
            ));
        }
        if !input.peek(Token![;]) {
            return Err(input.error(
                "expected `->` or `;` here\n  = help: stages are joined by `->`, and every statement ends with `;`: `source(...) -> map(...) -> sink(...);`",
            ));
        }
        input.parse::<Token![;]>()?;
        Ok(Statement { binding, pipeline })
    }
}

impl Parse for Binding {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        if input.peek(syn::token::Paren) {
            let content;
            let parens = parenthesized!(content in input);
            let names: Punctuated<Ident, Token![,]> =
                content.parse_terminated(Ident::parse, Token![,])?;
            Ok(Binding::Tuple {
                names: names.into_iter().collect(),
                span: parens.span.join(),
            })
        } else {
            Ok(Binding::Single(input.parse()?))
        }
    }
}

impl Parse for Pipeline {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let span = input.span();
        let mut stages = vec![input.parse()?];
        while input.peek(Token![->]) {
            input.parse::<Token![->]>()?;
            stages.push(input.parse()?);
        }
        Ok(Pipeline { stages, span })
    }
}

impl Parse for Stage {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let name: Ident = input.parse().map_err(|e| {
            syn::Error::new(
                e.span(),
                "expected a stream name or an operator\n  = help: after `->` comes an operator call, e.g. `-> map(|x| x + 1)`; a pipeline starts with a stream name or `source(...)`",
            )
        })?;
        if !input.peek(syn::token::Paren) {
            return Ok(Stage::Name(name));
        }
        let content;
        let parens = parenthesized!(content in input);
        let args: Punctuated<Expr, Token![,]> = content.parse_terminated(Expr::parse, Token![,])?;
        Ok(Stage::Op(OpCall {
            name,
            args: args.into_iter().collect(),
            args_span: parens.span.join(),
        }))
    }
}
