//! Guard cases: degenerate inputs must give sensible layouts, never panic.

mod common;

use proflens_layout::{layout, EdgeSpec, LayoutOptions, NodeSpec};

fn opts() -> LayoutOptions {
    LayoutOptions::default()
}

fn boxy(n: usize) -> Vec<NodeSpec> {
    vec![NodeSpec::new(100.0, 40.0); n]
}

#[test]
fn empty_graph() {
    let l = layout(&[], &[], &opts());
    assert!(l.nodes.is_empty() && l.edges.is_empty() && l.ranks.is_empty());
    assert_eq!((l.width, l.height), (0.0, 0.0));
}

#[test]
fn edges_without_nodes_are_ignored() {
    let l = layout(&[], &[EdgeSpec::new(0, 1), EdgeSpec::new(3, 3)], &opts());
    assert_eq!(l.edges.len(), 2);
    assert!(l.edges.iter().all(|e| e.points.is_empty() && e.label.is_none()));
    let l = layout(&boxy(2), &[EdgeSpec::new(0, 5), EdgeSpec::new(0, 1)], &opts());
    assert!(l.edges[0].points.is_empty());
    assert_eq!(l.edges[1].points.len(), 2);
}

#[test]
fn single_node() {
    let l = layout(&boxy(1), &[], &opts());
    assert_eq!(l.nodes[0].x, 50.0);
    assert_eq!(l.nodes[0].y, 20.0);
    assert_eq!((l.width, l.height), (100.0, 40.0));
    assert_eq!(l.ranks, vec![0]);
}

#[test]
fn self_loops_on_the_right() {
    let edges = [
        EdgeSpec::new(0, 0),
        EdgeSpec { label: Some((30.0, 12.0)), ..EdgeSpec::new(0, 0) },
        EdgeSpec::new(0, 1),
    ];
    let l = layout(&boxy(2), &edges, &opts());
    let n = l.nodes[0];
    let right = n.x + n.width / 2.0;
    for r in &l.edges[..2] {
        assert!(r.self_loop && !r.reversed);
        assert_eq!(r.points.first().unwrap().0, right);
        assert_eq!(r.points.last().unwrap().0, right);
        assert!(r
            .points
            .iter()
            .all(|p| p.0 >= right && p.1 >= n.y - n.height / 2.0 && p.1 <= n.y + n.height / 2.0));
    }
    // The two loops are nested, not drawn on top of each other.
    assert_ne!(l.edges[0].points, l.edges[1].points);
    let (lx, _) = l.edges[1].label.unwrap();
    assert!(lx - 15.0 >= l.edges[1].points.iter().map(|p| p.0).fold(0.0, f64::max));
    assert!(lx + 15.0 <= l.width + 1e-9);
    // The other edge is unaffected.
    assert_eq!(l.ranks, vec![0, 1]);
}

#[test]
fn only_a_self_loop() {
    let l = layout(&boxy(1), &[EdgeSpec::new(0, 0)], &opts());
    assert!(l.edges[0].self_loop);
    assert!(l.width > 100.0, "the loop is inside the bounding box");
}

#[test]
fn parallel_and_duplicate_edges_get_distinct_routes() {
    let e = EdgeSpec::new(0, 1);
    let l = layout(&boxy(2), &[e, e, e], &opts());
    assert_eq!(l.ranks, vec![0, 1]);
    assert_ne!(l.edges[0].points, l.edges[1].points);
    assert_ne!(l.edges[1].points, l.edges[2].points);
    assert_eq!(common::crossings(&l), 0);
    // Labelled parallel edges: labels side by side, not overlapping.
    let e = EdgeSpec { label: Some((40.0, 14.0)), ..e };
    let edges = [e, e];
    let l = layout(&boxy(2), &edges, &opts());
    assert!(common::overlaps(&common::boxes(&l, &edges), 1e-9).is_empty());
    assert_eq!(common::crossings(&l), 0);
}

#[test]
fn min_len_zero_is_one_and_min_len_is_kept() {
    let edges =
        [EdgeSpec { min_len: 0, ..EdgeSpec::new(0, 1) }, EdgeSpec { min_len: 3, ..EdgeSpec::new(1, 2) }];
    let l = layout(&boxy(3), &edges, &opts());
    assert_eq!(l.ranks, vec![0, 1, 4]);
    assert!(l.nodes[0].y < l.nodes[1].y && l.nodes[1].y < l.nodes[2].y);
}

#[test]
fn bad_sizes_are_zero() {
    let nodes = [
        NodeSpec::new(f64::NAN, -3.0),
        NodeSpec::new(f64::INFINITY, f64::NEG_INFINITY),
        NodeSpec::new(0.0, 0.0),
    ];
    let edges = [
        EdgeSpec { weight: f64::NAN, label: Some((f64::NAN, -1.0)), ..EdgeSpec::new(0, 1) },
        EdgeSpec { weight: -4.0, ..EdgeSpec::new(1, 2) },
        EdgeSpec { weight: f64::INFINITY, ..EdgeSpec::new(0, 2) },
    ];
    let l = layout(&nodes, &edges, &opts());
    assert_eq!((l.nodes[0].width, l.nodes[0].height), (0.0, 0.0));
    assert_eq!((l.nodes[1].width, l.nodes[1].height), (0.0, 0.0));
    for n in &l.nodes {
        assert!(n.x.is_finite() && n.y.is_finite());
    }
    assert!(l.nodes[0].y < l.nodes[1].y && l.nodes[1].y < l.nodes[2].y);
    for r in &l.edges {
        assert!(r.points.iter().all(|p| p.0.is_finite() && p.1.is_finite()));
    }
}

#[test]
fn bad_options() {
    let edges = [EdgeSpec::new(0, 1), EdgeSpec::new(1, 2), EdgeSpec::new(0, 2)];
    for v in [f64::NAN, -10.0, 0.0, f64::INFINITY] {
        let o = LayoutOptions { node_sep: v, rank_sep: v, edge_sep: v, max_iterations: 0 };
        let l = layout(&boxy(3), &edges, &o);
        assert!(l.width.is_finite() && l.height.is_finite());
        assert!(l.nodes[0].y < l.nodes[1].y && l.nodes[1].y < l.nodes[2].y);
        assert!(common::overlaps(&common::boxes(&l, &edges), 1e-9).is_empty());
    }
}

#[test]
fn cycles_are_broken_and_drawn_upward() {
    // 0 -> 1 -> 2 -> 0, with a heavy 2 -> 0: that one stays forward.
    let edges = [EdgeSpec::new(0, 1), EdgeSpec::new(1, 2), EdgeSpec { weight: 10.0, ..EdgeSpec::new(2, 0) }];
    let l = layout(&boxy(3), &edges, &opts());
    let reversed: Vec<bool> = l.edges.iter().map(|e| e.reversed).collect();
    assert_eq!(reversed.iter().filter(|&&r| r).count(), 1);
    assert!(!reversed[2]);
    for (e, r) in edges.iter().zip(&l.edges) {
        let (s, d) = (l.nodes[e.src], l.nodes[e.dst]);
        let (first, last) = (r.points[0], *r.points.last().unwrap());
        if r.reversed {
            // Upward: leaves the top of the source, ends at the bottom of
            // the target, so the arrow points at the callee.
            assert!(d.y < s.y);
            assert_eq!(first.1, s.y - s.height / 2.0);
            assert_eq!(last.1, d.y + d.height / 2.0);
        } else {
            assert!(s.y < d.y);
            assert_eq!(first.1, s.y + s.height / 2.0);
            assert_eq!(last.1, d.y - d.height / 2.0);
        }
    }
    // A two-cycle: one edge each way, both drawn, no crossing.
    let l = layout(&boxy(2), &[EdgeSpec::new(0, 1), EdgeSpec::new(1, 0)], &opts());
    assert_eq!(l.edges.iter().filter(|e| e.reversed).count(), 1);
    assert_eq!(common::crossings(&l), 0);
}

#[test]
fn components_side_by_side() {
    // Two chains and three isolated nodes.
    let edges = [EdgeSpec::new(0, 1), EdgeSpec::new(1, 2), EdgeSpec::new(3, 4)];
    let l = layout(&boxy(8), &edges, &opts());
    assert!(common::overlaps(&common::boxes(&l, &edges), 1e-9).is_empty());
    assert_eq!(l.ranks, vec![0, 1, 2, 0, 1, 0, 0, 0]);
    // The second chain starts at the top, beside the first.
    assert_eq!(l.nodes[3].y, l.nodes[0].y);
    assert!(l.nodes[3].x > l.nodes[0].x);
}

#[test]
fn many_isolated_nodes_stay_compact() {
    let l = layout(&boxy(100), &[], &opts());
    assert!(common::overlaps(&common::boxes(&l, &[]), 1e-9).is_empty());
    let aspect = l.width / l.height;
    assert!((0.5..=4.0).contains(&aspect), "{} x {}", l.width, l.height);
}

#[test]
fn labels_sit_beside_their_edge_between_the_layers() {
    let edges = [EdgeSpec { label: Some((50.0, 14.0)), ..EdgeSpec::new(0, 1) }];
    let l = layout(&boxy(2), &edges, &opts());
    let (lx, ly) = l.edges[0].label.unwrap();
    let (a, b) = (l.nodes[0], l.nodes[1]);
    assert!(ly - 7.0 >= a.y + a.height / 2.0 && ly + 7.0 <= b.y - b.height / 2.0);
    // Beside the edge: the route passes to the left of the label box.
    let route_x_at = l.edges[0].points.iter().map(|p| p.0).fold(f64::NEG_INFINITY, f64::max);
    assert!(lx - 25.0 > route_x_at);
    assert_eq!(l.ranks, vec![0, 1]);
}

#[test]
fn max_iterations_zero_still_lays_out() {
    let (nodes, edges) = common::fixture("heap2");
    let o = LayoutOptions { max_iterations: 0, ..opts() };
    let l = layout(&nodes, &edges, &o);
    assert!(common::overlaps(&common::boxes(&l, &edges), 1e-9).is_empty());
}

#[test]
fn deterministic_on_fixture() {
    let (nodes, edges) = common::fixture("cpu");
    let a = layout(&nodes, &edges, &opts());
    let b = layout(&nodes, &edges, &opts());
    assert_eq!(a, b);
}

#[test]
fn huge_min_len_is_capped() {
    let edges = [EdgeSpec { min_len: u32::MAX, ..EdgeSpec::new(0, 1) }];
    let l = layout(&boxy(2), &edges, &opts());
    assert_eq!(l.ranks, vec![0, 100]);
}

#[test]
fn heavy_edges_are_short() {
    // a -> b is heavy; c -> d -> e -> b is a light chain. Longest-path
    // ranking would stretch a -> b over three layers; it gets one.
    let edges = [
        EdgeSpec { weight: 10.0, ..EdgeSpec::new(0, 1) },
        EdgeSpec::new(2, 3),
        EdgeSpec::new(3, 4),
        EdgeSpec::new(4, 1),
    ];
    let l = layout(&boxy(5), &edges, &opts());
    assert_eq!(l.ranks[1] - l.ranks[0], 1);
    assert_eq!(l.ranks[1], 3);
}

#[test]
fn heavy_edges_are_straight() {
    // A caller with three callees: it sits right above the heavy one, and a
    // heavy edge between boxes of different widths is vertical.
    for heavy in 1..4 {
        let edges: Vec<EdgeSpec> = (1..4)
            .map(|c| EdgeSpec { weight: if c == heavy { 50.0 } else { 1.0 }, ..EdgeSpec::new(0, c) })
            .collect();
        let nodes = [
            NodeSpec::new(120.0, 30.0),
            NodeSpec::new(150.0, 40.0),
            NodeSpec::new(80.0, 40.0),
            NodeSpec::new(120.0, 40.0),
        ];
        let l = layout(&nodes, &edges, &opts());
        assert_eq!(l.nodes[0].x, l.nodes[heavy].x, "heavy edge to {heavy}");
        let r = &l.edges[heavy - 1];
        assert!(r.points.iter().all(|p| p.0 == l.nodes[0].x), "{:?}", r.points);
    }
}

#[test]
fn long_edges_leave_room_for_boxes() {
    // 0 -> 1 -> 2 -> 3 and a long 0 -> 3: the long edge runs beside the
    // chain, through no box.
    let edges = [EdgeSpec::new(0, 1), EdgeSpec::new(1, 2), EdgeSpec::new(2, 3), EdgeSpec::new(0, 3)];
    let l = layout(&boxy(4), &edges, &opts());
    let labels = vec![None; edges.len()];
    assert_eq!(common::edges_through_boxes(&l, &edges, &labels), 0);
    assert_eq!(common::crossings(&l), 0);
}
