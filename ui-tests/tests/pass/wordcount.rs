//! The README's word count: from_iter, flat_map, key_by, count, collect, a job name.

use rill::prelude::*;

fn main() -> Result<(), RillError> {
    let text = vec![
        "to be or not to be".to_string(),
        "to see or not".to_string(),
    ];
    let counts = Collector::new();
    let results = counts.clone();
    let job = dataflow! {
        #![name = "wordcount"]
        let lines = source(from_iter(text));
        lines
            -> flat_map(|line: String| line.split_whitespace().map(str::to_owned).collect::<Vec<_>>())
            -> key_by(|word: &String| word.clone())
            -> count()
            -> sink(collect(&results));
    };
    assert_eq!(job.name(), "wordcount");
    job.run_with(&RunOptions {
        quiet: true,
        ..RunOptions::default()
    })?;
    assert_eq!(
        counts.sorted(),
        [
            ("be".to_string(), 2),
            ("not".to_string(), 2),
            ("or".to_string(), 2),
            ("see".to_string(), 1),
            ("to".to_string(), 3),
        ]
    );
    Ok(())
}
