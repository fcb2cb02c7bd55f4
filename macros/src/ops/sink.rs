//! `sink(description)`: ends a pipeline.

use super::{Arg, ArgKind, Input, OpSpec, Output};

pub const SPEC: OpSpec = OpSpec {
    name: "sink",
    aliases: &[],
    summary:
        "writes every record to a sink (stdout, a file, a collector, a callback); ends the pipeline",
    input: Input::Stream,
    output: Output::Nothing,
    args: &[Arg {
        shape: "description",
        kind: ArgKind::Value,
    }],
    optional: 0,
    variadic: false,
    special: None,
    checkpointed: true,
};
