//! The tree and peek reports (pprof's -tree and -peek): each node with its
//! callers above and callees below.

use crate::pattern::Pattern;

use crate::error::Error;
use crate::graph::Graph;
use crate::model::Profile;
use crate::units;

use super::context::{effective, ReportContext, ReportKind};
use super::legend::{report_labels, Shown};
use super::ReportOptions;

const SEPARATOR: &str = "----------------------------------------------------------+-------------";
const HEADER: &str = "      flat  flat%   sum%        cum   cum%   calls calls% + context \t \t ";

/// A caller or callee of a tree entry.
#[derive(Clone, Debug, PartialEq)]
pub struct TreeLink {
    /// The other node's printable name.
    pub name: String,
    /// Value of the samples through the call.
    pub weight: i64,
    /// `weight` in the output unit.
    pub weight_text: String,
    /// The call was inlined.
    pub inline: bool,
    /// The call goes through pruned nodes.
    pub residual: bool,
}

/// One node of the tree report with its callers and callees.
#[derive(Clone, Debug, PartialEq)]
pub struct TreeEntry {
    /// The node's printable name.
    pub name: String,
    /// Flat value.
    pub flat: i64,
    /// Cumulative value.
    pub cum: i64,
    /// Running flat sum over the entries shown.
    pub flat_sum: i64,
    /// `flat` in the output unit.
    pub flat_text: String,
    /// `cum` in the output unit.
    pub cum_text: String,
    /// Callers, heaviest first.
    pub callers: Vec<TreeLink>,
    /// Callees, heaviest first.
    pub callees: Vec<TreeLink>,
}

/// The tree (or peek) report.
#[derive(Clone, Debug, PartialEq)]
pub struct TreeReport {
    /// Header lines.
    pub legend: Vec<String>,
    /// Entries in report order.
    pub entries: Vec<TreeEntry>,
    /// The total percentages are of.
    pub total: i64,
    /// Whether the graph had any node (pprof prints a closing separator then).
    pub graph_has_nodes: bool,
}

impl TreeReport {
    /// The report as `go tool pprof -tree` / `-peek` prints it.
    pub fn to_text(&self) -> String {
        let pct = |v, of| units::percentage(v, of);
        let mut out = String::new();
        for line in &self.legend {
            out.push_str(line);
            out.push('\n');
        }
        out.push_str(SEPARATOR);
        out.push('\n');
        out.push_str(HEADER);
        out.push('\n');
        let link = |l: &TreeLink, cum: i64| {
            let inline = if l.inline { " (inline)" } else { "" };
            format!("{:>50} {} |   {}{}\n", l.weight_text, pct(l.weight, cum), l.name, inline)
        };
        for e in &self.entries {
            out.push_str(SEPARATOR);
            out.push('\n');
            for l in &e.callers {
                out.push_str(&link(l, e.cum));
            }
            out.push_str(&format!(
                "{:>10} {} {} {:>10} {}                | {}\n",
                e.flat_text,
                pct(e.flat, self.total),
                pct(e.flat_sum, self.total),
                e.cum_text,
                pct(e.cum, self.total),
                e.name
            ));
            for l in &e.callees {
                out.push_str(&link(l, e.cum));
            }
        }
        if self.graph_has_nodes {
            out.push_str(SEPARATOR);
            out.push('\n');
        }
        out
    }
}

/// Computes the tree report.
pub fn tree(profile: &Profile, options: &ReportOptions) -> Result<TreeReport, Error> {
    tree_report(profile, options, ReportKind::Tree, None)
}

/// Computes the peek report for the nodes whose printable name matches
/// `regex`.
pub fn peek(profile: &Profile, options: &ReportOptions, regex: &str) -> Result<TreeReport, Error> {
    let rx = Pattern::new(regex).map_err(|detail| Error::Regex { option: "peek", detail })?;
    let report = tree_report(profile, options, ReportKind::Peek, Some(&rx))?;
    if report.entries.is_empty() {
        return Err(Error::NoMatches { regex: regex.to_string() });
    }
    Ok(report)
}

fn tree_report(
    profile: &Profile,
    options: &ReportOptions,
    kind: ReportKind,
    rx: Option<&Pattern>,
) -> Result<TreeReport, Error> {
    let mut ctx = ReportContext::new(profile, options, kind)?;
    let trimmed = ctx.trimmed_graph(kind);
    let g = &trimmed.graph;
    let e = effective(options, kind);
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
    let mut entries = Vec::new();
    for (i, n) in g.nodes.iter().enumerate() {
        if rx.is_some_and(|rx| !rx.is_match(&n.name)) {
            continue;
        }
        flat_sum = crate::gomath::add(flat_sum, n.flat);
        entries.push(TreeEntry {
            name: n.name.clone(),
            flat: n.flat,
            cum: n.cum,
            flat_sum,
            flat_text: ctx.format_value(n.flat),
            cum_text: ctx.format_value(n.cum),
            callers: links(&ctx, g, g.sorted_in_edges(i), true),
            callees: links(&ctx, g, g.sorted_out_edges(i), false),
        });
    }
    Ok(TreeReport { legend, entries, total: ctx.total, graph_has_nodes: !g.nodes.is_empty() })
}

fn links(
    ctx: &ReportContext<'_>,
    g: &Graph,
    edges: Vec<&crate::graph::Edge>,
    callers: bool,
) -> Vec<TreeLink> {
    edges
        .into_iter()
        .map(|e| TreeLink {
            name: g.node(if callers { e.src } else { e.dst }).name.clone(),
            weight: e.weight,
            weight_text: ctx.format_value(e.weight),
            inline: e.inline,
            residual: e.residual,
        })
        .collect()
}
