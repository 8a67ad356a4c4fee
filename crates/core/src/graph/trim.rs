//! pprof's pruning: drop nodes below nodefraction of the total, keep the top
//! nodecount nodes, drop edges below edgefraction. Each node-dropping step
//! rebuilds the graph from the samples so calls through dropped nodes become
//! residual edges.

use super::tags::compute_tags;
use std::rc::Rc;

use super::walk_cache::WalkCache;
use super::{EdgeScope, Graph, NodeOrder, Walker};
use crate::gomath;

/// The pruning options of a report.
#[derive(Clone, Debug)]
pub(crate) struct TrimOptions {
    pub node_count: usize,
    pub node_fraction: f64,
    pub edge_fraction: f64,
    pub cum_sort: bool,
    /// Drawing a graph (DOT): entropy order, tags count as nodes, redundant
    /// residual edges removed.
    pub visual: bool,
    pub drop_negative: bool,
    /// Which edges the report needs.
    pub edges: EdgeScope,
    /// The sample value (for tags of drawn graphs).
    pub value_index: usize,
    /// The output unit asked for (tags are formatted in it).
    pub unit: String,
}

/// A pruned graph and what pruning dropped.
pub(crate) struct TrimmedGraph {
    pub graph: Graph,
    /// Nodes after the nodefraction cut, before nodecount.
    pub orig_count: usize,
    pub dropped_nodes: usize,
    pub dropped_edges: usize,
}

/// pprof's `abs64(int64(float64(total) * fraction))`.
pub(crate) fn abs_cutoff(total: i64, fraction: f64) -> i64 {
    gomath::abs(gomath::f64_to_i64(total as f64 * fraction))
}

/// Builds the report's graph with pprof's pruning steps (newTrimmedGraph).
/// With `walks`, a cache and the key of the options that shape the walks,
/// walks made for earlier requests are reused.
pub(crate) fn trimmed_graph(
    walker: &Walker<'_>,
    o: &TrimOptions,
    walks: Option<(&WalkCache, &str)>,
) -> TrimmedGraph {
    let table = &walker.nodes;
    let walk_in = |kept: Option<&[bool]>, scope: EdgeScope| match walks {
        Some((cache, key)) => cache.walk(key, walker, kept, scope),
        None => Rc::new(walker.walk(kept, scope)),
    };
    let walk = |kept: Option<&[bool]>| walk_in(kept, o.edges);
    let with_tags = |mut g: Graph| {
        if o.visual {
            let all = g.nodes.len();
            compute_tags(walker, table, o.value_index, &o.unit, &mut g, all);
        }
        g
    };
    let build = |kept: Option<&[bool]>| with_tags(Graph::from_walk(&walk(kept), table, o.drop_negative));
    let kept_mask = |g: &Graph, keep: &dyn Fn(usize) -> bool| {
        let mut mask = vec![false; table.infos.len()];
        for (i, n) in g.nodes.iter().enumerate() {
            if keep(i) {
                mask[table_id(table, &n.info)] = true;
            }
        }
        mask
    };

    // The nodefraction cut works on the walk's raw values, so nodes it drops
    // are never named or assembled. It needs no edges but those into
    // inlined nodes (Top's walk, shared with it through the cache): the
    // walk with every edge is made only for the nodes that are kept.
    let first_scope = if o.edges == EdgeScope::All { EdgeScope::IntoInlined } else { o.edges };
    let mut raw = walk_in(None, first_scope);
    let shown: Vec<bool> =
        raw.flat.iter().zip(&raw.cum).map(|(&f, &c)| Graph::is_shown(f, c, o.drop_negative)).collect();
    let total = gomath::sum(raw.flat.iter().zip(&shown).filter(|(_, &s)| s).map(|(&f, _)| f));
    let node_cutoff = abs_cutoff(total, o.node_fraction);
    let edge_cutoff = abs_cutoff(total, o.edge_fraction);
    let mut dropped_nodes = 0;
    if node_cutoff > 0 {
        let mask: Vec<bool> =
            shown.iter().zip(&raw.cum).map(|(&s, &c)| s && gomath::abs(c) >= node_cutoff).collect();
        let (before, after) = (count(&shown), count(&mask));
        if after != before {
            dropped_nodes = before - after;
            // A second walk only matters for the edges it records.
            raw = if walker.records_edges(o.edges) {
                walk(Some(&mask))
            } else {
                Rc::new(raw.restricted_to(&mask))
            };
        }
    }
    if dropped_nodes == 0 && first_scope != o.edges {
        raw = walk(None);
    }
    let mut g = Graph::from_walk(&raw, table, o.drop_negative);
    let orig_count = g.nodes.len();
    let order = match (o.visual, o.cum_sort) {
        (true, _) => NodeOrder::Entropy,
        (false, true) => NodeOrder::Cum,
        (false, false) => NodeOrder::Flat,
    };
    // The order does not depend on tags.
    g.sort_nodes(order, table);
    if o.visual {
        // Only the nodes nodecount can keep need tags: picking them looks
        // at no more than `node_count` nodes, and a node's tags do not
        // depend on which other nodes are tagged (its flat tags need it to
        // be the leaf-most frame, whatever is below).
        let first = if o.node_count > 0 { o.node_count.min(g.nodes.len()) } else { g.nodes.len() };
        compute_tags(walker, table, o.value_index, &o.unit, &mut g, first);
    }
    if o.node_count > 0 {
        trim_low_frequency_tags(&mut g, node_cutoff);
        trim_low_frequency_edges(&mut g, edge_cutoff);
        let top = select_top_nodes(&g, o.node_count, o.visual);
        // pprof keeps the top nodes through its cum cutoff filter, with a
        // cutoff of 0: abs64 of a MinInt64 cum is negative, below it.
        let kept = |i: usize| i < top && gomath::abs(g.nodes[i].cum) >= 0;
        if (0..g.nodes.len()).filter(|&i| kept(i)).count() != g.nodes.len() {
            let mask = kept_mask(&g, &kept);
            g = build(Some(&mask));
            g.sort_nodes(order, table);
        }
    }
    trim_low_frequency_tags(&mut g, node_cutoff);
    let dropped_edges = trim_low_frequency_edges(&mut g, edge_cutoff);
    if o.visual {
        g.remove_redundant_edges();
    }
    TrimmedGraph { graph: g, orig_count, dropped_nodes, dropped_edges }
}

/// How many of the sorted nodes to keep: `max`, except that a drawn graph
/// counts each node's tags (up to four nodelets) as nodes too.
fn select_top_nodes(g: &Graph, max: usize, visual: bool) -> usize {
    let mut max = max;
    if visual {
        let mut count = 0;
        for (i, n) in g.nodes.iter().enumerate() {
            count += n.tags.count_flat().min(MAX_NODELETS) + 1;
            if count >= max {
                max = i + 1;
                break;
            }
        }
    }
    max.min(g.nodes.len())
}

/// Nodelets drawn per node (pprof's maxNodelets).
pub(crate) const MAX_NODELETS: usize = 4;

fn trim_low_frequency_tags(g: &mut Graph, cutoff: i64) {
    for n in &mut g.nodes {
        n.tags.trim(cutoff);
    }
}

fn count(mask: &[bool]) -> usize {
    mask.iter().filter(|&&b| b).count()
}

/// The id a node info has in the table.
fn table_id(table: &super::NodeTable<'_>, info: &super::NodeInfo) -> usize {
    table.id_of(info).expect("graph nodes come from the table") as usize
}

/// Removes edges lighter than `cutoff`; returns how many went. Like pprof,
/// only edges into shown nodes are considered: an edge into a hidden node
/// stays whatever its weight.
fn trim_low_frequency_edges(g: &mut Graph, cutoff: i64) -> usize {
    let before = g.edges.len();
    g.retain_edges(|e| e.dst & Graph::HIDDEN != 0 || gomath::abs(e.weight) >= cutoff);
    before - g.edges.len()
}
