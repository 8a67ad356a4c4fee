//! Property tests on random graphs: cycles, self loops, parallel and
//! duplicate edges, invalid indices, odd sizes, labels.

mod common;

use proflens_layout::{layout, EdgeSpec, Layout, LayoutOptions, NodeSpec};
use proptest::prelude::*;

const EPS: f64 = 1e-6;

fn size() -> impl Strategy<Value = f64> {
    prop_oneof![
        8 => 0.0..200.0f64,
        1 => Just(0.0),
        1 => prop_oneof![Just(f64::NAN), Just(-5.0), Just(f64::INFINITY), Just(0.5)],
    ]
}

fn graph() -> impl Strategy<Value = (Vec<NodeSpec>, Vec<EdgeSpec>)> {
    (0usize..=120).prop_flat_map(|n| {
        let nodes = prop::collection::vec((size(), size()).prop_map(|(w, h)| NodeSpec::new(w, h)), n);
        // Mostly valid indices, a few out of range.
        let idx = if n == 0 { 0..3usize } else { 0..n + n / 40 + 1 };
        let edge = (
            idx.clone(),
            idx,
            0u32..4,
            prop_oneof![8 => 0.0..100.0f64, 1 => Just(0.0), 1 => Just(f64::NAN)],
            prop::option::weighted(0.4, (0.0..80.0f64, 0.0..40.0f64)),
        )
            .prop_map(|(src, dst, min_len, weight, label)| EdgeSpec {
                src,
                dst,
                min_len,
                weight,
                label,
            });
        let m = if n == 0 { 0..4 } else { 0..(3 * n / 2 + 2) };
        (nodes, prop::collection::vec(edge, m)).prop_map(|(nodes, mut edges)| {
            // Some duplicates and self loops on purpose.
            let k = edges.len();
            for i in 0..k / 10 {
                let e = edges[i];
                edges.push(e);
                if e.src < nodes.len() {
                    edges.push(EdgeSpec { dst: e.src, ..e });
                }
            }
            (nodes, edges)
        })
    })
}

fn check(nodes: &[NodeSpec], edges: &[EdgeSpec], opts: &LayoutOptions) -> Layout {
    let l = layout(nodes, edges, opts);
    let n = nodes.len();
    assert_eq!(l.nodes.len(), n);
    assert_eq!(l.edges.len(), edges.len());
    assert_eq!(l.ranks.len(), n);
    assert!(l.width.is_finite() && l.height.is_finite() && l.width >= 0.0 && l.height >= 0.0);
    let inside = |x: f64, y: f64| {
        x.is_finite() && y.is_finite() && x >= -EPS && x <= l.width + EPS && y >= -EPS && y <= l.height + EPS
    };

    // Boxes: sizes sanitised, inside the bounding box, no overlaps.
    for (v, p) in l.nodes.iter().enumerate() {
        assert_eq!(p.width, common::sanitize(nodes[v].width));
        assert_eq!(p.height, common::sanitize(nodes[v].height));
        assert!(inside(p.x - p.width / 2.0, p.y - p.height / 2.0), "node {v} {p:?}");
        assert!(inside(p.x + p.width / 2.0, p.y + p.height / 2.0), "node {v} {p:?}");
    }
    let boxes = common::boxes(&l, edges);
    for &(cx, cy, w, h) in &boxes {
        assert!(inside(cx - w / 2.0, cy - h / 2.0) && inside(cx + w / 2.0, cy + h / 2.0));
    }
    let ov = common::overlaps(&boxes, 1e-6);
    assert!(
        ov.is_empty(),
        "overlapping boxes {:?}",
        ov.iter().map(|&(a, b)| (boxes[a], boxes[b])).collect::<Vec<_>>()
    );

    for (i, (e, r)) in edges.iter().zip(&l.edges).enumerate() {
        if e.src >= n || e.dst >= n {
            assert!(r.points.is_empty() && r.label.is_none());
            continue;
        }
        assert!(r.points.len() >= 2, "edge {i} has {} points", r.points.len());
        for &(x, y) in &r.points {
            assert!(inside(x, y), "edge {i} point ({x}, {y}) outside {} x {}", l.width, l.height);
        }
        assert_eq!(r.label.is_some(), e.label.is_some(), "edge {i} label");
        let (s, d) = (l.nodes[e.src], l.nodes[e.dst]);
        let first = r.points[0];
        let last = r.points[r.points.len() - 1];
        let within_x = |p: (f64, f64), b: proflens_layout::Placed| {
            p.0 >= b.x - b.width / 2.0 - EPS && p.0 <= b.x + b.width / 2.0 + EPS
        };
        let within_y = |p: (f64, f64), b: proflens_layout::Placed| {
            p.1 >= b.y - b.height / 2.0 - EPS && p.1 <= b.y + b.height / 2.0 + EPS
        };
        let min_len = e.min_len.max(1);
        if e.src == e.dst {
            assert!(r.self_loop && !r.reversed);
            for p in [first, last] {
                assert!(
                    (p.0 - (s.x + s.width / 2.0)).abs() < EPS && within_y(p, s),
                    "self loop {i} ends {p:?} {s:?}"
                );
            }
            // The loop stays on the right side.
            assert!(r.points.iter().all(|p| p.0 >= s.x + s.width / 2.0 - EPS));
            continue;
        }
        assert!(!r.self_loop);
        if r.reversed {
            assert!(l.ranks[e.dst] + min_len <= l.ranks[e.src], "reversed edge {i}");
            assert!(d.y < s.y);
            assert!((first.1 - (s.y - s.height / 2.0)).abs() < EPS && within_x(first, s), "edge {i} start");
            assert!((last.1 - (d.y + d.height / 2.0)).abs() < EPS && within_x(last, d), "edge {i} end");
        } else {
            assert!(
                l.ranks[e.src] + min_len <= l.ranks[e.dst],
                "edge {i}: ranks {} -> {}, min_len {min_len}",
                l.ranks[e.src],
                l.ranks[e.dst]
            );
            assert!(s.y < d.y, "edge {i} does not go down");
            assert!(
                (first.1 - (s.y + s.height / 2.0)).abs() < EPS && within_x(first, s),
                "edge {i} start {first:?} {s:?}"
            );
            assert!(
                (last.1 - (d.y - d.height / 2.0)).abs() < EPS && within_x(last, d),
                "edge {i} end {last:?} {d:?}"
            );
        }
    }
    // No route runs through a box other than its own ends, or through a label.
    let labels: Vec<_> =
        edges.iter().map(|e| e.label.map(|(w, h)| (common::sanitize(w), common::sanitize(h)))).collect();
    let valid: Vec<EdgeSpec> = edges
        .iter()
        .map(|e| if e.src < n && e.dst < n { *e } else { EdgeSpec::new(usize::MAX, usize::MAX) })
        .collect();
    assert_eq!(common::edges_through_boxes(&l, &valid, &labels), 0, "edges through boxes");
    l
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn random_graphs_lay_out_cleanly((nodes, edges) in graph()) {
        let opts = LayoutOptions::default();
        let a = check(&nodes, &edges, &opts);
        let b = layout(&nodes, &edges, &opts);
        prop_assert_eq!(a, b);
    }

    #[test]
    fn odd_options_still_valid((nodes, edges) in graph(), sep in prop_oneof![Just(0.0), Just(-3.0), Just(f64::NAN), 0.0..100.0f64], iters in 0usize..6) {
        let opts = LayoutOptions { node_sep: sep, rank_sep: sep, edge_sep: sep, max_iterations: iters };
        check(&nodes, &edges, &opts);
    }
}
