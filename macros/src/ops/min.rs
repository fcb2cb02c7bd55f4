//! `min(|record| value)` on a keyed stream.

use super::{Arg, ArgKind, Input, OpSpec, Output};

pub const SPEC: OpSpec = OpSpec {
    name: "min",
    aliases: &[],
    summary: "`(key, least value so far)` for every key an epoch changed",
    input: Input::KeyedOrWindowed,
    output: Output::Stream,
    args: &[Arg {
        shape: "|record| value",
        kind: ArgKind::Closure { params: 1 },
    }],
    optional: 0,
    variadic: false,
    special: None,
    checkpointed: true,
};

/// The operator on collections.
pub const COLLECTION: OpSpec = OpSpec {
    name: "min",
    aliases: &[],
    summary: "`(key, smallest value)` for every key of a collection of `(key, value)` records",
    input: Input::Collection,
    output: Output::Collection,
    args: &[],
    optional: 0,
    variadic: false,
    special: None,
    checkpointed: false,
};
