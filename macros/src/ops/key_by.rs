//! `key_by(|record| key)`.

use super::{Arg, ArgKind, Input, OpSpec, Output};

pub const SPEC: OpSpec = OpSpec {
    name: "key_by",
    aliases: &[],
    summary: "groups records by the key the function computes from each (by reference); keyed operators follow",
    input: Input::Stream,
    output: Output::Keyed,
    args: &[Arg { shape: "|record| key", kind: ArgKind::Closure { params: 1 } }],
    optional: 0,
    variadic: false,
    special: None,
};

/// Whether the key function is `|record| record.clone()` (or `.to_owned()`): the key is the
/// record itself, and when only keys are used next (`count`) the records can be moved into the
/// keys instead of copied.
pub fn keys_by_the_record(key_function: &syn::Expr) -> bool {
    let syn::Expr::Closure(closure) = key_function else {
        return false;
    };
    let [parameter] = closure.inputs.iter().collect::<Vec<_>>()[..] else {
        return false;
    };
    let parameter = match parameter {
        syn::Pat::Ident(ident) => &ident.ident,
        syn::Pat::Type(typed) => match &*typed.pat {
            syn::Pat::Ident(ident) => &ident.ident,
            _ => return false,
        },
        _ => return false,
    };
    match &*closure.body {
        syn::Expr::MethodCall(call) => {
            call.args.is_empty()
                && (call.method == "clone" || call.method == "to_owned")
                && matches!(&*call.receiver, syn::Expr::Path(path) if path.path.is_ident(parameter))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::keys_by_the_record;

    fn check(closure: &str) -> bool {
        keys_by_the_record(&syn::parse_str(closure).unwrap())
    }

    #[test]
    fn recognises_a_clone_of_the_parameter() {
        assert!(check("|w| w.clone()"));
        assert!(check("|word: &String| word.clone()"));
        assert!(check("|w: &String| w.to_owned()"));
    }

    #[test]
    fn anything_else_keys_by_a_computed_key() {
        assert!(!check("|w: &String| w.to_lowercase()"));
        assert!(!check("|e: &(u64, u64)| e.0.clone()"));
        assert!(!check("|w| other.clone()"));
        assert!(!check("|a, b| a.clone()"));
        assert!(!check("key_of"));
    }
}
