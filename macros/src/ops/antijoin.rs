//! `antijoin(keys)` on a collection.

use super::{Arg, ArgKind, Input, OpSpec, Output};

pub const SPEC: OpSpec = OpSpec {
    name: "antijoin",
    aliases: &[],
    summary: "the `(key, value)` records whose key is not in the named collection of keys",
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
