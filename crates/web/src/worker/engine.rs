//! A decoded profile and its reports: proflens-core's answers translated
//! into the protocol's view data. Pure Rust, so it is tested natively.

use std::borrow::Cow;
use std::cell::RefCell;
use std::rc::Rc;

use proflens_core::decode::{decode_reader_with_progress, Progress, Stage as CoreStage};
use proflens_core::graph::WalkCache;
use proflens_core::report::{
    flame_view, list, peek, top_cached, FlameTree, FlameViewOptions, FlameViewport, ReportOptions, Sort,
};
use proflens_core::{DecodeOptions, Error, Profile};

use crate::protocol::{
    FlameColumns, FlameData, FlameFunction, FlameZoom, LabelKeyData, LabelValueData, LabelsData, PeekData,
    PeekEntry, PeekLink, Response, SampleType, SourceData, SourceFile, SourceLine, Stage, Summary, TopRow,
    TopTable, ViewData, ViewRequest,
};
use crate::query::{ReportQuery, SortKey};

/// A profile to report on (a loaded one, or a combination of loaded ones),
/// what it is called and the load id it goes by.
pub struct Engine {
    id: u32,
    profile: Rc<Profile>,
    file_name: String,
    /// The profile with the last tagroot/tagleaf pseudo-frames asked for,
    /// by (tagroot, tagleaf, unit): rewriting it is a pass over the whole
    /// profile, and every view of a query needs the same one.
    labeled: RefCell<Option<(LabelFramesKey, Rc<Profile>)>>,
    /// Walks of the stack tree kept across Graph requests.
    walks: WalkCache,
}

/// The options a profile with label pseudo-frames depends on: tagroot,
/// tagleaf and the unit numeric values are printed in.
type LabelFramesKey = (String, String, String);

impl Engine {
    /// An engine for an already decoded profile.
    pub fn new(id: u32, file_name: &str, profile: Rc<Profile>) -> Engine {
        Engine {
            id,
            profile,
            file_name: file_name.to_string(),
            labeled: RefCell::new(None),
            walks: WalkCache::default(),
        }
    }

    /// The load id.
    pub fn id(&self) -> u32 {
        self.id
    }

    /// The file name the user gave.
    pub fn file_name(&self) -> &str {
        &self.file_name
    }

    /// The profile.
    pub fn profile(&self) -> &Rc<Profile> {
        &self.profile
    }

    /// Decodes `bytes` as load `id`, at most `max_decompressed` bytes once
    /// inflated, reporting progress through `progress`.
    pub fn load(
        id: u32,
        file_name: &str,
        bytes: &[u8],
        max_decompressed: u64,
        progress: &mut dyn FnMut(Response),
    ) -> Result<Engine, String> {
        Self::load_from(id, file_name, bytes, bytes.len() as u64, max_decompressed, progress)
    }

    /// Like [`Engine::load`], reading the `total` bytes of the file from
    /// `reader` as the decoder goes (the page's file stays in its
    /// ArrayBuffer, outside wasm memory).
    pub fn load_from(
        id: u32,
        file_name: &str,
        reader: impl std::io::BufRead,
        total: u64,
        max_decompressed: u64,
        progress: &mut dyn FnMut(Response),
    ) -> Result<Engine, String> {
        let mut options = DecodeOptions::default();
        options.limits.max_decompressed_bytes = max_decompressed;
        // Every view walks the stacks again: lay them out for walking.
        options.compact_stacks = true;
        let mut on_progress = |p: Progress| {
            let stage = match p.stage {
                CoreStage::Decode => Stage::Decode,
                CoreStage::Resolve => Stage::Resolve,
            };
            progress(Response::Progress { stage, done: p.done, total });
        };
        let decoded = decode_reader_with_progress(reader, Some(total), &options, &mut on_progress);
        let profile = decoded.map_err(|e| match e {
            // Core's advice (raise the limit) is not the page's to follow.
            Error::TooLarge { limit } => format!(
                "{file_name} is larger than {} once decompressed, over the page's limit for it; \
                 open it with the proflens command instead (proflens top {file_name})",
                proflens_core::units::scaled_label(limit as i64, "bytes", "auto")
            ),
            e => e.to_string(),
        })?;
        // The Sample menu lists every type: a profile declaring thousands
        // (no profiler writes more than a handful) would freeze the tab.
        if profile.sample_types.len() > MAX_SAMPLE_TYPES {
            return Err(format!(
                "{file_name} declares {} sample types; the page shows profiles with at most {MAX_SAMPLE_TYPES}. \
                 Open it with the proflens command instead (proflens top {file_name})",
                profile.sample_types.len()
            ));
        }
        Ok(Engine::new(id, file_name, Rc::new(profile)))
    }

    /// What the page shows about the profile before any report.
    pub fn summary(&self) -> Summary {
        let p = &self.profile;
        Summary {
            id: self.id,
            file_name: self.file_name.clone(),
            sample_types: p
                .sample_types
                .iter()
                .map(|t| SampleType { name: p.str(t.kind).to_string(), unit: p.str(t.unit).to_string() })
                .collect(),
            default_index: proflens_core::report::sample_index(p, "").unwrap_or(0),
            samples: p.samples.len(),
            functions: p.functions.len(),
            time_nanos: p.time_nanos,
        }
    }

    /// The data of a view.
    pub fn report(
        &self,
        query: &ReportQuery,
        view: &ViewRequest,
        tz_offset_seconds: i32,
    ) -> Result<ViewData, String> {
        let options = report_options(query, tz_offset_seconds);
        let labeled = self.with_label_frames(&options)?;
        let engine = labeled.as_ref().unwrap_or(self);
        let base = &query.filters.tag_base;
        if base.is_empty() || *view == ViewRequest::Labels {
            return engine.report_with(&options, query, view);
        }
        // Two values of a key against each other: tagfocus's samples with
        // the base filter's subtracted, tag filters applied.
        let diff = proflens_core::tags::compare_tag_values(&engine.profile, &options, base)
            .map_err(|e| e.to_string())?;
        let options = ReportOptions { tag_focus: String::new(), tag_ignore: String::new(), ..options };
        Engine::new(self.id, &self.file_name, Rc::new(diff)).report_with(&options, query, view)
    }

    /// This profile with the pseudo-frames of tagroot/tagleaf, as an engine
    /// of its own; None when the options ask for none.
    fn with_label_frames(&self, options: &ReportOptions) -> Result<Option<Engine>, String> {
        if options.tag_root.is_empty() && options.tag_leaf.is_empty() {
            return Ok(None);
        }
        let key = (options.tag_root.clone(), options.tag_leaf.clone(), options.unit.clone());
        let cached = self.labeled.borrow().as_ref().filter(|(k, _)| *k == key).map(|(_, p)| p.clone());
        let profile = match cached {
            Some(p) => p,
            None => {
                let p = match proflens_core::tags::apply_label_frames(&self.profile, options) {
                    Ok(Cow::Owned(p)) => Rc::new(p),
                    Ok(Cow::Borrowed(_)) => self.profile.clone(),
                    Err(e) => return Err(e.to_string()),
                };
                *self.labeled.borrow_mut() = Some((key, p.clone()));
                p
            }
        };
        Ok(Some(Engine::new(self.id, &self.file_name, profile)))
    }

    /// The data of a view of this very profile.
    fn report_with(
        &self,
        options: &ReportOptions,
        query: &ReportQuery,
        view: &ViewRequest,
    ) -> Result<ViewData, String> {
        match view {
            ViewRequest::Top => self.top(options).map(ViewData::Top),
            ViewRequest::Graph => self.graph(options).map(ViewData::Graph),
            ViewRequest::Flame { pivot, zoom } => {
                self.flame(options, query, pivot, *zoom).map(ViewData::Flame)
            }
            ViewRequest::Peek { regex } => self.peek(options, regex).map(ViewData::Peek),
            ViewRequest::Source { regex } => self.source(options, regex).map(ViewData::Source),
            ViewRequest::Leaks => Err("the Leaks view is computed by the session".into()),
            ViewRequest::Labels => self.labels(options).map(ViewData::Labels),
        }
    }

    /// The Labels panel: core's label summary.
    pub fn labels(&self, options: &ReportOptions) -> Result<LabelsData, String> {
        let summary =
            proflens_core::tags::label_summary(&self.profile, options).map_err(|e| e.to_string())?;
        Ok(LabelsData {
            total_text: summary.total_text,
            keys: summary
                .keys
                .into_iter()
                .map(|k| LabelKeyData {
                    key: k.key,
                    numeric: k.numeric,
                    unit: k.unit,
                    percent: k.percent,
                    hidden: k.hidden,
                    more: k.more,
                    values: k
                        .values
                        .into_iter()
                        .map(|v| LabelValueData {
                            text: v.text,
                            value_text: v.value_text,
                            percent: v.percent,
                            fraction: v.fraction,
                            filter: v.filter,
                        })
                        .collect(),
                })
                .collect(),
        })
    }

    /// The laid-out call graph (pprof's 80 nodes by default).
    pub fn graph(&self, options: &ReportOptions) -> Result<crate::protocol::GraphData, String> {
        let graph = proflens_core::report::dot_cached(&self.profile, options, Some(&self.walks))
            .map_err(|e| e.to_string())?;
        Ok(super::placement::place(&graph))
    }

    /// The flame graph core's flame view gives (grouped as pprof's flame
    /// graph is, built for the zoom: frames narrower than a pixel merged
    /// into "…" frames), pivoted on `pivot` if not empty.
    pub fn flame(
        &self,
        options: &ReportOptions,
        query: &ReportQuery,
        pivot: &str,
        zoom: Option<FlameZoom>,
    ) -> Result<FlameData, String> {
        let mut asked = FlameViewOptions { granularity: query.granularity, ..FlameViewOptions::default() };
        if let Some(z) = zoom {
            asked.viewport = FlameViewport { start: z.start, span: z.span, pixels: z.pixels };
        }
        let view = flame_view(&self.profile, options, pivot, asked).map_err(|e| e.to_string())?;
        let legend =
            proflens_core::report::profile_legend(&self.profile, options).map_err(|e| e.to_string())?;
        let g = &view.graph;
        Ok(FlameData {
            elided: view.elided,
            zoom,
            functions: g
                .functions
                .iter()
                .map(|f| FlameFunction {
                    name: f.name.clone(),
                    short: f.short.clone(),
                    color: hash(&f.package),
                })
                .collect(),
            tree: columns(&g.tree, view.diff),
            callers: g.callers.as_ref().map(|c| columns(c, view.diff)),
            total: g.total,
            sample_type: g.sample_type.clone(),
            unit: g.sample_unit.clone(),
            legend,
        })
    }

    /// Callers and callees of the nodes whose name matches `regex`.
    pub fn peek(&self, options: &ReportOptions, regex: &str) -> Result<PeekData, String> {
        let report = peek(&self.profile, options, regex).map_err(|e| e.to_string())?;
        let pct = |v, of| proflens_core::units::percentage(v, of).trim().to_string();
        let link = |l: &proflens_core::report::TreeLink, cum| PeekLink {
            name: l.name.clone(),
            value: l.weight_text.clone(),
            pct: pct(l.weight, cum),
            inline: l.inline,
        };
        Ok(PeekData {
            legend: report.legend.clone(),
            entries: report
                .entries
                .iter()
                .map(|e| PeekEntry {
                    name: e.name.clone(),
                    flat: e.flat_text.clone(),
                    flat_pct: pct(e.flat, report.total),
                    sum_pct: pct(e.flat_sum, report.total),
                    cum: e.cum_text.clone(),
                    cum_pct: pct(e.cum, report.total),
                    callers: e.callers.iter().map(|l| link(l, e.cum)).collect(),
                    callees: e.callees.iter().map(|l| link(l, e.cum)).collect(),
                })
                .collect(),
        })
    }

    /// Per-line costs of the functions whose name matches `regex`.
    pub fn source(&self, options: &ReportOptions, regex: &str) -> Result<SourceData, String> {
        let report = list(&self.profile, options, regex).map_err(|e| e.to_string())?;
        let dot = |v: i64| if v == 0 { ".".to_string() } else { report.format_value(v) };
        let mut files = Vec::new();
        let mut no_source = Vec::new();
        for f in &report.functions {
            if f.files.is_empty() {
                no_source.push(f.name.clone());
            }
            for file in &f.files {
                files.push(SourceFile {
                    function: f.name.clone(),
                    file: file.file.clone(),
                    flat: report.format_value(file.flat),
                    cum: report.format_value(file.cum),
                    cum_pct: proflens_core::units::percentage(file.cum, report.total).trim().to_string(),
                    start: file.start,
                    end: file.end,
                    lines: file
                        .lines
                        .iter()
                        .map(|l| SourceLine { line: l.line, flat: dot(l.flat), cum: dot(l.cum) })
                        .collect(),
                });
            }
        }
        Ok(SourceData { total: report.format_value(report.total), files, no_source })
    }

    /// The top report, every node (no node count limit unless the options
    /// set one).
    pub fn top(&self, options: &ReportOptions) -> Result<TopTable, String> {
        let report = top_cached(&self.profile, options, Some(&self.walks)).map_err(|e| e.to_string())?;
        let rows = report
            .rows
            .iter()
            .map(|r| TopRow {
                name: r.name.clone(),
                flat: r.flat,
                cum: r.cum,
                flat_text: r.flat_text.clone(),
                flat_pct: report.percent(r.flat).trim().to_string(),
                sum_pct: report.percent(r.flat_sum).trim().to_string(),
                cum_text: r.cum_text.clone(),
                cum_pct: report.percent(r.cum).trim().to_string(),
                inline: r.inline.label().to_string(),
            })
            .collect();
        Ok(TopTable { legend: report.legend, rows, sample_type: report.sample_type })
    }
}

/// A flame tree as columns; a diff's with the positive and negative parts.
fn columns(tree: &FlameTree, diff: bool) -> FlameColumns {
    let mut c = FlameColumns::default();
    for n in &tree.nodes {
        c.function.push(n.function);
        c.depth.push(n.depth);
        c.total.push(n.total);
        c.self_value.push(n.self_value);
        c.end.push(n.end);
        if diff {
            c.positive.push(n.positive);
            c.negative.push(n.negative);
        }
    }
    c
}

/// FNV-1a: a stable hash of a package name, for its colour.
pub fn hash(text: &str) -> u32 {
    text.bytes().fold(0x811c_9dc5u32, |h, b| (h ^ u32::from(b)).wrapping_mul(0x0100_0193))
}

/// Report options for a query, with pprof's defaults for what it leaves out.
pub fn report_options(q: &ReportQuery, tz_offset_seconds: i32) -> ReportOptions {
    let f = &q.filters;
    let p = &q.pruning;
    let defaults = ReportOptions::default();
    ReportOptions {
        sample_index: q.sample.clone(),
        // The name order is the page's; the worker sends flat order for it.
        sort: if q.sort == SortKey::Cum { Sort::Cum } else { Sort::Flat },
        granularity: q.granularity.unwrap_or_default(),
        focus: f.focus.clone(),
        ignore: f.ignore.clone(),
        hide: f.hide.clone(),
        show: f.show.clone(),
        show_from: f.show_from.clone(),
        tag_focus: f.tag_focus.clone(),
        tag_ignore: f.tag_ignore.clone(),
        tag_show: f.tag_show.clone(),
        tag_hide: f.tag_hide.clone(),
        tag_root: f.tag_root.clone(),
        tag_leaf: f.tag_leaf.clone(),
        node_count: p.node_count,
        node_fraction: p.node_fraction.unwrap_or(defaults.node_fraction),
        edge_fraction: p.edge_fraction.unwrap_or(defaults.edge_fraction),
        time_zone: jiff::tz::TimeZone::fixed(
            jiff::tz::Offset::from_seconds(tz_offset_seconds).unwrap_or(jiff::tz::Offset::UTC),
        ),
        // A legend of millions of comments would freeze the tab.
        legend_comments: Some(LEGEND_COMMENTS),
        ..defaults
    }
}

/// The most sample types a profile the page opens may declare.
pub const MAX_SAMPLE_TYPES: usize = 1024;

/// The most comments the page's legend lists; the rest are counted.
pub const LEGEND_COMMENTS: usize = 20;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::Filters;
    use proflens_core::report::top;

    /// Decompressed bytes the tests allow: the page's own limit.
    const LIMIT: u64 = 1 << 30;

    fn heap2() -> Vec<u8> {
        std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/go/heap2.pb.gz")).unwrap()
    }

    fn options(q: &ReportQuery) -> ReportOptions {
        report_options(q, 0)
    }

    #[test]
    fn top_rows_are_cores_top_report() {
        let mut stages = Vec::new();
        let engine = Engine::load(0, "heap2.pb.gz", &heap2(), LIMIT, &mut |r| stages.push(r)).unwrap();
        assert!(matches!(stages.last(), Some(Response::Progress { stage: Stage::Resolve, .. })));
        let summary = engine.summary();
        assert_eq!(summary.sample_types.len(), 4);
        assert_eq!(summary.sample_types[summary.default_index].name, "inuse_space");
        assert!(summary.is_heap());

        let table = engine.top(&options(&ReportQuery::default())).unwrap();
        let expected = top(&engine.profile, &ReportOptions::default()).unwrap();
        assert_eq!(table.legend, expected.legend);
        assert_eq!(table.rows.len(), expected.rows.len());
        assert_eq!(table.rows[0].name, "context.WithValue");
        assert_eq!(table.rows[0].flat_text, "44.50MB");
        assert_eq!(table.rows[0].flat_pct, "46.19%");

        let alloc_cum =
            ReportQuery { sample: "alloc_space".into(), sort: SortKey::Cum, ..ReportQuery::default() };
        let alloc = engine.top(&options(&alloc_cum)).unwrap();
        assert_eq!(alloc.sample_type, "alloc_space");
        assert!(alloc.rows.windows(2).all(|w| w[0].cum.abs() >= w[1].cum.abs()));
    }

    #[test]
    fn every_view_answers() {
        let engine = Engine::load(0, "heap2.pb.gz", &heap2(), LIMIT, &mut |_| {}).unwrap();
        let q = ReportQuery::default();
        let ViewData::Graph(g) = engine.report(&q, &ViewRequest::Graph, 0).unwrap() else { panic!() };
        let with_value = g.nodes.iter().position(|n| n.name == "context.WithValue").expect("node");
        let set_ctx = g.nodes.iter().position(|n| n.name == "main.SetCtxValue").expect("node");
        let edge = g.edges.iter().find(|e| e.src == set_ctx && e.dst == with_value).expect("edge");
        assert!(edge.points.len() >= 2);
        assert!(g.nodes[set_ctx].y < g.nodes[with_value].y, "callers above callees");
        assert_eq!(g.nodes[with_value].flat_text, "44.50MB (46.19%)");

        let ViewData::Flame(f) =
            engine.report(&q, &ViewRequest::Flame { pivot: String::new(), zoom: None }, 0).unwrap()
        else {
            panic!()
        };
        assert_eq!(f.tree.total[0], f.total);
        assert_eq!(f.zoom, None);
        // Zoomed into the first frame below the root: built for that range.
        let zoom = FlameZoom { start: 0.0, span: f.tree.width(1) as f64, pixels: 800 };
        let ViewData::Flame(z) =
            engine.report(&q, &ViewRequest::Flame { pivot: String::new(), zoom: Some(zoom) }, 0).unwrap()
        else {
            panic!()
        };
        assert_eq!(
            (z.zoom, z.tree.total[0], z.tree.total[1]),
            (Some(zoom), f.tree.total[0], f.tree.total[1])
        );
        assert!(z.tree.total.len() >= f.tree.total.len());
        let ViewData::Peek(p) =
            engine.report(&q, &ViewRequest::Peek { regex: "^main\\.ResetLogId$".into() }, 0).unwrap()
        else {
            panic!()
        };
        let entry = &p.entries[0];
        assert!(entry.callers.iter().any(|l| l.name == "main.flushEvent"));
        for callee in ["main.SetCtxValue", "fmt.Sprintf"] {
            assert!(entry.callees.iter().any(|l| l.name == callee), "{callee}");
        }
        let ViewData::Source(s) =
            engine.report(&q, &ViewRequest::Source { regex: "ResetLogId".into() }, 0).unwrap()
        else {
            panic!()
        };
        assert_eq!(s.files[0].file, "gen/leak/main.go");
        assert!(!s.files[0].lines.is_empty());
    }

    #[test]
    fn bad_queries_and_bytes_are_errors() {
        let engine = Engine::load(0, "heap2.pb.gz", &heap2(), LIMIT, &mut |_| {}).unwrap();
        let nope = ReportQuery { sample: "nope".into(), ..ReportQuery::default() };
        assert!(engine.top(&options(&nope)).unwrap_err().contains("nope"));
        let bad_focus = ReportQuery {
            filters: Filters { focus: "(".into(), ..Filters::default() },
            ..ReportQuery::default()
        };
        assert!(engine.top(&options(&bad_focus)).unwrap_err().contains("focus"));
        assert!(Engine::load(0, "x", b"hello world, not a profile", LIMIT, &mut |_| {}).is_err());
    }

    #[test]
    fn the_decompression_limit_names_the_file_and_the_command() {
        let err = Engine::load(0, "heap2.pb.gz", &heap2(), 1000, &mut |_| {}).err().expect("over the limit");
        assert!(err.starts_with("heap2.pb.gz is larger than 1000B once decompressed"), "{err}");
        assert!(err.contains("proflens top heap2.pb.gz"), "{err}");
    }

    #[test]
    fn thousands_of_sample_types_are_refused_by_name() {
        let names: Vec<String> = (0..=MAX_SAMPLE_TYPES).map(|i| format!("t{i}")).collect();
        let types: Vec<(&str, &str)> = names.iter().map(|n| (n.as_str(), "count")).collect();
        let bytes = proflens_core::encode::ProfileWriter::new(&types).encode_gzip();
        let err = Engine::load(0, "many.pb.gz", &bytes, LIMIT, &mut |_| {}).err().expect("refused");
        assert!(err.starts_with("many.pb.gz declares 1025 sample types"), "{err}");
        let fine = proflens_core::encode::ProfileWriter::new(&types[..MAX_SAMPLE_TYPES]).encode_gzip();
        assert!(Engine::load(0, "ok.pb.gz", &fine, LIMIT, &mut |_| {}).is_ok());
    }

    #[test]
    fn the_legend_lists_a_few_comments_and_counts_the_rest() {
        let mut w = proflens_core::encode::ProfileWriter::new(&[("samples", "count")]);
        for i in 0..1000 {
            w.add_comment(&format!("c{i}"));
        }
        let engine = Engine::load(0, "c.pb.gz", &w.encode_gzip(), LIMIT, &mut |_| {}).unwrap();
        let table = engine.top(&options(&ReportQuery::default())).unwrap();
        assert_eq!(table.legend.iter().filter(|l| l.starts_with('c')).count(), LEGEND_COMMENTS);
        assert!(
            table.legend.contains(&format!("({} more comments not shown)", 1000 - LEGEND_COMMENTS)),
            "{:?}",
            table.legend
        );
    }

    #[test]
    fn tag_options_reach_core_and_group_by_adds_label_frames() {
        let cpu =
            std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/go/cpu.pb.gz")).unwrap();
        let engine = Engine::load(0, "cpu.pb.gz", &cpu, LIMIT, &mut |_| {}).unwrap();
        let filters =
            Filters { tag_focus: "worker=^sort$".into(), tag_root: "worker".into(), ..Filters::default() };
        let q = ReportQuery { sort: SortKey::Cum, filters, ..ReportQuery::default() };
        let Ok(ViewData::Top(table)) = engine.report(&q, &ViewRequest::Top, 0) else {
            panic!("no top table")
        };
        // As `proflens top --cum --tagroot=worker --tagfocus='worker=^sort$'`:
        // the "sort" pseudo-frame holds every sample left, and no other worker shows.
        let sort = table.rows.iter().find(|r| r.name == "sort").expect("the worker=sort frame");
        assert_eq!((sort.cum_text.as_str(), table.rows[0].cum_text.as_str()), ("2.62s", "2.62s"));
        assert!(!table.rows.iter().any(|r| r.name == "hash" || r.name == "contender"));
        assert!(table.legend.iter().any(|l| l.trim() == "tagfocus=worker=^sort$"), "{:?}", table.legend);
        // The same query again uses the cached rewrite and answers the same.
        let Ok(ViewData::Top(again)) = engine.report(&q, &ViewRequest::Top, 0) else {
            panic!("no top table")
        };
        assert_eq!(again.rows[0].cum, table.rows[0].cum);
    }

    #[test]
    fn two_label_values_compare_through_the_diff() {
        let cpu =
            std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/go/cpu.pb.gz")).unwrap();
        let engine = Engine::load(0, "cpu.pb.gz", &cpu, LIMIT, &mut |_| {}).unwrap();
        let filters = Filters {
            tag_focus: "worker=^sort$".into(),
            tag_base: "worker=^hash$".into(),
            ..Filters::default()
        };
        let q = ReportQuery { filters, ..ReportQuery::default() };
        let Ok(ViewData::Top(table)) = engine.report(&q, &ViewRequest::Top, 0) else {
            panic!("no top table")
        };
        // As proflens-core's -diff_base of the two label selections.
        let options = ReportOptions { tag_focus: "worker=^sort$".into(), ..ReportOptions::default() };
        let diff =
            proflens_core::tags::compare_tag_values(&engine.profile, &options, "worker=^hash$").unwrap();
        let want = top(&diff, &ReportOptions::default()).unwrap();
        assert_eq!(table.rows.len(), want.rows.len());
        assert_eq!(
            (table.rows[0].name.as_str(), table.rows[0].flat),
            (want.rows[0].name.as_str(), want.rows[0].flat)
        );
        assert!(table.rows.iter().any(|r| r.flat < 0) && table.rows.iter().any(|r| r.flat > 0));
    }
}
