//! Messages between the page and its Web Worker.
//!
//! The page never touches a profile: it sends the file's bytes to the
//! worker, which decodes them with proflens-core and answers report
//! queries. Everything but the bytes travels as postcard-encoded
//! [`Request`] and [`Response`] values: a request alone as a Uint8Array,
//! a load as `{request, buffer}` with the file's ArrayBuffer transferred.

use serde::{Deserialize, Serialize};

pub use crate::query::BaseMode;
use crate::query::ReportQuery;

/// What the page asks of the worker.
#[allow(clippy::large_enum_variant, reason = "one message at a time, encoded and sent at once")]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Request {
    /// Decode the file whose bytes travel beside this request (transferred,
    /// not copied) as load `id`; the worker keeps the profiles it has and
    /// answers [`Response::Loaded`] or [`Response::FileFailed`].
    Load {
        /// The load id the page gives the file.
        id: u32,
        /// The file name, for the legend and messages.
        name: String,
        /// The most bytes the profile may decompress to.
        max_decompressed: u64,
    },
    /// Compute a view's data; `id` comes back with the answer.
    Report {
        /// Matches the answer to the question.
        id: u32,
        /// What every report depends on.
        report: ReportQuery,
        /// Which view's data.
        view: ViewRequest,
        /// Offset east of UTC, in seconds, for the legend's "Time:" line.
        tz_offset_seconds: i32,
    },
    /// Show `setup` from now on: the worker combines the profiles and
    /// answers [`Response::Compared`]; on failure it keeps what it showed.
    Compare {
        /// Matches the answer to the question.
        id: u32,
        /// Which profiles, and how.
        setup: Setup,
    },
}

/// Which loaded profiles the reports show.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Setup {
    /// The profile shown (its load id).
    pub source: u32,
    /// The profile subtracted from it, if any.
    pub base: Option<u32>,
    /// How the base is subtracted.
    pub mode: BaseMode,
    /// Scale the source to the base's totals (`-normalize`).
    pub normalize: bool,
}

/// The data a view needs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum ViewRequest {
    /// The top table.
    Top,
    /// The laid-out call graph.
    Graph,
    /// The flame tree, pivoted on functions matching a regexp if not "".
    Flame {
        /// Pivot regexp ("" for none).
        pivot: String,
        /// The range zoomed into, if any: the frames are built for it.
        #[serde(default)]
        zoom: Option<FlameZoom>,
    },
    /// Callers and callees of nodes matching a regexp.
    Peek {
        /// The regexp.
        regex: String,
    },
    /// Per-line costs of functions matching a regexp.
    Source {
        /// The regexp.
        regex: String,
    },
    /// Leak suspects across every loaded heap profile.
    Leaks,
    /// Every label key with its values' shares (the Labels panel).
    Labels,
}

/// Stages of loading a profile, for the progress bar.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Stage {
    /// The browser reads the file.
    Read,
    /// Inflating gzip and decoding protobuf (they stream together).
    Decode,
    /// Resolving ids and building the model.
    Resolve,
    /// Computing the first report.
    Aggregate,
    /// Naming addresses from binaries (the symbolizer worker; no byte
    /// counts, so the bar shows no percentage).
    Symbolize,
}

impl Stage {
    /// A label for the progress bar.
    pub fn label(self) -> &'static str {
        match self {
            Stage::Read => "Reading",
            Stage::Decode => "Decoding",
            Stage::Resolve => "Resolving",
            Stage::Aggregate => "Aggregating",
            Stage::Symbolize => "Symbolizing",
        }
    }
}

/// A sample type of the loaded profile.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SampleType {
    /// e.g. "inuse_space".
    pub name: String,
    /// e.g. "bytes".
    pub unit: String,
}

/// What the page needs to know about a loaded profile.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// The load id the page gave the file.
    pub id: u32,
    /// The file name the user gave.
    pub file_name: String,
    /// Every sample type, in profile order.
    pub sample_types: Vec<SampleType>,
    /// The index pprof shows by default.
    pub default_index: usize,
    /// How many samples.
    pub samples: usize,
    /// How many functions.
    pub functions: usize,
    /// When the profile was taken (Unix nanoseconds), 0 if unknown.
    pub time_nanos: i64,
}

impl Summary {
    /// The sample types' names, in profile order.
    pub fn type_names(&self) -> Vec<&str> {
        self.sample_types.iter().map(|t| t.name.as_str()).collect()
    }

    /// Whether the profile can be a leak snapshot: it has inuse_space and
    /// inuse_objects (a Go heap profile). The rule of
    /// proflens_core::report::is_leak_snapshot, on the names the page has.
    pub fn is_heap(&self) -> bool {
        let names = self.type_names();
        ["inuse_space", "inuse_objects"].iter().all(|t| names.contains(t))
    }
}

/// One row of the top table, numbers and pprof's texts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopRow {
    /// Printable node name.
    pub name: String,
    /// Flat value in sample units.
    pub flat: i64,
    /// Cumulative value in sample units.
    pub cum: i64,
    /// Flat, formatted.
    pub flat_text: String,
    /// Flat percentage, formatted.
    pub flat_pct: String,
    /// Running flat percentage, formatted.
    pub sum_pct: String,
    /// Cum, formatted.
    pub cum_text: String,
    /// Cum percentage, formatted.
    pub cum_pct: String,
    /// "", "(inline)" or "(partial-inline)".
    pub inline: String,
}

/// The top report for a query.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopTable {
    /// pprof's header lines.
    pub legend: Vec<String>,
    /// Rows in pprof's order for the query's sort.
    pub rows: Vec<TopRow>,
    /// The sample type shown.
    pub sample_type: String,
}

/// What the worker tells the page.
#[allow(clippy::large_enum_variant, reason = "one message at a time, decoded and consumed at once")]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Response {
    /// The worker is running and listening; messages sent before this are
    /// lost, so the page queues them until it arrives.
    Ready,
    /// Loading has reached `done` of `total` bytes at `stage`.
    Progress {
        /// The stage.
        stage: Stage,
        /// Bytes done.
        done: u64,
        /// Bytes in all.
        total: u64,
    },
    /// A profile loaded.
    Loaded(Summary),
    /// The file with this load id did not load (the message says why); the
    /// worker keeps the profiles it had.
    FileFailed {
        /// The file's load id.
        id: u32,
        /// Why.
        message: String,
    },
    /// The worker could not read a request (a page bug, not the user's);
    /// it carries on.
    BadRequest(String),
    /// The worker hit a bug and stops: the panic's message. The page treats
    /// the worker as gone.
    Panicked(String),
    /// The answer to `Request::Compare`: what is shown now, or why the
    /// setup was refused (the previous one stays).
    Compared {
        /// The request's id.
        id: u32,
        /// The profile now shown (sample types of the combination).
        result: Result<Summary, String>,
    },
    /// The answer to `Request::Report`.
    Report {
        /// The request's id.
        id: u32,
        /// The view's data, or why it could not be made.
        result: Result<ViewData, String>,
    },
}

/// A view's data.
#[allow(
    clippy::large_enum_variant,
    reason = "one view's data at a time; boxing would only add an allocation"
)]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum ViewData {
    /// The top table.
    Top(TopTable),
    /// The call graph.
    Graph(GraphData),
    /// The flame graph.
    Flame(FlameData),
    /// Callers and callees.
    Peek(PeekData),
    /// Source lines.
    Source(SourceData),
    /// Leak suspects.
    Leaks(LeakData),
    /// The Labels panel's keys and values.
    Labels(LabelsData),
}

/// One value (or numeric range) of a label key, as core's label summary
/// gives it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LabelValueData {
    /// The value or range ("sort", "48B", "1kB–2kB").
    pub text: String,
    /// Its weight in the sample type's unit.
    pub value_text: String,
    /// Its share of the profile's total.
    pub percent: String,
    /// Its weight relative to the key's heaviest value (0..=1), for bars.
    pub fraction: f64,
    /// The tagfocus/tagignore text selecting exactly it ("" if none can).
    pub filter: String,
}

/// One label key.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LabelKeyData {
    /// The key.
    pub key: String,
    /// Numeric: the values are a histogram in `unit`.
    pub numeric: bool,
    /// The numeric unit ("" for string keys).
    pub unit: String,
    /// Its share of the profile's total.
    pub percent: String,
    /// Hidden by tagshow/taghide.
    pub hidden: bool,
    /// String values heaviest first, numeric ones in increasing order.
    pub values: Vec<LabelValueData>,
    /// How many lighter values core left out.
    pub more: usize,
}

/// The Labels panel's data.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LabelsData {
    /// Every label key, heaviest first.
    pub keys: Vec<LabelKeyData>,
    /// The profile's total, formatted.
    pub total_text: String,
}

/// A node of the drawn call graph, placed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GraphNode {
    /// Printable name (what selection and search use).
    pub name: String,
    /// The function name alone ("" for file or address nodes).
    pub function: String,
    /// Label lines, as pprof draws them.
    pub lines: Vec<String>,
    /// Flat value.
    pub flat: i64,
    /// Cum value.
    pub cum: i64,
    /// "44.50MB (46.19%)".
    pub flat_text: String,
    /// "of 85.50MB (88.75%)" or "".
    pub cum_text: String,
    /// Font size of the label, 8 to 24.
    pub font_size: f64,
    /// Border colour.
    pub color: String,
    /// Fill colour.
    pub fill: String,
    /// Centre x.
    pub x: f64,
    /// Centre y.
    pub y: f64,
    /// Box width.
    pub width: f64,
    /// Box height.
    pub height: f64,
    /// A label box hanging off a real node (pprof's nodelet), not a node.
    pub nodelet: bool,
}

/// An edge of the drawn call graph, routed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GraphEdge {
    /// Caller index into `nodes`.
    pub src: usize,
    /// Callee index into `nodes`.
    pub dst: usize,
    /// Weight.
    pub weight: i64,
    /// Weight, formatted, plus "(inline)" for inlined calls.
    pub label: String,
    /// Goes through pruned nodes: drawn dotted.
    pub residual: bool,
    /// An inlined call.
    pub inline: bool,
    /// Stroke width.
    pub width: f64,
    /// Stroke colour.
    pub color: String,
    /// The route, source to target.
    pub points: Vec<(f64, f64)>,
    /// Where the label goes.
    pub label_at: (f64, f64),
    /// Drawn from a nodelet.
    pub nodelet: bool,
}

/// The laid-out call graph.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GraphData {
    /// pprof's legend for the graph.
    pub legend: Vec<String>,
    /// Nodes (real nodes first, then nodelets).
    pub nodes: Vec<GraphNode>,
    /// Edges.
    pub edges: Vec<GraphEdge>,
    /// Drawing width.
    pub width: f64,
    /// Drawing height.
    pub height: f64,
    /// Milliseconds the layout took in the worker.
    pub layout_ms: f64,
}

/// A function of the flame graph.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlameFunction {
    /// Full name.
    pub name: String,
    /// Short name.
    pub short: String,
    /// A hash of the package, for the colour.
    pub color: u32,
}

/// A flame tree as columns, in preorder (see proflens_core::report::FlameTree).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlameColumns {
    /// Function index; u32::MAX for the root.
    pub function: Vec<u32>,
    /// Depth.
    pub depth: Vec<u32>,
    /// Total value.
    pub total: Vec<i64>,
    /// Self value.
    pub self_value: Vec<i64>,
    /// Subtree end.
    pub end: Vec<u32>,
    /// For a diff (some sample negative): the positive part of each total;
    /// empty otherwise.
    pub positive: Vec<i64>,
    /// For a diff: the negative part of each total, as a magnitude; empty
    /// otherwise.
    pub negative: Vec<i64>,
}

impl FlameColumns {
    /// Whether the tree is a diff, drawn with pprof's diff rendering.
    pub fn is_diff(&self) -> bool {
        !self.positive.is_empty()
    }

    /// How wide frame `i` is drawn, in value units: the sum of increases
    /// and decreases for a diff (as pprof), else |total|.
    pub fn width(&self, i: usize) -> i64 {
        match (self.positive.get(i), self.negative.get(i)) {
            (Some(&p), Some(&n)) => p.saturating_add(n),
            _ => self.total[i].saturating_abs(),
        }
    }
}

/// The flame graph.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FlameData {
    /// Functions.
    pub functions: Vec<FlameFunction>,
    /// The tree (the pivot's callees when pivoted).
    pub tree: FlameColumns,
    /// The pivot's callers, when pivoted.
    pub callers: Option<FlameColumns>,
    /// The report total.
    pub total: i64,
    /// The sample type.
    pub sample_type: String,
    /// The sample unit, for formatting.
    pub unit: String,
    /// pprof's legend.
    pub legend: Vec<String>,
    /// How many frames the "…" frames (function [`FLAME_ELIDED`]) stand
    /// for: siblings narrower than a pixel at this zoom, built when zoomed.
    pub elided: usize,
    /// The zoom the frames were built for (None: the whole graph).
    pub zoom: Option<FlameZoom>,
}

/// The function index of a "…" frame (see proflens_core::report::ELIDED).
pub const FLAME_ELIDED: u32 = proflens_core::report::ELIDED;

/// A flame graph zoom: the value range shown and the pixels across.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct FlameZoom {
    /// Left edge of the range, in drawn-width units from the root's left.
    pub start: f64,
    /// Width of the range.
    pub span: f64,
    /// Pixels across the canvas.
    pub pixels: u32,
}

/// A caller or callee line of the peek view.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeekLink {
    /// The other function.
    pub name: String,
    /// Weight, formatted.
    pub value: String,
    /// Percentage of the entry's cum.
    pub pct: String,
    /// Inlined call.
    pub inline: bool,
}

/// One function of the peek view.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeekEntry {
    /// The function.
    pub name: String,
    /// Flat, formatted.
    pub flat: String,
    /// Flat percentage.
    pub flat_pct: String,
    /// Running sum percentage.
    pub sum_pct: String,
    /// Cum, formatted.
    pub cum: String,
    /// Cum percentage.
    pub cum_pct: String,
    /// Callers, heaviest first.
    pub callers: Vec<PeekLink>,
    /// Callees, heaviest first.
    pub callees: Vec<PeekLink>,
}

/// The peek view.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeekData {
    /// pprof's legend.
    pub legend: Vec<String>,
    /// Matched functions.
    pub entries: Vec<PeekEntry>,
}

/// A sampled line of the source view.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceLine {
    /// Line number.
    pub line: i64,
    /// Flat, formatted ("." for zero).
    pub flat: String,
    /// Cum, formatted ("." for zero).
    pub cum: String,
}

/// A function's lines in one file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceFile {
    /// The function.
    pub function: String,
    /// The file as the profile names it.
    pub file: String,
    /// Flat total, formatted.
    pub flat: String,
    /// Cum total, formatted.
    pub cum: String,
    /// Cum percentage of the total.
    pub cum_pct: String,
    /// First line to show.
    pub start: i64,
    /// Last line to show.
    pub end: i64,
    /// Lines with samples.
    pub lines: Vec<SourceLine>,
}

/// The source view.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceData {
    /// The total, formatted.
    pub total: String,
    /// Files per function, in pprof's order.
    pub files: Vec<SourceFile>,
    /// Functions that matched but have no file information.
    pub no_source: Vec<String>,
}

/// A heap snapshot of the Leaks view.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeakSnapshot {
    /// The file name.
    pub name: String,
    /// When it was taken (Unix nanoseconds), 0 if unknown.
    pub time_nanos: i64,
    /// In-use bytes, formatted.
    pub space: String,
    /// In-use objects.
    pub objects: i64,
}

/// An allocation site whose in-use memory grew.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LeakSuspect {
    /// 1-based rank by in-use bytes growth.
    pub rank: usize,
    /// 1-based rank by in-use objects growth.
    pub objects_rank: usize,
    /// The allocating function.
    pub function: String,
    /// The call chain, leaf first.
    pub chain: Vec<String>,
    /// In-use bytes per snapshot, oldest first (for the sparkline).
    pub space: Vec<i64>,
    /// Bytes growth, signed and formatted ("+17MB").
    pub space_growth: String,
    /// Bytes growth per minute, formatted as `proflens leaks` does; "" when
    /// times are unknown.
    pub per_minute: String,
    /// Share of all growth, formatted ("46.7%").
    pub share: String,
    /// Objects growth, signed ("+371387").
    pub objects_growth: String,
    /// Grew in every interval.
    pub monotonic: bool,
    /// Absent from the first snapshot.
    pub new: bool,
    /// "objects kept alive" or "growing buffer".
    pub kind: String,
    /// Why it ranks where it does.
    pub explanation: String,
}

/// The Leaks view.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LeakData {
    /// The snapshots, oldest first.
    pub snapshots: Vec<LeakSnapshot>,
    /// The suspects, best first.
    pub suspects: Vec<LeakSuspect>,
    /// One line on the whole change, as `proflens leaks` prints it ("Total
    /// in-use change: +35.93MB and +1013317 objects over 5s (+428.90MB/min)").
    pub summary: String,
}

/// Encodes a message for postMessage.
pub fn encode<T: Serialize>(value: &T) -> Vec<u8> {
    postcard::to_allocvec(value).expect("encoding to a Vec cannot fail")
}

/// Decodes a message from postMessage.
pub fn decode<'a, T: Deserialize<'a>>(bytes: &'a [u8]) -> Result<T, String> {
    postcard::from_bytes(bytes).map_err(|e| format!("bad message: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_round_trip() {
        let r = Request::Report {
            id: 7,
            report: ReportQuery {
                sample: "alloc_space".into(),
                granularity: Some(proflens_core::graph::Granularity::Lines),
                pruning: crate::query::Pruning { node_fraction: Some(0.01), ..Default::default() },
                ..ReportQuery::default()
            },
            view: ViewRequest::Flame { pivot: "main".into(), zoom: None },
            tz_offset_seconds: -3600,
        };
        assert_eq!(decode::<Request>(&encode(&r)).unwrap(), r);
        let load = Request::Load { id: 1, name: "heap.pb.gz".into(), max_decompressed: 1 << 30 };
        assert_eq!(decode::<Request>(&encode(&load)).unwrap(), load);
        let p = Response::Progress { stage: Stage::Decode, done: 5, total: 10 };
        assert_eq!(decode::<Response>(&encode(&p)).unwrap(), p);
        assert!(decode::<Response>(&[0xff, 0xff]).is_err());
    }

    /// The page tells heap profiles apart by their summaries; the worker's
    /// leak report by core's rule. They agree.
    #[test]
    fn heaps_are_cores_leak_snapshots() {
        use crate::worker::engine::Engine;
        for name in ["go/heap1.pb.gz", "go/cpu.pb.gz", "pprof/large.cpu"] {
            let path = format!("{}/../../tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
            let engine = Engine::load(0, name, &std::fs::read(path).unwrap(), 1 << 30, &mut |_| {}).unwrap();
            let core = proflens_core::report::is_leak_snapshot(engine.profile());
            assert_eq!(engine.summary().is_heap(), core, "{name}");
            assert_eq!(core, name.contains("heap"), "{name}");
        }
    }
}
