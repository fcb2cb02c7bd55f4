//! The machine the figures come from: cores, CPU model, memory, compiler, commit, date.

use std::process::Command;

/// One line per fact, as `key: value`.
pub fn describe() -> Vec<(String, String)> {
    let run = |program: &str, args: &[&str]| -> String {
        Command::new(program)
            .args(args)
            .output()
            .ok()
            .filter(|out| out.status.success())
            .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_owned())
            .unwrap_or_else(|| "?".into())
    };
    let cpu = run("lscpu", &[])
        .lines()
        .find_map(|line| line.strip_prefix("Model name:"))
        .map_or("?".into(), |model| model.trim().to_owned());
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find_map(|line| line.strip_prefix("MemTotal:"))
                .and_then(|kb| kb.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        })
        .map_or("?".into(), |kb| format!("{:.1} GiB", kb / 1024.0 / 1024.0));
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    vec![
        ("cores (nproc)".into(), cores.to_string()),
        ("CPU".into(), cpu),
        ("memory".into(), memory),
        ("rustc".into(), run("rustc", &["--version"])),
        (
            "commit".into(),
            run("git", &["rev-parse", "--short", "HEAD"]),
        ),
        ("date".into(), run("date", &["-u", "+%Y-%m-%d %H:%M UTC"])),
    ]
}
