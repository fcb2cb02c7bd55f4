//! Durations written in the DSL: `500ms`, `2s`, `1min`, `1h`, `1d` are checked at compile time
//! and lowered to `std::time::Duration`; any other expression must be a `Duration` itself.

use proc_macro2::TokenStream;
use quote::quote_spanned;
use syn::spanned::Spanned;
use syn::{Expr, ExprLit, ExprUnary, Lit, UnOp};

use crate::diagnostics::Diagnostics;

/// Milliseconds per unit suffix.
const UNITS: [(&str, u64); 5] = [
    ("ms", 1),
    ("s", 1_000),
    ("min", 60_000),
    ("h", 3_600_000),
    ("d", 86_400_000),
];

/// How a literal duration is best written: in the unit of `like` (a literal such as `3s`) when
/// `millis` is a whole number of it, else in milliseconds.
pub fn display(millis: u64, like: &Expr) -> String {
    let unit = match like {
        Expr::Lit(ExprLit {
            lit: Lit::Int(int), ..
        }) => UNITS.iter().find(|(unit, _)| *unit == int.suffix()),
        _ => None,
    };
    match unit {
        Some((unit, per)) if millis % per == 0 => format!("{}{unit}", millis / per),
        _ => format!("{millis}ms"),
    }
}

/// A duration argument as the compiler sees it.
pub enum Written {
    /// A literal such as `2s`, in milliseconds.
    Literal(u64),
    /// An expression evaluated at run time.
    Expression,
}

/// Reads a duration argument, reporting literals that are zero, negative or without a unit.
pub fn check(expr: &Expr, what: &str, diagnostics: &mut Diagnostics) -> Option<Written> {
    match expr {
        Expr::Unary(ExprUnary {
            op: UnOp::Neg(minus),
            expr: inner,
            ..
        }) => {
            diagnostics.error_between(
                minus.span,
                inner.span(),
                format!("{what} must be positive, found a negative duration"),
                "write a positive duration such as `500ms` or `2s`",
            );
            None
        }
        Expr::Lit(ExprLit {
            lit: Lit::Int(int), ..
        }) => {
            let Some((_, per_unit)) = UNITS.iter().find(|(unit, _)| *unit == int.suffix()) else {
                diagnostics.error(
                    int.span(),
                    format!("`{int}` is not a duration: it needs a unit"),
                    "write the unit after the number: `500ms`, `2s`, `1min`, `1h` or `1d`",
                );
                return None;
            };
            let value: u64 = int.base10_parse().ok()?;
            if value == 0 {
                diagnostics.error(
                    int.span(),
                    format!("{what} must be positive, found `{int}`"),
                    "write a positive duration such as `500ms` or `2s`",
                );
                return None;
            }
            Some(Written::Literal(value * per_unit))
        }
        _ => Some(Written::Expression),
    }
}

/// The Rust expression of a duration argument that passed [`check`].
pub fn lower(expr: &Expr) -> TokenStream {
    let mut ignored = Diagnostics::default();
    match check(expr, "", &mut ignored) {
        Some(Written::Literal(millis)) => {
            quote_spanned!(expr.span()=> ::core::time::Duration::from_millis(#millis))
        }
        _ => quote_spanned!(expr.span()=> #expr),
    }
}

/// A count argument (`count_tumbling(100)`): a literal must be a positive integer.
pub fn check_count(expr: &Expr, what: &str, diagnostics: &mut Diagnostics) -> Option<Written> {
    let positive = "write a positive number of records, such as `100`";
    match expr {
        Expr::Lit(ExprLit {
            lit: Lit::Int(int), ..
        }) => match int.base10_parse::<u64>() {
            Ok(0) | Err(_) => {
                diagnostics.error(
                    int.span(),
                    format!("{what} must be a positive number of records, found `{int}`"),
                    positive,
                );
                None
            }
            Ok(count) => Some(Written::Literal(count)),
        },
        Expr::Unary(ExprUnary {
            op: UnOp::Neg(minus),
            expr: inner,
            ..
        }) => {
            diagnostics.error_between(
                minus.span,
                inner.span(),
                format!("{what} must be a positive number of records"),
                positive,
            );
            None
        }
        _ => Some(Written::Expression),
    }
}

/// Rewrites duration literals (`2s`, `10min`) anywhere in an argument, outside closures, into
/// `Duration`s: `state(0).ttl(10min)` works like `window(tumbling(10min))`.
pub fn lower_literals(expr: &Expr) -> Expr {
    struct Literals;
    impl syn::visit_mut::VisitMut for Literals {
        fn visit_expr_mut(&mut self, expr: &mut Expr) {
            match expr {
                Expr::Closure(_) => {}
                Expr::Lit(ExprLit {
                    lit: Lit::Int(int), ..
                }) if UNITS.iter().any(|(unit, _)| *unit == int.suffix()) => {
                    *expr = syn::parse2(lower(expr)).expect("a Duration expression");
                }
                _ => syn::visit_mut::visit_expr_mut(self, expr),
            }
        }
    }
    let mut expr = expr.clone();
    syn::visit_mut::VisitMut::visit_expr_mut(&mut Literals, &mut expr);
    expr
}
