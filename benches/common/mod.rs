//! What the benchmark harnesses share: their command-line flags, and medians.

/// The flags of a harness: the input size (`--words N`, `--events N`), `--reps R`,
/// `--workers 1,2`, `--only a,b`, and any extra counts it declares (`--latency-reps R`).
pub struct Flags {
    pub size: u64,
    pub reps: usize,
    pub workers: Vec<usize>,
    pub only: Option<String>,
    /// The values of the extra counts, in the order they were declared.
    pub extra: Vec<usize>,
}

/// Parses the command line: `size_flag` with its default, and `extra` counts with theirs.
/// Cargo's own `--bench` and a name filter are ignored; anything else is an error.
pub fn parse_flags(size_flag: &str, size: u64, extra: &[(&str, usize)], versions: &str) -> Flags {
    let mut flags = Flags {
        size,
        reps: 5,
        workers: vec![1, 2],
        only: None,
        extra: extra.iter().map(|(_, default)| *default).collect(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = |name: &str| it.next().unwrap_or_else(|| panic!("{name} needs a value"));
        match arg.as_str() {
            "--reps" => flags.reps = value("--reps").parse().expect("--reps R"),
            "--workers" => {
                flags.workers = value("--workers")
                    .split(',')
                    .map(|w| w.trim().parse().expect("--workers 1,2"))
                    .collect()
            }
            "--only" => flags.only = Some(value("--only")),
            "--bench" => {}
            name if name == size_flag => {
                flags.size = value(name).replace('_', "").parse().expect("a count")
            }
            name if extra.iter().any(|(flag, _)| *flag == name) => {
                let index = extra
                    .iter()
                    .position(|(flag, _)| *flag == name)
                    .expect("found");
                flags.extra[index] = value(name).parse().expect("a count");
            }
            other if other.starts_with("--") => {
                let extra: Vec<String> =
                    extra.iter().map(|(flag, _)| format!("{flag} R")).collect();
                panic!(
                    "unknown flag {other}; flags: {size_flag} N --reps R {} --workers 1,2 --only {versions}",
                    extra.join(" ")
                )
            }
            _ => {}
        }
    }
    assert!(flags.reps > 0 && !flags.workers.is_empty() && flags.workers.iter().all(|&w| w > 0));
    flags
}

/// The median of some timings.
pub fn median(times: &[f64]) -> f64 {
    let mut sorted = times.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    }
}
