use rill::prelude::*;

fn main() {
    let _job = dataflow! {
        source(from_iter(vec![1u32, 2])) -> teleport(10) -> sink(stdout());
    };
}
