//! The surface syntax of `dataflow!`, parsed into nodes that keep the user's spans.
//!
//! ```text
//! job       := inner-attribute* statement*
//! statement := "let" binding "=" pipeline ";"  |  pipeline ";"
//!            | "let" binding "=" iterate ";"
//!            | "var" IDENT "=" pipeline ";"        a loop variable and its initial value
//!            | "next" IDENT "=" pipeline ";"       the loop variable's value in the next round
//! iterate   := "iterate" ("(" IDENT "=" EXPR ("," IDENT "=" EXPR)* ")")? "{" statement* binding "}"
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

/// One `let ... = ...;`, `...;`, `var x = ...;` or `next x = ...;`.
pub struct Statement {
    pub binding: Option<Binding>,
    pub role: Role,
    pub body: Body,
}

/// What a statement does in a loop.
pub enum Role {
    /// Defines names (or ends in a sink).
    Plain,
    /// `var x = ...;`: declares loop variable `x` with its initial value (the keyword's span).
    Var(Span),
    /// `next x = ...;`: defines loop variable `x`'s value in the next round.
    Next(Span),
}

/// What a statement computes.
pub enum Body {
    Pipeline(Pipeline),
    Iterate(Iterate),
}

impl Statement {
    /// The span of what the statement computes.
    pub fn body_span(&self) -> Span {
        match &self.body {
            Body::Pipeline(pipeline) => pipeline.span,
            Body::Iterate(iterate) => iterate.keyword.span(),
        }
    }
}

/// `iterate(options) { statements; result }`.
pub struct Iterate {
    pub keyword: Ident,
    /// `rounds = N`, `strategy = bulk`.
    pub options: Vec<LoopOption>,
    pub statements: Vec<Statement>,
    /// The names whose final values leave the loop, in order.
    pub result: Binding,
}

/// One `name = value` option of a loop.
pub struct LoopOption {
    pub name: Ident,
    pub value: Expr,
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

/// Whether the next tokens are `keyword IDENT =` (`var x =`, `next x =`).
fn peek_role(input: ParseStream, keyword: &str) -> bool {
    let fork = input.fork();
    fork.parse::<Ident>().is_ok_and(|ident| ident == keyword)
        && fork.parse::<Ident>().is_ok()
        && fork.peek(Token![=])
        && !fork.peek(Token![==])
}

/// Whether the next tokens are `iterate {` or `iterate(`.
fn peek_iterate(input: ParseStream) -> bool {
    let fork = input.fork();
    fork.parse::<Ident>().is_ok_and(|ident| ident == "iterate")
        && (fork.peek(syn::token::Brace) || fork.peek(syn::token::Paren))
}

impl Parse for Statement {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let mut role = Role::Plain;
        let binding = if input.peek(Token![let]) {
            input.parse::<Token![let]>()?;
            let binding = input.parse()?;
            input.parse::<Token![=]>()?;
            Some(binding)
        } else if peek_role(input, "var") || peek_role(input, "next") {
            let keyword: Ident = input.parse()?;
            role = if keyword == "var" {
                Role::Var(keyword.span())
            } else {
                Role::Next(keyword.span())
            };
            let name: Ident = input.parse()?;
            input.parse::<Token![=]>()?;
            Some(Binding::Single(name))
        } else {
            None
        };
        if peek_iterate(input) {
            let iterate: Iterate = input.parse()?;
            if !input.peek(Token![;]) {
                return Err(syn::Error::new(
                    iterate.keyword.span(),
                    "expected `;` after the `iterate { ... }` block\n  = help: bind the loop's result and use it in the next statement: `let result = iterate { ... };`",
                ));
            }
            input.parse::<Token![;]>()?;
            return Ok(Statement {
                binding,
                role,
                body: Body::Iterate(iterate),
            });
        }
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
        Ok(Statement {
            binding,
            role,
            body: Body::Pipeline(pipeline),
        })
    }
}

impl Parse for Iterate {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let keyword: Ident = input.parse()?;
        let mut options = Vec::new();
        if input.peek(syn::token::Paren) {
            let content;
            parenthesized!(content in input);
            while !content.is_empty() {
                let name: Ident = content.parse()?;
                content.parse::<Token![=]>().map_err(|e| {
                    syn::Error::new(
                        e.span(),
                        "expected `=` after the option's name\n  = help: loop options are written `iterate(rounds = 20, strategy = bulk) { ... }`",
                    )
                })?;
                let value: Expr = content.parse()?;
                options.push(LoopOption { name, value });
                if !content.is_empty() {
                    content.parse::<Token![,]>()?;
                }
            }
        }
        let content;
        let braces = syn::braced!(content in input);
        let mut statements = Vec::new();
        loop {
            if content.is_empty() {
                return Err(syn::Error::new(
                    braces.span.close(),
                    "the `iterate` block has no result\n  = help: end the block with the name of what leaves the loop (no `;`), e.g. `iterate { var x = ...; next x = ...; x }`, or a tuple `(x, y)`",
                ));
            }
            let fork = content.fork();
            if fork.parse::<Binding>().is_ok() && fork.is_empty() {
                let result = content.parse()?;
                return Ok(Iterate {
                    keyword,
                    options,
                    statements,
                    result,
                });
            }
            statements.push(content.parse()?);
        }
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
