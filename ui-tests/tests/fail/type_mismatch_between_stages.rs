use rill::prelude::*;

fn main() {
    let _job = dataflow! {
        source(from_iter(vec!["1".to_string()]))
            -> map(|x: u32| x + 1)
            -> sink(stdout());
    };
}
