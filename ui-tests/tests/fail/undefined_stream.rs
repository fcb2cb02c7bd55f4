use rill::prelude::*;

fn main() {
    let _job = dataflow! {
        let numbers = source(from_iter(vec![1u32, 2]));
        numbrs -> map(|n: u32| n + 1) -> sink(stdout());
        numbers -> sink(stdout());
    };
}
