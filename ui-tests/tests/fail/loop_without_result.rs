use rill::prelude::*;

fn main() {
    let _job = dataflow! {
        let nodes = source(from_iter(vec![1u64, 2, 3])) -> to_collection();
        let halves = iterate {
            var halves = nodes;
            next halves = halves -> map(|n: u64| n / 2) -> distinct();
        };
        halves -> changes() -> sink(stdout());
    };
}
