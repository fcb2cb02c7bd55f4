//! Weakly connected components.

use crate::graph::Csr;

/// Every vertex's weakly connected component (edges taken in both directions), labelled by the
/// smallest vertex id in it. Union-find with union by size and path halving.
pub fn wcc(csr: &Csr) -> Vec<u64> {
    let n = csr.vertex_count();
    let mut sets = DisjointSets::new(n);
    for v in 0..n {
        for &w in csr.out_neighbors(v) {
            sets.union(v as u32, w);
        }
    }
    // Indices ascend with ids, so a component's first member in index order has its smallest id.
    let mut smallest = vec![u32::MAX; n];
    (0..n)
        .map(|v| {
            let root = sets.find(v as u32) as usize;
            if smallest[root] == u32::MAX {
                smallest[root] = v as u32;
            }
            csr.id(smallest[root] as usize)
        })
        .collect()
}

/// Union-find over `0..n`.
struct DisjointSets {
    parent: Vec<u32>,
    size: Vec<u32>,
}

impl DisjointSets {
    fn new(n: usize) -> Self {
        DisjointSets {
            parent: (0..n as u32).collect(),
            size: vec![1; n],
        }
    }

    /// The representative of `v`'s set; halves the path on the way.
    fn find(&mut self, mut v: u32) -> u32 {
        while self.parent[v as usize] != v {
            let grandparent = self.parent[self.parent[v as usize] as usize];
            self.parent[v as usize] = grandparent;
            v = grandparent;
        }
        v
    }

    /// Merges the sets of `a` and `b`, the smaller under the larger.
    fn union(&mut self, a: u32, b: u32) {
        let (a, b) = (self.find(a) as usize, self.find(b) as usize);
        if a == b {
            return;
        }
        let (large, small) = if self.size[a] >= self.size[b] {
            (a, b)
        } else {
            (b, a)
        };
        self.parent[small] = large as u32;
        self.size[large] += self.size[small];
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::Graph;

    #[test]
    fn components_ignore_direction_and_take_their_smallest_id() {
        let edges = vec![(3, 1, 1.0), (2, 3, 1.0), (7, 5, 1.0)];
        let graph = Graph::new(vec![9, 7, 5, 3, 2, 1], edges, true).unwrap();
        assert_eq!(wcc(&Csr::new(&graph)), [1, 1, 1, 5, 5, 9]);
    }
}
