//! `count()` on a keyed stream.

use super::{Input, OpSpec, Output};

pub const SPEC: OpSpec = OpSpec {
    name: "count",
    aliases: &[],
    summary: "`(key, number of records)` for every key an epoch changed (running totals)",
    input: Input::KeyedOrWindowed,
    output: Output::Stream,
    args: &[],
    optional: 0,
    variadic: false,
    special: None,
    checkpointed: true,
};

/// The operator on collections.
pub const COLLECTION: OpSpec = OpSpec {
    name: "count",
    aliases: &[],
    summary: "`(record, multiplicity)` for every distinct record",
    input: Input::Collection,
    output: Output::Collection,
    args: &[],
    optional: 0,
    variadic: false,
    special: None,
    checkpointed: false,
};
