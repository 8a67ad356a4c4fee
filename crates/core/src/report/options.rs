//! Report options, spelled and defaulted as pprof's.

use jiff::tz::TimeZone;

use crate::graph::Granularity;

/// Which column orders a report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Sort {
    /// By flat value (pprof's default).
    #[default]
    Flat,
    /// By cumulative value.
    Cum,
}

/// Options shared by every report, with pprof's defaults.
#[derive(Clone, Debug)]
pub struct ReportOptions {
    /// Sample type by name ("alloc_space"), by number ("1"), or "" for the
    /// profile's default.
    pub sample_index: String,
    /// Sort order.
    pub sort: Sort,
    /// Maximum nodes to show; None uses the report's default (unlimited for
    /// top, 80 for tree and graphs).
    pub node_count: Option<usize>,
    /// Drop nodes whose |cum| is below this fraction of the total.
    pub node_fraction: f64,
    /// Drop edges whose |weight| is below this fraction of the total.
    pub edge_fraction: f64,
    /// Apply nodecount, nodefraction and edgefraction at all.
    pub trim: bool,
    /// What a node stands for.
    pub granularity: Granularity,
    /// Attribute inlined frames to their caller.
    pub noinlines: bool,
    /// Keep samples through a frame matching this regexp.
    pub focus: String,
    /// Drop samples through a frame matching this regexp.
    pub ignore: String,
    /// Remove frames matching this regexp.
    pub hide: String,
    /// Keep only frames matching this regexp.
    pub show: String,
    /// Drop frames above the highest one matching this regexp.
    pub show_from: String,
    /// Keep samples with labels matching this (pprof's tagfocus:
    /// `key=regexp`, regexps, or a numeric range such as `bytes=1kb:`).
    pub tag_focus: String,
    /// Drop samples with labels matching this (same syntax as tag_focus).
    pub tag_ignore: String,
    /// Show only the label keys matching this regexp.
    pub tag_show: String,
    /// Hide the label keys matching this regexp.
    pub tag_hide: String,
    /// Comma-separated label keys to add as pseudo-frames at the root
    /// (applied by [`crate::tags::apply_label_frames`]).
    pub tag_root: String,
    /// Comma-separated label keys to add as pseudo-frames at the leaf.
    pub tag_leaf: String,
    /// Output unit: "minimum", "auto", or a unit name such as "MB" or "ms".
    pub unit: String,
    /// Percentages of the filtered total rather than the whole profile.
    pub relative_percentages: bool,
    /// Leave out nodes with negative values (diffs).
    pub drop_negative: bool,
    /// Prefix to strip from source paths.
    pub trim_path: String,
    /// Where to look for source files.
    pub source_path: String,
    /// Time zone for the "Time:" line.
    pub time_zone: TimeZone,
    /// At most this many of the profile's comments in the legend, then one
    /// line saying how many more there are; `None` lists them all, as pprof
    /// does. The page sets it: a profile may carry millions of comments.
    pub legend_comments: Option<usize>,
}

impl Default for ReportOptions {
    fn default() -> Self {
        ReportOptions {
            sample_index: String::new(),
            sort: Sort::Flat,
            node_count: None,
            node_fraction: 0.005,
            edge_fraction: 0.001,
            trim: true,
            granularity: Granularity::Functions,
            noinlines: false,
            focus: String::new(),
            ignore: String::new(),
            hide: String::new(),
            show: String::new(),
            show_from: String::new(),
            tag_focus: String::new(),
            tag_ignore: String::new(),
            tag_show: String::new(),
            tag_hide: String::new(),
            tag_root: String::new(),
            tag_leaf: String::new(),
            unit: "minimum".to_string(),
            relative_percentages: false,
            drop_negative: false,
            trim_path: String::new(),
            source_path: String::new(),
            time_zone: TimeZone::UTC,
            legend_comments: None,
        }
    }
}

impl ReportOptions {
    /// The active filters as pprof lists them in the legend.
    pub fn active_filters(&self) -> Vec<String> {
        [
            ("focus", &self.focus),
            ("ignore", &self.ignore),
            ("hide", &self.hide),
            ("show", &self.show),
            ("show_from", &self.show_from),
            ("tagfocus", &self.tag_focus),
            ("tagignore", &self.tag_ignore),
            ("tagshow", &self.tag_show),
            ("taghide", &self.tag_hide),
        ]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={v}"))
        .collect()
    }
}
