use rill::prelude::*;

const COUNTS: &str = "word-counts";

fn main() {
    let _job = dataflow! {
        let words = source(from_iter(vec!["a".to_string(), "b".to_string()]))
            -> key_by(|word: &String| word.clone());
        words -> count() -> uid(COUNTS) -> sink(stdout());
        words -> count() -> uid("") -> sink(stdout());
        words -> count() -> uid("word-counts", "v2") -> sink(stdout());
    };
}
