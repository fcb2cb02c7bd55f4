//! `aggregate(aggregator)` on a windowed stream.

use super::{Arg, ArgKind, Input, OpSpec, Output};

pub const SPEC: OpSpec = OpSpec {
    name: "aggregate",
    aliases: &[],
    summary:
        "runs an `Aggregate` (an accumulator type: create, add, merge, result) over every window",
    input: Input::Windowed,
    output: Output::Stream,
    args: &[Arg {
        shape: "aggregator",
        kind: ArgKind::Value,
    }],
    optional: 0,
    variadic: false,
    special: None,
    checkpointed: true,
};
