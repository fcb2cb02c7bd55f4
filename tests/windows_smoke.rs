use rill::prelude::*;

#[test]
fn tumbling_counts() {
    let out = Collector::new();
    let late = Collector::new();
    let (o, l) = (out.clone(), late.clone());
    let job = dataflow! {
        let (counts, too_late) = source(generate(1000, 1, |i, _| (i * 10, format!("w{}", i % 3))).events_per_epoch(100))
            -> timestamps(|e: &(u64, String)| e.0, bounded(50ms))
            -> key_by(|e: &(u64, String)| e.1.clone())
            -> window(tumbling(1s), lateness(std::time::Duration::ZERO))
            -> count();
        counts -> sink(collect(&o));
        too_late -> sink(collect(&l));
    };
    job.run_with(&RunOptions {
        quiet: true,
        workers: 2,
        ..Default::default()
    })
    .unwrap();
    let results: Vec<WindowResult<String, u64>> = out.sorted();
    assert_eq!(results.len(), 30, "{results:?}");
    assert!(late.is_empty());
}
