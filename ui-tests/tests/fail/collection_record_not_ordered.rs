use rill::prelude::*;

fn main() {
    let _job = dataflow! {
        let prices = source(from_iter(vec![(1u64, 2.5f64)])) -> to_collection();
        prices -> distinct() -> changes() -> sink(stdout());
    };
}
