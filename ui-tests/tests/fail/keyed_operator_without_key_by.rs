use rill::prelude::*;

fn main() {
    let _job = dataflow! {
        source(from_iter(vec!["a".to_string()])) -> count() -> sink(stdout());
    };
}
