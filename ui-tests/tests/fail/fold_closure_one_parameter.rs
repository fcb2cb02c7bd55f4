use rill::prelude::*;

fn main() {
    let _job = dataflow! {
        source(from_iter(vec![1u64, 2]))
            -> key_by(|n: &u64| n % 2)
            -> fold(0u64, |n: u64| n)
            -> sink(stdout());
    };
}
