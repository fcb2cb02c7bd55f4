use rill::prelude::*;

fn main() {
    let _job = dataflow! {
        let names = source(from_iter(vec!["ada".to_string()])) -> key_by(|n: &String| n.clone());
        source(from_iter(vec![1u32, 2]))
            -> key_by(|n: &u32| *n)
            -> join(names)
            -> sink(stdout());
    };
}
