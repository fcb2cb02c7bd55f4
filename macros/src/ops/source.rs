//! `source(description)`: starts a pipeline by reading input on every worker.

use super::{Arg, ArgKind, Input, OpSpec, Output};

pub const SPEC: OpSpec = OpSpec {
    name: "source",
    aliases: &[],
    summary: "reads a source (a file, a collection, a generator) on every worker; bind two names, `let (records, bad) = source(...)`, to route records that fail to decode instead of failing the job",
    input: Input::None,
    output: Output::StreamAndErrors,
    args: &[Arg { shape: "description", kind: ArgKind::Value }],
    optional: 0,
    variadic: false,
    special: None,
    checkpointed: true,
};
