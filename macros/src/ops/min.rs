//! `min(|record| value)` on a keyed stream.

use super::{Arg, ArgKind, Input, OpSpec, Output};

pub const SPEC: OpSpec = OpSpec {
    name: "min",
    aliases: &[],
    summary: "`(key, least value so far)` for every key an epoch changed",
    input: Input::KeyedOrWindowed,
    output: Output::Stream,
    args: &[Arg {
        shape: "|record| value",
        kind: ArgKind::Closure { params: 1 },
    }],
    optional: 0,
    variadic: false,
    special: None,
};
