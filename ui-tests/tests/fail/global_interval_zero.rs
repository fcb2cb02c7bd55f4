use rill::prelude::*;

fn main() {
    let _job = dataflow! {
        source(from_iter(vec![(1_000u64, "a".to_string())]))
            -> timestamps(|e: &(u64, String)| e.0, bounded(1s))
            -> key_by(|e: &(u64, String)| e.1.clone())
            -> window(global_interval(0ms))
            -> count()
            -> sink(stdout());
    };
}
