use rill::prelude::*;

#[derive(Clone)]
struct NotSerde {
    seen: u64,
}

fn main() {
    let _job = dataflow! {
        source(from_iter(vec![(1_000u64, "a".to_string())]))
            -> timestamps(|e: &(u64, String)| e.0, bounded(1s))
            -> key_by(|e: &(u64, String)| e.1.clone())
            -> keyed_process(
                state(NotSerde { seen: 0 }),
                |ctx: &mut ProcessContext<String, NotSerde, u64, ()>, _e: (u64, String)| {
                    ctx.state().seen += 1;
                    let seen = ctx.state().seen;
                    ctx.emit(seen);
                })
            -> sink(stdout());
    };
}
