use rill::prelude::*;

fn main() {
    let _job = dataflow! {
        source(from_iter(vec![(1_000u64, "a".to_string())]))
            -> key_by(|e: &(u64, String)| e.1.clone())
            -> keyed_process(
                state(0u64),
                |ctx: &mut ProcessContext<String, u64, u64, ()>, e: (u64, String)| ctx.emit(e.0))
            -> sink(stdout());
    };
}
