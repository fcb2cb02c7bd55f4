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
    checkpointed: false,
};

/// When the key function is a clone of (a part of) its record, e.g. `|w: &String| w.clone()` or
/// `|e: &(u64, String)| e.1.clone()`: the same function taking the record by value and moving that
/// part out (`|e: (u64, String)| e.1`). When only keys are used downstream (`count`), records can
/// then be moved into their keys instead of copied.
pub fn moving_key_function(key_function: &syn::Expr) -> Option<proc_macro2::TokenStream> {
    let syn::Expr::Closure(closure) = key_function else {
        return None;
    };
    let [parameter] = closure.inputs.iter().collect::<Vec<_>>()[..] else {
        return None;
    };
    let (pattern, by_value) = match parameter {
        syn::Pat::Type(typed) => match &*typed.ty {
            syn::Type::Reference(reference) => (&*typed.pat, Some(&*reference.elem)),
            _ => return None,
        },
        pattern => (pattern, None),
    };
    let syn::Expr::MethodCall(call) = &*closure.body else {
        return None;
    };
    let cloned = call.args.is_empty() && (call.method == "clone" || call.method == "to_owned");
    if !cloned || !binds(pattern, root(&call.receiver)?) {
        return None;
    }
    let (place, capture) = (&call.receiver, &closure.capture);
    Some(match by_value {
        Some(ty) => quote::quote!(#capture |#pattern: #ty| #place),
        None => quote::quote!(#capture |#pattern| #place),
    })
}

/// The variable a place expression (`e`, `e.1`, `e.word.name`) starts from.
fn root(place: &syn::Expr) -> Option<&syn::Ident> {
    match place {
        syn::Expr::Path(path) => path.path.get_ident(),
        syn::Expr::Field(field) => root(&field.base),
        _ => None,
    }
}

/// Whether `pattern` binds `name` (plain names and tuples of them).
fn binds(pattern: &syn::Pat, name: &syn::Ident) -> bool {
    match pattern {
        syn::Pat::Ident(ident) => ident.ident == *name && ident.subpat.is_none(),
        syn::Pat::Tuple(tuple) => tuple.elems.iter().any(|p| binds(p, name)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::moving_key_function;

    fn moved(closure: &str) -> Option<String> {
        moving_key_function(&syn::parse_str(closure).unwrap()).map(|t| t.to_string())
    }

    #[test]
    fn a_clone_of_the_record_or_a_part_moves_it() {
        assert_eq!(moved("|w| w.clone()").as_deref(), Some("| w | w"));
        assert_eq!(
            moved("|word: &String| word.clone()").as_deref(),
            Some("| word : String | word")
        );
        assert_eq!(
            moved("|e: &(u64, String)| e.1.to_owned()").as_deref(),
            Some("| e : (u64 , String) | e . 1")
        );
        assert_eq!(
            moved("move |(ts, w): &(u64, String)| w.clone()").as_deref(),
            Some("move | (ts , w) : (u64 , String) | w")
        );
    }

    #[test]
    fn anything_else_keys_by_a_computed_key() {
        assert_eq!(moved("|w: &String| w.to_lowercase()"), None);
        assert_eq!(moved("|w| other.clone()"), None);
        assert_eq!(moved("|a, b| a.clone()"), None);
        assert_eq!(moved("|w: String| w.clone()"), None);
        assert_eq!(moved("key_of"), None);
    }
}
