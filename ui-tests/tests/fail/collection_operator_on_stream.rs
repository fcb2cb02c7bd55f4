use rill::prelude::*;

fn main() {
    let _job = dataflow! {
        let names = source(from_iter(vec![(1u64, "ada".to_string())])) -> to_collection();
        source(from_iter(vec![(1u64, 30u32)]))
            -> join_map(names, |id: &u64, age: &u32, name: &String| (*id, *age, name.clone()))
            -> changes()
            -> sink(stdout());
    };
}
