//! `window_all(kind [, lateness(duration)])`: windows over a whole stream with timestamps.

use super::{window, Arg, ArgKind, Input, OpSpec, Output, Special};

pub const SPEC: OpSpec = OpSpec {
    name: "window_all",
    aliases: &[],
    summary: "assigns all records of a stream with timestamps (no key) to windows, on one worker; an aggregation follows, with `()` as the key of its results",
    input: Input::Timed,
    output: Output::Windowed,
    args: &[
        Arg { shape: "tumbling(1s)", kind: ArgKind::Value },
        Arg { shape: "lateness(duration)", kind: ArgKind::Value },
    ],
    optional: 1,
    variadic: false,
    special: Some(Special { check: window::check, lower: window::lower }),
    checkpointed: false,
};
