//! `reduce(|a, b| combined)` on a keyed stream.

use super::{Arg, ArgKind, Input, OpSpec, Output};

pub const SPEC: OpSpec = OpSpec {
    name: "reduce",
    aliases: &[],
    summary: "`(key, record)`: combines each key's records pairwise with the function",
    input: Input::Keyed,
    output: Output::Stream,
    args: &[Arg {
        shape: "|a, b| combined",
        kind: ArgKind::Closure { params: 2 },
    }],
    variadic: false,
};
