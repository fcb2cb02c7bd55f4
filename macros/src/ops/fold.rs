//! `fold(initial, |acc, record| ...)` on a keyed stream.

use super::{Arg, ArgKind, Input, OpSpec, Output};

pub const SPEC: OpSpec = OpSpec {
    name: "fold",
    aliases: &[],
    summary: "`(key, accumulator)`: each key's accumulator starts as a clone of `initial` and the function updates it in place (`&mut acc`) with every record",
    input: Input::KeyedOrWindowed,
    output: Output::Stream,
    args: &[
        Arg { shape: "initial", kind: ArgKind::Value },
        Arg { shape: "|acc, record| ...", kind: ArgKind::Closure { params: 2 } },
    ],
    optional: 0,
    variadic: false,
    special: None,
    checkpointed: true,
};
