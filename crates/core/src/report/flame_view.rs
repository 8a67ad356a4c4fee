//! The flame graph as a viewer draws it: pprof's grouping for flame graphs,
//! and the frames too narrow to ever see left out. The page's worker asks
//! for this and sends the result as it is; what to leave out is decided
//! here, once.

use crate::error::Error;
use crate::graph::Granularity;
use crate::model::Profile;

use super::flame::{flame, FlameGraph, FlameNode, FlameTree};
use super::ReportOptions;

/// Frames narrower than this share of the root are left out by default: on
/// a 2000-pixel canvas they stay under a pixel until zoomed 50×, and on
/// profiles with millions of distinct stacks they cost seconds and
/// gigabytes, and make every zoom frame slow (the 100 MB profile: 7.4
/// million frames at 1e-6, zoom frames of 680 ms; at 1e-5, 17 ms).
pub const FLAME_MIN_FRACTION: f64 = 1e-5;

/// What a viewer asks of the flame graph.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FlameViewOptions {
    /// The granularity the viewer asked for, if any; the flame graph
    /// groups by [`flame_granularity`] of it (the report options'
    /// granularity is not used).
    pub granularity: Option<Granularity>,
    /// Leave out frames (and their subtrees) narrower than this share of
    /// the root's drawn width; 0 keeps every frame.
    pub min_fraction: f64,
}

impl Default for FlameViewOptions {
    fn default() -> Self {
        FlameViewOptions { granularity: None, min_fraction: FLAME_MIN_FRACTION }
    }
}

/// A flame graph ready to draw.
#[derive(Clone, Debug, PartialEq)]
pub struct FlameView {
    /// The graph, its trees without the narrow frames.
    pub graph: FlameGraph,
    /// Some sample is negative (a comparison): frames are drawn as their
    /// increases plus decreases, coloured by the net change.
    pub diff: bool,
    /// How many frames were left out, in both trees.
    pub dropped: usize,
    /// The share of the root below which frames were left out.
    pub min_fraction: f64,
}

/// The granularity pprof's flame graph groups frames by: functions when
/// asked for functions alone, else functions and files (also when nothing
/// was asked).
pub fn flame_granularity(requested: Option<Granularity>) -> Granularity {
    match requested {
        Some(Granularity::Functions) => Granularity::Functions,
        _ => Granularity::FileFunctions,
    }
}

/// How wide a frame is drawn, in sample units: its increases plus its
/// decreases (for a profile without negative samples, its total).
pub fn drawn_width(node: &FlameNode) -> i64 {
    node.positive.saturating_add(node.negative)
}

/// The flame graph of `profile` for `options`, grouped by
/// [`flame_granularity`] of the granularity `view` asks for, pivoted on
/// `pivot` if not empty, without the frames `view` leaves out.
pub fn flame_view(
    profile: &Profile,
    options: &ReportOptions,
    pivot: &str,
    view: FlameViewOptions,
) -> Result<FlameView, Error> {
    let graph = flame(profile, options, flame_granularity(view.granularity), Some(pivot))?;
    Ok(narrowed(graph, view))
}

/// `graph` without the frames `view` leaves out.
pub fn narrowed(graph: FlameGraph, view: FlameViewOptions) -> FlameView {
    let diff =
        graph.tree.nodes.iter().chain(graph.callers.iter().flat_map(|c| &c.nodes)).any(|n| n.negative != 0);
    let narrow = |t: &FlameTree| {
        let root = t.nodes.first().map_or(0, drawn_width);
        // Saturating float-to-int conversion: never a panic, whatever the root.
        let min = (root as f64 * view.min_fraction) as i64;
        t.without_narrow(min, drawn_width)
    };
    let (tree, mut dropped) = narrow(&graph.tree);
    let callers = graph.callers.as_ref().map(|c| {
        let (c, n) = narrow(c);
        dropped += n;
        c
    });
    FlameView { graph: FlameGraph { tree, callers, ..graph }, diff, dropped, min_fraction: view.min_fraction }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encode::ProfileWriter;
    use crate::{decode, DecodeOptions};

    /// main -> {hot (1_000_000), cold (5)}: cold is 5e-6 of the root.
    fn profile() -> Profile {
        let mut w = ProfileWriter::new(&[("samples", "count")]);
        let main = w.add_function("main.main", "main.go", 1);
        let hot = w.add_function("main.hot", "main.go", 10);
        let cold = w.add_function("main.cold", "main.go", 20);
        let l_main = w.add_location(None, 0x10, &[(main, 2)]);
        let l_hot = w.add_location(None, 0x20, &[(hot, 11)]);
        let l_cold = w.add_location(None, 0x30, &[(cold, 21)]);
        w.add_sample(&[l_hot, l_main], &[1_000_000], &[]);
        w.add_sample(&[l_cold, l_main], &[5], &[]);
        decode(&w.encode(), &DecodeOptions::default()).unwrap()
    }

    /// The default narrowing, grouped by function alone (short names).
    fn functions() -> FlameViewOptions {
        FlameViewOptions { granularity: Some(Granularity::Functions), ..FlameViewOptions::default() }
    }

    fn names(v: &FlameView) -> Vec<&str> {
        v.graph.tree.nodes[1..].iter().map(|n| v.graph.functions[n.function as usize].name.as_str()).collect()
    }

    #[test]
    fn frames_under_the_fraction_are_left_out_and_counted() {
        let p = profile();
        let v = flame_view(&p, &ReportOptions::default(), "", functions()).unwrap();
        assert_eq!(names(&v), ["main.main", "main.hot"]);
        assert_eq!((v.dropped, v.diff, v.min_fraction), (1, false, FLAME_MIN_FRACTION));
        // The totals are the profile's, narrow frames or not.
        assert_eq!(v.graph.tree.nodes[0].total, 1_000_005);
        let all = flame_view(
            &p,
            &ReportOptions::default(),
            "",
            FlameViewOptions { min_fraction: 0.0, ..functions() },
        )
        .unwrap();
        assert_eq!(names(&all), ["main.main", "main.cold", "main.hot"]);
        assert_eq!(all.dropped, 0);
    }

    #[test]
    fn pivots_narrow_both_trees() {
        let p = profile();
        let v = flame_view(&p, &ReportOptions::default(), "main\\.main", functions()).unwrap();
        let callers = v.graph.callers.as_ref().expect("a pivot has callers");
        assert_eq!(callers.nodes.len(), 1, "main.main has no callers");
        assert_eq!(names(&v), ["main.hot"]);
        assert_eq!(v.dropped, 1);
    }

    #[test]
    fn flame_graphs_group_by_function_and_file_unless_asked_for_functions() {
        let p = profile();
        let by_file = flame_view(&p, &ReportOptions::default(), "", FlameViewOptions::default()).unwrap();
        assert!(by_file.graph.functions.iter().all(|f| f.file == "main.go"), "{:?}", by_file.graph.functions);
        let by_function = flame_view(&p, &ReportOptions::default(), "", functions()).unwrap();
        assert!(
            by_function.graph.functions.iter().all(|f| f.file.is_empty()),
            "{:?}",
            by_function.graph.functions
        );
        assert_eq!(flame_granularity(Some(Granularity::Functions)), Granularity::Functions);
        assert_eq!(flame_granularity(None), Granularity::FileFunctions);
        for g in [Granularity::FileFunctions, Granularity::Files, Granularity::Lines, Granularity::Addresses]
        {
            assert_eq!(flame_granularity(Some(g)), Granularity::FileFunctions);
        }
    }

    #[test]
    fn extreme_widths_never_panic() {
        let node = |positive, negative| FlameNode {
            function: 0,
            depth: 0,
            total: positive,
            self_value: 0,
            positive,
            negative,
            end: 1,
            inlined: false,
        };
        assert_eq!(drawn_width(&node(i64::MAX, i64::MAX)), i64::MAX);
        let graph = FlameGraph {
            functions: Vec::new(),
            tree: FlameTree { nodes: vec![node(i64::MAX, 0)] },
            callers: None,
            total: i64::MAX,
            sample_type: String::new(),
            sample_unit: String::new(),
        };
        let v = narrowed(graph, FlameViewOptions { min_fraction: f64::INFINITY, granularity: None });
        assert_eq!(v.graph.tree.nodes.len(), 1, "the root stays");
    }
}
