use rill::prelude::*;

fn main() {
    let _job = dataflow! {
        let more = source(from_iter(vec![3u32]));
        source(from_iter(vec![1u32, 2])) -> more -> sink(stdout());
    };
}
