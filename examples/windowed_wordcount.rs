//! Windowed word count: how often each word occurs per window of event time, with out-of-order
//! and late events.
//!
//! ```text
//! cargo run --release --example windowed_wordcount                  # 20 000 generated events
//! cargo run --release --example windowed_wordcount -- --events 1000000 --window 10s --lateness 2s --workers 4
//! cargo run --release --example windowed_wordcount -- --input events.csv --lines-per-epoch 100 --output counts.csv
//! cargo run --release --example windowed_wordcount -- --hosts hosts.txt
//! ```
//!
//! The input is `ts_ms,word` lines (event time in milliseconds; lines may be out of order), or by
//! default a seeded generator: event `i` has a Zipf-distributed word and the timestamp `10 * i`
//! minus a random jitter (below 300 ms, or below 3 s for one event in ten).
//!
//! Every `--lines-per-epoch` lines (or generated events) form an epoch; after each epoch the
//! watermark is the largest timestamp read so far minus `--out-of-orderness`. A tumbling window
//! of `--window` fires once the watermark reaches its end, writing `window_end_ms,word,count`
//! (on stdout or in `--output`). An event for a window that has fired but is within
//! `--lateness` of the watermark fires the window again with the updated count; an event later
//! than that is reported on stderr as `late ts,word (watermark W)`.

use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;
use rill::prelude::*;
use rill::runtime::time::parse_duration;
use serde::{Deserialize, Serialize};

/// Counts words per tumbling window of event time.
#[derive(Parser, Clone)]
struct Args {
    /// A file of `ts_ms,word` lines (default: generated events).
    #[arg(long)]
    input: Option<PathBuf>,
    /// The length of a tumbling window.
    #[arg(long, value_parser = parse_duration, default_value = "1s")]
    window: Duration,
    /// How long after a window fired its events may still update it.
    #[arg(long, value_parser = parse_duration, default_value = "0s")]
    lateness: Duration,
    /// How far behind the largest timestamp read the watermark stays.
    #[arg(long, value_parser = parse_duration, default_value = "1s")]
    out_of_orderness: Duration,
    /// Lines (or generated events) per epoch: the watermark advances after each epoch.
    #[arg(long, default_value_t = 1_000)]
    lines_per_epoch: u64,
    /// How many events to generate (without `--input`).
    #[arg(long, default_value_t = 20_000)]
    events: u64,
    /// Seed of the generator: the same seed gives the same events.
    #[arg(long, default_value_t = 7)]
    seed: u64,
    /// Where to write `window_end_ms,word,count` lines (default: stdout).
    #[arg(long)]
    output: Option<PathBuf>,
    #[command(flatten)]
    run: RunOptions,
}

/// A word at a moment of event time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// Event time, ms.
    pub ts_ms: u64,
    /// The word.
    pub word: String,
}

/// Generated event `index`: a word of `zipf`'s vocabulary at `10 * index` ms minus a jitter.
pub fn event(index: u64, zipf: &Zipf, rng: &mut Rng) -> Event {
    let word = word(zipf.sample(rng));
    let jitter = if rng.below(10) == 0 {
        rng.below(3_000)
    } else {
        rng.below(300)
    };
    Event {
        ts_ms: (10 * index).saturating_sub(jitter),
        word,
    }
}

/// Builds and runs the job on `events`.
fn count_words<S>(events: S, args: Args) -> Result<(), RillError>
where
    S: Source<Item = Event> + Clone + Send + Sync + 'static,
{
    let Args {
        window,
        lateness,
        out_of_orderness,
        output,
        ..
    } = args;
    let job = dataflow! {
        #![name = "windowed_wordcount"]
        let (counts, late) = source(events)
            -> timestamps(|e: &Event| e.ts_ms, bounded(out_of_orderness))
            -> key_by(|e: &Event| e.word.clone())
            -> window(tumbling(window), lateness(lateness))
            -> count();
        counts
            -> map(|w: WindowResult<String, u64>| (w.end, w.key, w.value))
            -> sink(csv_to(output.as_ref()));
        late
            -> map(|l: Late<Event>| format!("late {},{} (watermark {})", l.timestamp, l.record.word, l.watermark))
            -> sink(stderr());
    };
    job.run_with(&args.run)?;
    Ok(())
}

fn main() -> Result<(), RillError> {
    let args = Args::parse();
    match &args.input {
        Some(path) => {
            let lines = csv::<Event>(path)
                .no_header()
                .lines_per_epoch(args.lines_per_epoch);
            count_words(lines, args)
        }
        None => {
            let zipf = Zipf::new(50, 1.0);
            let events = generate(args.events, args.seed, move |i, rng| event(i, &zipf, rng))
                .events_per_epoch(args.lines_per_epoch);
            count_words(events, args)
        }
    }
}
