use rill::prelude::*;

fn main() {
    let _job = dataflow! {
        let nodes = source(from_iter(vec![1u64, 2, 3])) -> to_collection();
        let labels = iterate {
            var labels = nodes -> map(|node: u64| (node, node));
            var spare = nodes;
            next labels = labels -> min();
            labels
        };
        labels -> changes() -> sink(stdout());
    };
}
