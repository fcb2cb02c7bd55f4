//! `ingestion_timestamps()`: event time from the wall clock.

use super::{Input, OpSpec, Output};

pub const SPEC: OpSpec = OpSpec {
    name: "ingestion_timestamps",
    aliases: &[],
    summary: "gives every record the wall-clock time (ms since 1970) at which it passes this operator, as Flink's ingestion time; windows then follow processing time",
    input: Input::Untimed,
    output: Output::Timed,
    args: &[],
    optional: 0,
    variadic: false,
    special: None,
    checkpointed: false,
};
