//! Checks of one operator call against its spec: argument count and closure parameter counts.

use syn::Expr;

use crate::ast::OpCall;
use crate::diagnostics::Diagnostics;
use crate::ops::{ArgKind, OpSpec};

/// Reports every way `call` does not fit `spec`'s arguments.
pub fn check_arguments(call: &OpCall, spec: &OpSpec, diagnostics: &mut Diagnostics) {
    let count = call.args.len();
    if !spec.accepts_arg_count(count) {
        let start = if count == 0 {
            call.args_span
        } else {
            call.name.span()
        };
        diagnostics.error_between(
            start,
            call.args_span,
            format!("`{}` takes {}, found {count}", call.name, spec.arity_text()),
            format!("write it as `{}`: {}", spec.signature(), spec.summary),
        );
        return;
    }
    if let Some(special) = &spec.special {
        (special.check)(call, diagnostics);
    }
    for (index, arg) in call.args.iter().enumerate() {
        let Some(arg_spec) = spec.arg(index) else {
            continue;
        };
        match (arg_spec.kind, arg) {
            (ArgKind::Closure { params }, Expr::Closure(closure))
                if closure.inputs.len() != params =>
            {
                let found = closure.inputs.len();
                let plural = if params == 1 {
                    "parameter"
                } else {
                    "parameters"
                };
                diagnostics.error_between(
                    closure.or1_token.span,
                    closure.or2_token.span,
                    format!(
                        "the function given to `{}` takes {params} {plural}, found {found}",
                        call.name
                    ),
                    format!("write it as `{}`", arg_spec.shape),
                );
            }
            (ArgKind::Stream { .. } | ArgKind::Collection, expr) if stream_name(expr).is_none() => {
                let noun = if matches!(arg_spec.kind, ArgKind::Collection) {
                    "collection"
                } else {
                    "stream"
                };
                diagnostics.error(
                    syn::spanned::Spanned::span(expr),
                    format!("`{}` expects the name of a {noun} here", call.name),
                    format!(
                        "bind the other {noun} first (`let other = ...;`) and write `{}`",
                        spec.signature()
                    ),
                )
            }
            _ => {}
        }
    }
}

/// The stream name an argument refers to, if it is a plain identifier.
pub fn stream_name(expr: &Expr) -> Option<&syn::Ident> {
    match expr {
        Expr::Path(path) if path.qself.is_none() && path.attrs.is_empty() => path.path.get_ident(),
        _ => None,
    }
}
