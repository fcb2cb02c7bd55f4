//! `uid("...")` pins the name under which an operator's state is checkpointed. The same job is
//! written twice in this file, at different lines (version A, then version B, as if the job's
//! source had been edited between two runs): a checkpoint of version A restores into version B
//! when its stateful operators carry uids, and does not when the windowed count has none, with an
//! error naming that operator.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rill::prelude::*;
use rill::runtime::checkpoint::Manifest;
use rill::runtime::options::CheckpointOptions;
use support::counted_lines;

/// Events, and how fast version A reads them: about a second of input, so that it takes a few
/// checkpoints on the way.
const EVENTS: u64 = 2_400;
const RATE: f64 = 2_400.0;
/// Four epochs per tumbling window of 1 s (100 events): checkpoints fall inside windows, so the
/// restored run finishes windows it started before.
const PER_EPOCH: u64 = 25;

/// Event `i`: `(timestamp in ms, word)`, timestamps increasing.
fn event(i: u64, _: &mut Rng) -> (u64, String) {
    (10 * i, format!("w{}", (i * 7 + i / 13) % 5))
}

/// The input of every job; rate-limited for the run that checkpoints along the way.
fn events(rate: Option<f64>) -> impl Source<Item = (u64, String)> + Clone + Send + Sync {
    let events = generate(EVENTS, 3, event).events_per_epoch(PER_EPOCH);
    match rate {
        Some(rate) => events.rate(rate),
        None => events,
    }
}

/// Version A: counts words per tumbling window of event time; every stateful operator has a uid.
fn version_a(out: PathBuf, options: &RunOptions) -> Result<RunSummary, RillError> {
    let events = events(options.checkpoints.checkpoint_dir.as_ref().map(|_| RATE));
    dataflow! {
        #![name = "uid-word-counts"]
        source(events)
            -> uid("events")
            -> timestamps(|e: &(u64, String)| e.0, monotonous())
            -> key_by(|e: &(u64, String)| e.1.clone())
            -> window(tumbling(1s))
            -> count()
            -> uid("word-counts")
            -> map(|w: WindowResult<String, u64>| (w.end, w.key, w.value))
            -> sink(csv_to(Some(out)))
            -> uid("output");
    }
    .run_with(options)
}

/// Version A without a uid on the windowed count: it is named `count@file:line:col`.
fn version_a_without_uid(out: PathBuf, options: &RunOptions) -> Result<RunSummary, RillError> {
    let events = events(None);
    dataflow! {
        #![name = "uid-word-counts"]
        source(events)
            -> uid("events")
            -> timestamps(|e: &(u64, String)| e.0, monotonous())
            -> key_by(|e: &(u64, String)| e.1.clone())
            -> window(tumbling(1s))
            -> count()
            -> map(|w: WindowResult<String, u64>| (w.end, w.key, w.value))
            -> sink(csv_to(Some(out)))
            -> uid("output");
    }
    .run_with(options)
}

/// What the jobs compute, without Rill: `end,word,count` for every window and word.
fn reference() -> BTreeMap<String, usize> {
    let mut counts: BTreeMap<(u64, String), u64> = BTreeMap::new();
    let mut rng = Rng::new(0);
    for i in 0..EVENTS {
        let (ts, word) = event(i, &mut rng);
        *counts
            .entry((ts / 1_000 * 1_000 + 1_000, word))
            .or_default() += 1;
    }
    let mut lines = BTreeMap::new();
    for ((end, word), count) in counts {
        *lines.entry(format!("{end},{word},{count}")).or_default() += 1;
    }
    lines
}

/// The complete checkpoints under `dir` (those with a manifest), oldest first.
fn complete_checkpoints(dir: &Path) -> Vec<PathBuf> {
    let mut complete: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.join("MANIFEST").exists())
        .collect();
    complete.sort();
    complete
}

fn run_options(checkpoints: CheckpointOptions) -> RunOptions {
    RunOptions {
        quiet: true,
        checkpoints,
        ..RunOptions::default()
    }
}

/// Version A checkpoints all along; version B restores one of its checkpoints from the middle of
/// the input, finds every operator's state under its uid, and completes the output.
#[test]
fn a_checkpoint_restores_into_the_edited_job_by_uid() {
    let dir = tempfile::tempdir().unwrap();
    let checkpoints = dir.path().join("checkpoints");
    let out = dir.path().join("counts.csv");
    version_a(
        out.clone(),
        &run_options(CheckpointOptions {
            checkpoint_dir: Some(checkpoints.clone()),
            checkpoint_interval: 0.1,
            checkpoints_kept: 1_000,
            ..CheckpointOptions::default()
        }),
    )
    .unwrap();
    let expected = reference();
    assert_eq!(counted_lines(&out), expected, "version A");

    // The state is stored under the uids, not under `op@file:line:col`.
    let complete = complete_checkpoints(&checkpoints);
    let newest = complete.last().expect("a complete checkpoint");
    let manifest: Manifest =
        serde_json::from_slice(&std::fs::read(newest.join("MANIFEST")).unwrap()).unwrap();
    let operators: Vec<&str> = manifest.parts.iter().map(|p| p.operator.as_str()).collect();
    assert_eq!(operators, ["events", "output", "word-counts"]);
    let files: Vec<String> = std::fs::read_dir(newest)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        files
            .iter()
            .any(|f| f.starts_with("word-counts.w0.") && f.ends_with(".part")),
        "no part file of `word-counts` in {}: {files:?}",
        newest.display()
    );

    // A checkpoint from the middle of the input: the windowed count has open windows in it.
    let before_the_end: Vec<&PathBuf> = complete
        .iter()
        .filter(|chk| {
            let manifest: Manifest =
                serde_json::from_slice(&std::fs::read(chk.join("MANIFEST")).unwrap()).unwrap();
            manifest.id < EVENTS / PER_EPOCH - 1
        })
        .collect();
    assert!(
        !before_the_end.is_empty(),
        "no checkpoint before the end of the input: {complete:?}"
    );
    let middle = before_the_end[before_the_end.len() / 2];
    version_b(
        out.clone(),
        &run_options(CheckpointOptions {
            restore: Some(middle.clone()),
            restart_attempts: 0,
            ..CheckpointOptions::default()
        }),
    )
    .unwrap_or_else(|e| panic!("version B does not restore {}: {e}", middle.display()));
    assert_eq!(
        counted_lines(&out),
        expected,
        "version B, restored from {middle:?}"
    );
}

/// Without a uid, the windowed count of version B is not the one of version A: the restore fails
/// and names it.
#[test]
fn without_uid_the_moved_operator_does_not_restore() {
    let dir = tempfile::tempdir().unwrap();
    let checkpoints = dir.path().join("checkpoints");
    let out = dir.path().join("counts.csv");
    version_a_without_uid(
        out.clone(),
        &run_options(CheckpointOptions {
            checkpoint_dir: Some(checkpoints.clone()),
            ..CheckpointOptions::default()
        }),
    )
    .unwrap();
    let error = version_b_without_uid(
        out,
        &run_options(CheckpointOptions {
            restore: Some(checkpoints),
            restart_attempts: 0,
            ..CheckpointOptions::default()
        }),
    )
    .expect_err("a restore into an operator of another name")
    .to_string();
    assert!(
        error.contains("`count@tests/checkpoint_uid.rs:") && error.contains("uid"),
        "{error}"
    );
}

// Version B: the job of version A after an edit that moved its lines.

/// Version B: the same job as version A, written at other lines.
fn version_b(out: PathBuf, options: &RunOptions) -> Result<RunSummary, RillError> {
    let events = events(None);
    dataflow! {
        #![name = "uid-word-counts"]
        source(events) -> uid("events")
            -> timestamps(|e: &(u64, String)| e.0, monotonous())
            -> key_by(|e: &(u64, String)| e.1.clone())
            -> window(tumbling(1s)) -> count() -> uid("word-counts")
            -> map(|w: WindowResult<String, u64>| (w.end, w.key, w.value))
            -> sink(csv_to(Some(out))) -> uid("output");
    }
    .run_with(options)
}

/// Version B without a uid on the windowed count.
fn version_b_without_uid(out: PathBuf, options: &RunOptions) -> Result<RunSummary, RillError> {
    let events = events(None);
    dataflow! {
        #![name = "uid-word-counts"]
        source(events) -> uid("events")
            -> timestamps(|e: &(u64, String)| e.0, monotonous())
            -> key_by(|e: &(u64, String)| e.1.clone())
            -> window(tumbling(1s)) -> count()
            -> map(|w: WindowResult<String, u64>| (w.end, w.key, w.value))
            -> sink(csv_to(Some(out))) -> uid("output");
    }
    .run_with(options)
}
