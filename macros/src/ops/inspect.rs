//! `inspect(|record| ...)`.

use super::{Arg, ArgKind, Input, OpSpec, Output};

pub const SPEC: OpSpec = OpSpec {
    name: "inspect",
    aliases: &[],
    summary: "calls the function on every record (by reference) and passes the record on",
    input: Input::Stream,
    output: Output::Same,
    args: &[Arg {
        shape: "|record| ...",
        kind: ArgKind::Closure { params: 1 },
    }],
    optional: 0,
    variadic: false,
    special: None,
    checkpointed: false,
};

/// The operator on collections.
pub const COLLECTION: OpSpec = OpSpec {
    name: "inspect",
    aliases: &[],
    summary: "calls the function on every change `&(record, time, diff)` and passes it on",
    input: Input::Collection,
    output: Output::Collection,
    args: &[Arg {
        shape: "|update| ...",
        kind: ArgKind::Closure { params: 1 },
    }],
    optional: 0,
    variadic: false,
    special: None,
    checkpointed: false,
};
