//! What every report shares: the selected sample type, the compiled filters,
//! the total, the graph walker, and pprof's value formatting.

use crate::error::Error;
use crate::filter::{FrameView, NameFilters};
use crate::graph::{
    self, Aggregation, EdgeScope, Graph, NodeTable, SampleSums, TrimOptions, TrimmedGraph, WalkCache, Walker,
};
use crate::model::Profile;
use crate::tags::{KeyFilter, TagFilters};
use crate::{gomath, units};

use super::{ReportOptions, Sort};

/// The kind of report, for pprof's per-report option overrides.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ReportKind {
    Top,
    Traces,
    Tree,
    Peek,
    Dot,
    List,
    Flame,
    Tags,
}

/// Resolves the sample index option: "" is the profile's default sample type
/// (else the last), a number is a position, a name is a type (an "inuse_"
/// prefix may be left off for legacy profiles).
pub fn sample_index(profile: &Profile, requested: &str) -> Result<usize, Error> {
    let types = &profile.sample_types;
    if types.is_empty() {
        return Err(Error::NoSampleTypes);
    }
    if requested.is_empty() {
        let default = profile.str(profile.default_sample_type);
        if !default.is_empty() {
            if let Some(i) = types.iter().position(|t| profile.str(t.kind) == default) {
                return Ok(i);
            }
        }
        return Ok(types.len() - 1);
    }
    if let Ok(i) = requested.parse::<i64>() {
        if i < 0 || i as usize >= types.len() {
            return Err(Error::InvalidOption {
                option: "sample_index",
                detail: format!("{requested} is outside the range [0..{}]", types.len() - 1),
            });
        }
        return Ok(i as usize);
    }
    let without_inuse = requested.strip_prefix("inuse_").unwrap_or(requested);
    types
        .iter()
        .position(|t| {
            let kind = profile.str(t.kind);
            kind == requested || kind == without_inuse
        })
        .ok_or_else(|| Error::SampleIndex {
            requested: requested.to_string(),
            available: profile.sample_type_names(),
        })
}

/// The report context of the Labels summary (crate::tags::summary): the
/// sample type, the name filters and the total.
pub(crate) fn context_for_summary<'p>(
    profile: &'p Profile,
    options: &'p ReportOptions,
) -> Result<ReportContext<'p>, Error> {
    ReportContext::new(profile, options, ReportKind::Tags)
}

/// Options after pprof's per-report overrides.
pub(crate) struct Effective {
    pub node_count: usize,
    pub node_fraction: f64,
    pub edge_fraction: f64,
}

pub(crate) fn effective(o: &ReportOptions, kind: ReportKind) -> Effective {
    let trim = o.trim && !matches!(kind, ReportKind::Peek | ReportKind::List);
    let default_count = match kind {
        ReportKind::Top => 0,
        _ => 80,
    };
    if !trim {
        return Effective { node_count: 0, node_fraction: 0.0, edge_fraction: 0.0 };
    }
    Effective {
        node_count: o.node_count.unwrap_or(default_count),
        node_fraction: o.node_fraction,
        edge_fraction: o.edge_fraction,
    }
}

/// A report in the making.
pub(crate) struct ReportContext<'p> {
    pub profile: &'p Profile,
    pub options: &'p ReportOptions,
    pub value_index: usize,
    pub sample_type: String,
    pub sample_unit: String,
    pub total: i64,
    /// The unit values are printed in; "minimum" until a graph picks one.
    pub output_unit: String,
    pub walker: Walker<'p>,
    /// Walks kept across requests, if the caller keeps them.
    pub walks: Option<&'p WalkCache>,
}

impl<'p> ReportContext<'p> {
    pub(crate) fn new(
        profile: &'p Profile,
        options: &'p ReportOptions,
        kind: ReportKind,
    ) -> Result<Self, Error> {
        let filters = NameFilters::compile(
            &options.focus,
            &options.ignore,
            &options.hide,
            &options.show,
            &options.show_from,
        )?;
        let tag_filters = TagFilters::compile(&options.tag_focus, &options.tag_ignore)?;
        let keys = KeyFilter::new(profile, &options.tag_show, &options.tag_hide)?;
        let value_index = sample_index(profile, &options.sample_index)?;
        let vt = profile.sample_types[value_index];
        let granularity = match kind {
            ReportKind::List => graph::Granularity::Lines,
            _ => options.granularity,
        };
        let aggregation = Aggregation::new(granularity, options.noinlines);
        let view = FrameView::new(profile, &filters, aggregation.inlines);
        let sums = SampleSums::new(profile, &view, &filters, tag_filters.kept_sets(profile), value_index);
        let total = if options.relative_percentages {
            graph::total(profile, value_index, Some(&sums))
        } else {
            graph::total(profile, value_index, None)
        };
        let obj_names = kind == ReportKind::List;
        // pprof trims source paths when it builds a graph, which traces never does.
        let paths = (kind != ReportKind::Traces)
            .then_some((options.trim_path.as_str(), options.source_path.as_str()));
        let table = NodeTable::new(profile, aggregation, obj_names, paths);
        let walker = Walker::new(profile, view, table, sums, keys);
        Ok(ReportContext {
            profile,
            options,
            value_index,
            sample_type: profile.str(vt.kind).to_string(),
            sample_unit: profile.str(vt.unit).to_string(),
            total,
            output_unit: options.unit.clone(),
            walker,
            walks: None,
        })
    }

    /// Reuses and keeps the walks its graphs need in `walks`.
    pub(crate) fn with_walks(mut self, walks: Option<&'p WalkCache>) -> Self {
        self.walks = walks;
        self
    }

    /// What shapes a walk: every option but the pruning and the printing,
    /// and the profile.
    fn walk_key(&self, kind: ReportKind) -> String {
        let shape = ReportOptions {
            node_count: None,
            node_fraction: 0.0,
            edge_fraction: 0.0,
            sort: Sort::default(),
            unit: String::new(),
            trim: true,
            ..self.options.clone()
        };
        // Reports whose walkers are built alike share walks (Top's unpruned
        // walk is the Graph's first one); List and Traces build theirs
        // differently (lines, untrimmed paths).
        let walker_class = match kind {
            ReportKind::List | ReportKind::Traces => format!("{kind:?}"),
            _ => "graph".to_string(),
        };
        let p = self.profile;
        format!("{:p}/{}/{}/{walker_class}/{shape:?}", p, p.samples.len(), p.stacks.len())
    }

    /// The pruned graph for a report of `kind`, with the output unit chosen.
    pub(crate) fn trimmed_graph(&mut self, kind: ReportKind) -> TrimmedGraph {
        let e = effective(self.options, kind);
        let key = self.walks.map(|_| self.walk_key(kind));
        let walks = self.walks.zip(key.as_deref());
        let trimmed = graph::trimmed_graph(
            &self.walker,
            &TrimOptions {
                node_count: e.node_count,
                node_fraction: e.node_fraction,
                edge_fraction: e.edge_fraction,
                cum_sort: self.options.sort == Sort::Cum,
                visual: kind == ReportKind::Dot,
                drop_negative: self.options.drop_negative,
                edges: if kind == ReportKind::Top { EdgeScope::IntoInlined } else { EdgeScope::All },
                value_index: self.value_index,
                unit: self.options.unit.clone(),
            },
            walks,
        );
        self.select_output_unit(&trimmed.graph);
        trimmed
    }

    /// pprof's selectOutputUnit: with unit "minimum", print in the unit of
    /// the smallest non-zero value, or one up when the total is over 100x
    /// larger in a bigger unit.
    fn select_output_unit(&mut self, g: &Graph) {
        if self.output_unit != "minimum" || g.nodes.is_empty() {
            return;
        }
        let mut min_value = 0i64;
        for n in &g.nodes {
            let mut v = gomath::abs(n.flat);
            if v == 0 {
                v = gomath::abs(n.cum);
            }
            if v > 0 && (min_value == 0 || v < min_value) {
                min_value = v;
            }
        }
        let max_value = self.total;
        if min_value == 0 {
            min_value = max_value;
        }
        let unit_of = |v: i64| units::scale(v, &self.sample_unit, "minimum").1.into_owned();
        let (min_unit, max_unit) = (unit_of(min_value), unit_of(max_value));
        let mut unit = min_unit.clone();
        if min_unit != max_unit && gomath::mul(min_value, 100) < max_value {
            unit = unit_of(gomath::mul(min_value, 100));
        }
        self.output_unit = if unit.is_empty() { self.sample_unit.clone() } else { unit };
    }

    /// A value in the report's output unit, as pprof prints it.
    pub(crate) fn format_value(&self, v: i64) -> String {
        units::scaled_label(v, &self.sample_unit, &self.output_unit)
    }
}
