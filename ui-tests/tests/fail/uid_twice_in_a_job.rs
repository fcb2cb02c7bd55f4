use rill::prelude::*;

fn main() {
    let _job = dataflow! {
        let words = source(from_iter(vec!["a".to_string(), "b".to_string()]))
            -> uid("words")
            -> key_by(|word: &String| word.clone());
        words -> count() -> uid("word-counts") -> sink(stdout());
        words -> distinct() -> uid("word-counts") -> sink(stdout());
    };
}
