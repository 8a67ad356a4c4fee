//! The top report (pprof's -top / -text): one row per node with flat, flat%,
//! sum%, cum and cum%.

use crate::error::Error;
use crate::graph::WalkCache;
use crate::model::Profile;
use crate::units;

use super::context::{effective, ReportContext, ReportKind};
use super::legend::{report_labels, Shown};
use super::ReportOptions;

/// How a node was reached, for the top report's last column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InlineMark {
    /// Called normally.
    None,
    /// Every call into it was inlined.
    Inline,
    /// Some calls into it were inlined.
    PartialInline,
}

impl InlineMark {
    /// pprof's label: "", "(inline)" or "(partial-inline)".
    pub fn label(self) -> &'static str {
        match self {
            InlineMark::None => "",
            InlineMark::Inline => "(inline)",
            InlineMark::PartialInline => "(partial-inline)",
        }
    }
}

/// One row of the top report.
#[derive(Clone, Debug, PartialEq)]
pub struct TopRow {
    /// The node's printable name.
    pub name: String,
    /// Flat value, in sample units.
    pub flat: i64,
    /// Cumulative value, in sample units.
    pub cum: i64,
    /// Running sum of flat up to this row.
    pub flat_sum: i64,
    /// How calls into it were made.
    pub inline: InlineMark,
    /// `flat` in the output unit, e.g. "44.50MB".
    pub flat_text: String,
    /// `cum` in the output unit.
    pub cum_text: String,
}

/// The top report.
#[derive(Clone, Debug, PartialEq)]
pub struct TopReport {
    /// Header lines (file, type, time, what is shown and dropped).
    pub legend: Vec<String>,
    /// Rows in report order.
    pub rows: Vec<TopRow>,
    /// The total percentages are of.
    pub total: i64,
    /// The sample type shown.
    pub sample_type: String,
    /// The unit of the sample values.
    pub sample_unit: String,
    /// The unit the texts are in.
    pub output_unit: String,
}

impl TopReport {
    /// The percentage of the total that `v` is, as pprof prints it.
    pub fn percent(&self, v: i64) -> String {
        units::percentage(v, self.total)
    }

    /// The report as `go tool pprof -top` prints it.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for line in &self.legend {
            out.push_str(line);
            out.push('\n');
        }
        out.push_str(&format!("{:>10} {:>5}% {:>5}% {:>10} {:>5}%\n", "flat", "flat", "sum", "cum", "cum"));
        for row in &self.rows {
            let inline = match row.inline.label() {
                "" => String::new(),
                l => format!(" {l}"),
            };
            out.push_str(&format!(
                "{:>10} {} {} {:>10} {}  {}{}\n",
                row.flat_text,
                self.percent(row.flat),
                self.percent(row.flat_sum),
                row.cum_text,
                self.percent(row.cum),
                row.name,
                inline
            ));
        }
        out
    }
}

/// Computes the top report.
pub fn top(profile: &Profile, options: &ReportOptions) -> Result<TopReport, Error> {
    top_cached(profile, options, None)
}

/// [`top`], reusing and keeping walks in `walks` (its unpruned walk is the
/// first one a Graph of the same profile and options needs).
pub fn top_cached(
    profile: &Profile,
    options: &ReportOptions,
    walks: Option<&WalkCache>,
) -> Result<TopReport, Error> {
    let mut ctx = ReportContext::new(profile, options, ReportKind::Top)?.with_walks(walks);
    let trimmed = ctx.trimmed_graph(ReportKind::Top);
    let g = &trimmed.graph;
    let e = effective(options, ReportKind::Top);
    let legend = report_labels(
        &ctx,
        &Shown {
            flat_sum: g.flat_sum(),
            node_count: g.nodes.len(),
            orig_count: trimmed.orig_count,
            dropped_nodes: trimmed.dropped_nodes,
            dropped_edges: 0,
            full_headers: false,
        },
        e.node_fraction,
        e.edge_fraction,
    );
    let mut flat_sum = 0i64;
    let rows = g
        .nodes
        .iter()
        .map(|n| {
            let (mut inline, mut normal) = (false, false);
            for &e in &n.in_edges {
                if g.edges[e].inline {
                    inline = true;
                } else {
                    normal = true;
                }
            }
            flat_sum = crate::gomath::add(flat_sum, n.flat);
            TopRow {
                name: n.name.clone(),
                flat: n.flat,
                cum: n.cum,
                flat_sum,
                inline: match (inline, normal) {
                    (true, true) => InlineMark::PartialInline,
                    (true, false) => InlineMark::Inline,
                    _ => InlineMark::None,
                },
                flat_text: ctx.format_value(n.flat),
                cum_text: ctx.format_value(n.cum),
            }
        })
        .collect();
    Ok(TopReport {
        legend,
        rows,
        total: ctx.total,
        sample_type: ctx.sample_type.clone(),
        sample_unit: ctx.sample_unit.clone(),
        output_unit: ctx.output_unit.clone(),
    })
}
