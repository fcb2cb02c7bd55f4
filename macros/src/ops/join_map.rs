//! `join_map(other_collection, |key, value, other_value| record)` on a collection.

use super::{Arg, ArgKind, Input, OpSpec, Output};

pub const SPEC: OpSpec = OpSpec {
    name: "join_map",
    aliases: &[],
    summary: "`f(key, value, other_value)` for every pair of `(key, value)` records with equal keys in this and the named collection",
    input: Input::Collection,
    output: Output::Collection,
    args: &[Arg {
        shape: "other_collection",
        kind: ArgKind::Collection,
    }, Arg {
        shape: "|key, value, other_value| record",
        kind: ArgKind::Closure { params: 3 },
    }],
    optional: 0,
    variadic: false,
    special: None,
    checkpointed: false,
};
