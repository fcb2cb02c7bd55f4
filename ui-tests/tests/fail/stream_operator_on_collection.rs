use rill::prelude::*;

fn main() {
    let _job = dataflow! {
        let words = source(from_iter(vec!["a".to_string()])) -> to_collection();
        words -> key_by(|word: &String| word.clone()) -> count() -> sink(stdout());
    };
}
