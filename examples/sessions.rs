//! Sessions: each user's bursts of clicks, separated by a gap of inactivity.
//!
//! ```text
//! cargo run --release --example sessions
//! cargo run --release --example sessions -- --gap 1min --clicks 1000000 --users 1000 --workers 4
//! cargo run --release --example sessions -- --hosts hosts.txt --output sessions.csv
//! ```
//!
//! A seeded generator produces clicks, `--epoch-size` of them per epoch: click `i` is by user
//! `rng.below(users)` at `100 * i` ms minus a delay (below 2 s, or below 60 s for one click in
//! fifty), and only counts if the user is online then: users come and go, online for 40 s of every
//! 100 s (user `u` from second `(7 * u) % 100` of each period). After each epoch the watermark is
//! the largest timestamp so far minus `--out-of-orderness`.
//!
//! A session is a user's clicks closer than `--gap` to each other; it ends `--gap` after its
//! last click and is written, once the watermark reaches its end, as
//! `user,session_start,session_end,clicks`. A delayed click that extends or bridges a fired
//! session (up to `--lateness` behind the watermark) fires the merged session again; a later one
//! is reported on stderr as `late ts,user (watermark W)`.

use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;
use rill::prelude::*;
use rill::runtime::time::parse_duration;
use serde::{Deserialize, Serialize};

/// Finds user sessions in a stream of clicks.
#[derive(Parser)]
struct Args {
    /// How many clicks to generate (the offline users' clicks are dropped).
    #[arg(long, default_value_t = 20_000)]
    clicks: u64,
    /// How many users click.
    #[arg(long, default_value_t = 20)]
    users: u64,
    /// Clicks per epoch: the watermark advances after each epoch.
    #[arg(long, default_value_t = 50)]
    epoch_size: u64,
    /// The inactivity that ends a session.
    #[arg(long, value_parser = parse_duration, default_value = "30s")]
    gap: Duration,
    /// How long after a session fired its clicks may still update it.
    #[arg(long, value_parser = parse_duration, default_value = "10s")]
    lateness: Duration,
    /// How far behind the largest timestamp read the watermark stays.
    #[arg(long, value_parser = parse_duration, default_value = "2s")]
    out_of_orderness: Duration,
    /// Seed of the generator: the same seed gives the same clicks.
    #[arg(long, default_value_t = 5)]
    seed: u64,
    /// Where to write `user,session_start,session_end,clicks` lines (default: stdout).
    #[arg(long)]
    output: Option<PathBuf>,
    #[command(flatten)]
    run: RunOptions,
}

/// One click.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Click {
    /// Who clicked.
    pub user: u64,
    /// Event time, ms.
    pub ts_ms: u64,
}

/// Click `index` of the stream (before dropping the clicks of offline users).
pub fn click(index: u64, users: u64, rng: &mut Rng) -> Click {
    let user = rng.below(users);
    let delay = if rng.below(50) == 0 {
        rng.below(60_000)
    } else {
        rng.below(2_000)
    };
    Click {
        user,
        ts_ms: (100 * index).saturating_sub(delay),
    }
}

/// Whether `click`'s user is online at its time: for 40 s of every 100 s, from second
/// `(7 * user) % 100` of each period.
pub fn online(click: &Click) -> bool {
    let second = click.ts_ms / 1_000 % 100;
    (second + 100 - (7 * click.user) % 100) % 100 < 40
}

fn main() -> Result<(), RillError> {
    let args = Args::parse();
    let (users, output) = (args.users, args.output);
    let (gap, allowed, bound) = (args.gap, args.lateness, args.out_of_orderness);
    let clicks = generate(args.clicks, args.seed, move |i, rng| click(i, users, rng))
        .events_per_epoch(args.epoch_size);
    let job = dataflow! {
        #![name = "sessions"]
        let (sessions, late) = source(clicks)
            -> filter(|c: &Click| online(c))
            -> timestamps(|c: &Click| c.ts_ms, bounded(bound))
            -> key_by(|c: &Click| c.user)
            -> window(session(gap), lateness(allowed))
            -> count();
        sessions
            -> map(|s: WindowResult<u64, u64>| (s.key, s.start, s.end, s.value))
            -> sink(csv_to(output.as_ref()));
        late
            -> map(|l: Late<Click>| format!("late {},{} (watermark {})", l.timestamp, l.record.user, l.watermark))
            -> sink(stderr());
    };
    job.run_with(&args.run)?;
    Ok(())
}
