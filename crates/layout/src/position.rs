//! Horizontal coordinates: Brandes and Köpf, "Fast and Simple Horizontal
//! Coordinate Assignment" (Graph Drawing 2001), with weighted medians, node
//! extents and a longest-path compaction of the blocks, refined by network
//! simplex on the auxiliary graph of Gansner et al. (1993).

use crate::input::Opts;
use crate::layered::LGraph;

/// The x of every layered node's anchor (where its edges pass).
pub(crate) fn x_coordinates(g: &LGraph, layers: &[Vec<usize>], opts: &Opts) -> Vec<f64> {
    let n = g.len();
    if n == 0 {
        return Vec::new();
    }
    let mut pos = vec![0usize; n];
    for layer in layers {
        for (i, &v) in layer.iter().enumerate() {
            pos[v] = i;
        }
    }
    let marked = type1_conflicts(g, layers, &pos);
    // Half of the gap each node wants beside it.
    let half_gap: Vec<f64> = (0..n)
        .map(|v| if g.kind[v].is_virtual() { opts.edge_sep / 2.0 } else { opts.node_sep / 2.0 })
        .collect();

    let mut results: Vec<Vec<f64>> = Vec::with_capacity(4);
    for down in [true, false] {
        for left in [true, false] {
            let p = Pass { g, layers, pos: &pos, marked: &marked, half_gap: &half_gap, down, left };
            results.push(p.run());
        }
    }

    // Align the four to the narrowest: the left-leaning ones by their left
    // end, the right-leaning ones by their right end.
    let extent = |xs: &[f64]| {
        let lo = (0..n).map(|v| xs[v] - g.left[v]).fold(f64::INFINITY, f64::min);
        let hi = (0..n).map(|v| xs[v] + g.right[v]).fold(f64::NEG_INFINITY, f64::max);
        (lo, hi)
    };
    let ext: Vec<(f64, f64)> = results.iter().map(|xs| extent(xs)).collect();
    let narrowest = (0..4)
        .min_by(|&a, &b| (ext[a].1 - ext[a].0).total_cmp(&(ext[b].1 - ext[b].0)).then(a.cmp(&b)))
        .unwrap_or(0);
    for (k, xs) in results.iter_mut().enumerate() {
        let left_leaning = k % 2 == 0;
        let shift = if left_leaning { ext[narrowest].0 - ext[k].0 } else { ext[narrowest].1 - ext[k].1 };
        for x in xs.iter_mut() {
            *x += shift;
        }
    }
    // The average of the two middle candidates; it keeps every separation,
    // since each candidate layout does.
    (0..n)
        .map(|v| {
            let mut c = [results[0][v], results[1][v], results[2][v], results[3][v]];
            c.sort_by(f64::total_cmp);
            (c[1] + c[2]) / 2.0
        })
        .collect()
}

/// Marks the segments that cross an inner segment (one between two virtual
/// nodes) and are not inner themselves, so that alignment prefers keeping
/// long edges straight.
fn type1_conflicts(g: &LGraph, layers: &[Vec<usize>], pos: &[usize]) -> Vec<bool> {
    let mut marked = vec![false; g.segs.len()];
    for r in 0..layers.len().saturating_sub(1) {
        let (upper, lower) = (&layers[r], &layers[r + 1]);
        if upper.is_empty() || lower.is_empty() {
            continue;
        }
        let mut k0 = 0usize;
        let mut scan = 0usize;
        for (l1, &v) in lower.iter().enumerate() {
            let inner = if g.kind[v].is_virtual() {
                g.up(v).iter().find(|a| g.kind[a.node].is_virtual()).map(|a| pos[a.node])
            } else {
                None
            };
            if l1 + 1 == lower.len() || inner.is_some() {
                let k1 = inner.unwrap_or(upper.len() - 1);
                while scan <= l1 {
                    let w = lower[scan];
                    for a in g.up(w) {
                        let k = pos[a.node];
                        if (k < k0 || k > k1) && !g.is_inner(a.seg) {
                            marked[a.seg] = true;
                        }
                    }
                    scan += 1;
                }
                k0 = k1;
            }
        }
    }
    marked
}

/// One of the four alignments: `down` aligns each node with its upper
/// neighbours, top to bottom (else with its lower ones, bottom to top);
/// `left` works left to right (else right to left).
struct Pass<'a> {
    g: &'a LGraph,
    layers: &'a [Vec<usize>],
    pos: &'a [usize],
    marked: &'a [bool],
    half_gap: &'a [f64],
    down: bool,
    left: bool,
}

impl Pass<'_> {
    /// Position in this pass's horizontal direction.
    fn hpos(&self, v: usize) -> usize {
        if self.left {
            self.pos[v]
        } else {
            self.layers[self.g.rank[v]].len() - 1 - self.pos[v]
        }
    }

    fn run(&self) -> Vec<f64> {
        let g = self.g;
        let n = g.len();
        let mut root: Vec<usize> = (0..n).collect();
        let mut align: Vec<usize> = (0..n).collect();
        let layer_ids: Vec<usize> =
            if self.down { (0..self.layers.len()).collect() } else { (0..self.layers.len()).rev().collect() };
        let mut nb: Vec<(usize, i64, usize, usize)> = Vec::new();
        for &li in layer_ids.iter().skip(1) {
            let layer = &self.layers[li];
            let mut r: Option<usize> = None;
            for k in 0..layer.len() {
                let v = if self.left { layer[k] } else { layer[layer.len() - 1 - k] };
                let adj = if self.down { g.up(v) } else { g.down(v) };
                if adj.is_empty() {
                    continue;
                }
                nb.clear();
                for a in adj {
                    let seg = &g.segs[a.seg];
                    // Long-edge segments pull harder, as in dot.
                    let omega = match (g.kind[seg.upper].is_virtual(), g.kind[seg.lower].is_virtual()) {
                        (false, false) => 1,
                        (true, true) => 8,
                        _ => 2,
                    };
                    nb.push((self.hpos(a.node), seg.weight * omega, a.node, a.seg));
                }
                nb.sort_unstable();
                for m in median_indices(&nb) {
                    if align[v] != v {
                        break;
                    }
                    let (hp, _, u, seg) = nb[m];
                    if !self.marked[seg] && r.is_none_or(|r| r < hp) {
                        align[u] = v;
                        root[v] = root[u];
                        align[v] = root[v];
                        r = Some(hp);
                    }
                }
            }
        }
        self.compact(&root)
    }

    /// Places the blocks as far left (in this pass's direction) as the
    /// separations allow: a longest path over the "is left of" relation
    /// between blocks.
    fn compact(&self, root: &[usize]) -> Vec<f64> {
        let g = self.g;
        let n = g.len();
        let (lext, rext) = if self.left { (&g.left, &g.right) } else { (&g.right, &g.left) };
        // Constraint edges between block roots.
        let mut succ: Vec<Vec<(usize, f64)>> = vec![Vec::new(); n];
        let mut indeg = vec![0usize; n];
        for layer in self.layers {
            for k in 1..layer.len() {
                let (a, b) = if self.left {
                    (layer[k - 1], layer[k])
                } else {
                    (layer[layer.len() - k], layer[layer.len() - 1 - k])
                };
                let sep = rext[a] + self.half_gap[a] + self.half_gap[b] + lext[b];
                succ[root[a]].push((root[b], sep));
                indeg[root[b]] += 1;
            }
        }
        let mut x = vec![0.0f64; n];
        let mut queue: Vec<usize> = (0..n).filter(|&v| root[v] == v && indeg[v] == 0).collect();
        let mut head = 0;
        while head < queue.len() {
            let b = queue[head];
            head += 1;
            for &(c, sep) in &succ[b] {
                x[c] = x[c].max(x[b] + sep);
                indeg[c] -= 1;
                if indeg[c] == 0 {
                    queue.push(c);
                }
            }
        }
        let blocks = (0..n).filter(|&v| root[v] == v).count();
        if queue.len() < blocks {
            // Cannot happen with a proper alignment; fall back to one block
            // per node, which is always acyclic.
            let own: Vec<usize> = (0..n).collect();
            return self.compact(&own);
        }
        (0..n)
            .map(|v| {
                let xv = x[root[v]];
                if self.left {
                    xv
                } else {
                    -xv
                }
            })
            .collect()
    }
}

/// The weighted median neighbour(s): the index where the cumulative weight
/// reaches half of the total, and the next one too when the half falls
/// exactly between them (both in increasing position order).
fn median_indices(nb: &[(usize, i64, usize, usize)]) -> Vec<usize> {
    let total: i64 = nb.iter().map(|x| x.1).sum();
    let mut cum = 0;
    for k in 0..nb.len() {
        cum += nb[k].1;
        if 2 * cum == total && k + 1 < nb.len() {
            return vec![k, k + 1];
        }
        if 2 * cum >= total {
            return vec![k];
        }
    }
    vec![nb.len() - 1]
}

/// The work allowed to the horizontal network simplex, in node and edge
/// visits (about 40 ms natively).
const PIVOT_BUDGET: usize = 10_000_000;

/// Improves `x` with network simplex on the auxiliary graph of Gansner et
/// al. (1993, section 4.2): minimises the sum over segments of
/// `weight × Ω × |x(upper) − x(lower)|` (Ω = 1, 2 or 8 for a segment between
/// two real, one real and two virtual nodes) subject to the separations in
/// every layer. Coordinates are whole units. Starts from `x` made feasible;
/// the number of pivots is bounded so that very large graphs stop early,
/// still feasible.
pub(crate) fn simplex_x(g: &LGraph, layers: &[Vec<usize>], x: &[f64], opts: &Opts) -> Vec<f64> {
    use crate::rank::{network_simplex, NsEdge};
    let n = g.len();
    if n == 0 {
        return Vec::new();
    }
    let half_gap = |v: usize| if g.kind[v].is_virtual() { opts.edge_sep / 2.0 } else { opts.node_sep / 2.0 };
    let mut edges: Vec<NsEdge> = Vec::with_capacity(n + 2 * g.segs.len());
    let mut init: Vec<i64> = vec![0; n + g.segs.len()];
    // Separations between neighbours in a layer; the start is `x` rounded
    // and pushed right where a separation needs it.
    for layer in layers {
        for (k, &b) in layer.iter().enumerate() {
            let xb = x[b].round() as i64;
            if k == 0 {
                init[b] = xb;
                continue;
            }
            let a = layer[k - 1];
            let sep = (g.right[a] + half_gap(a) + half_gap(b) + g.left[b] - 1e-9).ceil().max(0.0) as i64;
            init[b] = xb.max(init[a] + sep);
            edges.push(NsEdge { tail: a, head: b, min_len: sep, weight: 0 });
        }
    }
    // One auxiliary node per segment, below both its ends: minimising its
    // pull on them minimises the segment's horizontal length.
    for (i, s) in g.segs.iter().enumerate() {
        let omega = match (g.kind[s.upper].is_virtual(), g.kind[s.lower].is_virtual()) {
            (false, false) => 1,
            (true, true) => 8,
            _ => 2,
        };
        let aux = n + i;
        init[aux] = init[s.upper].min(init[s.lower]);
        for end in [s.upper, s.lower] {
            edges.push(NsEdge { tail: aux, head: end, min_len: 0, weight: s.weight * omega });
        }
    }
    // Each pivot costs up to O(nodes + edges) of the auxiliary graph.
    let work = n + g.segs.len() + edges.len();
    let max_iter = (PIVOT_BUDGET / work.max(1)).clamp(200, 100_000);
    let r = network_simplex(n + g.segs.len(), &edges, Some(init), max_iter);
    r[..n].iter().map(|&v| v as f64).collect()
}
