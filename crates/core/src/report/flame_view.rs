//! The flame graph as a viewer draws it: pprof's grouping for flame graphs,
//! built for the viewer's viewport (see [`super::flame_lazy`]): frames too
//! narrow to see at its zoom are merged into "…" frames, never built. The
//! page's worker asks for this and sends the result as it is.

use crate::error::Error;
use crate::graph::Granularity;
use crate::model::Profile;

use super::flame::{FlameGraph, FlameNode};
use super::flame_lazy::{flame_lazy, FlameViewport};
use super::ReportOptions;

/// Pixels across assumed when a viewer does not say: a wide canvas on a
/// high-density screen.
pub const FLAME_DEFAULT_PIXELS: u32 = 4096;

/// What a viewer asks of the flame graph.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FlameViewOptions {
    /// The granularity the viewer asked for, if any; the flame graph
    /// groups by [`flame_granularity`] of it (the report options'
    /// granularity is not used).
    pub granularity: Option<Granularity>,
    /// The range shown and its pixels; `pixels` 0 builds every frame.
    pub viewport: FlameViewport,
}

impl Default for FlameViewOptions {
    fn default() -> Self {
        FlameViewOptions { granularity: None, viewport: FlameViewport::whole(FLAME_DEFAULT_PIXELS) }
    }
}

/// A flame graph ready to draw.
#[derive(Clone, Debug, PartialEq)]
pub struct FlameView {
    /// The graph: the frames of the viewport, narrow siblings merged into
    /// "…" frames (function [`super::ELIDED`]).
    pub graph: FlameGraph,
    /// Some sample is negative (a comparison): frames are drawn as their
    /// increases plus decreases, coloured by the net change.
    pub diff: bool,
    /// How many frames the "…" frames stand for, in both trees.
    pub elided: usize,
    /// The viewport the frames were built for.
    pub viewport: FlameViewport,
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
/// `pivot` if not empty, built for `view`'s viewport.
pub fn flame_view(
    profile: &Profile,
    options: &ReportOptions,
    pivot: &str,
    view: FlameViewOptions,
) -> Result<FlameView, Error> {
    let lazy = flame_lazy(profile, options, flame_granularity(view.granularity), Some(pivot), view.viewport)?;
    let graph = lazy.graph;
    // The roots hold every sample: a negative one shows there.
    let diff = graph
        .tree
        .nodes
        .iter()
        .take(1)
        .chain(graph.callers.iter().flat_map(|c| c.nodes.first()))
        .any(|n| n.negative != 0);
    Ok(FlameView { graph, diff, elided: lazy.elided, viewport: view.viewport })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encode::ProfileWriter;
    use crate::report::ELIDED;
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

    /// The default viewport, grouped by function alone (short names).
    fn functions() -> FlameViewOptions {
        FlameViewOptions { granularity: Some(Granularity::Functions), ..FlameViewOptions::default() }
    }

    /// Frame names below the root, "…" for merged frames.
    fn names(v: &FlameView) -> Vec<&str> {
        let name = |f: u32| if f == ELIDED { "…" } else { v.graph.functions[f as usize].name.as_str() };
        v.graph.tree.nodes[1..].iter().map(|n| name(n.function)).collect()
    }

    #[test]
    fn frames_under_a_pixel_merge_into_one_elided_frame() {
        let p = profile();
        let v = flame_view(&p, &ReportOptions::default(), "", functions()).unwrap();
        // main.cold sorts first: the "…" frame sits where it would be.
        assert_eq!(names(&v), ["main.main", "…", "main.hot"]);
        assert_eq!((v.elided, v.diff), (1, false));
        let elided = &v.graph.tree.nodes[2];
        assert_eq!((elided.total, elided.depth, elided.end), (5, 2, 3));
        // The totals are the profile's, narrow frames or not.
        assert_eq!(v.graph.tree.nodes[0].total, 1_000_005);
        let all = flame_view(
            &p,
            &ReportOptions::default(),
            "",
            FlameViewOptions { viewport: FlameViewport::whole(0), ..functions() },
        )
        .unwrap();
        assert_eq!(names(&all), ["main.main", "main.cold", "main.hot"]);
        assert_eq!(all.elided, 0);
    }

    #[test]
    fn zooming_on_an_elided_frame_builds_what_it_stands_for() {
        let p = profile();
        let viewport = FlameViewport { start: 0.0, span: 5.0, pixels: 100 };
        let v = flame_view(&p, &ReportOptions::default(), "", FlameViewOptions { viewport, ..functions() })
            .unwrap();
        assert_eq!(names(&v), ["main.main", "main.cold", "main.hot"]);
        assert_eq!(v.graph.tree.nodes[2].total, 5);
        // Zoomed elsewhere, main.cold stays merged.
        let viewport = FlameViewport { start: 500.0, span: 5.0, pixels: 100 };
        let v = flame_view(&p, &ReportOptions::default(), "", FlameViewOptions { viewport, ..functions() })
            .unwrap();
        assert_eq!(names(&v), ["main.main", "…", "main.hot"]);
    }

    #[test]
    fn pivots_narrow_both_trees() {
        let p = profile();
        let v = flame_view(&p, &ReportOptions::default(), "main\\.main", functions()).unwrap();
        let callers = v.graph.callers.as_ref().expect("a pivot has callers");
        assert_eq!(callers.nodes.len(), 1, "main.main has no callers");
        assert_eq!(names(&v), ["…", "main.hot"]);
        assert_eq!(v.graph.tree.nodes[0].total, 1_000_005);
        assert_eq!(v.elided, 1);
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
    fn extreme_viewports_never_panic() {
        let p = profile();
        for viewport in [
            FlameViewport { start: f64::NAN, span: f64::NAN, pixels: u32::MAX },
            FlameViewport { start: f64::NEG_INFINITY, span: f64::INFINITY, pixels: 1 },
            FlameViewport { start: 1e300, span: 1e-300, pixels: 3 },
        ] {
            let v =
                flame_view(&p, &ReportOptions::default(), "", FlameViewOptions { viewport, ..functions() })
                    .unwrap();
            assert_eq!(v.graph.tree.nodes[0].total, 1_000_005);
        }
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
    }
}
