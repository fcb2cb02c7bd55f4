//! `changes()` on a collection.

use super::{Input, OpSpec, Output};

pub const SPEC: OpSpec = OpSpec {
    name: "changes",
    aliases: &[],
    summary: "the stream of the collection's changes, `Change { data, epoch, diff }` (displayed `+ data` / `- data`)",
    input: Input::Collection,
    output: Output::Stream,
    args: &[],
    optional: 0,
    variadic: false,
    special: None,
    checkpointed: false,
};
