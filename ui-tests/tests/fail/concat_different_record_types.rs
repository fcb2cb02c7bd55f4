use rill::prelude::*;

fn main() {
    let _job = dataflow! {
        let words = source(from_iter(vec!["a".to_string()]));
        source(from_iter(vec![1u32, 2])) -> concat(words) -> sink(stdout());
    };
}
