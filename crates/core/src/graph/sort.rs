//! pprof's node orders, with its exact tie-breaks.

use std::cmp::Ordering;

use super::{Graph, NodeTable};
use crate::gomath;

/// How nodes are ordered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeOrder {
    /// By |flat|, then name, then |cum| (pprof's default).
    Flat,
    /// By |cum|, then name, then |flat|.
    Cum,
    /// By how informative a node is for a drawn graph (pprof's EntropyOrder).
    Entropy,
}

impl Graph {
    /// Sorts the nodes by `order`.
    pub(crate) fn sort_nodes(&mut self, order: NodeOrder, table: &NodeTable<'_>) {
        let scores: Vec<i64> = match order {
            NodeOrder::Flat => self.nodes.iter().map(|n| n.flat).collect(),
            NodeOrder::Cum => self.nodes.iter().map(|n| n.cum).collect(),
            NodeOrder::Entropy => (0..self.nodes.len()).map(|i| self.entropy_score(i)).collect(),
        };
        let mut order_idx: Vec<usize> = (0..self.nodes.len()).collect();
        let nodes = &self.nodes;
        let tiebreak = |a: usize, b: usize| {
            table.go_struct_text(&nodes[a].info).cmp(&table.go_struct_text(&nodes[b].info))
        };
        order_idx.sort_by(|&a, &b| {
            let (na, nb) = (&nodes[a], &nodes[b]);
            match order {
                NodeOrder::Flat => abs_desc(na.flat, nb.flat)
                    .then_with(|| na.name.cmp(&nb.name))
                    .then_with(|| abs_desc(na.cum, nb.cum)),
                NodeOrder::Cum | NodeOrder::Entropy => abs_desc(scores[a], scores[b])
                    .then_with(|| na.name.cmp(&nb.name))
                    .then_with(|| abs_desc(na.flat, nb.flat)),
            }
            .then_with(|| tiebreak(a, b))
        });
        self.permute(&order_idx);
    }

    /// pprof's entropyScore: nodes where calls fan in or out score higher
    /// than pass-through nodes; entry and leaf nodes get a bonus.
    fn entropy_score(&self, i: usize) -> i64 {
        let n = &self.nodes[i];
        let mut score = 0.0f64;
        if n.in_edges.is_empty() {
            score += 1.0;
        } else {
            score += self.edge_entropy(&n.in_edges, 0);
        }
        if n.out_edges.is_empty() {
            score += 1.0;
        } else {
            score += self.edge_entropy(&n.out_edges, n.flat);
        }
        gomath::add(gomath::f64_to_i64(score * n.cum as f64), n.flat)
    }

    fn edge_entropy(&self, edges: &[usize], self_value: i64) -> f64 {
        let mut total = self_value;
        for &e in edges {
            let w = self.edges[e].weight;
            if w > 0 {
                total = gomath::add(total, gomath::abs(w));
            }
        }
        let mut score = 0.0;
        if total != 0 {
            for &e in edges {
                let frac = gomath::abs(self.edges[e].weight) as f64 / total as f64;
                score += -frac * frac.log2();
            }
            if self_value > 0 {
                let frac = gomath::abs(self_value) as f64 / total as f64;
                score += -frac * frac.log2();
            }
        }
        score
    }
}

/// Descending by absolute value, with Go's wrapping abs (so i64::MIN sorts
/// last, as in pprof).
fn abs_desc(a: i64, b: i64) -> Ordering {
    gomath::abs(b).cmp(&gomath::abs(a))
}
