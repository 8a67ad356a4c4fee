//! Sanitising the caller's input: sizes, separations and edges become values
//! every later stage can trust (finite, bounded, valid indices).

use crate::{EdgeSpec, LayoutOptions, NodeSpec};

/// The largest `min_len` taken as given (every layer crossed costs a dummy
/// node per edge).
const MAX_MIN_LEN: u32 = 100;

/// The largest size or separation taken as given.
const MAX_SIZE: f64 = 1e7;

/// A size or separation as a finite value in `0..=MAX_SIZE`.
fn clean(v: f64) -> f64 {
    if !v.is_finite() || v <= 0.0 {
        0.0
    } else {
        v.min(MAX_SIZE)
    }
}

/// Options after sanitising.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Opts {
    pub node_sep: f64,
    pub rank_sep: f64,
    pub edge_sep: f64,
    pub max_iterations: usize,
}

impl Opts {
    pub fn new(options: &LayoutOptions) -> Self {
        Opts {
            node_sep: clean(options.node_sep),
            rank_sep: clean(options.rank_sep),
            edge_sep: clean(options.edge_sep),
            max_iterations: options.max_iterations.min(10_000),
        }
    }
}

/// An input edge after sanitising.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct CleanEdge {
    pub src: usize,
    pub dst: usize,
    pub min_len: i64,
    /// Quantised weight, 1..=1000.
    pub weight: i64,
    pub label: Option<(f64, f64)>,
}

impl CleanEdge {
    pub fn is_loop(&self) -> bool {
        self.src == self.dst
    }
}

/// Sanitised node sizes, as (width, height).
pub(crate) fn sizes(nodes: &[NodeSpec]) -> Vec<(f64, f64)> {
    nodes.iter().map(|s| (clean(s.width), clean(s.height))).collect()
}

/// Sanitised edges; `None` for an edge with an invalid end. Weights become
/// integers 1..=1000 relative to the heaviest edge (an infinite weight is
/// the heaviest).
pub(crate) fn edges(edges: &[EdgeSpec], node_count: usize) -> Vec<Option<CleanEdge>> {
    let valid = |e: &EdgeSpec| e.src < node_count && e.dst < node_count;
    let weight = |e: &EdgeSpec| {
        if e.weight.is_nan() || e.weight <= 0.0 {
            0.0
        } else {
            e.weight.min(f64::MAX)
        }
    };
    let max_w = edges.iter().filter(|e| valid(e)).map(weight).fold(0.0_f64, f64::max);
    edges
        .iter()
        .map(|e| {
            if !valid(e) {
                return None;
            }
            let q = if max_w > 0.0 { 1 + (999.0 * (weight(e) / max_w)).round() as i64 } else { 1 };
            Some(CleanEdge {
                src: e.src,
                dst: e.dst,
                min_len: i64::from(e.min_len.clamp(1, MAX_MIN_LEN)),
                weight: q.clamp(1, 1000),
                label: e.label.map(|(w, h)| (clean(w), clean(h))),
            })
        })
        .collect()
}

/// 2 when any non-loop edge has a label, else 1: dot doubles all lengths
/// then, so that labels get layers of their own.
pub(crate) fn length_scale(edges: &[Option<CleanEdge>]) -> i64 {
    if edges.iter().flatten().any(|e| !e.is_loop() && e.label.is_some()) {
        2
    } else {
        1
    }
}
