use rill::prelude::*;

fn main() {
    let _job = dataflow! {
        let numbers = source(from_iter(vec![1u64, 2, 3]));
        let halves = iterate {
            var halves = numbers;
            next halves = halves -> map(|n: u64| n / 2) -> distinct();
            halves
        };
        halves -> changes() -> sink(stdout());
    };
}
