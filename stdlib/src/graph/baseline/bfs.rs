//! Breadth-first search.

use super::source_index;
use crate::graph::Csr;

/// Every vertex's depth from `source` (a vertex id) along out-edges: 0 for the source,
/// `i64::MAX` where it is unreachable. Panics if `source` is not a vertex.
pub fn bfs(csr: &Csr, source: u64) -> Vec<i64> {
    let source = source_index(csr, source, "bfs");
    let mut depth = vec![i64::MAX; csr.vertex_count()];
    depth[source] = 0;
    let mut queue = Vec::with_capacity(csr.vertex_count());
    queue.push(source as u32);
    let mut head = 0;
    while let Some(&v) = queue.get(head) {
        head += 1;
        let next = depth[v as usize] + 1;
        for &w in csr.out_neighbors(v as usize) {
            if depth[w as usize] == i64::MAX {
                depth[w as usize] = next;
                queue.push(w);
            }
        }
    }
    depth
}
