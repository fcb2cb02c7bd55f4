use rill::prelude::*;

fn main() {
    let _job = dataflow! {
        source(from_iter(vec![(1u32, 2u64)]))
            -> key_by(|pair: &(u32, u64)| pair.0)
            -> join(from_iter(vec![(1u32, 3u64)]))
            -> sink(stdout());
    };
}
