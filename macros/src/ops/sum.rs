//! `sum(|record| value)` on a keyed stream.

use super::{Arg, ArgKind, Input, OpSpec, Output};

pub const SPEC: OpSpec = OpSpec {
    name: "sum",
    aliases: &[],
    summary: "`(key, sum of the values)` for every key an epoch changed (running totals)",
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
    name: "sum",
    aliases: &[],
    summary: "`(key, sum of values)` for every key of a collection of `(key, value)` records",
    input: Input::Collection,
    output: Output::Collection,
    args: &[],
    optional: 0,
    variadic: false,
    special: None,
    checkpointed: false,
};
