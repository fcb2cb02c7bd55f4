use rill::prelude::*;

fn main() {
    let _job = dataflow! {
        let events = source(from_iter(vec![(1_000u64, "a".to_string())]));
        events
            -> map(|(ts, word): (u64, String)| (ts, word.to_uppercase()))
            -> uid("upper")
            -> sink(stdout());
        events
            -> timestamps(|e: &(u64, String)| e.0, bounded(1s))
            -> key_by(|e: &(u64, String)| e.1.clone())
            -> window(tumbling(1s))
            -> uid("windows")
            -> count()
            -> sink(stdout());
        let words = events -> map(|(_, word): (u64, String)| word) -> to_collection();
        words -> distinct() -> uid("distinct-words") -> changes() -> sink(stdout());
    };
}
