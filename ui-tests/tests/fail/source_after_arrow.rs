use rill::prelude::*;

fn main() {
    let _job = dataflow! {
        source(from_iter(vec![1u32, 2]))
            -> source(from_iter(vec![3u32]))
            -> sink(stdout());
    };
}
