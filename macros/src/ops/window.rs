//! `window(kind [, lateness(duration)])` on a keyed stream with timestamps; an aggregation follows.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Expr, ExprCall};

use super::{Arg, ArgKind, Input, OpSpec, Output, Special};
use crate::ast::OpCall;
use crate::diagnostics::Diagnostics;
use crate::duration::{self, Written};

pub const SPEC: OpSpec = OpSpec {
    name: "window",
    aliases: &[],
    summary: "assigns the records of a keyed stream with timestamps to windows; an aggregation (count, sum, min, max, avg, fold, reduce, aggregate, process) follows",
    input: Input::KeyedTimed,
    output: Output::Windowed,
    args: &[
        Arg { shape: "tumbling(1s)", kind: ArgKind::Value },
        Arg { shape: "lateness(duration)", kind: ArgKind::Value },
    ],
    optional: 1,
    variadic: false,
    special: Some(Special { check, lower }),
    checkpointed: false,
};

/// The window kinds: name, what each argument is, whether it is a duration (else a count).
const KINDS: [(&str, &[&str], bool); 7] = [
    ("tumbling", &["size"], true),
    ("sliding", &["size", "slide"], true),
    ("session", &["gap"], true),
    ("count_tumbling", &["size"], false),
    ("count_sliding", &["size", "slide"], false),
    ("global_every", &["count"], false),
    ("global_interval", &["interval"], true),
];

const EXPECTED: &str = "write one of `tumbling(1s)`, `sliding(10s, 5s)`, `session(30s)`, `count_tumbling(100)`, `count_sliding(100, 10)`, `global_every(100)`, `global_interval(1s)`";

/// A call `name(args)` with a plain function name.
fn call_named(expr: &Expr) -> Option<(String, &ExprCall)> {
    match expr {
        Expr::Call(call) => match &*call.func {
            Expr::Path(path) => path.path.get_ident().map(|name| (name.to_string(), call)),
            _ => None,
        },
        _ => None,
    }
}

/// Checks the window kind and the lateness (shared with `window_all`).
pub fn check(call: &OpCall, diagnostics: &mut Diagnostics) {
    let Some(kind) = call.args.first() else {
        return;
    };
    match call_named(kind)
        .and_then(|(name, c)| KINDS.iter().find(|(k, ..)| *k == name).map(|k| (k, c)))
    {
        None => {
            let message = match call_named(kind) {
                Some((name, _)) => format!("unknown window kind `{name}`"),
                None => "expected a window kind".to_owned(),
            };
            diagnostics.error(
                kind.span(),
                message,
                format!("{EXPECTED} (a hopping window is `sliding`)"),
            );
        }
        Some(((name, params, durations), window)) => {
            if window.args.len() != params.len() {
                diagnostics.error(
                    window.span(),
                    format!(
                        "`{name}` takes {} argument(s) ({}), found {}",
                        params.len(),
                        params.join(", "),
                        window.args.len()
                    ),
                    EXPECTED,
                );
                return;
            }
            let written: Vec<Option<Written>> = window
                .args
                .iter()
                .zip(params.iter())
                .map(|(arg, param)| {
                    let what = format!("the {param} of a `{name}` window");
                    if *durations {
                        duration::check(arg, &what, diagnostics)
                    } else {
                        duration::check_count(arg, &what, diagnostics)
                    }
                })
                .collect();
            if let [Some(Written::Literal(size)), Some(Written::Literal(slide))] = written[..] {
                if size % slide != 0 {
                    let rounded = size.div_ceil(slide) * slide;
                    let show = |value: u64| {
                        if *durations {
                            duration::display(value, &window.args[1])
                        } else {
                            value.to_string()
                        }
                    };
                    diagnostics.error(
                        window.span(),
                        format!(
                            "a `{name}` window's size must be a multiple of its slide: {} is not a multiple of {}",
                            quote_arg(&window.args[0]),
                            quote_arg(&window.args[1])
                        ),
                        format!("make the size a whole number of slides, e.g. `{name}({}, {})`", show(rounded), show(slide)),
                    );
                }
            }
        }
    }
    if let Some(lateness) = call.args.get(1) {
        match call_named(lateness) {
            Some((name, c)) if name == "lateness" && c.args.len() == 1 => {
                if let Expr::Lit(_) = &c.args[0] {
                    duration::check(&c.args[0], "the allowed lateness", diagnostics);
                }
            }
            _ => diagnostics.error(lateness.span(), "expected the allowed lateness", "write `lateness(2s)`: how long after a window fired its records may still update it"),
        }
    }
}

fn quote_arg(expr: &Expr) -> String {
    format!("`{}`", quote!(#expr).to_string().replace(' ', ""))
}

/// The window kind and the lateness as Rust expressions (shared with `window_all`).
pub fn lower(call: &OpCall) -> Vec<TokenStream> {
    let kind = &call.args[0];
    let (name, window) = call_named(kind).expect("checked");
    let (_, _, durations) = KINDS.iter().find(|(k, ..)| *k == name).expect("checked");
    let constructor = syn::Ident::new(&name, window.func.span());
    let args: Vec<TokenStream> = window
        .args
        .iter()
        .map(|arg| {
            if *durations {
                duration::lower(arg)
            } else {
                quote_spanned!(arg.span()=> #arg)
            }
        })
        .collect();
    let windows =
        quote_spanned!(kind.span()=> ::rill::__private::Windows::#constructor(#(#args),*));
    let lateness = match call.args.get(1).and_then(call_named) {
        Some((_, c)) => duration::lower(&c.args[0]),
        None => quote!(::core::time::Duration::ZERO),
    };
    vec![windows, lateness]
}
