//! `concat(other, ...)`, also called `union`.

use super::{Arg, ArgKind, Input, OpSpec, Output};

pub const SPEC: OpSpec = OpSpec {
    name: "concat",
    aliases: &["union"],
    summary: "merges the named streams (records of the same type) into this one",
    input: Input::Stream,
    output: Output::Same,
    args: &[Arg {
        shape: "other_stream",
        kind: ArgKind::Stream { keyed: false },
    }],
    optional: 0,
    variadic: true,
    special: None,
    checkpointed: false,
};

/// The operator on collections.
pub const COLLECTION: OpSpec = OpSpec {
    name: "concat",
    aliases: &["union"],
    summary: "the records of this collection and of the named collections",
    input: Input::Collection,
    output: Output::Collection,
    args: &[Arg {
        shape: "other_collection",
        kind: ArgKind::Collection,
    }],
    optional: 0,
    variadic: true,
    special: None,
    checkpointed: false,
};
