//! `negate()` on a collection.

use super::{Input, OpSpec, Output};

pub const SPEC: OpSpec = OpSpec {
    name: "negate",
    aliases: &[],
    summary:
        "every record with its multiplicity negated: `a -> concat(b -> negate())` is `a` minus `b`",
    input: Input::Collection,
    output: Output::Collection,
    args: &[],
    optional: 0,
    variadic: false,
    special: None,
    checkpointed: false,
};
