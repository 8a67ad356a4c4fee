//! Splitting the graph into connected components, which are laid out one by
//! one and packed side by side.

use crate::input::CleanEdge;

/// The connected components over the valid edges.
pub(crate) struct Components {
    /// Each component's nodes, in input order; components in order of their
    /// smallest node.
    pub nodes: Vec<Vec<usize>>,
    /// Each component's edges (indices into the edge list).
    pub edges: Vec<Vec<usize>>,
    /// Every node's index within its component.
    pub local: Vec<usize>,
}

/// Finds the connected components of `node_count` nodes under `edges`
/// (union-find; invalid edges are in no component).
pub(crate) fn split(node_count: usize, edges: &[Option<CleanEdge>]) -> Components {
    let mut uf: Vec<usize> = (0..node_count).collect();
    for e in edges.iter().flatten() {
        let a = find(&mut uf, e.src);
        let b = find(&mut uf, e.dst);
        if a != b {
            let (lo, hi) = if a < b { (a, b) } else { (b, a) };
            uf[hi] = lo;
        }
    }
    let mut comp_of = vec![usize::MAX; node_count];
    let mut nodes: Vec<Vec<usize>> = Vec::new();
    let mut root_comp: Vec<usize> = vec![usize::MAX; node_count];
    for (v, c) in comp_of.iter_mut().enumerate() {
        let r = find(&mut uf, v);
        if root_comp[r] == usize::MAX {
            root_comp[r] = nodes.len();
            nodes.push(Vec::new());
        }
        *c = root_comp[r];
        nodes[root_comp[r]].push(v);
    }
    let mut comp_edges: Vec<Vec<usize>> = vec![Vec::new(); nodes.len()];
    for (i, e) in edges.iter().enumerate() {
        if let Some(e) = e {
            comp_edges[comp_of[e.src]].push(i);
        }
    }
    let mut local = vec![0usize; node_count];
    for comp in &nodes {
        for (i, &v) in comp.iter().enumerate() {
            local[v] = i;
        }
    }
    Components { nodes, edges: comp_edges, local }
}

/// The representative of `x`'s set, halving paths on the way.
fn find(uf: &mut [usize], mut x: usize) -> usize {
    while uf[x] != x {
        uf[x] = uf[uf[x]];
        x = uf[x];
    }
    x
}
