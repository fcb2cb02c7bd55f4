//! [`rmat`]: deterministic R-MAT graphs with Graph500's parameters.

use super::Graph;
use crate::source::Rng;

/// R-MAT's quadrant probabilities (Graph500): top-left, top-right, bottom-left; bottom-right
/// gets the remaining 0.05.
const A: f64 = 0.57;
const B: f64 = 0.19;
const C: f64 = 0.19;

/// A directed R-MAT graph on vertex ids `0..2^scale`, the same for the same arguments on every
/// machine.
///
/// Draws `edge_factor * 2^scale` edges, each by descending `scale` times into one quadrant of the
/// adjacency matrix with Graph500's probabilities a = 0.57, b = 0.19, c = 0.19, d = 0.05; then
/// drops self-loops and repeated edges. The vertices are the ids that occur in some edge, and
/// edges come sorted by (source, target). Each edge's weight is uniform in (0, 1], as in
/// Graph500's SSSP kernel. Ids are not scrambled, so vertex 0 has the most edges.
///
/// With edge factor 16 and seed 1, scale 10 gives 891 vertices and 12,118 edges, and scale 18
/// gives 173,856 vertices and 3,939,818 edges (other seeds differ by well under 1%).
///
/// Panics if `scale` is more than 32.
pub fn rmat(scale: u32, edge_factor: u32, seed: u64) -> Graph {
    assert!(scale <= 32, "rmat: scale {scale} is more than 32");
    let draws = u64::from(edge_factor) << scale;
    let mut rng = Rng::new(seed);
    // Each edge as one key, `source << scale | target`, so sorting orders by (source, target).
    let mut keys: Vec<u64> = Vec::with_capacity(draws as usize);
    for _ in 0..draws {
        let (mut source, mut target) = (0u64, 0u64);
        for _ in 0..scale {
            // Branch-free: the quadrant is too random to predict.
            let u = rng.f64();
            let source_bit = u64::from(u >= A + B);
            let target_bit = u64::from((A..A + B).contains(&u) | (u >= A + B + C));
            source = source << 1 | source_bit;
            target = target << 1 | target_bit;
        }
        if source != target {
            keys.push(source << scale | target);
        }
    }
    keys.sort_unstable();
    keys.dedup();

    let target_mask = (1u64 << scale) - 1;
    let mut occurs = vec![false; 1 << scale];
    let edges: Vec<(u64, u64, f64)> = keys
        .iter()
        .map(|&key| {
            let (source, target) = (key >> scale, key & target_mask);
            occurs[source as usize] = true;
            occurs[target as usize] = true;
            let weight = 1.0 - Rng::for_record(seed, key).f64();
            (source, target, weight)
        })
        .collect();
    let vertices = (0..1u64 << scale)
        .filter(|&id| occurs[id as usize])
        .collect();
    Graph::from_checked_parts(vertices, edges, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_graph_other_seed_other_graph() {
        let graph = rmat(8, 16, 7);
        assert_eq!(graph, rmat(8, 16, 7));
        assert_ne!(graph.edges(), rmat(8, 16, 8).edges());
        assert!(graph.is_directed());
    }

    #[test]
    fn sizes_and_shape_are_r_mat_like() {
        let graph = rmat(10, 16, 1);
        let (vertices, edges) = (graph.vertices().len(), graph.edges().len());
        assert!((850..950).contains(&vertices), "{vertices} vertices");
        assert!((11_500..12_500).contains(&edges), "{edges} edges");
        assert!(graph.vertices().iter().all(|&id| id < 1 << 10));
        assert!(
            graph
                .edges()
                .windows(2)
                .all(|pair| pair[0].0 < pair[1].0
                    || (pair[0].0 == pair[1].0 && pair[0].1 < pair[1].1))
        );
        assert!(graph
            .edges()
            .iter()
            .all(|&(source, target, weight)| source != target && weight > 0.0 && weight <= 1.0));
        // Skewed: vertex 0 has far more than the average out-degree of about 16.
        let hub = graph.edges().iter().filter(|edge| edge.0 == 0).count();
        assert!(hub > 200, "vertex 0 has {hub} out-edges");
    }
}
