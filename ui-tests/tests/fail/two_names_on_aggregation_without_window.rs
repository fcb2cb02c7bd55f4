use rill::prelude::*;

fn main() {
    let _job = dataflow! {
        let (counts, late) = source(from_iter(vec![(1_000u64, "a".to_string())]))
            -> key_by(|e: &(u64, String)| e.1.clone())
            -> count();
        counts -> sink(stdout());
        late -> sink(stdout());
    };
}
