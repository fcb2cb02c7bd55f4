//! `uid` after every kind of operator that keeps state, in the middle and at the end of
//! pipelines, after operators with two outputs (bound or not) and after a sink: the job computes
//! what it computes without the uids.

use rill::prelude::*;

fn main() -> Result<(), RillError> {
    let counts = Collector::new();
    let windows = Collector::new();
    let all_late = Collector::new();
    let moved = Collector::new();
    let distinct = Collector::new();
    let joined = Collector::new();
    let processed = Collector::new();
    let changes = Collector::new();
    let (c, w, l, m, d, j, p, ch) = (
        counts.clone(),
        windows.clone(),
        all_late.clone(),
        moved.clone(),
        distinct.clone(),
        joined.clone(),
        processed.clone(),
        changes.clone(),
    );
    let job = dataflow! {
        #![name = "uids"]
        let (events, _bad) = source(from_iter(vec![
            (100u64, "a".to_string()),
            (1_200, "b".to_string()),
            (300, "a".to_string()),
        ])) -> uid("events");
        let words = events -> key_by(|e: &(u64, String)| e.1.clone());
        words -> count() -> uid("counts") -> sink(collect(&c)) -> uid("counts-out");
        let timed = events
            -> timestamps(|e: &(u64, String)| e.0, monotonous())
            -> key_by(|e: &(u64, String)| e.1.clone());
        let (per_window, late) = timed
            -> window(tumbling(1s))
            -> count()
            -> uid("window-counts");
        per_window -> sink(collect(&w));
        late -> sink(collect(&l));
        timed -> window(tumbling(1s)) -> count() -> uid("window-counts-moved") -> sink(collect(&m));
        events -> map(|e: (u64, String)| e.1) -> distinct() -> uid("distinct") -> sink(collect(&d));
        words -> join(words) -> uid("self-join") -> map(|(k, _): (String, ((u64, String), (u64, String)))| k) -> sink(collect(&j));
        timed
            -> keyed_process(state(0u64), |ctx: &mut ProcessContext<String, u64, u64, ()>, _e: (u64, String)| {
                *ctx.state() += 1;
                let n = *ctx.state();
                ctx.emit(n);
            })
            -> uid("process")
            -> sink(collect(&p));
        events
            -> map(|e: (u64, String)| e.1)
            -> to_collection()
            -> uid("words-collection")
            -> distinct()
            -> changes()
            -> map(|c: Change<String>| c.data)
            -> sink(collect(&ch));
    };
    job.run_with(&RunOptions {
        quiet: true,
        ..RunOptions::default()
    })?;
    assert_eq!(
        counts.sorted(),
        [("a".to_string(), 2), ("b".to_string(), 1)]
    );
    let window = |key: &str, start: u64, value: u64| WindowResult {
        key: key.to_string(),
        start,
        end: start + 1_000,
        value,
    };
    let per_window = windows.sorted();
    assert_eq!(per_window, [window("a", 0, 2), window("b", 1_000, 1)]);
    assert!(all_late.sorted().is_empty());
    assert_eq!(moved.sorted(), per_window);
    assert_eq!(distinct.sorted(), ["a", "b"]);
    assert_eq!(joined.sorted(), ["a", "a", "a", "a", "b"]);
    assert_eq!(processed.sorted(), [1, 1, 2]);
    assert_eq!(changes.sorted(), ["a", "b"]);
    Ok(())
}
