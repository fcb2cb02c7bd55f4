//! PageRank, with and without redistributing the rank of vertices that have no out-edges.

use crate::graph::Csr;

/// Graphalytics PageRank after `iterations` iterations: `PR0(v) = 1/n`,
/// `PR(v) = (1 - d)/n + d * sum of PR(u)/outdeg(u) over in-neighbours u + d/n * sum of PR(w)
/// over sinks w` (vertices without out-edges), with `d = damping`.
pub fn pagerank(csr: &Csr, damping: f64, iterations: u32) -> Vec<f64> {
    iterate(csr, damping, iterations, true)
}

/// PageRank as in the COST paper: like [`pagerank`] but without the sink term, so the rank that
/// flows into sinks is lost.
pub fn pagerank_cost(csr: &Csr, damping: f64, iterations: u32) -> Vec<f64> {
    iterate(csr, damping, iterations, false)
}

fn iterate(csr: &Csr, damping: f64, iterations: u32, redistribute_sinks: bool) -> Vec<f64> {
    let n = csr.vertex_count();
    let mut rank = vec![1.0 / n as f64; n];
    let inverse_degree: Vec<f64> = (0..n)
        .map(|v| match csr.out_degree(v) {
            0 => 0.0,
            degree => 1.0 / degree as f64,
        })
        .collect();
    // What each vertex sends along each of its out-edges.
    let mut share = vec![0.0; n];
    for _ in 0..iterations {
        let mut sinks = 0.0;
        for v in 0..n {
            share[v] = rank[v] * inverse_degree[v];
            if inverse_degree[v] == 0.0 {
                sinks += rank[v];
            }
        }
        let mut base = (1.0 - damping) / n as f64;
        if redistribute_sinks {
            base += damping * sinks / n as f64;
        }
        for (v, rank) in rank.iter_mut().enumerate() {
            let incoming: f64 = csr.in_neighbors(v).iter().map(|&u| share[u as usize]).sum();
            *rank = base + damping * incoming;
        }
    }
    rank
}
