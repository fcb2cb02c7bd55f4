//! `semijoin(keys)` on a collection.

use super::{Arg, ArgKind, Input, OpSpec, Output};

pub const SPEC: OpSpec = OpSpec {
    name: "semijoin",
    aliases: &[],
    summary: "the `(key, value)` records whose key is in the named collection of keys",
    input: Input::Collection,
    output: Output::Collection,
    args: &[Arg {
        shape: "keys",
        kind: ArgKind::Collection,
    }],
    optional: 0,
    variadic: false,
    special: None,
    checkpointed: false,
};
