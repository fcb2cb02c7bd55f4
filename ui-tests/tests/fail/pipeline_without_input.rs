use rill::prelude::*;

fn main() {
    let _job = dataflow! {
        map(|n: u32| n + 1) -> sink(stdout());
    };
}
