//! `key_by(|record| key)`.

use super::{Arg, ArgKind, Input, OpSpec, Output};

pub const SPEC: OpSpec = OpSpec {
    name: "key_by",
    aliases: &[],
    summary: "groups records by the key the function computes from each (by reference); keyed operators follow",
    input: Input::Stream,
    output: Output::Keyed,
    args: &[Arg { shape: "|record| key", kind: ArgKind::Closure { params: 1 } }],
    variadic: false,
};
