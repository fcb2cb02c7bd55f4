use rill::prelude::*;

fn main() {
    let _job = dataflow! {
        source(from_iter(vec![(1_000u64, "a".to_string())]))
            -> key_by(|e: &(u64, String)| e.1.clone())
            -> window(tumbling(1s))
            -> count()
            -> sink(stdout());
    };
}
