//! Ordering the nodes within each layer to reduce edge crossings: weighted
//! median sweeps with adjacent transpositions (Gansner et al. 1993, section
//! 3; Eades and Wormald's median heuristic), crossings counted with the
//! Barth–Jünger–Mutzel accumulator tree.

use crate::layered::LGraph;

/// Orders every layer; returns the layers, left to right.
pub(crate) fn order(g: &LGraph, max_iter: usize) -> Vec<Vec<usize>> {
    let layers_n = g.layer_count;
    if g.len() == 0 {
        return vec![Vec::new(); layers_n];
    }
    let mut s = State::new(g);
    let mut best: Option<(usize, Vec<Vec<usize>>)> = None;
    // Three tries: depth-first from the top with weighted medians (heavy
    // edges pull harder, plain medians breaking ties), then with plain
    // medians (weighted ones breaking ties), which often untangle better,
    // from the top and from the bottom. Ties keep the earlier try.
    for (down_first, weighted) in [(true, true), (true, false), (false, false)] {
        let init = initial_order(g, down_first);
        s.set(&init);
        s.weighted = weighted;
        let (c, layers) = s.run(max_iter);
        if best.as_ref().is_none_or(|(bc, _)| c < *bc) {
            best = Some((c, layers));
        }
        if best.as_ref().is_some_and(|(bc, _)| *bc == 0) {
            break;
        }
    }
    best.map(|(_, l)| l).unwrap_or_default()
}

/// Depth-first order: from the top (or the bottom) layer's nodes, following
/// segments downward (upward), each node appended to its layer when first
/// reached. Trees come out without crossings.
fn initial_order(g: &LGraph, downward: bool) -> Vec<Vec<usize>> {
    let mut layers: Vec<Vec<usize>> = vec![Vec::new(); g.layer_count];
    let mut starts: Vec<usize> = (0..g.len()).collect();
    if downward {
        starts.sort_by_key(|&v| (g.rank[v], v));
    } else {
        starts.sort_by_key(|&v| (std::cmp::Reverse(g.rank[v]), v));
    }
    let mut seen = vec![false; g.len()];
    let mut stack: Vec<usize> = Vec::new();
    for &s in &starts {
        if seen[s] {
            continue;
        }
        seen[s] = true;
        stack.push(s);
        while let Some(v) = stack.pop() {
            layers[g.rank[v]].push(v);
            let next = if downward { g.down(v) } else { g.up(v) };
            // Reverse so the first neighbour is visited first.
            for a in next.iter().rev() {
                if !seen[a.node] {
                    seen[a.node] = true;
                    stack.push(a.node);
                }
            }
        }
    }
    layers
}

struct State<'a> {
    g: &'a LGraph,
    layers: Vec<Vec<usize>>,
    pos: Vec<usize>,
    /// Segments from layer r to layer r + 1, per r.
    layer_segs: Vec<Vec<usize>>,
    /// Whether medians weigh neighbours by edge weight.
    weighted: bool,
    // Scratch space.
    scratch: Vec<(usize, usize)>,
    tree: Vec<usize>,
}

impl<'a> State<'a> {
    fn new(g: &'a LGraph) -> Self {
        let mut layer_segs = vec![Vec::new(); g.layer_count];
        for (i, s) in g.segs.iter().enumerate() {
            layer_segs[g.rank[s.upper]].push(i);
        }
        State {
            g,
            layers: Vec::new(),
            pos: vec![0; g.len()],
            layer_segs,
            weighted: true,
            scratch: Vec::new(),
            tree: Vec::new(),
        }
    }

    fn set(&mut self, layers: &[Vec<usize>]) {
        self.layers = layers.to_vec();
        for layer in &self.layers {
            for (i, &v) in layer.iter().enumerate() {
                self.pos[v] = i;
            }
        }
    }

    /// Sweeps from the current order; returns the fewest crossings seen and
    /// that ordering.
    fn run(&mut self, max_iter: usize) -> (usize, Vec<Vec<usize>>) {
        self.transpose(false);
        let mut best_c = self.crossings();
        let mut best = self.layers.clone();
        let mut stall = 0;
        for it in 0..max_iter {
            if best_c == 0 {
                break;
            }
            // Ties broken the other way every other pair of sweeps, so that
            // nodes with equal medians get a chance to trade places.
            let reverse = it % 4 >= 2;
            self.median_sweep(it % 2 == 0, reverse);
            self.transpose(reverse);
            let c = self.crossings();
            if c <= best_c {
                if c < best_c {
                    stall = 0;
                } else {
                    stall += 1;
                }
                best_c = c;
                best.clone_from(&self.layers);
            } else {
                stall += 1;
            }
            if stall >= 8 {
                break;
            }
        }
        self.set(&best);
        self.transpose(false);
        let c = self.crossings();
        if c <= best_c {
            (c, self.layers.clone())
        } else {
            (best_c, best)
        }
    }

    /// Sorts every layer (top to bottom when `down`, using the layer above;
    /// else bottom to top, using the layer below) by the weighted median
    /// position of its neighbours. Nodes without neighbours there keep their
    /// place.
    fn median_sweep(&mut self, down: bool, reverse: bool) {
        let n_layers = self.layers.len();
        if n_layers < 2 {
            return;
        }
        let ranks: Vec<usize> =
            if down { (1..n_layers).collect() } else { (0..n_layers - 1).rev().collect() };
        let mut nb: Vec<(usize, i64)> = Vec::new();
        for r in ranks {
            let layer = std::mem::take(&mut self.layers[r]);
            let mut movable: Vec<(f64, f64, usize, usize)> = Vec::with_capacity(layer.len());
            let mut fixed = vec![false; layer.len()];
            for (i, &v) in layer.iter().enumerate() {
                let adj = if down { self.g.up(v) } else { self.g.down(v) };
                nb.clear();
                nb.extend(adj.iter().map(|a| (self.pos[a.node], self.g.segs[a.seg].weight)));
                let Some(mw) = weighted_median(&mut nb) else {
                    fixed[i] = true;
                    continue;
                };
                nb.iter_mut().for_each(|x| x.1 = 1);
                let mu = weighted_median(&mut nb).unwrap_or(mw);
                if self.weighted {
                    movable.push((mw, mu, i, v));
                } else {
                    movable.push((mu, mw, i, v));
                }
            }
            movable.sort_by(|a, b| {
                a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)).then(if reverse {
                    b.2.cmp(&a.2)
                } else {
                    a.2.cmp(&b.2)
                })
            });
            let mut next = movable.into_iter();
            let mut new_layer = Vec::with_capacity(layer.len());
            for (i, &v) in layer.iter().enumerate() {
                if fixed[i] {
                    new_layer.push(v);
                } else if let Some((_, _, _, w)) = next.next() {
                    new_layer.push(w);
                }
            }
            for (i, &v) in new_layer.iter().enumerate() {
                self.pos[v] = i;
            }
            self.layers[r] = new_layer;
        }
    }

    /// Crossings between the segments of `v` and those of `w` towards one
    /// adjacent layer, with `v` left of `w`, and with `w` left of `v`.
    fn pair_crossings(&self, v: usize, w: usize, upward: bool) -> (usize, usize) {
        let (av, aw) = if upward { (self.g.up(v), self.g.up(w)) } else { (self.g.down(v), self.g.down(w)) };
        let (mut vw, mut wv) = (0, 0);
        for a in av {
            let pa = self.pos[a.node];
            for b in aw {
                let pb = self.pos[b.node];
                if pa > pb {
                    vw += 1;
                } else if pa < pb {
                    wv += 1;
                }
            }
        }
        (vw, wv)
    }

    /// Swaps neighbours in a layer while that lowers the crossings (with
    /// `reverse`, also when it leaves them equal). At most 32 passes.
    fn transpose(&mut self, reverse: bool) {
        for _pass in 0..32 {
            let mut improved = false;
            for r in 0..self.layers.len() {
                let len = self.layers[r].len();
                for i in 0..len.saturating_sub(1) {
                    let v = self.layers[r][i];
                    let w = self.layers[r][i + 1];
                    let (u0, u1) = self.pair_crossings(v, w, true);
                    let (d0, d1) = self.pair_crossings(v, w, false);
                    let (c0, c1) = (u0 + d0, u1 + d1);
                    if c1 < c0 || (reverse && c1 == c0 && c0 > 0) {
                        self.layers[r].swap(i, i + 1);
                        self.pos[v] = i + 1;
                        self.pos[w] = i;
                        if c1 < c0 {
                            improved = true;
                        }
                    }
                }
            }
            if !improved {
                break;
            }
        }
    }

    /// Total crossings between all pairs of adjacent layers.
    fn crossings(&mut self) -> usize {
        let mut total = 0;
        for r in 0..self.layers.len().saturating_sub(1) {
            let lower_len = self.layers[r + 1].len();
            self.scratch.clear();
            for &s in &self.layer_segs[r] {
                let seg = self.g.segs[s];
                self.scratch.push((self.pos[seg.upper], self.pos[seg.lower]));
            }
            self.scratch.sort_unstable();
            total += count_inversions(&self.scratch, lower_len, &mut self.tree);
        }
        total
    }
}

/// Counts pairs i < j with `pairs[i].1 > pairs[j].1` (pairs sorted by
/// upper then lower position): the crossings between two layers, with an
/// accumulator tree over the lower positions (Barth, Jünger, Mutzel 2002).
pub(crate) fn count_inversions(pairs: &[(usize, usize)], lower_len: usize, tree: &mut Vec<usize>) -> usize {
    let mut first = 1;
    while first < lower_len.max(1) {
        first *= 2;
    }
    tree.clear();
    tree.resize(2 * first, 0);
    let first = first - 1;
    let mut crossings = 0;
    for &(_, p) in pairs {
        let mut index = p + first;
        tree[index] += 1;
        while index > 0 {
            if index % 2 == 1 {
                crossings += tree[index + 1];
            }
            index = (index - 1) / 2;
            tree[index] += 1;
        }
    }
    crossings
}

/// The weighted median of neighbour positions: the position where the
/// cumulative weight reaches half the total, or the middle of two positions
/// when the half falls exactly between them. `None` without neighbours.
fn weighted_median(nb: &mut [(usize, i64)]) -> Option<f64> {
    if nb.is_empty() {
        return None;
    }
    nb.sort_unstable();
    let total: i64 = nb.iter().map(|x| x.1).sum();
    // Compare 2 * cumulative with total to stay in integers.
    let mut cum = 0;
    for (k, &(p, w)) in nb.iter().enumerate() {
        cum += w;
        if 2 * cum == total && k + 1 < nb.len() {
            return Some((p as f64 + nb[k + 1].0 as f64) / 2.0);
        }
        if 2 * cum >= total {
            return Some(p as f64);
        }
    }
    nb.last().map(|x| x.0 as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn brute(pairs: &[(usize, usize)]) -> usize {
        let mut c = 0;
        for i in 0..pairs.len() {
            for j in i + 1..pairs.len() {
                let (a, b) = (pairs[i], pairs[j]);
                if (a.0 < b.0 && a.1 > b.1) || (a.0 > b.0 && a.1 < b.1) {
                    c += 1;
                }
            }
        }
        c
    }

    #[test]
    fn accumulator_matches_brute_force() {
        let mut tree = Vec::new();
        let mut seed = 12345u64;
        for _ in 0..200 {
            let mut pairs = Vec::new();
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
            let m = (seed >> 33) as usize % 20;
            for _ in 0..m {
                seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
                let a = (seed >> 33) as usize % 6;
                seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
                let b = (seed >> 33) as usize % 7;
                pairs.push((a, b));
            }
            pairs.sort_unstable();
            assert_eq!(count_inversions(&pairs, 7, &mut tree), brute(&pairs));
        }
    }

    #[test]
    fn medians() {
        assert_eq!(weighted_median(&mut []), None);
        assert_eq!(weighted_median(&mut [(3, 1)]), Some(3.0));
        assert_eq!(weighted_median(&mut [(1, 1), (3, 1)]), Some(2.0));
        assert_eq!(weighted_median(&mut [(1, 1), (3, 1), (5, 1)]), Some(3.0));
        assert_eq!(weighted_median(&mut [(1, 10), (3, 1), (5, 1)]), Some(1.0));
        assert_eq!(weighted_median(&mut [(4, 1), (0, 1), (2, 1), (6, 1)]), Some(3.0));
    }
}
