//! `process(|window, records| outputs)` on a windowed stream.

use super::{Arg, ArgKind, Input, OpSpec, Output};

pub const SPEC: OpSpec = OpSpec {
    name: "process",
    aliases: &[],
    summary: "hands every window (key, start, end) with all its records to the function, which returns the output records",
    input: Input::Windowed,
    output: Output::Stream,
    args: &[Arg { shape: "|window, records| outputs", kind: ArgKind::Closure { params: 2 } }],
    optional: 0,
    variadic: false,
    special: None,
    checkpointed: true,
};
