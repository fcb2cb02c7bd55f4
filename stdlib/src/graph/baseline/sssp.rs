//! Single-source shortest paths.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::source_index;
use crate::graph::Csr;

/// Every vertex's shortest-path distance from `source` (a vertex id) along out-edges, summing
/// edge weights; `f64::INFINITY` where it is unreachable. Dijkstra's algorithm with a binary
/// heap. Panics if `source` is not a vertex.
pub fn sssp(csr: &Csr, source: u64) -> Vec<f64> {
    let source = source_index(csr, source, "sssp");
    let mut distance = vec![f64::INFINITY; csr.vertex_count()];
    distance[source] = 0.0;
    // Distances are >= +0.0, whose bit patterns order like the numbers.
    let mut heap = BinaryHeap::from([Reverse((0.0f64.to_bits(), source as u32))]);
    while let Some(Reverse((bits, v))) = heap.pop() {
        let d = f64::from_bits(bits);
        if d > distance[v as usize] {
            continue;
        }
        let v = v as usize;
        for (&w, &weight) in csr.out_neighbors(v).iter().zip(csr.out_weights(v)) {
            let through = d + weight;
            if through < distance[w as usize] {
                distance[w as usize] = through;
                heap.push(Reverse((through.to_bits(), w)));
            }
        }
    }
    distance
}
