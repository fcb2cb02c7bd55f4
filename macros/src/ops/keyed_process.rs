//! `keyed_process(state(initial), |ctx, record| ..., |ctx, timer| ...)`: a keyed process function.

use super::{Arg, ArgKind, Input, OpSpec, Output};

pub const SPEC: OpSpec = OpSpec {
    name: "keyed_process",
    aliases: &[],
    summary: "runs a function per record with the key's state (`state(initial)`, optionally `.ttl(duration)`), timers (`ctx.set_timer(t)`, `ctx.set_processing_timer(d)`, handled by the optional second function) and outputs (`ctx.emit(x)`, and `ctx.side(y)` when bound to two names)",
    input: Input::KeyedTimed,
    output: Output::StreamAndSide,
    args: &[
        Arg { shape: "state(initial)", kind: ArgKind::Value },
        Arg { shape: "|ctx, record| ...", kind: ArgKind::Closure { params: 2 } },
        Arg { shape: "|ctx, timer| ...", kind: ArgKind::Closure { params: 2 } },
    ],
    optional: 1,
    variadic: false,
    special: None,
    checkpointed: true,
};
