//! Bad input never panics and is never dropped silently: it fails the job with a message naming
//! the file, line and problem, or goes to the error output the pipeline bound.

mod support;

use std::collections::HashMap;

use support::{layout_args, run, sorted_lines, LAYOUTS};

#[test]
fn sales_routes_bad_lines_and_totals_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("sales.csv");
    let regions = ["north", "south", "east", "west"];
    let mut text = String::from("region,product,cents\n");
    let mut totals: HashMap<&str, u64> = HashMap::new();
    let mut bad_lines = Vec::new();
    for i in 0..5_000u64 {
        let line_number = i + 2;
        let region = regions[(i * 7 % 4) as usize];
        match i % 997 {
            13 => {
                text.push_str(&format!("{region},kettle,lots\n"));
                bad_lines.push(format!(
                    "skipped {}:{line_number}: field `cents`",
                    input.display()
                ));
            }
            500 => {
                text.push_str(&format!("{region}\n"));
                bad_lines.push(format!("skipped {}:{line_number}: ", input.display()));
            }
            _ => {
                let cents = 100 + i % 250;
                text.push_str(&format!("{region},mug,{cents}\n"));
                *totals.entry(region).or_default() += cents;
            }
        }
    }
    std::fs::write(&input, text).unwrap();
    let mut expected: Vec<String> = totals
        .iter()
        .map(|(region, cents)| format!("{region},{cents}"))
        .collect();
    expected.sort();
    for layout in LAYOUTS {
        let args = vec!["--input".to_string(), input.display().to_string()];
        let output = dir.path().join("output.csv");
        let mut all = args.clone();
        all.extend(["--output".to_string(), output.display().to_string()]);
        all.extend(layout_args(layout, dir.path()));
        let result = run("sales", &all);
        let stderr = String::from_utf8_lossy(&result.stderr);
        assert!(result.status.success(), "{layout:?}: {stderr}");
        let mut skipped: Vec<&str> = stderr
            .lines()
            .filter(|l| l.starts_with("skipped "))
            .collect();
        skipped.sort();
        assert_eq!(skipped.len(), bad_lines.len(), "{layout:?}: {stderr}");
        for prefix in &bad_lines {
            assert!(
                skipped.iter().any(|line| line.starts_with(prefix.as_str())),
                "{layout:?}: no `{prefix}` in {stderr}"
            );
        }
        assert_eq!(
            sorted_lines(&std::fs::read_to_string(&output).unwrap()),
            expected,
            "{layout:?}"
        );
    }
}

#[test]
fn invalid_utf8_fails_the_job_naming_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("broken.txt");
    let mut bytes = b"good line one\ngood line two\n".to_vec();
    bytes.extend_from_slice(b"bad \xff\xfe line\nlast line\n");
    std::fs::write(&input, bytes).unwrap();
    for layout in LAYOUTS {
        let mut args = vec!["--input".to_string(), input.display().to_string()];
        args.extend(layout_args(layout, dir.path()));
        let result = run("wordcount", &args);
        let stderr = String::from_utf8_lossy(&result.stderr);
        assert!(!result.status.success(), "{layout:?} should fail");
        assert!(
            stderr.contains(&format!("{}:3:", input.display())),
            "{layout:?}: {stderr}"
        );
        assert!(stderr.contains("UTF-8"), "{layout:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{layout:?}: {stderr}");
    }
}

#[test]
fn missing_input_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.txt");
    for layout in LAYOUTS {
        let mut args = vec!["--input".to_string(), missing.display().to_string()];
        args.extend(layout_args(layout, dir.path()));
        let result = run("wordcount", &args);
        let stderr = String::from_utf8_lossy(&result.stderr);
        assert!(!result.status.success(), "{layout:?} should fail");
        assert!(stderr.contains("nope.txt"), "{layout:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{layout:?}: {stderr}");
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
struct Row {
    name: String,
    n: u64,
}

fn options(workers: usize) -> rill::prelude::RunOptions {
    rill::prelude::RunOptions {
        workers,
        quiet: true,
        ..Default::default()
    }
}

#[test]
fn a_bad_csv_line_fails_the_job_when_no_error_output_is_bound() {
    use rill::prelude::*;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rows.csv");
    std::fs::write(&path, "name,n\na,1\nb,2\nc,three\nd,4\n").unwrap();
    for workers in [1, 3] {
        let rows = Collector::<Row>::new();
        let sink_rows = rows.clone();
        let csv_path = path.clone();
        let job = dataflow! {
            source(csv::<Row>(&csv_path)) -> sink(collect(&sink_rows));
        };
        let error = job
            .run_with(&options(workers))
            .expect_err("a bad line must fail the job");
        let expected = format!(
            "{}:4: field `n`: invalid digit found in string",
            path.display()
        );
        assert!(
            error.message().contains(&expected),
            "{workers} workers: {error}"
        );
        assert!(
            error.message().contains("let (records, bad) = source(...)"),
            "{error}"
        );
    }
}

#[test]
fn bad_json_lines_go_to_the_bound_error_output() {
    use rill::prelude::*;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rows.jsonl");
    let mut text = String::new();
    let mut expected_rows = Vec::new();
    let mut expected_bad = Vec::new();
    for i in 0..3_000u64 {
        if i % 301 == 7 {
            text.push_str(&format!("{{\"name\": \"r{i}\", \"n\": \"oops\"}}\n"));
            expected_bad.push(i + 1);
        } else {
            text.push_str(&format!("{{\"name\": \"r{i}\", \"n\": {i}}}\n"));
            expected_rows.push(Row {
                name: format!("r{i}"),
                n: i,
            });
        }
    }
    std::fs::write(&path, text).unwrap();
    expected_rows.sort();
    for workers in [1, 4] {
        let (rows, bad) = (Collector::<Row>::new(), Collector::<BadRecord>::new());
        let (sink_rows, sink_bad, json_path) = (rows.clone(), bad.clone(), path.clone());
        let job = dataflow! {
            let (records, errors) = source(json_lines::<Row>(&json_path));
            records -> sink(collect(&sink_rows));
            errors -> sink(collect(&sink_bad));
        };
        job.run_with(&options(workers)).unwrap();
        assert_eq!(rows.sorted(), expected_rows, "{workers} workers");
        let mut bad_lines: Vec<u64> = bad.take().iter().map(|b| b.line).collect();
        bad_lines.sort();
        assert_eq!(bad_lines, expected_bad, "{workers} workers");
    }
}

#[test]
fn an_unwritable_output_names_the_operator_and_the_path() {
    use rill::prelude::*;
    let job = dataflow! {
        source(from_iter(vec![1u64, 2, 3]))
            -> sink(csv_file("/nonexistent-rill-dir/out.csv")); // the sink under test
    };
    let error = job
        .run_with(&options(2))
        .expect_err("the output cannot be created");
    // The operator is named `op@file:line:col` after the user's token.
    let source = include_str!("bad_input.rs");
    let (line, text) = source
        .lines()
        .enumerate()
        .find(|(_, l)| l.ends_with("// the sink under test"))
        .unwrap();
    let column = text.find("sink(").unwrap() + 1;
    let name = format!("sink@tests/bad_input.rs:{}:{column}", line + 1);
    assert!(
        error.message().starts_with(&name),
        "expected `{name}` in: {error}"
    );
    assert!(
        error.message().contains("/nonexistent-rill-dir/out.csv"),
        "{error}"
    );
}
