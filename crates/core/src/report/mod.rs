//! go tool pprof's reports, number for number: top, traces, tree, peek,
//! dot, list, tags and the flame graph.

mod collapsed;
mod context;
mod dot;
mod flame;
mod flame_lazy;
mod flame_view;
mod leaks;
mod legend;
mod list;
mod options;
mod tabwriter;
mod tags;
mod top;
mod traces;
mod tree;

pub use collapsed::collapsed;
pub(crate) use context::context_for_summary;
pub use context::sample_index;
pub use dot::{dot, dot_cached, dot_color, DotEdge, DotGraph, DotNode, Nodelet};
pub use flame::{flame, package_name, FlameFunction, FlameGraph, FlameNode, FlameTree};
pub use flame_lazy::{flame_lazy, FlameViewport, LazyFlame, ELIDED, MAX_PIXELS};
pub use flame_view::{
    drawn_width, flame_granularity, flame_view, FlameView, FlameViewOptions, FLAME_DEFAULT_PIXELS,
};
pub use leaks::{
    is_leak_snapshot, leak_suspects, signed_bytes, signed_count, GrowthKind, LeakInput, LeakReport,
    LeakSnapshot, Suspect,
};
pub use legend::{format_time, profile_legend};
pub use list::{list, ListReport, ListedFile, ListedFunction, ListedLine, SourceFiles};
pub use options::{ReportOptions, Sort};
pub use tags::{tags, TagKey, TagValue, TagsReport};
pub use top::{top, top_cached, InlineMark, TopReport, TopRow};
pub use traces::traces;
pub use tree::{peek, tree, TreeEntry, TreeLink, TreeReport};
