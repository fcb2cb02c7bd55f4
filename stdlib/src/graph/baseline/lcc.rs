//! Local clustering coefficient.

use crate::graph::csr::offsets;
use crate::graph::Csr;

/// Every vertex's local clustering coefficient: with `N(v)` its in- and out-neighbours other than
/// itself, each once, the number of ordered pairs `(u, w)` of `N(v)` with an edge `u -> w`,
/// divided by `|N(v)| * (|N(v)| - 1)`; 0 when `|N(v)| <= 1`.
///
/// Finds each triangle of the underlying undirected graph once, ranking vertices by degree, and
/// credits each corner with the number of directions (1 or 2) in which the opposite side is
/// linked.
pub fn lcc(csr: &Csr) -> Vec<f64> {
    let n = csr.vertex_count();
    let ranked = Ranked::new(csr);
    // Per rank: the ordered pairs of neighbours that are linked.
    let mut pairs = vec![0u64; n];
    // The links from the current middle vertex `b` to its higher neighbours, by neighbour.
    let mut link_from_b = vec![0u8; n];
    // Triangle a < b < c (by rank): b's higher neighbours are marked, and each lower neighbour a
    // of b scans its higher neighbours above b for them.
    for b in 0..n {
        let higher_b = ranked.higher_range(b);
        for i in higher_b.clone() {
            link_from_b[ranked.higher[i] as usize] = ranked.links[i];
        }
        for &(a, b_in_a) in ranked.lower(b) {
            let link_ab = ranked.links[b_in_a];
            let above_b = b_in_a + 1..ranked.higher_range(a as usize).end;
            let links_a = &ranked.links[above_b.clone()];
            // Branch-free: whether `c` closes a triangle is too irregular to predict.
            let (mut pairs_a, mut pairs_b) = (0u64, 0u64);
            for (&c, &link_ac) in ranked.higher[above_b].iter().zip(links_a) {
                let link_bc = link_from_b[c as usize];
                let closed = u8::from(link_bc != 0);
                pairs_a += u64::from(link_bc);
                pairs_b += u64::from(closed * link_ac);
                pairs[c as usize] += u64::from(closed * link_ab);
            }
            pairs[a as usize] += pairs_a;
            pairs[b] += pairs_b;
        }
        for i in higher_b {
            link_from_b[ranked.higher[i] as usize] = 0;
        }
    }
    (0..n)
        .map(|v| {
            let rank = ranked.rank[v] as usize;
            match ranked.degree[rank] {
                0 | 1 => 0.0,
                d => pairs[rank] as f64 / (f64::from(d) * f64::from(d - 1)),
            }
        })
        .collect()
}

/// The underlying simple undirected graph with vertices renumbered by rank, ascending
/// (degree, index), and every edge oriented from lower to higher rank. Each edge carries its
/// link: the number of directions (1 or 2) the original graph has it in.
struct Ranked {
    /// Rank by dense index.
    rank: Vec<u32>,
    /// `|N(v)|` by rank.
    degree: Vec<u32>,
    /// Each rank's higher neighbours, ascending, at `higher_offsets[r]..higher_offsets[r + 1]`.
    higher_offsets: Vec<usize>,
    higher: Vec<u32>,
    /// The link of each entry of `higher`.
    links: Vec<u8>,
    /// Each rank's lower neighbours `a`, with where it sits in `a`'s part of `higher`.
    lower_offsets: Vec<usize>,
    lower: Vec<(u32, usize)>,
}

impl Ranked {
    fn new(csr: &Csr) -> Self {
        let n = csr.vertex_count();
        // N(v) of every vertex, at `starts[v]..starts[v + 1]` of `neighborhoods`.
        let mut starts = Vec::with_capacity(n + 1);
        starts.push(0);
        let mut neighborhoods: Vec<(u32, u8)> = Vec::new();
        for v in 0..n {
            push_neighborhood(csr, v, &mut neighborhoods);
            starts.push(neighborhoods.len());
        }
        let size = |v: usize| starts[v + 1] - starts[v];
        let mut order: Vec<u32> = (0..n as u32).collect();
        order.sort_unstable_by_key(|&v| (size(v as usize), v));
        let mut rank = vec![0u32; n];
        for (r, &v) in order.iter().enumerate() {
            rank[v as usize] = r as u32;
        }

        let mut higher_offsets = Vec::with_capacity(n + 1);
        higher_offsets.push(0);
        let mut higher_links: Vec<(u32, u8)> = Vec::new();
        for (r, &v) in order.iter().enumerate() {
            let start = higher_links.len();
            higher_links.extend(
                neighborhoods[starts[v as usize]..starts[v as usize + 1]]
                    .iter()
                    .map(|&(u, link)| (rank[u as usize], link))
                    .filter(|&(u, _)| u as usize > r),
            );
            higher_links[start..].sort_unstable();
            higher_offsets.push(higher_links.len());
        }
        let degree = order.iter().map(|&v| size(v as usize) as u32).collect();
        let (higher, links): (Vec<u32>, Vec<u8>) = higher_links.into_iter().unzip();

        let lower_offsets = offsets(n, higher.iter().copied());
        let mut next = lower_offsets.clone();
        let mut lower = vec![(0, 0); higher.len()];
        for a in 0..n {
            for i in higher_offsets[a]..higher_offsets[a + 1] {
                let slot = &mut next[higher[i] as usize];
                lower[*slot] = (a as u32, i);
                *slot += 1;
            }
        }
        Ranked {
            rank,
            degree,
            higher_offsets,
            higher,
            links,
            lower_offsets,
            lower,
        }
    }

    /// Where rank `r`'s higher neighbours sit in `higher` and `links`.
    fn higher_range(&self, r: usize) -> std::ops::Range<usize> {
        self.higher_offsets[r]..self.higher_offsets[r + 1]
    }

    /// Rank `r`'s lower neighbours.
    fn lower(&self, r: usize) -> &[(u32, usize)] {
        &self.lower[self.lower_offsets[r]..self.lower_offsets[r + 1]]
    }
}

/// Appends `N(v)`: the union of `v`'s sorted out- and in-lists without `v`, each neighbour once
/// with the number of directions (1 or 2) in which it is linked to `v`.
fn push_neighborhood(csr: &Csr, v: usize, neighborhoods: &mut Vec<(u32, u8)>) {
    const OUT: u8 = 1;
    const IN: u8 = 2;
    let start = neighborhoods.len();
    let (out, incoming) = (csr.out_neighbors(v), csr.in_neighbors(v));
    let (mut i, mut j) = (0, 0);
    while i < out.len() || j < incoming.len() {
        let (u, direction) = if j == incoming.len() || (i < out.len() && out[i] < incoming[j]) {
            i += 1;
            (out[i - 1], OUT)
        } else if i == out.len() || incoming[j] < out[i] {
            j += 1;
            (incoming[j - 1], IN)
        } else {
            i += 1;
            j += 1;
            (out[i - 1], OUT | IN)
        };
        match neighborhoods[start..].last_mut() {
            _ if u as usize == v => {}
            Some((last, directions)) if *last == u => *directions |= direction,
            _ => neighborhoods.push((u, direction)),
        }
    }
    for (_, directions) in &mut neighborhoods[start..] {
        *directions = directions.count_ones() as u8;
    }
}
