//! `join(other)` of two keyed streams.

use super::{Arg, ArgKind, Input, OpSpec, Output};

pub const SPEC: OpSpec = OpSpec {
    name: "join",
    aliases: &[],
    summary: "`(key, (record, other_record))` for every pair of records with equal keys in this keyed stream and the named keyed stream",
    input: Input::Keyed,
    output: Output::Stream,
    args: &[Arg { shape: "other_keyed_stream", kind: ArgKind::Stream { keyed: true } }],
    optional: 0,
    variadic: false,
    special: None,
    checkpointed: true,
};

/// The operator on collections.
pub const COLLECTION: OpSpec = OpSpec {
    name: "join",
    aliases: &[],
    summary: "`(key, (value, other_value))` for every pair of `(key, value)` records with equal keys in this and the named collection",
    input: Input::Collection,
    output: Output::Collection,
    args: &[Arg {
        shape: "other_collection",
        kind: ArgKind::Collection,
    }],
    optional: 0,
    variadic: false,
    special: None,
    checkpointed: false,
};
