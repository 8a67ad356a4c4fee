//! Packing (step 7 of the crate documentation): the laid-out connected
//! components placed side by side in rows.

use crate::input::Opts;
use crate::Layout;

/// A laid-out connected component, in its own coordinates, before packing.
pub(crate) struct Part {
    pub nodes: Vec<usize>,
    pub edges: Vec<usize>,
    pub width: f64,
    pub height: f64,
}

/// Places the components in rows (largest first), top-aligned, and moves
/// their coordinates into place.
pub(crate) fn pack(parts: &mut [Part], opts: &Opts, out: &mut Layout) {
    if parts.is_empty() {
        return;
    }
    let mut idx: Vec<usize> = (0..parts.len()).collect();
    // Larger components first; ties by input order.
    idx.sort_by(|&a, &b| parts[b].nodes.len().cmp(&parts[a].nodes.len()).then(a.cmp(&b)));
    let hgap = opts.node_sep.max(1.0);
    let vgap = opts.rank_sep.max(1.0);
    let area: f64 = parts.iter().map(|p| (p.width + hgap) * (p.height + vgap)).sum();
    let widest = parts.iter().map(|p| p.width).fold(0.0, f64::max);
    // A row may be as wide as the widest part, or as a 2:1 rectangle of the
    // total area, whichever is wider.
    let row_limit = widest.max((2.0 * area).sqrt());
    let (mut x, mut y, mut row_h) = (0.0_f64, 0.0_f64, 0.0_f64);
    let (mut width, mut height) = (0.0_f64, 0.0_f64);
    for &i in &idx {
        let p = &parts[i];
        if x > 0.0 && x + p.width > row_limit {
            y += row_h + vgap;
            x = 0.0;
            row_h = 0.0;
        }
        translate(p, (x, y), out);
        width = width.max(x + p.width);
        height = height.max(y + p.height);
        row_h = row_h.max(p.height);
        x += p.width + hgap;
    }
    out.width = width;
    out.height = height;
}

/// Moves a part's boxes, routes and labels by `(dx, dy)`.
fn translate(p: &Part, (dx, dy): (f64, f64), out: &mut Layout) {
    for &v in &p.nodes {
        out.nodes[v].x += dx;
        out.nodes[v].y += dy;
    }
    for &e in &p.edges {
        let r = &mut out.edges[e];
        for pt in &mut r.points {
            pt.0 += dx;
            pt.1 += dy;
        }
        if let Some(l) = &mut r.label {
            l.0 += dx;
            l.1 += dy;
        }
    }
}
