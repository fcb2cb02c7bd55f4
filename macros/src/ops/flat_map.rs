//! `flat_map(|record| records)`.

use super::{Arg, ArgKind, Input, OpSpec, Output};

pub const SPEC: OpSpec = OpSpec {
    name: "flat_map",
    aliases: &[],
    summary:
        "replaces every record by the records (any `IntoIterator`) the function returns for it",
    input: Input::Stream,
    output: Output::Same,
    args: &[Arg {
        shape: "|record| records",
        kind: ArgKind::Closure { params: 1 },
    }],
    optional: 0,
    variadic: false,
    special: None,
    checkpointed: false,
};

/// The operator on collections.
pub const COLLECTION: OpSpec = OpSpec {
    name: "flat_map",
    aliases: &[],
    summary: "replaces every record by the records the function returns for it",
    input: Input::Collection,
    output: Output::Collection,
    args: &[Arg {
        shape: "|record| records",
        kind: ArgKind::Closure { params: 1 },
    }],
    optional: 0,
    variadic: false,
    special: None,
    checkpointed: false,
};
