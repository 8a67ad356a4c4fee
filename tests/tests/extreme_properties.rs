//! Sample values at the edges of int64 (MinInt64, MaxInt64, -1, 0, 1)
//! through every report, compare, merge and the leak report. Tests run in
//! the debug profile, where any overflowing `+`, `-`, `*`, `/` or `abs`
//! panics: nothing may, and the results must keep the invariants that hold
//! under Go's wrapping int64 arithmetic (pprof's).

use std::collections::BTreeMap;

use proflens_core::compare::{combine, merge, BaseMode, Combine};
use proflens_core::graph::Granularity;
use proflens_core::report::{
    dot, flame, leak_suspects, list, peek, top, traces, tree, FlameTree, LeakInput, ReportOptions, Sort,
    SourceFiles,
};
use proflens_core::{decode, gomath, units, DecodeOptions, Profile};
use proflens_tests::spec::{spec_with, Spec};
use proptest::prelude::*;

fn extreme() -> impl Strategy<Value = i64> + Clone {
    prop_oneof![Just(i64::MIN), Just(i64::MAX), Just(-1i64), Just(0i64), Just(1i64)]
}

fn extreme_spec() -> impl Strategy<Value = Spec> {
    spec_with(extreme())
}

fn decode_ok(bytes: &[u8]) -> Profile {
    decode(bytes, &DecodeOptions::default())
        .unwrap_or_else(|e| panic!("a generated profile does not decode: {e}"))
}

/// Report options, filters included (the names are main.f0 .. main.f7 in
/// three files).
fn options() -> impl Strategy<Value = ReportOptions> {
    let regex = prop_oneof![
        Just(""),
        Just(""),
        Just("f1"),
        Just("main\\.f[0-3]"),
        Just("server|sort"),
        Just("^main\\.f7$")
    ];
    let granularity = prop_oneof![
        Just(Granularity::Functions),
        Just(Granularity::FileFunctions),
        Just(Granularity::Files),
        Just(Granularity::Lines),
        Just(Granularity::Addresses),
    ];
    let unit = prop_oneof![Just("minimum"), Just("auto"), Just("MB"), Just("ms")];
    (
        (granularity, any::<bool>(), any::<bool>(), any::<bool>(), prop::option::of(0usize..6)),
        (any::<bool>(), any::<bool>(), unit),
        (regex.clone(), regex.clone(), regex.clone(), regex.clone(), regex),
    )
        .prop_map(
            |((granularity, noinlines, cum, trim, node_count), (drop_negative, relative, unit), filters)| {
                let (focus, ignore, hide, show, show_from) = filters;
                ReportOptions {
                    granularity,
                    noinlines,
                    sort: if cum { Sort::Cum } else { Sort::Flat },
                    trim,
                    node_count,
                    drop_negative,
                    relative_percentages: relative,
                    unit: unit.into(),
                    focus: focus.into(),
                    ignore: ignore.into(),
                    hide: hide.into(),
                    show: show.into(),
                    show_from: show_from.into(),
                    ..ReportOptions::default()
                }
            },
        )
}

struct NoSources;

impl SourceFiles for NoSources {
    fn lines(&self, path: &str) -> Result<Vec<String>, String> {
        Err(format!("{path} is not available in tests"))
    }
}

/// Each node's total is its self value plus its children's totals.
fn check_flame_sums(tree: &FlameTree) -> Result<(), TestCaseError> {
    for (i, n) in tree.nodes.iter().enumerate() {
        let children = gomath::sum(tree.children(i).map(|c| tree.nodes[c].total));
        prop_assert_eq!(n.total, gomath::add(n.self_value, children), "frame {}", i);
        prop_assert_eq!(gomath::sub(n.positive, n.negative), n.total, "frame {}", i);
    }
    Ok(())
}

/// Runs every report on `p` with `o`, checking what holds whatever the
/// options.
fn every_report(p: &Profile, o: &ReportOptions) -> Result<(), TestCaseError> {
    if let Ok(r) = top(p, o) {
        let text = r.to_text();
        // The legend's "accounting for" figures are the last row's.
        let shown = r.rows.last().map_or(0, |row| row.flat_sum);
        prop_assert_eq!(shown, gomath::sum(r.rows.iter().map(|row| row.flat)));
        let fmt = |v| units::scaled_label(v, &r.sample_unit, &r.output_unit);
        let line = format!(
            "Showing nodes accounting for {}, {} of {} total",
            fmt(shown),
            units::percentage(shown, r.total).trim(),
            fmt(r.total)
        );
        prop_assert!(text.contains(&line), "{} not in\n{}", line, text);
        if let Some(last) = r.rows.last() {
            let (sum_column, legend) = (r.percent(last.flat_sum), units::percentage(shown, r.total));
            prop_assert_eq!(sum_column.trim(), legend.trim());
        }
    }
    if let Ok(r) = tree(p, o) {
        let text = r.to_text();
        prop_assert!(text.ends_with('\n'));
        let mut sum = 0i64;
        for e in &r.entries {
            sum = gomath::add(sum, e.flat);
            prop_assert_eq!(e.flat_sum, sum);
        }
    }
    if let Ok(r) = peek(p, o, "f[0-5]") {
        prop_assert!(!r.entries.is_empty());
        let _ = r.to_text();
    }
    if let Ok(text) = traces(p, o) {
        prop_assert!(text.ends_with("-------------------------------------------------------\n"));
    }
    if let Ok(g) = dot(p, o) {
        let text = g.to_dot();
        prop_assert!(text.starts_with("digraph") && text.ends_with("}\n"), "{}", text);
        for n in &g.nodes {
            prop_assert!((8..=24).contains(&n.font_size));
        }
        for e in &g.edges {
            prop_assert!((1..=6).contains(&e.pen_width) && (1..=101).contains(&e.layout_weight), "{:?}", e);
        }
    }
    if let Ok(l) = list(p, o, "main") {
        let _ = l.to_text(&NoSources);
        for f in l.functions.iter().flat_map(|f| &f.files) {
            prop_assert_eq!(f.flat, gomath::sum(f.lines.iter().map(|l| l.flat)));
            prop_assert_eq!(f.cum, gomath::sum(f.lines.iter().map(|l| l.cum)));
        }
    }
    for granularity in [Granularity::Functions, Granularity::FileFunctions] {
        for pivot in [None, Some("f2")] {
            if let Ok(g) = flame(p, o, granularity, pivot) {
                if pivot.is_none() {
                    check_flame_sums(&g.tree)?;
                }
                let _ = g.format_value(g.total);
            }
        }
    }
    Ok(())
}

/// `w` with its first two sample types renamed to a heap profile's.
fn as_heap(spec: &Spec) -> Profile {
    let mut w = spec.writer();
    let msg = w.proto_mut();
    for s in &mut msg.string_table {
        match s.as_str() {
            "samples" => *s = "inuse_objects".into(),
            "cpu" => *s = "inuse_space".into(),
            _ => {}
        }
    }
    decode_ok(&w.encode())
}

/// The sum of each sample type's values (wrapping).
fn type_totals(p: &Profile) -> Vec<i64> {
    (0..p.sample_types.len())
        .map(|t| gomath::sum((0..p.samples.len()).map(|s| p.samples.value(s, t))))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 192, ..ProptestConfig::default() })]

    /// Every report, with every kind of option, survives extreme values.
    #[test]
    fn every_report_survives_extreme_values(spec in extreme_spec(), o in options()) {
        let p = decode_ok(&spec.writer().encode());
        for index in 0..spec.types {
            every_report(&p, &ReportOptions { sample_index: index.to_string(), ..o.clone() })?;
        }
    }

    /// Unfiltered and untrimmed, each function's flat and cum are the Go
    /// (wrapping) sums of its samples' values, the total is the wrapping
    /// sum of absolute values, and the flat column sums to the values' sum.
    #[test]
    fn unfiltered_reports_are_wrapping_sums(spec in extreme_spec(), noinlines: bool) {
        let p = decode_ok(&spec.writer().encode());
        for index in 0..spec.types {
            let o = ReportOptions { sample_index: index.to_string(), noinlines, trim: false, ..ReportOptions::default() };
            let r = top(&p, &o).unwrap();
            prop_assert_eq!(r.total, spec.abs_total(index));
            let got: BTreeMap<String, (i64, i64)> = r.rows.iter().map(|r| (r.name.clone(), (r.flat, r.cum))).collect();
            let mut want = spec.expected(index, noinlines);
            want.retain(|_, &mut (flat, cum)| flat != 0 || cum != 0);
            prop_assert_eq!(got, want, "\n{}", r.to_text());
            prop_assert_eq!(gomath::sum(r.rows.iter().map(|r| r.flat)), spec.total(index));
            let g = flame(&p, &o, Granularity::Functions, None).unwrap();
            prop_assert_eq!(g.tree.nodes[0].total, spec.total(index));
            check_flame_sums(&g.tree)?;
        }
    }

    /// Merging adds each common sample type's values (wrapping); diffs,
    /// -base and -normalize survive, and so does every report on them.
    #[test]
    fn compare_and_merge_survive_extreme_values(a in extreme_spec(), b in extreme_spec(), normalize: bool, subtract: bool) {
        // The same sample types, so the profiles are of one kind.
        let mut b = b;
        b.types = a.types;
        for s in &mut b.samples {
            s.values.resize(a.types, i64::MIN);
        }
        let (pa, pb) = (decode_ok(&a.writer().encode()), decode_ok(&b.writer().encode()));
        let common = a.types;
        let merged = merge(&[pa.clone(), pb.clone()]).unwrap();
        let (ta, tb, tm) = (type_totals(&pa), type_totals(&pb), type_totals(&merged));
        for t in 0..common {
            prop_assert_eq!(tm[t], gomath::add(ta[t], tb[t]), "sample type {}", t);
        }
        let mode = if subtract { BaseMode::Subtract } else { BaseMode::Diff };
        let sources = [pa];
        let bases = [pb];
        let diff = combine(&Combine { sources: &sources, bases: &bases, mode, normalize }).unwrap();
        every_report(&diff, &ReportOptions::default())?;
    }

    /// The leak report adds, subtracts and ranks extreme values without
    /// panicking; its growth figures are wrapping differences.
    #[test]
    fn leak_report_survives_extreme_values(a in extreme_spec(), b in extreme_spec()) {
        prop_assume!(a.types >= 2 && b.types >= 2);
        let (pa, pb) = (as_heap(&a), as_heap(&b));
        let r = leak_suspects(&[LeakInput { name: "a", profile: &pa }, LeakInput { name: "b", profile: &pb }]).unwrap();
        let (first, last) = (&r.snapshots[0], &r.snapshots[1]);
        prop_assert_eq!(first.inuse_space, a.total(1));
        prop_assert_eq!(r.space_growth, gomath::sub(last.inuse_space, first.inuse_space));
        for s in &r.suspects {
            prop_assert_eq!(s.space_growth, gomath::sub(s.space[1], s.space[0]));
            prop_assert!(s.space_growth > 0 || s.objects_growth > 0);
        }
        let _ = r.to_text();
    }
}
