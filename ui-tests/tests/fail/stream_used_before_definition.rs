use rill::prelude::*;

fn main() {
    let _job = dataflow! {
        numbers -> sink(stdout());
        let numbers = source(from_iter(vec![1u32, 2]));
    };
}
