use rill::prelude::*;

fn main() {
    let _job = dataflow! {
        let numbers = source(from_iter(vec![1u32, 2]));
        let numbers = source(from_iter(vec![3u32, 4]));
        numbers -> sink(stdout());
    };
}
