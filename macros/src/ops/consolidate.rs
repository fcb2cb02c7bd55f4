//! `consolidate()` on a collection.

use super::{Input, OpSpec, Output};

pub const SPEC: OpSpec = OpSpec {
    name: "consolidate",
    aliases: &[],
    summary:
        "the same collection with cancelling changes removed; lets a loop reach its fixed point",
    input: Input::Collection,
    output: Output::Collection,
    args: &[],
    optional: 0,
    variadic: false,
    special: None,
    checkpointed: false,
};
