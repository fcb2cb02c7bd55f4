use rill::prelude::*;

fn main() {
    let _job = dataflow! {
        let nodes = source(from_iter(vec![1u64, 2, 3])) -> to_collection();
        let labels = iterate {
            var labels = nodes -> map(|node: u64| (node, node));
            let smaller = labels -> map(|(node, label): (u64, u64)| (node, label / 2));
            next labels = smaller -> min();
            labels
        };
        smaller -> changes() -> sink(stdout());
        labels -> changes() -> sink(stdout());
    };
}
