//! Layer assignment by network simplex (Gansner, Koutsofios, North, Vo,
//! "A technique for drawing directed graphs", IEEE TSE 1993, section 2).

/// An edge of the ranking problem: `rank(head) - rank(tail) >= min_len`, and
/// the objective is the sum of `weight * (rank(head) - rank(tail))`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct NsEdge {
    pub tail: usize,
    pub head: usize,
    pub min_len: i64,
    pub weight: i64,
}

/// Ranks the nodes of a connected acyclic graph: network simplex, then
/// nodes with equal in- and out-weight move to the least crowded layer they
/// may take. The lowest rank is 0.
pub(crate) fn rank(n: usize, edges: &[NsEdge]) -> Vec<i64> {
    let mut r = network_simplex(n, edges, None, 1_000 + 4 * (n + edges.len()));
    balance(n, edges, &mut r);
    normalize(&mut r);
    r
}

fn normalize(r: &mut [i64]) {
    if let Some(&m) = r.iter().min() {
        for x in r {
            *x -= m;
        }
    }
}

/// Minimises `sum(weight * length)` subject to the `min_len` constraints.
///
/// The graph must be acyclic; it need not be connected (each connected part
/// gets its own spanning tree). Starts from `init` when given (it must
/// satisfy every constraint), else from a longest-path ranking. Stops after
/// `max_iter` pivots with a feasible, possibly suboptimal, ranking.
pub(crate) fn network_simplex(
    n: usize,
    edges: &[NsEdge],
    init: Option<Vec<i64>>,
    max_iter: usize,
) -> Vec<i64> {
    if n == 0 {
        return Vec::new();
    }
    let mut ns = Simplex::new(n, edges);
    match init {
        Some(r) if r.len() == n => ns.rank = r,
        _ => ns.init_rank(),
    }
    ns.feasible_tree();
    ns.build_tree();
    let mut iter = 0;
    while iter < max_iter {
        let Some(leave) = ns.leave_edge() else { break };
        let Some(enter) = ns.enter_edge(leave) else { break };
        ns.exchange(leave, enter);
        iter += 1;
    }
    let mut r = ns.rank;
    normalize(&mut r);
    r
}

/// How many tree edges with a negative cut value the search for a leaving
/// edge looks at before taking the most negative (dot uses 30 too).
const SEARCH_SIZE: usize = 30;

struct Simplex<'a> {
    n: usize,
    edges: &'a [NsEdge],
    /// Edge ids incident to each node (both directions).
    inc: Vec<Vec<usize>>,
    rank: Vec<i64>,
    in_tree: Vec<bool>,
    tree_edge: Vec<bool>,
    /// Tree edges incident to each node.
    tree_adj: Vec<Vec<usize>>,
    /// The tree edge to the parent, `NONE` at a root.
    parent_edge: Vec<usize>,
    /// Postorder number, and the least postorder number in the subtree.
    lim: Vec<usize>,
    low: Vec<usize>,
    /// The node with each postorder number.
    by_lim: Vec<usize>,
    /// Net out-weight (out minus in) of every node's subtree.
    sub: Vec<i64>,
    /// Cut value of every tree edge.
    cut: Vec<i64>,
    /// Net out-weight of every node.
    net: Vec<i64>,
    /// Where the search for a leaving edge resumes.
    search_from: usize,
    stack: Vec<(usize, usize)>,
    /// Nodes whose subtree changes in the current exchange have `stamp`.
    dirty: Vec<u32>,
    stamp: u32,
}

const NONE: usize = usize::MAX;

impl<'a> Simplex<'a> {
    fn new(n: usize, edges: &'a [NsEdge]) -> Self {
        let mut inc = vec![Vec::new(); n];
        let mut net = vec![0i64; n];
        for (i, e) in edges.iter().enumerate() {
            inc[e.tail].push(i);
            inc[e.head].push(i);
            net[e.tail] += e.weight;
            net[e.head] -= e.weight;
        }
        Simplex {
            n,
            edges,
            inc,
            rank: vec![0; n],
            in_tree: vec![false; n],
            tree_edge: vec![false; edges.len()],
            tree_adj: vec![Vec::new(); n],
            parent_edge: vec![NONE; n],
            lim: vec![0; n],
            low: vec![0; n],
            by_lim: vec![0; n],
            sub: vec![0; n],
            cut: vec![0; edges.len()],
            net,
            search_from: 0,
            stack: Vec::new(),
            dirty: vec![0; n],
            stamp: 0,
        }
    }

    fn slack(&self, e: usize) -> i64 {
        let e = &self.edges[e];
        self.rank[e.head] - self.rank[e.tail] - e.min_len
    }

    fn other(&self, ei: usize, v: usize) -> usize {
        let e = &self.edges[ei];
        if e.tail == v {
            e.head
        } else {
            e.tail
        }
    }

    /// Longest-path initial ranking in topological order.
    fn init_rank(&mut self) {
        let mut indeg = vec![0usize; self.n];
        for e in self.edges {
            indeg[e.head] += 1;
        }
        let mut queue: Vec<usize> = (0..self.n).filter(|&v| indeg[v] == 0).collect();
        let mut head = 0;
        while head < queue.len() {
            let v = queue[head];
            head += 1;
            for &ei in &self.inc[v] {
                let e = self.edges[ei];
                if e.tail != v {
                    continue;
                }
                self.rank[e.head] = self.rank[e.head].max(self.rank[v] + e.min_len);
                indeg[e.head] -= 1;
                if indeg[e.head] == 0 {
                    queue.push(e.head);
                }
            }
        }
    }

    /// Grows a spanning tree of tight edges, shifting the tree's ranks to make
    /// the least slack edge leaving it tight whenever it gets stuck. Each
    /// connected part of the graph gets its own tree.
    fn feasible_tree(&mut self) {
        let mut stack: Vec<usize> = Vec::new();
        let mut members: Vec<usize> = Vec::new();
        // Edges seen with exactly one end in the tree (some may be stale).
        let mut boundary: Vec<usize> = Vec::new();
        for start in 0..self.n {
            if self.in_tree[start] {
                continue;
            }
            self.in_tree[start] = true;
            members.clear();
            members.push(start);
            boundary.clear();
            stack.clear();
            stack.push(start);
            loop {
                // Grow through tight edges from the nodes added last.
                while let Some(v) = stack.pop() {
                    for k in 0..self.inc[v].len() {
                        let ei = self.inc[v][k];
                        let w = self.other(ei, v);
                        if self.in_tree[w] {
                            continue;
                        }
                        if self.slack(ei) == 0 {
                            self.join(ei, w);
                            members.push(w);
                            stack.push(w);
                        } else {
                            boundary.push(ei);
                        }
                    }
                }
                // The boundary edge of least slack.
                let in_tree = &self.in_tree;
                let edges = self.edges;
                boundary.retain(|&ei| in_tree[edges[ei].tail] != in_tree[edges[ei].head]);
                let mut best: Option<(i64, usize)> = None;
                for &ei in &boundary {
                    let s = self.slack(ei);
                    if best.is_none_or(|(bs, be)| s < bs || (s == bs && ei < be)) {
                        best = Some((s, ei));
                    }
                }
                let Some((s, ei)) = best else { break };
                let delta = if self.in_tree[self.edges[ei].tail] { s } else { -s };
                for &v in &members {
                    self.rank[v] += delta;
                }
                // Every boundary edge that is now tight joins.
                for &ei in &boundary {
                    let e = self.edges[ei];
                    if self.in_tree[e.tail] == self.in_tree[e.head] || self.slack(ei) != 0 {
                        continue;
                    }
                    let w = if self.in_tree[e.tail] { e.head } else { e.tail };
                    self.join(ei, w);
                    members.push(w);
                    stack.push(w);
                }
            }
        }
    }

    /// Adds node `w` to the tree through edge `ei`.
    fn join(&mut self, ei: usize, w: usize) {
        let v = self.other(ei, w);
        self.in_tree[w] = true;
        self.tree_edge[ei] = true;
        self.tree_adj[v].push(ei);
        self.tree_adj[w].push(ei);
    }

    /// Numbers, subtree sums and cut values of the whole forest.
    fn build_tree(&mut self) {
        let mut counter = 0;
        self.parent_edge.iter_mut().for_each(|p| *p = NONE);
        let mut numbered = vec![false; self.n];
        for root in 0..self.n {
            if numbered[root] {
                continue;
            }
            let next = self.renumber(root, counter);
            for l in counter..next {
                numbered[self.by_lim[l]] = true;
            }
            counter = next;
        }
    }

    /// Postorder-numbers the subtree of `top` from `first` on (parents,
    /// `low`, `lim`, subtree sums and the cut values of its tree edges),
    /// keeping `top`'s parent edge. A child subtree that is not marked dirty,
    /// hangs from the same edge as before and would get the same numbers is
    /// skipped. Returns the next free number.
    fn renumber(&mut self, top: usize, first: usize) -> usize {
        let mut counter = first;
        let mut stack = std::mem::take(&mut self.stack);
        stack.clear();
        self.low[top] = counter;
        self.sub[top] = self.net[top];
        stack.push((top, 0));
        while let Some(&mut (v, ref mut k)) = stack.last_mut() {
            if *k < self.tree_adj[v].len() {
                let ei = self.tree_adj[v][*k];
                *k += 1;
                if ei == self.parent_edge[v] {
                    continue;
                }
                let w = self.other(ei, v);
                if self.parent_edge[w] == ei && self.dirty[w] != self.stamp && self.low[w] == counter {
                    // Unchanged subtree, unchanged numbers.
                    counter = self.lim[w] + 1;
                    self.sub[v] += self.sub[w];
                    continue;
                }
                self.parent_edge[w] = ei;
                self.low[w] = counter;
                self.sub[w] = self.net[w];
                stack.push((w, 0));
            } else {
                self.lim[v] = counter;
                self.by_lim[counter] = v;
                counter += 1;
                stack.pop();
                let pe = self.parent_edge[v];
                if v != top && pe != NONE {
                    // The cut value of the edge above v: the weight leaving
                    // v's subtree minus the weight entering it (internal
                    // edges cancel in the sum of net weights), signed by the
                    // edge's direction.
                    let p = self.other(pe, v);
                    self.cut[pe] = if self.edges[pe].tail == v { self.sub[v] } else { -self.sub[v] };
                    self.sub[p] += self.sub[v];
                }
            }
        }
        self.stack = stack;
        counter
    }

    /// The child end of a tree edge.
    fn child_of(&self, ei: usize) -> usize {
        let e = self.edges[ei];
        if self.parent_edge[e.tail] == ei {
            e.tail
        } else {
            e.head
        }
    }

    fn in_subtree(&self, root: usize, v: usize) -> bool {
        self.low[root] <= self.lim[v] && self.lim[v] <= self.lim[root]
    }

    /// A tree edge with a negative cut value: the most negative of the first
    /// `SEARCH_SIZE` found, searching cyclically.
    fn leave_edge(&mut self) -> Option<usize> {
        let m = self.edges.len();
        let mut best: Option<usize> = None;
        let mut found = 0;
        for k in 0..m {
            let ei = (self.search_from + k) % m;
            if self.tree_edge[ei] && self.cut[ei] < 0 {
                if best.is_none_or(|b| self.cut[ei] < self.cut[b]) {
                    best = Some(ei);
                }
                found += 1;
                if found >= SEARCH_SIZE {
                    self.search_from = (ei + 1) % m;
                    return best;
                }
            }
        }
        best
    }

    /// The non-tree edge of least slack from the head component of `leave`
    /// to its tail component. Searches from the smaller side.
    fn enter_edge(&self, leave: usize) -> Option<usize> {
        let c = self.child_of(leave);
        // If c is the tail of `leave`, c's subtree is the tail component.
        let sub_is_tail = self.edges[leave].tail == c;
        let (lo, hi) = (self.low[c], self.lim[c]);
        let inside = hi + 1 - lo;
        let mut best: Option<(i64, usize)> = None;
        let mut consider = |ei: usize| {
            if self.tree_edge[ei] {
                return;
            }
            let e = self.edges[ei];
            let tail_in = self.in_subtree(c, e.tail);
            let head_in = self.in_subtree(c, e.head);
            // Wanted: tail in the head component, head in the tail component.
            let ok = if sub_is_tail { head_in && !tail_in } else { tail_in && !head_in };
            if ok {
                let s = self.slack(ei);
                if best.is_none_or(|(bs, be)| s < bs || (s == bs && ei < be)) {
                    best = Some((s, ei));
                }
            }
        };
        if 2 * inside <= self.n {
            for l in lo..=hi {
                for &ei in &self.inc[self.by_lim[l]] {
                    consider(ei);
                }
            }
        } else {
            for l in (0..lo).chain(hi + 1..self.n) {
                for &ei in &self.inc[self.by_lim[l]] {
                    consider(ei);
                }
            }
        }
        best.map(|(_, ei)| ei)
    }

    fn exchange(&mut self, leave: usize, enter: usize) {
        let c = self.child_of(leave);
        let p = self.other(leave, c);
        let e = self.edges[enter];
        // Shift c's subtree so that `enter` becomes tight.
        let s = self.slack(enter);
        let (x, y, delta) =
            if self.in_subtree(c, e.head) { (e.head, e.tail, -s) } else { (e.tail, e.head, s) };
        for l in self.low[c]..=self.lim[c] {
            let v = self.by_lim[l];
            self.rank[v] += delta;
        }
        // Only the subtree of the lowest common ancestor of p and y changes.
        // Within it, the nodes on the paths from p and from y up to it, and
        // from x up to c (the subtree re-hangs from x), get new subtrees.
        self.stamp = self.stamp.wrapping_add(1);
        let mut top = y;
        self.dirty[top] = self.stamp;
        while !self.in_subtree(top, p) {
            let pe = self.parent_edge[top];
            if pe == NONE {
                break;
            }
            top = self.other(pe, top);
            self.dirty[top] = self.stamp;
        }
        let mut v = p;
        while v != top {
            self.dirty[v] = self.stamp;
            let pe = self.parent_edge[v];
            if pe == NONE {
                break;
            }
            v = self.other(pe, v);
        }
        let mut v = x;
        while v != c {
            self.dirty[v] = self.stamp;
            let pe = self.parent_edge[v];
            if pe == NONE {
                break;
            }
            v = self.other(pe, v);
        }
        self.dirty[c] = self.stamp;
        // Swap the edges (keeping the order of the other tree edges).
        self.tree_edge[leave] = false;
        for v in [c, p] {
            if let Some(i) = self.tree_adj[v].iter().position(|&t| t == leave) {
                self.tree_adj[v].remove(i);
            }
        }
        self.tree_edge[enter] = true;
        self.tree_adj[e.tail].push(enter);
        self.tree_adj[e.head].push(enter);
        if self.in_subtree(top, p) {
            let first = self.low[top];
            self.renumber(top, first);
        } else {
            self.build_tree();
        }
    }
}

/// Moves nodes with equal in- and out-weight to the least crowded rank among
/// those their edges allow (dot's "balance" for top-down layouts).
fn balance(n: usize, edges: &[NsEdge], r: &mut [i64]) {
    if n == 0 {
        return;
    }
    normalize(r);
    let max = r.iter().copied().max().unwrap_or(0);
    let mut count = vec![0usize; (max + 1) as usize];
    for &x in r.iter() {
        count[x as usize] += 1;
    }
    let mut win = vec![0i64; n];
    let mut wout = vec![0i64; n];
    let mut inc: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, e) in edges.iter().enumerate() {
        wout[e.tail] += e.weight;
        win[e.head] += e.weight;
        inc[e.tail].push(i);
        inc[e.head].push(i);
    }
    for v in 0..n {
        if win[v] != wout[v] || win[v] == 0 {
            continue;
        }
        let (mut lo, mut hi) = (0, max);
        for &i in &inc[v] {
            let e = edges[i];
            if e.head == v {
                lo = lo.max(r[e.tail] + e.min_len);
            } else {
                hi = hi.min(r[e.head] - e.min_len);
            }
        }
        let mut best = r[v];
        for k in lo..=hi {
            if count[k as usize] < count[best as usize] {
                best = k;
            }
        }
        if best != r[v] {
            count[r[v] as usize] -= 1;
            count[best as usize] += 1;
            r[v] = best;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(tail: usize, head: usize, min_len: i64, weight: i64) -> NsEdge {
        NsEdge { tail, head, min_len, weight }
    }

    fn cost(edges: &[NsEdge], r: &[i64]) -> i64 {
        edges.iter().map(|e| e.weight * (r[e.head] - r[e.tail])).sum()
    }

    #[test]
    fn chain_and_shortcut() {
        // a -> b -> c -> d and a heavy a -> d: all tight at length 1 each.
        let edges = [e(0, 1, 1, 1), e(1, 2, 1, 1), e(2, 3, 1, 1), e(0, 3, 1, 5)];
        let r = network_simplex(4, &edges, None, 100);
        assert_eq!(r, vec![0, 1, 2, 3]);
    }

    #[test]
    fn pulls_sink_up() {
        // Longest path puts 3 at rank 2; the optimum has 2 and 3 next to 0.
        let edges = [e(0, 1, 1, 1), e(1, 2, 1, 1), e(0, 3, 1, 10), e(4, 3, 1, 1)];
        let r = network_simplex(5, &edges, None, 100);
        for x in &edges {
            assert!(r[x.head] - r[x.tail] >= x.min_len);
        }
        assert_eq!(r[3] - r[0], 1);
        assert_eq!(cost(&edges, &r), 1 + 1 + 10 + 1);
    }

    #[test]
    fn optimal_on_diamond_with_min_len() {
        let edges = [e(0, 1, 2, 1), e(1, 3, 1, 1), e(0, 2, 1, 3), e(2, 3, 1, 3)];
        let r = network_simplex(4, &edges, None, 100);
        for x in &edges {
            assert!(r[x.head] - r[x.tail] >= x.min_len);
        }
        // Total length 0 -> 3 is 3; the heavy path takes 1 + 2 or 2 + 1.
        assert_eq!(r[3] - r[0], 3);
        assert_eq!(cost(&edges, &r), 2 + 1 + 3 * 3);
    }
}
