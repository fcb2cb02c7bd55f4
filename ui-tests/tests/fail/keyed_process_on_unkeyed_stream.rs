use rill::prelude::*;

fn main() {
    let _job = dataflow! {
        source(from_iter(vec![(1_000u64, "a".to_string())]))
            -> timestamps(|e: &(u64, String)| e.0, bounded(1s))
            -> keyed_process(
                state(0u64),
                |ctx: &mut ProcessContext<String, u64, u64, ()>, e: (u64, String)| ctx.set_timer(e.0 + 1_000),
                |ctx: &mut ProcessContext<String, u64, u64, ()>, timer: Timer| ctx.emit(timer.time))
            -> sink(stdout());
    };
}
