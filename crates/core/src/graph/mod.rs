//! Call graphs: nodes (functions, files, lines or addresses) with flat and
//! cum values, and the edges between them, pruned as pprof prunes them.

mod build;
mod node_info;
mod shorten;
mod sort;
mod tags;
mod trim;
mod walk_cache;

pub(crate) use build::{total, EdgeScope, SampleSums, Walker};

pub(crate) use node_info::{base_name, Aggregation, NodeTable};
pub use node_info::{trim_source_path, FileName, Granularity, NodeInfo};
pub use shorten::shorten_function_name;
pub use sort::NodeOrder;
pub use tags::{NodeTags, Tag};
pub(crate) use trim::{abs_cutoff, trimmed_graph, TrimOptions, TrimmedGraph};
pub use walk_cache::WalkCache;

use build::RawGraph;

/// A node of a [`Graph`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    /// What the node stands for.
    pub info: NodeInfo,
    /// pprof's printable name for it.
    pub name: String,
    /// Value of the samples whose leaf-most kept frame is this node.
    pub flat: i64,
    /// Value of the samples with this node anywhere on their stack.
    pub cum: i64,
    /// Indices into [`Graph::edges`] of the edges into this node.
    pub in_edges: Vec<usize>,
    /// Indices into [`Graph::edges`] of the edges out of this node.
    pub out_edges: Vec<usize>,
    /// Label weights, computed for drawn graphs only.
    pub tags: NodeTags,
}

/// A caller to callee edge of a [`Graph`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Edge {
    /// The caller, an index into [`Graph::nodes`].
    pub src: usize,
    /// The callee, an index into [`Graph::nodes`].
    pub dst: usize,
    /// Value of the samples through this call.
    pub weight: i64,
    /// The call passes through nodes that were pruned away.
    pub residual: bool,
    /// The callee was inlined into the caller.
    pub inline: bool,
}

/// Nodes in report order and the live edges between them.
#[derive(Clone, Debug, Default)]
pub struct Graph {
    /// The nodes, in the report's order.
    pub nodes: Vec<Node>,
    /// The edges; nodes list theirs in `in_edges` / `out_edges`. An edge
    /// end may be a hidden node (see [`Graph::hidden`]).
    pub edges: Vec<Edge>,
    /// Nodes left out of the graph (no value, or negative with
    /// drop_negative) that edges of shown nodes still lead to: pprof drops
    /// such nodes but keeps their edges, so reports list them as callers
    /// and callees. Edge ends refer to them as [`Graph::HIDDEN`] | index;
    /// their own edge lists are empty.
    pub hidden: Vec<Node>,
}

impl Graph {
    /// Marks an edge end that indexes [`Graph::hidden`] rather than
    /// [`Graph::nodes`].
    pub const HIDDEN: usize = 1 << (usize::BITS - 1);

    /// The node an edge end refers to, shown or hidden.
    pub fn node(&self, end: usize) -> &Node {
        if end & Self::HIDDEN != 0 {
            &self.hidden[end & !Self::HIDDEN]
        } else {
            &self.nodes[end]
        }
    }

    /// pprof's selectNodesForGraph: a node with no value is left out, and
    /// so is a negative one under drop_negative.
    pub(crate) fn is_shown(flat: i64, cum: i64, drop_negative: bool) -> bool {
        (flat != 0 || cum != 0) && !(drop_negative && (flat < 0 || (flat == 0 && cum < 0)))
    }

    /// Assembles a graph from a walk: nodes with no value are left out, and
    /// so are negative ones when `drop_negative` is set (pprof's
    /// selectNodesForGraph); their edges to shown nodes stay.
    pub(crate) fn from_walk(raw: &RawGraph, table: &NodeTable<'_>, drop_negative: bool) -> Self {
        let mut index = vec![usize::MAX; raw.flat.len()];
        let mut nodes = Vec::new();
        let mut hidden = Vec::new();
        let mut has_edges = vec![false; raw.flat.len()];
        for e in &raw.edges {
            has_edges[e.src as usize] = true;
            has_edges[e.dst as usize] = true;
        }
        for id in 0..raw.flat.len() {
            let (flat, cum) = (raw.flat[id], raw.cum[id]);
            let info = table.infos[id];
            let node = || Node {
                name: table.printable_name(&info),
                info,
                flat,
                cum,
                in_edges: Vec::new(),
                out_edges: Vec::new(),
                tags: NodeTags::default(),
            };
            if !Self::is_shown(flat, cum, drop_negative) {
                if has_edges[id] {
                    index[id] = Self::HIDDEN | hidden.len();
                    hidden.push(node());
                }
                continue;
            }
            index[id] = nodes.len();
            nodes.push(node());
        }
        let mut graph = Graph { nodes, edges: Vec::new(), hidden };
        for e in &raw.edges {
            let (src, dst) = (index[e.src as usize], index[e.dst as usize]);
            if src == usize::MAX || dst == usize::MAX || src & dst & Self::HIDDEN != 0 {
                continue;
            }
            graph.edges.push(Edge { src, dst, weight: e.weight, residual: e.residual, inline: e.inline });
        }
        graph.relink();
        graph
    }

    /// Rebuilds the per-node edge lists from `edges`.
    pub(crate) fn relink(&mut self) {
        for n in &mut self.nodes {
            n.in_edges.clear();
            n.out_edges.clear();
        }
        for (i, e) in self.edges.iter().enumerate() {
            if e.src & Self::HIDDEN == 0 {
                self.nodes[e.src].out_edges.push(i);
            }
            if e.dst & Self::HIDDEN == 0 {
                self.nodes[e.dst].in_edges.push(i);
            }
        }
    }

    /// Keeps the edges for which `keep` is true.
    pub(crate) fn retain_edges(&mut self, mut keep: impl FnMut(&Edge) -> bool) {
        self.edges.retain(|e| keep(e));
        self.relink();
    }

    /// Reorders the nodes by `order` (a permutation of node indices).
    pub(crate) fn permute(&mut self, order: &[usize]) {
        let mut new_index = vec![0; order.len()];
        for (new, &old) in order.iter().enumerate() {
            new_index[old] = new;
        }
        let mut old_nodes: Vec<Option<Node>> =
            std::mem::take(&mut self.nodes).into_iter().map(Some).collect();
        self.nodes = order.iter().map(|&old| old_nodes[old].take().expect("a permutation")).collect();
        let renumber = |end: usize| if end & Self::HIDDEN != 0 { end } else { new_index[end] };
        for e in &mut self.edges {
            e.src = renumber(e.src);
            e.dst = renumber(e.dst);
        }
        self.relink();
    }

    /// The sum of flat values.
    pub fn flat_sum(&self) -> i64 {
        crate::gomath::sum(self.nodes.iter().map(|n| n.flat))
    }

    /// pprof's RemoveRedundantEdges: drops residual edges whose callee is
    /// reachable from the caller another way, lightest first, stopping at
    /// each node's first non-residual edge.
    pub(crate) fn remove_redundant_edges(&mut self) {
        let mut removed = vec![false; self.edges.len()];
        for node in (0..self.nodes.len()).rev() {
            let live: Vec<usize> =
                self.nodes[node].in_edges.iter().copied().filter(|&e| !removed[e]).collect();
            let sorted = self.sort_edge_ids(&live);
            for &e in sorted.iter().rev() {
                if !self.edges[e].residual {
                    break;
                }
                if self.reachable_without(e, &removed) {
                    removed[e] = true;
                }
            }
        }
        let mut i = 0;
        self.retain_edges(|_| {
            i += 1;
            !removed[i - 1]
        });
    }

    /// Whether `edge`'s caller reaches its callee through other live edges.
    fn reachable_without(&self, edge: usize, removed: &[bool]) -> bool {
        let Edge { src, dst, .. } = self.edges[edge];
        let mut seen = std::collections::HashSet::from([dst]);
        let mut queue = std::collections::VecDeque::from([dst]);
        while let Some(n) = queue.pop_front() {
            if n & Self::HIDDEN != 0 {
                continue;
            }
            for &ie in &self.nodes[n].in_edges {
                let from = self.edges[ie].src;
                if ie == edge || removed[ie] || seen.contains(&from) {
                    continue;
                }
                if from == src {
                    return true;
                }
                seen.insert(from);
                queue.push_back(from);
            }
        }
        false
    }

    /// The edges into `node`, heaviest first, ties by caller then callee name.
    pub fn sorted_in_edges(&self, node: usize) -> Vec<&Edge> {
        self.sorted_edges(&self.nodes[node].in_edges)
    }

    /// The edges out of `node`, heaviest first, ties by caller then callee name.
    pub fn sorted_out_edges(&self, node: usize) -> Vec<&Edge> {
        self.sorted_edges(&self.nodes[node].out_edges)
    }

    fn sorted_edges(&self, ids: &[usize]) -> Vec<&Edge> {
        self.sort_edge_ids(ids).into_iter().map(|i| &self.edges[i]).collect()
    }

    /// Edge ids, heaviest first, ties by caller then callee name.
    ///
    /// pprof's edge order is not a total order: weights `w` and `-w` are
    /// neither before the other, and it sorts edges from a Go map, so
    /// their order varies from run to run. Here the names and then the
    /// signed weight break such ties, which gives one of pprof's orders and
    /// a total order (Rust's sorts may panic without one).
    pub(crate) fn sort_edge_ids(&self, ids: &[usize]) -> Vec<usize> {
        use crate::gomath::abs;
        let mut ids = ids.to_vec();
        ids.sort_by(|&a, &b| {
            let (a, b) = (&self.edges[a], &self.edges[b]);
            abs(b.weight)
                .cmp(&abs(a.weight))
                .then_with(|| self.node(a.src).name.cmp(&self.node(b.src).name))
                .then_with(|| self.node(a.dst).name.cmp(&self.node(b.dst).name))
                .then_with(|| a.weight.cmp(&b.weight))
        });
        ids
    }
}
