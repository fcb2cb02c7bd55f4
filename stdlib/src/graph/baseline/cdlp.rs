//! Community detection by label propagation.

use crate::graph::Csr;

/// Graphalytics CDLP after `iterations` synchronous rounds: every vertex starts with its own id
/// as label; each round it takes the most frequent label among its in- and out-neighbours (in a
/// directed graph a neighbour linked both ways counts twice), ties going to the smallest label;
/// a vertex without neighbours keeps its label.
pub fn cdlp(csr: &Csr, iterations: u32) -> Vec<u64> {
    let n = csr.vertex_count();
    // Labels are vertex ids, kept as dense indices (same order) until the end.
    let mut labels: Vec<u32> = (0..n as u32).collect();
    let mut next = labels.clone();
    let mut counter = LabelCounter::new(n);
    for _ in 0..iterations {
        for (v, next) in next.iter_mut().enumerate() {
            counter.add(csr.out_neighbors(v), &labels);
            if csr.is_directed() {
                counter.add(csr.in_neighbors(v), &labels);
            }
            *next = counter.take_most_frequent().unwrap_or(labels[v]);
        }
        std::mem::swap(&mut labels, &mut next);
    }
    labels
        .into_iter()
        .map(|label| csr.id(label as usize))
        .collect()
}

/// Counts labels in a flat array, remembering which it touched so resetting is cheap.
struct LabelCounter {
    counts: Vec<u32>,
    seen: Vec<u32>,
}

impl LabelCounter {
    fn new(labels: usize) -> Self {
        LabelCounter {
            counts: vec![0; labels],
            seen: Vec::new(),
        }
    }

    /// Counts the labels of `neighbors`.
    fn add(&mut self, neighbors: &[u32], labels: &[u32]) {
        for &u in neighbors {
            let label = labels[u as usize];
            let count = &mut self.counts[label as usize];
            if *count == 0 {
                self.seen.push(label);
            }
            *count += 1;
        }
    }

    /// The most frequent label counted (the smallest among equals), if any; resets the counts.
    fn take_most_frequent(&mut self) -> Option<u32> {
        let mut best: Option<(u32, u32)> = None;
        for label in self.seen.drain(..) {
            let count = std::mem::take(&mut self.counts[label as usize]);
            let better = match best {
                None => true,
                Some((best_count, best_label)) => {
                    count > best_count || (count == best_count && label < best_label)
                }
            };
            if better {
                best = Some((count, label));
            }
        }
        best.map(|(_, label)| label)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::Graph;

    #[test]
    fn most_frequent_label_wins_ties_go_to_the_smallest() {
        // 1 hears 2 and 3 once each (tie: 2); 2 hears 4 twice (both ways) and 1 once;
        // 5 has no neighbours.
        let edges = vec![
            (1, 2, 1.0),
            (3, 1, 1.0),
            (4, 2, 1.0),
            (2, 4, 1.0),
            (3, 4, 1.0),
        ];
        let graph = Graph::new(vec![1, 2, 3, 4, 5], edges, true).unwrap();
        assert_eq!(cdlp(&Csr::new(&graph), 1), [2, 4, 1, 2, 5]);
    }
}
