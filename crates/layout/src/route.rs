//! Routing (step 6 of the crate documentation): ports on the box borders,
//! edge polylines that run vertically through the layers they cross and bend
//! only between layers, labels beside their edge, and self loops on the
//! right side of their node.

use crate::component::{ComponentEdges, Input};
use crate::input::Opts;
use crate::layered::{Kind, LGraph};
use crate::{EdgeRoute, Layout};

/// Horizontal reach of one self loop beyond its node's right border.
pub(crate) fn loop_size(opts: &Opts) -> f64 {
    opts.edge_sep.max(8.0)
}

/// Gap between an edge (or a loop) and its label box.
pub(crate) fn label_pad(opts: &Opts) -> f64 {
    opts.edge_sep * 0.5
}

/// A component's coordinates: every layered-graph node's x, and every
/// layer's top and height.
pub(crate) struct Geometry {
    /// X of every node of the layered graph, shifted so the drawing starts
    /// at 0.
    pub x: Vec<f64>,
    layer_top: Vec<f64>,
    layer_h: Vec<f64>,
    pub width: f64,
    pub height: f64,
}

impl Geometry {
    /// Stacks the layers (each as tall as its tallest box) and shifts `xs`
    /// so the leftmost border is at 0.
    pub fn new(g: &LGraph, layers: &[Vec<usize>], xs: Vec<f64>, input: &Input) -> Self {
        let gap = (input.opts.rank_sep / input.scale as f64).max(1.0);
        let mut layer_top = vec![0.0; layers.len()];
        let mut layer_h = vec![0.0; layers.len()];
        let mut y = 0.0;
        for (r, layer) in layers.iter().enumerate() {
            let h = layer.iter().map(|&v| g.height[v]).fold(0.0, f64::max);
            layer_top[r] = y;
            layer_h[r] = h;
            y += h + gap;
        }
        let height = if layers.is_empty() { 0.0 } else { y - gap };
        let min_x = (0..g.len()).map(|v| xs[v] - g.left[v]).fold(f64::INFINITY, f64::min);
        let shift = if min_x.is_finite() { -min_x } else { 0.0 };
        let x: Vec<f64> = xs.iter().map(|v| v + shift).collect();
        let width = (0..g.len()).map(|v| x[v] + g.right[v]).fold(0.0, f64::max);
        Geometry { x, layer_top, layer_h, width, height }
    }

    /// Y of the middle of layer `r`.
    pub fn centre_y(&self, r: usize) -> f64 {
        self.layer_top[r] + self.layer_h[r] / 2.0
    }

    fn top(&self, r: usize) -> f64 {
        self.layer_top[r]
    }

    fn bottom(&self, r: usize) -> f64 {
        self.layer_top[r] + self.layer_h[r]
    }
}

/// Routes every plain edge of the component into `out`.
pub(crate) fn edges(
    g: &LGraph,
    geo: &Geometry,
    comp: &[usize],
    edges: &ComponentEdges,
    input: &Input,
    out: &mut Layout,
) {
    let (out_port, in_port) = ports(g, geo, comp, input);
    let label_pad = label_pad(input.opts);
    for (k, &ei) in edges.plain.iter().enumerate() {
        let chain = &edges.chains[k];
        let mut pts: Vec<(f64, f64)> = Vec::with_capacity(2 * chain.len() + 2);
        let mut label = None;
        let top = chain[0];
        let bottom = chain[chain.len() - 1];
        let first_seg = g
            .down(top)
            .iter()
            .find(|a| a.node == chain[1] && g.segs[a.seg].edge == ei)
            .map(|a| a.seg)
            .unwrap_or(0);
        let last_seg = g
            .up(bottom)
            .iter()
            .find(|a| a.node == chain[chain.len() - 2] && g.segs[a.seg].edge == ei)
            .map(|a| a.seg)
            .unwrap_or(0);
        // Leave the top box through its bottom border, straight down to the
        // bottom of its layer.
        let rt = g.rank[top];
        let px = out_port[first_seg];
        pts.push((px, geo.centre_y(rt) + input.sizes[comp[top]].1 / 2.0));
        pts.push((px, geo.bottom(rt)));
        for &d in &chain[1..chain.len() - 1] {
            let r = g.rank[d];
            pts.push((geo.x[d], geo.top(r)));
            pts.push((geo.x[d], geo.bottom(r)));
            if let Kind::Label(_) = g.kind[d] {
                let (lw, _) = input.cleaned[ei].label.unwrap_or((0.0, 0.0));
                label = Some((geo.x[d] + label_pad + lw / 2.0, geo.centre_y(r)));
            }
        }
        let rb = g.rank[bottom];
        let qx = in_port[last_seg];
        pts.push((qx, geo.top(rb)));
        pts.push((qx, geo.centre_y(rb) - input.sizes[comp[bottom]].1 / 2.0));
        let mut pts = simplify(pts);
        let reversed = edges.reversed[k];
        if reversed {
            pts.reverse();
        }
        out.edges[ei] = EdgeRoute { points: pts, label, reversed, self_loop: false };
    }
}

/// The ports of every segment: the out-segments of a real node leave its
/// bottom border, the in-segments enter its top border, each as close above
/// (below) its other end as the middle 60% of the border allows, in the
/// order of those ends. Returns (out port x, in port x) per segment.
fn ports(g: &LGraph, geo: &Geometry, comp: &[usize], input: &Input) -> (Vec<f64>, Vec<f64>) {
    let mut out_port: Vec<f64> = vec![0.0; g.segs.len()];
    let mut in_port: Vec<f64> = vec![0.0; g.segs.len()];
    let mut ends: Vec<(f64, usize)> = Vec::new();
    let edge_sep = input.opts.edge_sep;
    for (v, &node) in comp.iter().enumerate() {
        let w = input.sizes[node].0;
        ends.clear();
        ends.extend(g.down(v).iter().map(|a| (geo.x[a.node], a.seg)));
        assign_ports(geo.x[v], w * 0.6, edge_sep, &mut ends, &mut out_port);
        ends.clear();
        ends.extend(g.up(v).iter().map(|a| (geo.x[a.node], a.seg)));
        assign_ports(geo.x[v], w * 0.6, edge_sep, &mut ends, &mut in_port);
    }
    (out_port, in_port)
}

/// Draws the self loops of every node as small loops on its right side,
/// their labels stacked to the right of the loops.
pub(crate) fn self_loops(
    g: &LGraph,
    geo: &Geometry,
    comp: &[usize],
    loops_at: &[Vec<usize>],
    input: &Input,
    out: &mut Layout,
) {
    let loop_size = loop_size(input.opts);
    let label_pad = label_pad(input.opts);
    for (lv, ls) in loops_at.iter().enumerate() {
        let (w, h) = input.sizes[comp[lv]];
        let (cx, cy) = (geo.x[lv], geo.centre_y(g.rank[lv]));
        let count = ls.len() as f64;
        let reach = loop_size * count;
        let lh_sum: f64 = ls.iter().filter_map(|&ei| input.cleaned[ei].label).map(|(_, lh)| lh).sum();
        let mut label_y = cy - lh_sum / 2.0;
        for (k, &ei) in ls.iter().enumerate() {
            let f = (k as f64 + 1.0) / (count + 1.0);
            let dy = h / 2.0 * f;
            let right = cx + w / 2.0;
            let out_x = right + loop_size * (k as f64 + 1.0);
            let label = input.cleaned[ei].label.map(|(lw, lh)| {
                let c = (right + reach + label_pad + lw / 2.0, label_y + lh / 2.0);
                label_y += lh;
                c
            });
            out.edges[ei] = EdgeRoute {
                points: vec![(right, cy - dy), (out_x, cy - dy), (out_x, cy + dy), (right, cy + dy)],
                label,
                reversed: false,
                self_loop: true,
            };
        }
    }
}

/// Places the ports of one side of a box (centre `cx`, usable width `span`):
/// each segment's port as near its other end's x as it can be, ports in the
/// order of those ends and at least `gap` apart (less when they do not fit).
fn assign_ports(cx: f64, span: f64, gap: f64, ends: &mut [(f64, usize)], port: &mut [f64]) {
    let k = ends.len();
    if k == 0 {
        return;
    }
    ends.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let (lo, hi) = (cx - span / 2.0, cx + span / 2.0);
    let gap = if k > 1 { gap.min(span / (k - 1) as f64) } else { 0.0 };
    let mut p: Vec<f64> = Vec::with_capacity(k);
    for (i, &(t, _)) in ends.iter().enumerate() {
        let mut v = t.clamp(lo, hi).max(lo + i as f64 * gap);
        if let Some(&prev) = p.last() {
            v = v.max(prev + gap);
        }
        p.push(v);
    }
    for i in (0..k).rev() {
        let mut v = p[i].min(hi - (k - 1 - i) as f64 * gap);
        if i + 1 < k {
            v = v.min(p[i + 1] - gap);
        }
        p[i] = v;
    }
    for (i, &(_, s)) in ends.iter().enumerate() {
        port[s] = p[i];
    }
}

/// Drops repeated points and the middle one of three on a vertical line.
fn simplify(pts: Vec<(f64, f64)>) -> Vec<(f64, f64)> {
    let mut out: Vec<(f64, f64)> = Vec::with_capacity(pts.len());
    for p in pts {
        if let Some(&last) = out.last() {
            if (last.0 - p.0).abs() < 1e-9 && (last.1 - p.1).abs() < 1e-9 {
                continue;
            }
        }
        if out.len() >= 2 {
            let a = out[out.len() - 2];
            let b = out[out.len() - 1];
            if (a.0 - b.0).abs() < 1e-9 && (b.0 - p.0).abs() < 1e-9 && a.1 <= b.1 && b.1 <= p.1 {
                out.pop();
            }
        }
        out.push(p);
    }
    out
}
