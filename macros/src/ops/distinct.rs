//! `distinct()`.

use super::{Input, OpSpec, Output};

pub const SPEC: OpSpec = OpSpec {
    name: "distinct",
    aliases: &[],
    summary: "passes every record once, at the first epoch it appears in",
    input: Input::Untimed,
    output: Output::Same,
    args: &[],
    optional: 0,
    variadic: false,
    special: None,
};
