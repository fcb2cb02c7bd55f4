//! `count()` on a keyed stream.

use super::{Input, OpSpec, Output};

pub const SPEC: OpSpec = OpSpec {
    name: "count",
    aliases: &[],
    summary: "`(key, number of records)` for every key an epoch changed (running totals)",
    input: Input::KeyedOrWindowed,
    output: Output::Stream,
    args: &[],
    optional: 0,
    variadic: false,
    special: None,
};
