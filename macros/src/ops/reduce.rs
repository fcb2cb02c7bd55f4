//! `reduce(|a, b| combined)` on a keyed stream.

use super::{Arg, ArgKind, Input, OpSpec, Output};

pub const SPEC: OpSpec = OpSpec {
    name: "reduce",
    aliases: &[],
    summary: "`(key, record)`: combines each key's records pairwise with the function",
    input: Input::KeyedOrWindowed,
    output: Output::Stream,
    args: &[Arg {
        shape: "|a, b| combined",
        kind: ArgKind::Closure { params: 2 },
    }],
    optional: 0,
    variadic: false,
    special: None,
    checkpointed: true,
};

/// The operator on collections.
pub const COLLECTION: OpSpec = OpSpec {
    name: "reduce",
    aliases: &[],
    summary: "`(key, output)`: the function sees each key's distinct values with their multiplicities and pushes `(output, multiplicity)` pairs",
    input: Input::Collection,
    output: Output::Collection,
    args: &[Arg {
        shape: "|key, values, output| ...",
        kind: ArgKind::Closure { params: 3 },
    }],
    optional: 0,
    variadic: false,
    special: None,
    checkpointed: false,
};
