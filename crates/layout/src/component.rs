//! Laying out one connected component: cycle breaking, ranking, the layered
//! graph with dummy and label nodes, ordering and coordinates (steps 1–5 of
//! the crate documentation), then routing its edges (`route`).

use std::collections::BTreeMap;

use crate::input::{CleanEdge, Opts};
use crate::layered::{Kind, LGraph};
use crate::pack::Part;
use crate::route::{self, Geometry};
use crate::{acyclic, order, position, rank, Layout};

/// What every component's layout reads.
pub(crate) struct Input<'a> {
    /// Index of every node within its component.
    pub local: &'a [usize],
    /// Sanitised edges (placeholders for invalid ones).
    pub cleaned: &'a [CleanEdge],
    /// Sanitised node sizes.
    pub sizes: &'a [(f64, f64)],
    /// 2 when lengths are doubled for labels, else 1.
    pub scale: i64,
    pub opts: &'a Opts,
}

/// A component's edges, split by shape.
pub(crate) struct ComponentEdges {
    /// Edges between two different nodes.
    pub plain: Vec<usize>,
    /// For each plain edge, whether cycle breaking reversed it.
    pub reversed: Vec<bool>,
    /// For each plain edge, its chain in the layered graph, top to bottom.
    pub chains: Vec<Vec<usize>>,
    /// The self loops of each node (by local index).
    pub loops_at: Vec<Vec<usize>>,
}

/// Lays out one connected component into `out` (coordinates relative to the
/// component's own top-left corner).
pub(crate) fn layout_component(comp: &[usize], edge_ids: &[usize], input: &Input, out: &mut Layout) -> Part {
    let (loops, plain): (Vec<usize>, Vec<usize>) =
        edge_ids.iter().partition(|&&ei| input.cleaned[ei].is_loop());

    // 1. Cycle breaking.
    let oriented = |k: usize, reversed: &[bool]| {
        let e = input.cleaned[plain[k]];
        let (a, b) = (input.local[e.src], input.local[e.dst]);
        if reversed[k] {
            (b, a)
        } else {
            (a, b)
        }
    };
    let ac_edges: Vec<(usize, usize, i64)> = plain
        .iter()
        .map(|&ei| {
            let e = input.cleaned[ei];
            (input.local[e.src], input.local[e.dst], e.weight)
        })
        .collect();
    let reversed = acyclic::break_cycles(comp.len(), &ac_edges);

    // 2. Ranking on the oriented graph, parallel edges merged.
    let mut merged: BTreeMap<(usize, usize), (i64, i64)> = BTreeMap::new();
    for (k, &ei) in plain.iter().enumerate() {
        let e = input.cleaned[ei];
        let entry = merged.entry(oriented(k, &reversed)).or_insert((0, 0));
        entry.0 = entry.0.max(e.min_len);
        entry.1 += e.weight;
    }
    let ns_edges: Vec<rank::NsEdge> = merged
        .iter()
        .map(|(&(tail, head), &(min_len, weight))| rank::NsEdge { tail, head, min_len, weight })
        .collect();
    let ranks = rank::rank(comp.len(), &ns_edges);
    for (i, &v) in comp.iter().enumerate() {
        out.ranks[v] = u32::try_from(ranks[i]).unwrap_or(u32::MAX);
    }

    // 3. The layered graph with dummy and label nodes.
    let mut g = LGraph::new();
    for &v in comp {
        let (w, h) = input.sizes[v];
        g.add_node(Kind::Real(v), (ranks[input.local[v]] * input.scale) as usize, w / 2.0, w / 2.0, h);
    }
    let loops_at = widen_for_loops(&mut g, comp.len(), &loops, input);
    let chains: Vec<Vec<usize>> = (0..plain.len())
        .map(|k| {
            let (a, b) = oriented(k, &reversed);
            add_chain(&mut g, a, b, plain[k], input)
        })
        .collect();
    g.freeze();

    // 4. Ordering.
    let layers = order::order(&g, input.opts.max_iterations);

    // 5. Coordinates: Brandes–Köpf gives a good feasible start; network
    // simplex on the auxiliary graph then minimises the weighted horizontal
    // edge lengths.
    let xs = position::x_coordinates(&g, &layers, input.opts);
    let xs = position::simplex_x(&g, &layers, &xs, input.opts);
    let geometry = Geometry::new(&g, &layers, xs, input);
    for (lv, &v) in comp.iter().enumerate() {
        out.nodes[v].x = geometry.x[lv];
        out.nodes[v].y = geometry.centre_y(g.rank[lv]);
    }

    // 6. Routes.
    let edges = ComponentEdges { plain, reversed, chains, loops_at };
    route::edges(&g, &geometry, comp, &edges, input, out);
    route::self_loops(&g, &geometry, comp, &edges.loops_at, input, out);

    Part { nodes: comp.to_vec(), edges: edge_ids.to_vec(), width: geometry.width, height: geometry.height }
}

/// Self loops widen their node to the right (and the layer, for labels).
/// Returns the loops of each node.
fn widen_for_loops(g: &mut LGraph, node_count: usize, loops: &[usize], input: &Input) -> Vec<Vec<usize>> {
    let opts = input.opts;
    let mut loops_at: Vec<Vec<usize>> = vec![Vec::new(); node_count];
    for &ei in loops {
        loops_at[input.local[input.cleaned[ei].src]].push(ei);
    }
    for (lv, ls) in loops_at.iter().enumerate() {
        if ls.is_empty() {
            continue;
        }
        let reach = route::loop_size(opts) * ls.len() as f64;
        let (mut lw, mut lh) = (0.0_f64, 0.0_f64);
        for &ei in ls {
            if let Some((w, h)) = input.cleaned[ei].label {
                lw = lw.max(w);
                lh += h;
            }
        }
        let extra = if lw > 0.0 || lh > 0.0 { route::label_pad(opts) + lw } else { 0.0 };
        g.right[lv] += reach + extra;
        g.height[lv] = g.height[lv].max(lh);
    }
    loops_at
}

/// Adds edge `ei`, oriented from `a` down to `b`, as a chain of segments
/// through one dummy node per layer crossed; the label box, if any, is the
/// dummy of the middle layer. Returns the chain, top to bottom.
fn add_chain(g: &mut LGraph, a: usize, b: usize, ei: usize, input: &Input) -> Vec<usize> {
    let e = input.cleaned[ei];
    let (ra, rb) = (g.rank[a], g.rank[b]);
    let span = rb.saturating_sub(ra).max(1);
    let label_rank = ra + span / 2;
    let mut chain = vec![a];
    let mut prev = a;
    for r in ra + 1..rb {
        let d = match e.label {
            Some((w, h)) if r == label_rank => {
                g.add_node(Kind::Label(ei), r, 0.0, route::label_pad(input.opts) + w, h)
            }
            _ => g.add_node(Kind::Dummy(ei), r, 0.0, 0.0, 0.0),
        };
        g.add_segment(prev, d, e.weight, ei);
        chain.push(d);
        prev = d;
    }
    g.add_segment(prev, b, e.weight, ei);
    chain.push(b);
    chain
}
