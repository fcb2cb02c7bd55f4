use rill::prelude::*;

fn main() {
    let _job = dataflow! {
        let numbers = source(from_iter(vec![1u32, 2]));
        let doubled = numbers -> map(|n: u32| n * 2);
    };
}
