use rill::prelude::*;

fn main() {
    let _job = dataflow! {
        let edges = source(from_iter(vec![(1u64, 2u64), (2, 3)])) -> to_collection();
        let roots = source(from_iter(vec![1u64])) -> to_collection();
        let reached = iterate {
            var reached = roots;
            let next_hop = reached -> map(|node: u64| (node, ())) -> join_map(edges, |_, _: &(), to: &u64| *to);
            next reached = next_hop -> concat(reached);
            reached
        };
        reached -> changes() -> sink(stdout());
    };
}
