use rill::prelude::*;

fn main() {
    let _job = dataflow! {
        #![parallelism = 4]
        source(from_iter(vec![1u32, 2])) -> sink(stdout());
    };
}
