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
    checkpointed: true,
};

/// The operator on collections.
pub const COLLECTION: OpSpec = OpSpec {
    name: "distinct",
    aliases: &[],
    summary: "every record once, whatever its multiplicity",
    input: Input::Collection,
    output: Output::Collection,
    args: &[],
    optional: 0,
    variadic: false,
    special: None,
    checkpointed: false,
};
