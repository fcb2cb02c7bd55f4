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
};
