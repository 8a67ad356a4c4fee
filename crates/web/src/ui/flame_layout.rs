//! Flame graph geometry, apart from the drawing: where each frame sits in
//! value units, which frames a viewport shows, and which frame is under the
//! pointer. Plain Rust, tested natively.

use crate::protocol::FlameColumns;

/// Frame positions of one flame tree.
#[derive(Clone, Debug, PartialEq)]
pub struct FlameLayout {
    /// Left edge of each frame, in value units from the root's left edge.
    pub x0: Vec<f64>,
    /// Width of each frame in value units (see [`FlameColumns::width`]:
    /// |total|, or increases plus decreases for a diff).
    pub width: Vec<f64>,
    /// The deepest depth.
    pub max_depth: u32,
}

impl FlameLayout {
    /// Lays out `tree`: each frame starts where its previous sibling ends.
    pub fn new(tree: &FlameColumns) -> FlameLayout {
        let n = tree.total.len();
        let width: Vec<f64> = (0..n).map(|i| tree.width(i) as f64).collect();
        let mut x0 = vec![0.0; n];
        // Preorder: a stack of (end of subtree, next child's left edge).
        let mut open: Vec<(u32, f64)> = Vec::new();
        for i in 0..n {
            while open.last().is_some_and(|&(end, _)| end as usize <= i) {
                open.pop();
            }
            if let Some(top) = open.last_mut() {
                x0[i] = top.1;
                top.1 += width[i];
            }
            open.push((tree.end[i], x0[i]));
        }
        FlameLayout { x0, width, max_depth: tree.depth.iter().copied().max().unwrap_or(0) }
    }

    /// Calls `visit(node, left_px, width_px)` for every frame of `tree`
    /// visible in a viewport showing values [start, start + span) over
    /// `pixels` pixels, skipping subtrees narrower than `min_px`.
    pub fn visit_visible(
        &self,
        tree: &FlameColumns,
        start: f64,
        span: f64,
        pixels: f64,
        min_px: f64,
        mut visit: impl FnMut(usize, f64, f64),
    ) {
        let scale = if span > 0.0 { pixels / span } else { 0.0 };
        let mut i = 0;
        while i < self.x0.len() {
            let left = (self.x0[i] - start) * scale;
            let w = self.width[i] * scale;
            if w < min_px || left + w <= 0.0 || left >= pixels {
                i = tree.end[i] as usize;
                continue;
            }
            visit(i, left, w);
            i += 1;
        }
    }

    /// The frame at value `x` and depth `depth`, if any.
    pub fn hit(&self, tree: &FlameColumns, x: f64, depth: u32) -> Option<usize> {
        let mut i = 0;
        while i < self.x0.len() {
            let inside = x >= self.x0[i] && x < self.x0[i] + self.width[i];
            if !inside {
                i = tree.end[i] as usize;
                continue;
            }
            if tree.depth[i] == depth {
                return Some(i);
            }
            i += 1;
        }
        None
    }

    /// The chain of frames from the root down to `node`.
    pub fn ancestors(&self, tree: &FlameColumns, node: usize) -> Vec<usize> {
        let mut chain = Vec::new();
        let mut i = 0;
        while i <= node && i < self.x0.len() {
            if (tree.end[i] as usize) > node {
                chain.push(i);
                if i == node {
                    break;
                }
                i += 1;
            } else {
                i = tree.end[i] as usize;
            }
        }
        chain
    }
}

/// A colour from a package hash: warm hues, as flame graphs are drawn.
pub fn frame_color(hash: u32, dim: bool) -> String {
    let hue = 10 + hash % 50;
    let saturation = 55 + (hash >> 8) % 30;
    let lightness = 58 + (hash >> 16) % 14;
    if dim {
        format!("hsl({hue}, 15%, 85%)")
    } else {
        format!("hsl({hue}, {saturation}%, {lightness}%)")
    }
}

/// For a diff frame: the net change as a share of the frame's width
/// (-1..=1, pprof draws a bar that long from the left) and whether it grew.
/// None when the tree is not a diff.
pub fn diff_shade(tree: &FlameColumns, i: usize) -> Option<(f64, bool)> {
    let (p, n) = (*tree.positive.get(i)?, *tree.negative.get(i)?);
    let width = p.saturating_add(n);
    if width == 0 {
        return Some((0.0, false));
    }
    let net = p.saturating_sub(n);
    Some((net as f64 / width as f64, net > 0))
}

/// The two colours of a diff frame's bar: (increase, decrease). pprof's
/// red and green, or a colour-blind-safe orange and blue (Okabe–Ito).
pub fn diff_colors(colorblind: bool) -> (&'static str, &'static str) {
    if colorblind {
        ("#e69f00", "#56b4e9")
    } else {
        ("#d9826f", "#7fbf7f")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// root(10) -> a(6) -> c(2); root -> b(4)
    fn tree() -> FlameColumns {
        FlameColumns {
            function: vec![u32::MAX, 0, 2, 1],
            depth: vec![0, 1, 2, 1],
            total: vec![10, 6, 2, 4],
            self_value: vec![0, 4, 2, 4],
            end: vec![4, 3, 3, 4],
            ..FlameColumns::default()
        }
    }

    #[test]
    fn frames_sit_after_their_siblings() {
        let l = FlameLayout::new(&tree());
        assert_eq!(l.x0, vec![0.0, 0.0, 0.0, 6.0]);
        assert_eq!(l.max_depth, 2);
        assert_eq!(l.hit(&tree(), 7.0, 1), Some(3));
        assert_eq!(l.hit(&tree(), 1.0, 2), Some(2));
        assert_eq!(l.hit(&tree(), 3.0, 2), None);
        assert_eq!(l.ancestors(&tree(), 2), vec![0, 1, 2]);
        assert_eq!(l.ancestors(&tree(), 3), vec![0, 3]);
    }

    #[test]
    fn diff_frames_are_as_wide_as_their_increases_and_decreases() {
        // root: +7 -5 = 2; a: +6 -0; b: +1 -5 = -4.
        let t = FlameColumns {
            function: vec![u32::MAX, 0, 1],
            depth: vec![0, 1, 1],
            total: vec![2, 6, -4],
            self_value: vec![0, 6, -4],
            end: vec![3, 2, 3],
            positive: vec![7, 6, 1],
            negative: vec![5, 0, 5],
        };
        let l = FlameLayout::new(&t);
        assert_eq!(l.width, vec![12.0, 6.0, 6.0]);
        assert_eq!(l.x0, vec![0.0, 0.0, 6.0]);
        assert_eq!(diff_shade(&t, 2), Some((-4.0 / 6.0, false)));
        assert_eq!(diff_shade(&t, 1), Some((1.0, true)));
        assert_eq!(diff_shade(&tree(), 1), None);
    }

    #[test]
    fn only_visible_frames_are_visited() {
        let t = tree();
        let l = FlameLayout::new(&t);
        let mut seen = Vec::new();
        // Zoomed into a (values 0..6) over 600 px: b is off screen.
        l.visit_visible(&t, 0.0, 6.0, 600.0, 1.0, |i, left, w| seen.push((i, left.round(), w.round())));
        assert_eq!(seen, vec![(0, 0.0, 1000.0), (1, 0.0, 600.0), (2, 0.0, 200.0)]);
        seen.clear();
        // Frames narrower than min_px are skipped with their subtrees.
        l.visit_visible(&t, 0.0, 10.0, 10.0, 3.0, |i, _, _| seen.push((i, 0.0, 0.0)));
        assert_eq!(seen.iter().map(|s| s.0).collect::<Vec<_>>(), vec![0, 1, 3]);
    }
}
