//! The sequential baselines reproduce the LDBC Graphalytics reference outputs of both example
//! graphs, under Graphalytics' match rules.

use std::path::PathBuf;

use rill_stdlib::graph::{
    baseline, format_output, match_output, read_graphalytics_output, Algorithm, Csr, Properties,
};

fn oracles() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/oracles/graphalytics")
}

/// A parameter the properties file must give.
fn given<T>(parameter: Option<T>, what: &str) -> T {
    parameter.unwrap_or_else(|| panic!("the properties file gives no {what}"))
}

/// Runs `algorithm` with the parameters of `properties`, as output lines.
fn run(algorithm: Algorithm, csr: &Csr, properties: &Properties) -> Vec<(u64, String)> {
    match algorithm {
        Algorithm::Bfs => {
            let source = given(properties.bfs_source, "bfs source");
            format_output(&csr.with_ids(&baseline::bfs(csr, source)))
        }
        Algorithm::Pr => {
            let damping = given(properties.pr_damping, "pr damping factor");
            let iterations = given(properties.pr_iterations, "pr iterations");
            format_output(&csr.with_ids(&baseline::pagerank(csr, damping, iterations)))
        }
        Algorithm::Wcc => format_output(&csr.with_ids(&baseline::wcc(csr))),
        Algorithm::Cdlp => {
            let iterations = given(properties.cdlp_iterations, "cdlp iterations");
            format_output(&csr.with_ids(&baseline::cdlp(csr, iterations)))
        }
        Algorithm::Lcc => format_output(&csr.with_ids(&baseline::lcc(csr))),
        Algorithm::Sssp => {
            let source = given(properties.sssp_source, "sssp source");
            format_output(&csr.with_ids(&baseline::sssp(csr, source)))
        }
    }
}

fn check(graph_name: &str) {
    let properties_path = oracles()
        .join("properties")
        .join(format!("{graph_name}.properties"));
    let properties = Properties::load(&properties_path).unwrap();
    assert_eq!(properties.name, graph_name);
    let graph = properties.load_graph().unwrap();
    let csr = Csr::new(&graph);
    for algorithm in Algorithm::ALL {
        let reference = oracles()
            .join("example")
            .join(format!("{graph_name}-{}", algorithm.suffix()));
        let expected = read_graphalytics_output(&reference).unwrap();
        let actual = run(algorithm, &csr, &properties);
        if let Err(message) = match_output(algorithm, &expected, &actual) {
            panic!("{graph_name}: {message}");
        }
    }
}

#[test]
fn directed_example_matches_the_references() {
    check("example-directed");
}

#[test]
fn undirected_example_matches_the_references() {
    check("example-undirected");
}

#[test]
fn pagerank_cost_loses_the_rank_of_sinks() {
    let properties =
        Properties::load(&oracles().join("properties/example-directed.properties")).unwrap();
    let csr = Csr::new(&properties.load_graph().unwrap());
    let with_sinks: f64 = baseline::pagerank(&csr, 0.85, 2).iter().sum();
    let without: f64 = baseline::pagerank_cost(&csr, 0.85, 2).iter().sum();
    assert!((with_sinks - 1.0).abs() < 1e-12, "{with_sinks}");
    assert!(without < 0.95, "{without}");
}
