use rill::prelude::*;

fn main() {
    let _job = dataflow! {
        source(from_iter(vec![1u32, 2]))
            -> filter(|n: u32| n > 1)
            -> sink(stdout());
    };
}
