//! Moving average: the mean temperature of each sensor over sliding windows of event time.
//!
//! ```text
//! cargo run --release --example moving_average
//! cargo run --release --example moving_average -- --size 1min --slide 10s --readings 1000000 --workers 4
//! cargo run --release --example moving_average -- --hosts hosts.txt --output averages.csv
//! ```
//!
//! A seeded generator produces readings, `--epoch-size` of them per epoch: reading `i` comes from
//! sensor `rng.below(sensors)`, measures `15.0 + rng.below(150) / 10` °C, and carries the event
//! time `10 * i` ms minus a delay (below 0.5 s, or below 10 s for one reading in twenty), so
//! readings arrive out of order. After each epoch the watermark is the largest timestamp so far
//! minus `--out-of-orderness`. A sliding window of `--size`, one starting every `--slide`, fires
//! once the watermark reaches its end, writing `sensor,window_start,window_end,avg` (mean in °C,
//! two decimals). A reading up to `--lateness` behind the watermark updates its fired windows
//! (they fire again); a reading too late for all its windows is reported on stderr as
//! `late ts,sensor (watermark W)`.

use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;
use rill::prelude::*;
use rill::runtime::time::parse_duration;
use serde::{Deserialize, Serialize};

/// Averages sensor readings over sliding windows.
#[derive(Parser)]
struct Args {
    /// How many readings to generate.
    #[arg(long, default_value_t = 20_000)]
    readings: u64,
    /// How many sensors report.
    #[arg(long, default_value_t = 10)]
    sensors: u64,
    /// Readings per epoch: the watermark advances after each epoch.
    #[arg(long, default_value_t = 230)]
    epoch_size: u64,
    /// The length of a window (a multiple of `--slide`).
    #[arg(long, value_parser = parse_duration, default_value = "10s")]
    size: Duration,
    /// The distance between window starts.
    #[arg(long, value_parser = parse_duration, default_value = "5s")]
    slide: Duration,
    /// How long after a window fired its readings may still update it.
    #[arg(long, value_parser = parse_duration, default_value = "2s")]
    lateness: Duration,
    /// How far behind the largest timestamp read the watermark stays.
    #[arg(long, value_parser = parse_duration, default_value = "1s")]
    out_of_orderness: Duration,
    /// Seed of the generator: the same seed gives the same readings.
    #[arg(long, default_value_t = 11)]
    seed: u64,
    /// Where to write `sensor,window_start,window_end,avg` lines (default: stdout).
    #[arg(long)]
    output: Option<PathBuf>,
    #[command(flatten)]
    run: RunOptions,
}

/// One temperature reading.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reading {
    /// Which sensor measured.
    pub sensor: u64,
    /// Event time, ms.
    pub ts_ms: u64,
    /// The temperature in tenths of a degree Celsius (integers sum exactly in any order).
    pub deci_celsius: u64,
}

/// Reading `index` of the stream.
pub fn reading(index: u64, sensors: u64, rng: &mut Rng) -> Reading {
    Reading {
        sensor: rng.below(sensors),
        deci_celsius: 150 + rng.below(150),
        ts_ms: (10 * index).saturating_sub(delay(rng)),
    }
}

/// How late a reading is: below 0.5 s, or below 10 s for one reading in twenty.
fn delay(rng: &mut Rng) -> u64 {
    if rng.below(20) == 0 {
        rng.below(10_000)
    } else {
        rng.below(500)
    }
}

fn main() -> Result<(), RillError> {
    let args = Args::parse();
    let (sensors, output) = (args.sensors, args.output);
    let (size, slide, allowed, bound) =
        (args.size, args.slide, args.lateness, args.out_of_orderness);
    let readings = generate(args.readings, args.seed, move |i, rng| {
        reading(i, sensors, rng)
    })
    .events_per_epoch(args.epoch_size);
    let job = dataflow! {
        #![name = "moving_average"]
        let (averages, late) = source(readings)
            -> timestamps(|r: &Reading| r.ts_ms, bounded(bound))
            -> key_by(|r: &Reading| r.sensor)
            -> window(sliding(size, slide), lateness(allowed))
            -> avg(|r: Reading| r.deci_celsius as f64);
        averages
            -> map(|w: WindowResult<u64, f64>| (w.key, w.start, w.end, format!("{:.2}", w.value / 10.0)))
            -> sink(csv_to(output.as_ref()));
        late
            -> map(|l: Late<Reading>| format!("late {},{} (watermark {})", l.timestamp, l.record.sensor, l.watermark))
            -> sink(stderr());
    };
    job.run_with(&args.run)?;
    Ok(())
}
