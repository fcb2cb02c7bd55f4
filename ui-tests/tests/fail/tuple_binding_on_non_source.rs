use rill::prelude::*;

fn main() {
    let _job = dataflow! {
        let (doubled, bad) = source(from_iter(vec![1u32, 2])) -> map(|n: u32| n * 2);
        doubled -> sink(stdout());
        bad -> sink(stdout());
    };
}
