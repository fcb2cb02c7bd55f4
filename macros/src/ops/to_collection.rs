//! `to_collection()` on a stream.

use super::{Input, OpSpec, Output};

pub const SPEC: OpSpec = OpSpec {
    name: "to_collection",
    aliases: &[],
    summary: "the collection of the stream's records: every record is inserted at its epoch",
    input: Input::Untimed,
    output: Output::Collection,
    args: &[],
    optional: 0,
    variadic: false,
    special: None,
    checkpointed: true,
};
