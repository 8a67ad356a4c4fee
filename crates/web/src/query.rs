//! The one typed query: everything the page's view state holds, for the
//! page, the worker protocol, the URL fragment (see [`crate::fragment`],
//! the only place that knows pprof's short parameter names) and the
//! embedding API.

use proflens_core::graph::Granularity;
use serde::{Deserialize, Serialize};

/// The views of the page.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Hash)]
pub enum View {
    /// The top table.
    #[default]
    Top,
    /// The call graph.
    Graph,
    /// The flame graph.
    Flame,
    /// Callers and callees.
    Peek,
    /// Annotated source.
    Source,
    /// Leak suspects across heap snapshots.
    Leaks,
}

impl View {
    /// Every view, in the order of the view tabs (Leaks only shows with
    /// two or more heap profiles).
    pub const ALL: [View; 6] = [View::Top, View::Graph, View::Flame, View::Peek, View::Source, View::Leaks];

    /// pprof's name for the view (the fragment's path, the embedding's
    /// `view` attribute).
    pub fn name(self) -> &'static str {
        match self {
            View::Top => "top",
            View::Graph => "graph",
            View::Flame => "flamegraph",
            View::Peek => "peek",
            View::Source => "source",
            View::Leaks => "leaks",
        }
    }

    /// The view of a name; None for an unknown one.
    pub fn parse(name: &str) -> Option<View> {
        View::ALL.into_iter().find(|v| v.name() == name)
    }

    /// The tab label.
    pub fn label(self) -> &'static str {
        match self {
            View::Top => "Top",
            View::Graph => "Graph",
            View::Flame => "Flame Graph",
            View::Peek => "Peek",
            View::Source => "Source",
            View::Leaks => "Leaks",
        }
    }
}

/// How the top table is ordered; flat and cum are pprof's orders, name is
/// the page's own (applied on the page: the worker sends flat order).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Hash, Serialize, Deserialize)]
pub enum SortKey {
    /// By |flat| (pprof's default).
    #[default]
    Flat,
    /// By |cum|.
    Cum,
    /// By name.
    Name,
}

impl SortKey {
    /// Every order.
    pub const ALL: [SortKey; 3] = [SortKey::Flat, SortKey::Cum, SortKey::Name];

    /// The order's name ("flat", "cum", "name").
    pub fn name(self) -> &'static str {
        match self {
            SortKey::Flat => "flat",
            SortKey::Cum => "cum",
            SortKey::Name => "name",
        }
    }

    /// The order of a name; None for an unknown one.
    pub fn parse(name: &str) -> Option<SortKey> {
        SortKey::ALL.into_iter().find(|s| s.name() == name)
    }
}

/// Every granularity, in the order the menu lists them.
pub const GRANULARITIES: [Granularity; 5] = [
    Granularity::Functions,
    Granularity::FileFunctions,
    Granularity::Files,
    Granularity::Lines,
    Granularity::Addresses,
];

/// pprof's name filters (regexps; "" for none).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Filters {
    /// Keep samples through a match (`-focus`).
    pub focus: String,
    /// Drop samples through a match (`-ignore`).
    pub ignore: String,
    /// Remove matching frames (`-hide`).
    pub hide: String,
    /// Keep only matching frames (`-show`).
    pub show: String,
    /// Drop frames above the first match (`-show_from`).
    pub show_from: String,
    /// Keep samples with matching labels (`-tagfocus`: `key=regexp`,
    /// regexps, or a numeric range such as `bytes=1kb:`).
    pub tag_focus: String,
    /// Drop samples with matching labels (`-tagignore`).
    pub tag_ignore: String,
    /// Show only matching label keys (`-tagshow`).
    pub tag_show: String,
    /// Hide matching label keys (`-taghide`).
    pub tag_hide: String,
    /// Label keys as pseudo-frames at the root, comma-separated (`-tagroot`).
    pub tag_root: String,
    /// Label keys as pseudo-frames at the leaf, comma-separated (`-tagleaf`).
    pub tag_leaf: String,
    /// A tag filter whose samples are the diff base of tag_focus's (two
    /// values of one key compared; proflens' own, "" for none).
    pub tag_base: String,
}

/// pprof's pruning options; None for pprof's defaults (the page shows
/// every node unless a node count is given).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Pruning {
    /// Node count limit (`-nodecount`).
    pub node_count: Option<usize>,
    /// Node fraction (`-nodefraction`), finite.
    pub node_fraction: Option<f64>,
    /// Edge fraction (`-edgefraction`), finite.
    pub edge_fraction: Option<f64>,
}

/// What every report of the worker depends on.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReportQuery {
    /// Sample type by name or index, as pprof takes it; "" for the
    /// profile's default.
    pub sample: String,
    /// The order.
    pub sort: SortKey,
    /// The granularity asked for; None for each report's default
    /// (functions, but functions and files for the flame graph, as pprof).
    #[serde(with = "granularity_name")]
    pub granularity: Option<Granularity>,
    /// Name filters.
    pub filters: Filters,
    /// Pruning.
    pub pruning: Pruning,
}

impl Default for ReportQuery {
    fn default() -> Self {
        ReportQuery {
            sample: String::new(),
            sort: SortKey::Flat,
            granularity: None,
            filters: Filters::default(),
            pruning: Pruning::default(),
        }
    }
}

impl ReportQuery {
    /// The query as the worker needs it: the name order is the page's own,
    /// so the worker is asked for flat order (and the same data is not
    /// asked for twice).
    pub fn for_worker(&self) -> ReportQuery {
        let sort = if self.sort == SortKey::Name { SortKey::Flat } else { self.sort };
        ReportQuery { sort, ..self.clone() }
    }
}

/// How a base profile is taken away from the source (pprof's `-diff_base`
/// or `-base`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum BaseMode {
    /// `-diff_base`: percentages are of the base total; views show the
    /// change by sign.
    #[default]
    Diff,
    /// `-base`: the base is subtracted; percentages are of the result.
    Subtract,
}

/// The comparison asked for, by file name: the page cannot keep files
/// across a reload, so dropping the same files again restores it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Comparison {
    /// The file name of the profile shown, when several are loaded; "" for
    /// the default.
    pub source: String,
    /// The file name of the base profile; "" for none.
    pub base: String,
    /// How the base is taken away.
    pub mode: BaseMode,
    /// Scale the source to the base's totals (`-normalize`).
    pub normalize: bool,
}

/// Everything the page's view state holds.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Query {
    /// The view shown.
    pub view: View,
    /// What the reports depend on.
    pub report: ReportQuery,
    /// Flame graph pivot regexp ("" for none).
    pub pivot: String,
    /// The selection, as an exact-match regexp over node names (so Peek
    /// and Source links can be shared).
    pub selection: String,
    /// The comparison.
    pub compare: Comparison,
    /// Draw diffs in the colour-blind-safe palette.
    pub colorblind: bool,
}

impl Query {
    /// The state without what names functions of a particular profile
    /// (selection and pivot): what a new profile opens with.
    pub fn for_new_profile(&self) -> Query {
        Query { selection: String::new(), pivot: String::new(), ..self.clone() }
    }

    /// The state a named config saves: all but the selection.
    pub fn for_config(&self) -> Query {
        Query { selection: String::new(), ..self.clone() }
    }
}

/// The index of the sample type `requested` names among `types` (names in
/// profile order), as proflens-core resolves it: "" is the default
/// (`default_index`), a number is an index, and "inuse_x" also finds "x".
/// None when the profile has no such type.
pub fn sample_position(requested: &str, types: &[&str], default_index: usize) -> Option<usize> {
    if requested.is_empty() {
        return (default_index < types.len()).then_some(default_index);
    }
    if let Ok(i) = requested.parse::<i64>() {
        return usize::try_from(i).ok().filter(|&i| i < types.len());
    }
    let without_inuse = requested.strip_prefix("inuse_").unwrap_or(requested);
    types.iter().position(|&t| t == requested || t == without_inuse)
}

/// Serializes a granularity by pprof's name ("" for none).
mod granularity_name {
    use proflens_core::graph::Granularity;
    use serde::{de::Error, Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(g: &Option<Granularity>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(g.map_or("", |g| g.name()))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Granularity>, D::Error> {
        match <&str>::deserialize(d)? {
            "" => Ok(None),
            name => Granularity::parse(name)
                .map(Some)
                .ok_or_else(|| D::Error::custom(format!("unknown granularity {name:?}"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proflens_core::{decode, DecodeOptions, Profile};

    fn fixture(name: &str) -> Profile {
        let path = format!("{}/../../tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
        decode(&std::fs::read(path).unwrap(), &DecodeOptions::default()).unwrap()
    }

    /// The page decides which sample type a query shows before asking the
    /// worker, so its rule must be core's.
    #[test]
    fn sample_positions_are_cores() {
        for name in ["go/heap2.pb.gz", "go/cpu.pb.gz", "pprof/large.cpu"] {
            let p = fixture(name);
            let types: Vec<&str> = p.sample_types.iter().map(|t| p.str(t.kind)).collect();
            let default = proflens_core::report::sample_index(&p, "").unwrap();
            let requests = [
                "",
                "0",
                "1",
                "3",
                "4",
                "-1",
                "99999999999999999999",
                "inuse_space",
                "space",
                "inuse_objects",
                "objects",
                "alloc_space",
                "samples",
                "cpu",
                "inuse_cpu",
                "nope",
                " 1",
                "+1",
                "1.0",
            ];
            for r in requests {
                let core = proflens_core::report::sample_index(&p, r).ok();
                assert_eq!(sample_position(r, &types, default), core, "{name}: {r:?}");
            }
        }
    }

    #[test]
    fn the_worker_is_asked_for_flat_order_for_names() {
        let q = ReportQuery { sort: SortKey::Name, ..ReportQuery::default() };
        assert_eq!(q.for_worker().sort, SortKey::Flat);
        let q = ReportQuery { sort: SortKey::Cum, ..ReportQuery::default() };
        assert_eq!(q.for_worker().sort, SortKey::Cum);
    }

    #[test]
    fn names_parse_back() {
        for v in View::ALL {
            assert_eq!(View::parse(v.name()), Some(v));
        }
        for s in SortKey::ALL {
            assert_eq!(SortKey::parse(s.name()), Some(s));
        }
        assert_eq!(View::parse("bogus"), None);
    }
}
