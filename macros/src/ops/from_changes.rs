//! `from_changes()` on a stream.

use super::{Input, OpSpec, Output};

pub const SPEC: OpSpec = OpSpec {
    name: "from_changes",
    aliases: &[],
    summary: "the collection that `(record, diff)` pairs build: `diff > 0` inserts copies, `diff < 0` retracts them",
    input: Input::Untimed,
    output: Output::Collection,
    args: &[],
    optional: 0,
    variadic: false,
    special: None,
    checkpointed: true,
};
