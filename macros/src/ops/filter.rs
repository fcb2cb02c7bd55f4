//! `filter(|record| keep)`.

use super::{Arg, ArgKind, Input, OpSpec, Output};

pub const SPEC: OpSpec = OpSpec {
    name: "filter",
    aliases: &[],
    summary:
        "keeps the records for which the function returns true (it sees each record by reference)",
    input: Input::Stream,
    output: Output::Same,
    args: &[Arg {
        shape: "|record| keep",
        kind: ArgKind::Closure { params: 1 },
    }],
    optional: 0,
    variadic: false,
    special: None,
    checkpointed: false,
};

/// The operator on collections.
pub const COLLECTION: OpSpec = OpSpec {
    name: "filter",
    aliases: &[],
    summary: "keeps the records for which the function returns `true`",
    input: Input::Collection,
    output: Output::Collection,
    args: &[Arg {
        shape: "|record| keep",
        kind: ArgKind::Closure { params: 1 },
    }],
    optional: 0,
    variadic: false,
    special: None,
    checkpointed: false,
};
