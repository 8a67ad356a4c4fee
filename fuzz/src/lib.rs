//! What the fuzz targets share: decode options with small limits, report
//! option sets, and running every report on a profile.
//!
//! A report may refuse its options (a regexp matching nothing, a sample
//! index the profile lacks): errors are fine. Panics, aborts, hangs and
//! runaway memory are bugs.

pub mod spec;

use proflens_core::compare::{combine, merge, BaseMode, Combine};
use proflens_core::graph::Granularity;
use proflens_core::report::{
    dot, flame, leak_suspects, list, peek, top, traces, tree, LeakInput, ReportOptions, Sort, SourceFiles,
};
use proflens_core::{DecodeOptions, Limits, Profile};

/// Where the compare target splits its input into two profiles (seeds in
/// corpus/compare are pairs of profiles joined by it).
pub const SEPARATOR: &[u8] = b"\0PROFLENS-SPLIT\0";

/// Small limits, so that hostile sizes fail fast instead of timing out.
pub fn decode_options(compact_stacks: bool) -> DecodeOptions {
    DecodeOptions {
        limits: Limits {
            max_decompressed_bytes: 16 << 20,
            max_samples: 200_000,
            max_table_rows: 200_000,
            max_strings: 200_000,
            max_stack_nodes: 500_000,
            max_decoded_bytes: 256 << 20,
        },
        all_frames: false,
        compact_stacks,
    }
}

/// Report options covering every filter, the granularities, sorting,
/// trimming and units.
pub fn option_sets() -> Vec<ReportOptions> {
    vec![
        ReportOptions::default(),
        ReportOptions {
            focus: "main|f1".into(),
            ignore: "runtime\\.".into(),
            hide: "^sync".into(),
            sort: Sort::Cum,
            ..ReportOptions::default()
        },
        ReportOptions {
            show_from: "main".into(),
            granularity: Granularity::Lines,
            noinlines: true,
            trim: false,
            unit: "auto".into(),
            ..ReportOptions::default()
        },
        ReportOptions {
            show: ".".into(),
            sample_index: "0".into(),
            granularity: Granularity::Addresses,
            node_count: Some(5),
            relative_percentages: true,
            drop_negative: true,
            ..ReportOptions::default()
        },
        ReportOptions {
            granularity: Granularity::Files,
            focus: "(?i)[a-z]+\\.go".into(),
            unit: "MB".into(),
            node_fraction: 0.0,
            edge_fraction: 0.0,
            ..ReportOptions::default()
        },
        ReportOptions {
            granularity: Granularity::FileFunctions,
            hide: "f[0-9]*$".into(),
            show_from: "\\bmain\\b".into(),
            node_count: Some(1),
            sort: Sort::Cum,
            ..ReportOptions::default()
        },
        // pprof's tag options: regexps, ranges, several keys.
        ReportOptions {
            tag_focus: "k0=^v|v1,".into(),
            tag_ignore: ":1kb".into(),
            tag_show: "k".into(),
            tag_hide: "bytes".into(),
            tag_root: "k0,bytes".into(),
            tag_leaf: "k1".into(),
            ..ReportOptions::default()
        },
    ]
}

/// Source files for listings: none, every read fails.
struct NoSources;

impl SourceFiles for NoSources {
    fn lines(&self, path: &str) -> Result<Vec<String>, String> {
        Err(format!("{path}: no sources while fuzzing"))
    }
}

/// Every report of `p` with `o`, rendered.
pub fn run_reports(p: &Profile, o: &ReportOptions) {
    if let Ok(r) = top(p, o) {
        let _ = r.to_text();
    }
    let _ = traces(p, o);
    if let Ok(r) = tree(p, o) {
        let _ = r.to_text();
    }
    if let Ok(r) = peek(p, o, "main|f[0-3]") {
        let _ = r.to_text();
    }
    if let Ok(g) = dot(p, o) {
        let _ = g.to_dot();
    }
    if let Ok(l) = list(p, o, ".") {
        let _ = l.to_text(&NoSources);
    }
    if let Ok(r) = proflens_core::report::tags(p, o) {
        let _ = r.to_text();
    }
    let _ = proflens_core::tags::label_summary(p, o);
    if let Ok(framed) = proflens_core::tags::apply_label_frames(p, o) {
        if let Ok(r) = top(&framed, o) {
            let _ = r.to_text();
        }
    }
    for granularity in [Granularity::Functions, Granularity::FileFunctions] {
        for pivot in [None, Some("main|f1")] {
            if let Ok(g) = flame(p, o, granularity, pivot) {
                let root = g.tree.nodes[0].total.unsigned_abs() as i64;
                let _ = g.tree.without_narrow(root / 1000, |n| n.total.saturating_abs());
            }
        }
    }
}

/// Compares or merges `a` and `b` in one of the ways the CLI can (merge,
/// -base, -diff_base, each with or without -normalize; `pick` chooses),
/// runs the reports on the result, and the leak report on the pair.
pub fn run_comparisons(a: &Profile, b: &Profile, pick: usize) {
    let pair = [a.clone(), b.clone()];
    let (sources, bases) = (&pair[..1], &pair[1..]);
    let combined = match pick % 5 {
        0 => merge(&pair),
        k => {
            let mode = if k % 2 == 0 { BaseMode::Diff } else { BaseMode::Subtract };
            combine(&Combine { sources, bases, mode, normalize: k > 2 })
        }
    };
    if let Ok(p) = combined {
        let sets = option_sets();
        run_reports(&p, &sets[pick / 5 % sets.len()]);
    }
    let inputs = [LeakInput { name: "a", profile: a }, LeakInput { name: "b", profile: b }];
    if let Ok(r) = leak_suspects(&inputs) {
        let _ = r.to_text();
    }
}
