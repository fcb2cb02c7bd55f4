//! `threshold(|record, count| new_count)` on a collection.

use super::{Arg, ArgKind, Input, OpSpec, Output};

pub const SPEC: OpSpec = OpSpec {
    name: "threshold",
    aliases: &[],
    summary: "every record with the multiplicity the function returns for it (0 removes it)",
    input: Input::Collection,
    output: Output::Collection,
    args: &[Arg {
        shape: "|record, count| new_count",
        kind: ArgKind::Closure { params: 2 },
    }],
    optional: 0,
    variadic: false,
    special: None,
    checkpointed: false,
};
