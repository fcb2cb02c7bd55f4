use rill::prelude::*;

fn main() {
    let _job = dataflow! {
        let counts = source(from_iter(vec!["a".to_string(), "b".to_string()]))
            -> key_by(|word: &String| word.clone())
            -> count();
        uid("word-counts") -> sink(stdout());
        counts -> uid("word-counts") -> sink(stdout());
        counts -> map(|(word, n): (String, u64)| format!("{word} {n}")) -> sink(stdout()) -> uid("out") -> uid("output");
    };
}
