//! `avg(|record| value)` on a windowed stream.

use super::{Arg, ArgKind, Input, OpSpec, Output};

pub const SPEC: OpSpec = OpSpec {
    name: "avg",
    aliases: &[],
    summary: "the mean of the values (`f64`) of every window",
    input: Input::Windowed,
    output: Output::Stream,
    args: &[Arg {
        shape: "|record| value",
        kind: ArgKind::Closure { params: 1 },
    }],
    optional: 0,
    variadic: false,
    special: None,
    checkpointed: true,
};
