//! `timestamps(|record| millis, bounded(duration) | monotonous())`: event time for a stream.

use proc_macro2::TokenStream;
use quote::quote;
use syn::spanned::Spanned;
use syn::Expr;

use super::{Arg, ArgKind, Input, OpSpec, Output, Special};
use crate::ast::OpCall;
use crate::diagnostics::Diagnostics;
use crate::duration;

pub const SPEC: OpSpec = OpSpec {
    name: "timestamps",
    aliases: &[],
    summary: "gives every record an event time in milliseconds; the watermark trails the largest timestamp by the allowed out-of-orderness: `bounded(2s)`, or `monotonous()` for timestamps that never go back",
    input: Input::Untimed,
    output: Output::Timed,
    args: &[
        Arg { shape: "|record| timestamp_ms", kind: ArgKind::Closure { params: 1 } },
        Arg { shape: "bounded(2s)", kind: ArgKind::Value },
    ],
    optional: 0,
    variadic: false,
    special: Some(Special { check, lower }),
    checkpointed: false,
};

const EXPECTED: &str = "write `bounded(2s)` (records may arrive up to 2 s out of order) or `monotonous()` (timestamps never go back)";

/// The out-of-orderness argument: `Some(None)` for `monotonous()`, `Some(Some(d))` for `bounded(d)`.
fn strategy(expr: &Expr) -> Option<Option<&Expr>> {
    let Expr::Call(call) = expr else { return None };
    let Expr::Path(path) = &*call.func else {
        return None;
    };
    match (path.path.get_ident()?.to_string().as_str(), call.args.len()) {
        ("monotonous", 0) => Some(None),
        ("bounded", 1) => Some(Some(&call.args[0])),
        _ => None,
    }
}

fn check(call: &OpCall, diagnostics: &mut Diagnostics) {
    let Some(expr) = call.args.get(1) else { return };
    match strategy(expr) {
        None => diagnostics.error(expr.span(), "expected a watermark strategy", EXPECTED),
        Some(Some(bound)) => {
            duration::check(bound, "the out-of-orderness", diagnostics);
        }
        Some(None) => {}
    }
}

fn lower(call: &OpCall) -> Vec<TokenStream> {
    let extractor = &call.args[0];
    let bound = match strategy(&call.args[1]).expect("checked") {
        Some(bound) => duration::lower(bound),
        None => quote!(::core::time::Duration::ZERO),
    };
    vec![quote!(#extractor), bound]
}
