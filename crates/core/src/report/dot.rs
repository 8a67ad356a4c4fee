//! The call graph as pprof draws it (`go tool pprof -dot`): the node and
//! edge set with pprof's labels, sizes and colours, as structured data for
//! the page and as DOT text.

use std::cmp::Ordering;
use std::fmt::Write as _;

use crate::error::Error;
use crate::graph::WalkCache;
use crate::graph::{base_name, shorten_function_name, Graph, NodeInfo, Tag};
use crate::model::Profile;
use crate::{gomath, units};

use super::context::{effective, ReportContext, ReportKind};
use super::legend::{report_labels, Shown};
use super::ReportOptions;

/// Nodelets drawn per node (pprof's maxNodelets).
const MAX_NODELETS: usize = 4;

/// A box hanging off a node: a label value (or a range of numeric label
/// values) and its weight.
#[derive(Clone, Debug, PartialEq)]
pub struct Nodelet {
    /// DOT id, e.g. "N3_0" (pprof's numeric nodelets have ids like "NN3_0").
    pub id: String,
    /// DOT id of what it hangs from.
    pub parent: String,
    /// Its text.
    pub label: String,
    /// The weight, formatted.
    pub weight_text: String,
    /// Drawn dotted (a cumulative weight shown on an inner node).
    pub dotted: bool,
}

/// A node of the drawn graph.
#[derive(Clone, Debug, PartialEq)]
pub struct DotNode {
    /// DOT id number (N1, N2, ...).
    pub id: usize,
    /// pprof's printable name.
    pub name: String,
    /// The short name split in lines, as drawn (file and line last).
    pub label_lines: Vec<String>,
    /// Flat value.
    pub flat: i64,
    /// Cumulative value.
    pub cum: i64,
    /// "44.50MB (46.19%)" or "0".
    pub flat_text: String,
    /// "of 85.50MB (88.75%)" or "" when cum equals flat.
    pub cum_text: String,
    /// The cum value alone, formatted ("85.50MB"), as the tooltip shows it.
    pub cum_value: String,
    /// Font size, 8 to 24, from flat (what a page draws).
    pub font_size: u32,
    /// The font size as go tool pprof writes it: `font_size`, except for a
    /// flat of MinInt64 next to positive ones, where pprof's arithmetic
    /// gives an absurd negative size.
    pub dot_font_size: i64,
    /// Border colour, from cum.
    pub color: String,
    /// Fill colour, from cum.
    pub fill_color: String,
    /// Label boxes.
    pub nodelets: Vec<Nodelet>,
}

/// An edge of the drawn graph.
#[derive(Clone, Debug, PartialEq)]
pub struct DotEdge {
    /// Caller, index into [`DotGraph::nodes`] (None for a node left out).
    pub src: Option<usize>,
    /// Callee, index into [`DotGraph::nodes`] (None for a node left out).
    pub dst: Option<usize>,
    /// The caller's printable name (also for a node left out).
    pub src_name: String,
    /// The callee's printable name (also for a node left out).
    pub dst_name: String,
    /// Weight.
    pub weight: i64,
    /// Weight, formatted.
    pub weight_text: String,
    /// Goes through pruned nodes (drawn dotted).
    pub residual: bool,
    /// The callee was inlined.
    pub inline: bool,
    /// Line width, 1 to 6.
    pub pen_width: u32,
    /// Layout weight, 1 to 101.
    pub layout_weight: u32,
    /// Colour from the weight.
    pub color: String,
    /// The caller has nodelets, so the callee sits further down.
    pub min_len: u32,
}

/// The drawn call graph.
#[derive(Clone, Debug, PartialEq)]
pub struct DotGraph {
    /// The graph's name (the main binary).
    pub title: String,
    /// Legend lines (pprof's, the last pointing at how to read graphs).
    pub legend: Vec<String>,
    /// Nodes, in pprof's (entropy) order.
    pub nodes: Vec<DotNode>,
    /// Edges, heaviest first.
    pub edges: Vec<DotEdge>,
    /// The total percentages are of.
    pub total: i64,
}

/// Computes the call graph as `go tool pprof -dot` does (nodecount 80 by
/// default).
pub fn dot(profile: &Profile, options: &ReportOptions) -> Result<DotGraph, Error> {
    dot_cached(profile, options, None)
}

/// [`dot`], reusing the walks `walks` kept from earlier graphs of the same
/// profile (a viewer changing only nodecount, nodefraction or edgefraction
/// redoes only the pruning), and keeping the new ones there.
pub fn dot_cached(
    profile: &Profile,
    options: &ReportOptions,
    walks: Option<&WalkCache>,
) -> Result<DotGraph, Error> {
    let mut ctx = ReportContext::new(profile, options, ReportKind::Dot)?.with_walks(walks);
    let trimmed = ctx.trimmed_graph(ReportKind::Dot);
    let g = &trimmed.graph;
    let e = effective(options, ReportKind::Dot);
    let legend = report_labels(
        &ctx,
        &Shown {
            flat_sum: g.flat_sum(),
            node_count: g.nodes.len(),
            orig_count: trimmed.orig_count,
            dropped_nodes: trimmed.dropped_nodes,
            dropped_edges: trimmed.dropped_edges,
            full_headers: true,
        },
        e.node_fraction,
        e.edge_fraction,
    );
    let title = profile
        .mappings
        .first()
        .map(|m| profile.str(m.file))
        .filter(|f| !f.is_empty())
        .map(|f| base_name(f).to_string())
        .unwrap_or_default();
    let total = ctx.total;
    let max_flat = g.nodes.iter().map(|n| gomath::abs(n.flat)).max().unwrap_or(0) as f64;
    let nodes: Vec<DotNode> =
        g.nodes.iter().enumerate().map(|(i, n)| dot_node(&ctx, i, n, max_flat)).collect();
    let edges = edges(&ctx, g, &nodes);
    Ok(DotGraph { title, legend, nodes, edges, total })
}

fn dot_node(ctx: &ReportContext<'_>, i: usize, n: &crate::graph::Node, max_flat: f64) -> DotNode {
    let total = ctx.total;
    let flat_value = ctx.format_value(n.flat);
    let flat_text = if n.flat != 0 {
        format!("{flat_value} ({})", units::percentage(n.flat, total).trim())
    } else {
        "0".to_string()
    };
    let (cum_text, cum_value) = if n.cum != n.flat {
        let v = ctx.format_value(n.cum);
        (format!("of {v} ({})", units::percentage(n.cum, total).trim()), v)
    } else {
        (String::new(), flat_value)
    };
    let mut dot_font_size = 8i64;
    let flat_abs = gomath::abs(n.flat) as f64;
    if max_flat != 0.0 && n.flat != 0 && flat_abs <= max_flat {
        // A negative abs (MinInt64) makes the root NaN, which Go converts
        // to MinInt64.
        let growth = gomath::f64_to_i64((16.0 * (flat_abs / max_flat).sqrt()).ceil());
        dot_font_size = gomath::add(dot_font_size, growth);
    }
    let font_size = u32::try_from(dot_font_size).ok().filter(|s| (8..=24).contains(s)).unwrap_or(8);
    let score = n.cum as f64 / gomath::abs(total) as f64;
    DotNode {
        id: i + 1,
        name: n.name.clone(),
        label_lines: multiline_name(ctx, &n.info),
        flat: n.flat,
        cum: n.cum,
        flat_text,
        cum_text,
        font_size,
        dot_font_size,
        color: dot_color(score, false),
        fill_color: dot_color(score, true),
        nodelets: nodelets(ctx, i + 1, n, !n.out_edges.is_empty()),
        cum_value,
    }
}

/// pprof's multilinePrintableName: the short name broken at '.' and '::'.
fn multiline_name(ctx: &ReportContext<'_>, info: &NodeInfo) -> Vec<String> {
    let p = ctx.profile;
    let short = escape_for_dot(&shorten_function_name(p.str(info.name)))
        .replace("::", "\\n")
        .replace("[...]", "[…]")
        .replace('.', "\\n");
    let mut parts = Vec::new();
    if info.address != 0 {
        parts.push(format!("{:016x}", info.address));
    }
    if !short.is_empty() {
        parts.push(short.clone());
    }
    let file = ctx.walker.nodes.file_name(info.file);
    let file = if file.is_empty() { String::new() } else { base_name(file).to_string() };
    if info.lineno != 0 {
        let mut s = format!("{file}:{}", info.lineno);
        if info.columnno != 0 {
            s.push_str(&format!(":{}", info.columnno));
        }
        parts.push(s);
    } else if !file.is_empty() {
        parts.push(file);
    } else if !short.is_empty() {
    } else if !info.objfile.is_empty() {
        parts.push(format!("[{}]", base_name(p.str(info.objfile))));
    } else {
        parts.push("<unknown>".to_string());
    }
    parts.join("\\n").split("\\n").map(str::to_string).collect()
}

/// pprof's SortTags: by |cum| unless `flat`, then |flat|, then name. As
/// for edges (see `Graph::sort_edge_ids`), pprof leaves `v` and `-v` in
/// map order; the signed values break such ties here, for a total order.
fn sort_tags(tags: &mut [Tag], flat: bool) {
    let by_cum =
        |a: &Tag, b: &Tag| if flat { Ordering::Equal } else { gomath::abs(b.cum).cmp(&gomath::abs(a.cum)) };
    tags.sort_by(|a, b| {
        by_cum(a, b)
            .then_with(|| gomath::abs(b.flat).cmp(&gomath::abs(a.flat)))
            .then_with(|| a.name.cmp(&b.name))
            .then_with(|| (a.cum, a.flat).cmp(&(b.cum, b.flat)))
    });
}

fn nodelets(ctx: &ReportContext<'_>, id: usize, n: &crate::graph::Node, flat_tags: bool) -> Vec<Nodelet> {
    let mut out = Vec::new();
    let mut labels = n.tags.labels.clone();
    sort_tags(&mut labels, flat_tags);
    labels.truncate(MAX_NODELETS);
    let numeric = |key: &str| n.tags.numeric.iter().find(|(k, _)| k == key).map(|(_, ts)| ts.clone());
    for (i, t) in labels.iter().enumerate() {
        let w = if flat_tags { t.flat } else { t.cum };
        if w == 0 {
            continue;
        }
        let nid = format!("N{id}_{i}");
        out.push(Nodelet {
            id: nid.clone(),
            parent: format!("N{id}"),
            label: t.name.clone(),
            weight_text: ctx.format_value(w),
            dotted: false,
        });
        if let Some(ts) = numeric(&t.name).filter(|ts| !ts.is_empty()) {
            out.extend(numeric_nodelets(ctx, ts, flat_tags, &nid));
        }
    }
    if let Some(ts) = numeric("").filter(|ts| !ts.is_empty()) {
        out.extend(numeric_nodelets(ctx, ts, flat_tags, &format!("N{id}")));
    }
    out
}

fn numeric_nodelets(ctx: &ReportContext<'_>, tags: Vec<Tag>, flat_tags: bool, source: &str) -> Vec<Nodelet> {
    let mut out = Vec::new();
    for (j, t) in collapsed_tags(tags, MAX_NODELETS, flat_tags).into_iter().enumerate() {
        let (w, dotted) = if flat_tags || t.flat == t.cum { (t.flat, false) } else { (t.cum, true) };
        if w != 0 {
            out.push(Nodelet {
                id: format!("N{source}_{j}"),
                parent: source.to_string(),
                label: t.name.clone(),
                weight_text: ctx.format_value(w),
                dotted,
            });
        }
    }
    out
}

/// pprof's collapsedTags: at most `count` tags, others joined to the
/// nearest by value as ranges ("48B..1kB").
fn collapsed_tags(mut tags: Vec<Tag>, count: usize, flat: bool) -> Vec<Tag> {
    sort_tags(&mut tags, flat);
    if tags.len() <= count {
        return tags;
    }
    let mut groups: Vec<Vec<Tag>> = tags[..count].iter().map(|t| vec![t.clone()]).collect();
    for t in &tags[count..] {
        let distance = |u: &Tag| {
            let v = units::scale(u.value, &u.unit, &t.unit).0;
            (t.value as f64 - v).abs()
        };
        let (mut g, mut d) = (0, distance(&groups[0][0]));
        for (i, group) in groups.iter().enumerate().skip(1) {
            let nd = distance(&group[0]);
            if nd < d {
                (g, d) = (i, nd);
            }
        }
        groups[g].push(t.clone());
    }
    let mut collapsed: Vec<Tag> = groups.iter().map(|g| group_tag(g)).collect();
    sort_tags(&mut collapsed, flat);
    collapsed
}

fn group_tag(group: &[Tag]) -> Tag {
    let first = &group[0];
    if group.len() == 1 {
        return Tag { name: units::label(first.value, &first.unit), ..first.clone() };
    }
    let (mut min, mut max) = (first, first);
    let (mut flat, mut cum) = (first.flat, first.cum);
    for t in &group[1..] {
        if gomath::f64_to_i64(units::scale(t.value, &t.unit, &min.unit).0) < min.value {
            min = t;
        }
        if gomath::f64_to_i64(units::scale(t.value, &t.unit, &max.unit).0) > max.value {
            max = t;
        }
        flat = gomath::add(flat, t.flat);
        cum = gomath::add(cum, t.cum);
    }
    Tag {
        name: format!("{}..{}", units::label(min.value, &min.unit), units::label(max.value, &max.unit)),
        unit: String::new(),
        value: 0,
        flat,
        cum,
    }
}

fn edges(ctx: &ReportContext<'_>, g: &Graph, nodes: &[DotNode]) -> Vec<DotEdge> {
    let total = ctx.total;
    let ids: Vec<usize> = (0..g.nodes.len()).flat_map(|i| g.nodes[i].out_edges.iter().copied()).collect();
    g.sort_edge_ids(&ids)
        .into_iter()
        .map(|id| {
            let e = &g.edges[id];
            let end = |n: usize| (n & Graph::HIDDEN == 0).then_some(n);
            let (mut layout_weight, mut pen_width, mut color) = (1, 1, String::new());
            if total != 0 {
                // pprof's 1 + min64(abs64(weight * k / total), k): Go's
                // wrapping, and MinInt64 / -1 is MinInt64. A negative
                // result is never drawn wider than 1, as in pprof.
                let scaled = |k: i64| {
                    let v = gomath::add(1, gomath::abs(gomath::div(gomath::mul(e.weight, k), total)).min(k));
                    u32::try_from(v).unwrap_or(1).max(1)
                };
                layout_weight = scaled(100);
                pen_width = scaled(5);
                color = dot_color(e.weight as f64 / gomath::abs(total) as f64, false);
            }
            let src = end(e.src);
            DotEdge {
                src,
                dst: end(e.dst),
                src_name: g.node(e.src).name.clone(),
                dst_name: g.node(e.dst).name.clone(),
                weight: e.weight,
                weight_text: ctx.format_value(e.weight),
                residual: e.residual,
                inline: e.inline,
                pen_width,
                layout_weight,
                color,
                min_len: if src.is_some_and(|s| !nodes[s].nodelets.is_empty()) { 2 } else { 1 },
            }
        })
        .collect()
}

/// pprof's dotColor: red for positive scores, green for negative, grey near
/// zero; `background` gives the light fill variant. `score` is clamped to
/// [-1, 1].
pub fn dot_color(score: f64, background: bool) -> String {
    const SHIFT: f64 = 0.7;
    let (mut saturation, value) = if background { (0.1, 0.93) } else { (1.0, 0.7) };
    let mut score = score.clamp(-1.0, 1.0);
    if score.abs() < 0.2 {
        saturation *= score.abs() / 0.2;
    }
    if score > 0.0 {
        score = score.powf(1.0 - SHIFT);
    }
    if score < 0.0 {
        score = -(-score).powf(1.0 - SHIFT);
    }
    let (r, g) = if score < 0.0 {
        (value * (1.0 + saturation * score), value)
    } else {
        (value, value * (1.0 - saturation * score))
    };
    let b = value * (1.0 - saturation);
    let byte = |x: f64| (x * 255.0) as u8;
    format!("#{:02x}{:02x}{:02x}", byte(r), byte(g), byte(b))
}

/// pprof's escapeForDot.
fn escape_for_dot(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\l")
}

impl DotGraph {
    /// The graph as `go tool pprof -dot` prints it.
    pub fn to_dot(&self) -> String {
        let mut out = String::new();
        let name = if self.title.is_empty() { "unnamed" } else { &self.title };
        let _ = writeln!(out, "digraph \"{name}\" {{");
        out.push_str("node [style=filled fillcolor=\"#f8f8f8\"]\n");
        if let Some(first) = self.legend.first() {
            let joined: Vec<String> = self.legend.iter().map(|l| escape_for_dot(l)).collect();
            let _ = write!(
                out,
                "subgraph cluster_L {{ \"{}\" [shape=box fontsize=16 label=\"{}\\l\"",
                escape_for_dot(first),
                joined.join("\\l")
            );
            if !self.title.is_empty() {
                let _ = write!(out, " tooltip=\"{}\"", self.title);
            }
            out.push_str("] }\n");
        }
        for n in &self.nodes {
            let mut label = n.label_lines.join("\\n");
            label.push_str("\\n");
            label.push_str(&n.flat_text);
            if !n.cum_text.is_empty() {
                label.push_str(if n.flat != 0 { "\\n" } else { " " });
                label.push_str(&n.cum_text);
            }
            let _ = writeln!(
                out,
                "N{} [label=\"{label}\" id=\"node{}\" fontsize={} shape=box tooltip=\"{} ({})\" color=\"{}\" fillcolor=\"{}\"]",
                n.id,
                n.id,
                n.dot_font_size,
                escape_for_dot(&n.name),
                n.cum_value,
                n.color,
                n.fill_color
            );
            for d in &n.nodelets {
                let _ = writeln!(
                    out,
                    "{} [label = \"{}\" id=\"{}\" fontsize=8 shape=box3d tooltip=\"{}\"]",
                    d.id, d.label, d.id, d.weight_text
                );
                let _ = writeln!(
                    out,
                    "{} -> {} [label=\" {}\" weight=100 tooltip=\"{}\" labeltooltip=\"{}\"{}]",
                    d.parent,
                    d.id,
                    d.weight_text,
                    d.weight_text,
                    d.weight_text,
                    if d.dotted { " style=\"dotted\"" } else { "" }
                );
            }
        }
        for e in &self.edges {
            let id = |n: Option<usize>| n.map_or(0, |i| self.nodes[i].id);
            let inline = if e.inline { "\\n (inline)" } else { "" };
            let mut attr = format!("label=\" {}{inline}\"", e.weight_text);
            if self.total != 0 {
                if e.layout_weight > 1 {
                    let _ = write!(attr, " weight={}", e.layout_weight);
                }
                if e.pen_width > 1 {
                    let _ = write!(attr, " penwidth={}", e.pen_width);
                }
                let _ = write!(attr, " color=\"{}\"", e.color);
            }
            let arrow = if e.residual { "..." } else { "->" };
            let tooltip = format!(
                "\"{} {arrow} {} ({})\"",
                escape_for_dot(&e.src_name),
                escape_for_dot(&e.dst_name),
                e.weight_text
            );
            let _ = write!(attr, " tooltip={tooltip} labeltooltip={tooltip}");
            if e.residual {
                attr.push_str(" style=\"dotted\"");
            }
            if e.min_len == 2 {
                attr.push_str(" minlen=2");
            }
            let _ = writeln!(out, "N{} -> N{} [{attr}]", id(e.src), id(e.dst));
        }
        out.push_str("}\n");
        out
    }
}
