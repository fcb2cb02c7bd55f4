//! `map(|record| new_record)`.

use super::{Arg, ArgKind, Input, OpSpec, Output};

pub const SPEC: OpSpec = OpSpec {
    name: "map",
    aliases: &[],
    summary: "replaces every record by what the function returns for it",
    input: Input::Stream,
    output: Output::Same,
    args: &[Arg {
        shape: "|record| new_record",
        kind: ArgKind::Closure { params: 1 },
    }],
    optional: 0,
    variadic: false,
    special: None,
    checkpointed: false,
};

/// The operator on collections.
pub const COLLECTION: OpSpec = OpSpec {
    name: "map",
    aliases: &[],
    summary: "replaces every record by what the function returns for it",
    input: Input::Collection,
    output: Output::Collection,
    args: &[Arg {
        shape: "|record| new_record",
        kind: ArgKind::Closure { params: 1 },
    }],
    optional: 0,
    variadic: false,
    special: None,
    checkpointed: false,
};
