use rill::prelude::*;

fn main() {
    let _job = dataflow! {
        source(from_iter(vec!["a".to_string()]))
            -> key_by(|word: &String| word.clone())
            -> cuont()
            -> sink(stdout());
    };
}
