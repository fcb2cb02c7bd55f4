use rill::prelude::*;

fn main() {
    let _job = dataflow! {
        #![name = wordcount]
        source(from_iter(vec![1u32, 2])) -> sink(stdout());
    };
}
