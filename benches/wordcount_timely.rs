//! The `wordcount` example (`examples/wordcount.rs`) written by hand with timely dataflow and no
//! Rill: the same input, the same words, the same `word,count` output. It exists for
//! `scripts/compile_time.sh`, which compares how long the two take to rebuild after a one-line
//! change; it is a bench target only so that it builds with the workspace's dependencies.
//!
//! ```text
//! cargo bench --bench wordcount_timely -- --input examples/data/sample.txt --workers 2
//! ```

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use clap::Parser;
use timely::dataflow::channels::pact::Exchange;
use timely::dataflow::operators::generic::Operator;
use timely::dataflow::operators::vec::{Map, ToStream};

#[derive(Parser)]
struct Args {
    /// The text to count the words of.
    #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/data/sample.txt"))]
    input: PathBuf,
    /// Where to write `word,count` lines (default: stdout).
    #[arg(long)]
    output: Option<PathBuf>,
    /// Worker threads.
    #[arg(long, default_value_t = 1)]
    workers: usize,
    /// Passed by `cargo bench`; ignored.
    #[arg(long, hide = true)]
    bench: bool,
}

/// The words of a line, as the example splits them.
fn words(line: &str) -> impl Iterator<Item = String> + '_ {
    line.split_whitespace()
        .map(|word| {
            word.trim_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase()
        })
        .filter(|word| !word.is_empty())
}

/// A stable hash of a word, to route it to its worker.
fn route(word: &str) -> u64 {
    word.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn main() {
    let args = Args::parse();
    let lines: Vec<String> = BufReader::new(
        std::fs::File::open(&args.input)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", args.input.display())),
    )
    .lines()
    .collect::<Result<_, _>>()
    .expect("a readable text file");
    let lines = Arc::new(lines);
    let counts: Arc<Mutex<Vec<(String, u64)>>> = Arc::default();
    let gathered = Arc::clone(&counts);
    let config = match args.workers {
        1 => timely::Config::thread(),
        n => timely::Config::process(n),
    };
    timely::execute(config, move |worker| {
        let (index, peers) = (worker.index(), worker.peers());
        let mine: Vec<String> = lines.iter().skip(index).step_by(peers).cloned().collect();
        let gathered = Arc::clone(&gathered);
        worker.dataflow::<u64, _, _>(|scope| {
            mine.to_stream(scope)
                .flat_map(|line| words(&line).collect::<Vec<_>>())
                .unary_frontier(
                    Exchange::new(|word: &String| route(word)),
                    "Count",
                    |capability, _| {
                        let mut capability = Some(capability);
                        let mut counts: HashMap<String, u64> = HashMap::new();
                        move |(input, frontier), output| {
                            input.for_each(|_, batch| {
                                for word in batch.drain(..) {
                                    *counts.entry(word).or_insert(0) += 1;
                                }
                            });
                            // The input is bounded: emit once it has ended.
                            if frontier.is_empty() {
                                if let Some(capability) = capability.take() {
                                    output.session(&capability).give_iterator(counts.drain());
                                }
                            }
                        }
                    },
                )
                .sink(Exchange::new(|_| 0), "Gather", move |(input, _)| {
                    input.for_each(|_, batch| gathered.lock().unwrap().append(batch));
                });
        });
    })
    .expect("the timely word count failed");
    let counts = std::mem::take(&mut *counts.lock().unwrap());
    let mut out: Box<dyn Write> = match &args.output {
        Some(path) => Box::new(std::fs::File::create(path).expect("create the output")),
        None => Box::new(std::io::stdout().lock()),
    };
    for (word, count) in counts {
        writeln!(out, "{word},{count}").expect("write the output");
    }
}
