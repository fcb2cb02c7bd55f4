//! `inspect(|record| ...)`.

use super::{Arg, ArgKind, Input, OpSpec, Output};

pub const SPEC: OpSpec = OpSpec {
    name: "inspect",
    aliases: &[],
    summary: "calls the function on every record (by reference) and passes the record on",
    input: Input::Stream,
    output: Output::Stream,
    args: &[Arg {
        shape: "|record| ...",
        kind: ArgKind::Closure { params: 1 },
    }],
    variadic: false,
};
