//! Builds nodes and edges from the stack tree in one forward pass.
//!
//! pprof walks every sample's stack from the root: each distinct node on the
//! stack gets the sample's value once (cum), each distinct caller/callee pair
//! once (edge weight), and the leaf-most kept node gets it as flat. A node
//! that was pruned away is skipped and makes the next edge "residual".
//!
//! The walk here gives the same numbers from the stack tree: a node or edge
//! first met at tree node `t` receives the summed value of every sample in
//! `t`'s subtree, so shared stack prefixes are processed once.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;

use crate::filter::{FrameView, Mark, NameFilters};
use crate::model::{FastHasher, LabelValue, Profile};

use super::node_info::NodeTable;

type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FastHasher>>;

/// Marks a frame whose node was pruned away.
const NOT_KEPT: u32 = u32::MAX;

/// Per stack-tree node sums of the selected sample value.
pub(crate) struct SampleSums {
    /// Value of the included samples ending at the node.
    pub self_sum: Vec<i64>,
    /// How many of those have a non-zero value.
    pub self_nonzero: Vec<u32>,
    /// Value of the included samples in the node's subtree.
    pub sub_sum: Vec<i64>,
    /// How many of those have a non-zero value.
    pub sub_nonzero: Vec<u32>,
    /// Whether samples ending at the node survive the filters.
    pub included: Vec<bool>,
}

impl SampleSums {
    /// Applies focus/ignore/hide/show/show_from to every stack and sums the
    /// values at `value_index` of the samples that remain.
    pub(crate) fn new(
        profile: &Profile,
        view: &FrameView,
        filters: &NameFilters,
        value_index: usize,
    ) -> Self {
        let tree = &profile.stacks;
        let n = tree.len();
        let selects = filters.selects_samples();
        // Path flags, top-down: parents precede children in preorder.
        #[derive(Clone, Copy, Default)]
        struct PathFlags {
            focused: bool,
            ignored: bool,
            visible: bool,
            shown_from: bool,
        }
        let mut flags = vec![PathFlags::default(); n];
        let mut included = vec![false; n];
        for node in 0..n {
            let mut f = if node == 0 {
                PathFlags::default()
            } else {
                flags[tree.parent(node as u32) as usize]
            };
            if node != 0 {
                for &loc in tree.run(node as u32) {
                    let loc = loc as usize;
                    match view.mark[loc] {
                        Mark::Focused => f.focused = true,
                        Mark::Ignored => f.ignored = true,
                        Mark::None => {}
                    }
                    if !view.hidden[loc] {
                        f.visible = true;
                        f.shown_from |= view.show_from[loc];
                    }
                }
            }
            flags[node] = f;
            let mut keep = true;
            if selects {
                keep = f.focused && !f.ignored && (!view.any_hidden || f.visible);
            }
            if view.show_from_active {
                keep &= f.shown_from;
            }
            included[node] = keep;
        }
        drop(flags);
        let mut self_sum = vec![0i64; n];
        let mut self_nonzero = vec![0u32; n];
        let samples = &profile.samples;
        for s in 0..samples.len() {
            let node = samples.stack[s] as usize;
            if included[node] {
                let w = samples.value(s, value_index);
                self_sum[node] = self_sum[node].wrapping_add(w);
                self_nonzero[node] += u32::from(w != 0);
            }
        }
        let mut sub_sum = self_sum.clone();
        let mut sub_nonzero = self_nonzero.clone();
        for node in (1..n).rev() {
            let p = tree.parent(node as u32) as usize;
            sub_sum[p] = sub_sum[p].wrapping_add(sub_sum[node]);
            sub_nonzero[p] = sub_nonzero[p].saturating_add(sub_nonzero[node]);
        }
        SampleSums {
            self_sum,
            self_nonzero,
            sub_sum,
            sub_nonzero,
            included,
        }
    }
}

/// pprof's report total: the sum of absolute sample values, over the diff
/// base only when the profile has one. `only_included` restricts it to the
/// samples that survive the filters (relative percentages).
pub(crate) fn total(profile: &Profile, value_index: usize, sums: Option<&SampleSums>) -> i64 {
    let is_base: Vec<bool> = (0..profile.label_sets.len())
        .map(|i| {
            profile
                .label_sets
                .get(crate::model::LabelSet(i as u32))
                .iter()
                .any(|l| {
                    profile.str(l.key) == "pprof::base"
                        && matches!(l.value, LabelValue::Str(v) if profile.str(v) == "true")
                })
        })
        .collect();
    let samples = &profile.samples;
    let (mut all, mut base) = (0i64, 0i64);
    for s in 0..samples.len() {
        if let Some(sums) = sums {
            if !sums.included[samples.stack[s] as usize] {
                continue;
            }
        }
        let v = samples.value(s, value_index).wrapping_abs();
        all = all.wrapping_add(v);
        if is_base[samples.labels[s].0 as usize] {
            base = base.wrapping_add(v);
        }
    }
    if base > 0 {
        base
    } else {
        all
    }
}

/// An edge as the walk accumulates it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RawEdge {
    pub src: u32,
    pub dst: u32,
    pub weight: i64,
    pub residual: bool,
    pub inline: bool,
}

/// Node values (indexed by node id) and edges from one walk.
pub(crate) struct RawGraph {
    pub flat: Vec<i64>,
    pub cum: Vec<i64>,
    pub edges: Vec<RawEdge>,
}

/// Everything a report needs to build graphs repeatedly with different
/// kept-node sets: the filtered frames, their node ids, and the sums.
pub(crate) struct Walker<'p> {
    pub profile: &'p Profile,
    pub view: FrameView,
    pub nodes: NodeTable<'p>,
    /// Node id of each frame of the view, aligned with `view.all_frames()`.
    pub frame_nodes: Vec<u32>,
    pub sums: SampleSums,
}

impl<'p> Walker<'p> {
    pub(crate) fn new(
        profile: &'p Profile,
        view: FrameView,
        mut nodes: NodeTable<'p>,
        sums: SampleSums,
    ) -> Self {
        let mut frame_nodes = vec![0u32; view.all_frames().len()];
        for loc in 0..profile.locations.len() {
            let range = view.frame_range(loc);
            for (i, &frame) in view.frames(loc).iter().enumerate() {
                frame_nodes[range.start + i] = nodes.node_for(loc, frame);
            }
        }
        Walker {
            profile,
            view,
            nodes,
            frame_nodes,
            sums,
        }
    }

    /// Walks every stack; nodes not in `kept` (by node id) are pruned.
    pub(crate) fn walk(&self, kept: Option<&[bool]>) -> RawGraph {
        let tree = &self.profile.stacks;
        let node_count = self.nodes.infos.len();
        let mut flat = vec![0i64; node_count];
        let mut cum = vec![0i64; node_count];
        let mut node_on_path = vec![0u32; node_count];
        let mut edges: Vec<RawEdge> = Vec::new();
        let mut edge_on_path: Vec<u32> = Vec::new();
        let mut edge_index: FastMap<u64, u32> = FastMap::default();
        // Undo log of path counters: node ids, or edge ids with the top bit.
        const EDGE_BIT: u32 = 1 << 31;
        let mut undo: Vec<u32> = Vec::new();

        #[derive(Clone, Copy)]
        struct Open {
            end: u32,
            undo_len: usize,
            last: u32,
            residual: bool,
            found: bool,
        }
        let mut open = vec![Open {
            end: tree.len() as u32,
            undo_len: 0,
            last: NOT_KEPT,
            residual: false,
            found: !self.view.show_from_active,
        }];
        let frame_node = |i: usize| {
            let n = self.frame_nodes[i];
            match kept {
                Some(k) if !k[n as usize] => NOT_KEPT,
                _ => n,
            }
        };

        let mut t = 1u32;
        let len = tree.len() as u32;
        while t < len {
            while open.last().is_some_and(|o| o.end <= t) {
                let o = open.pop().expect("checked non-empty");
                for entry in undo.drain(o.undo_len..) {
                    if entry & EDGE_BIT != 0 {
                        edge_on_path[(entry & !EDGE_BIT) as usize] -= 1;
                    } else {
                        node_on_path[entry as usize] -= 1;
                    }
                }
            }
            let ti = t as usize;
            if self.sums.sub_nonzero[ti] == 0 {
                // No sample with a value below here: pprof skips such samples.
                t = tree.end(t);
                continue;
            }
            let state = *open.last().expect("the root stays open");
            let (mut last, mut residual, mut found) = (state.last, state.residual, state.found);
            let undo_len = undo.len();
            let w = self.sums.sub_sum[ti];
            for &loc in tree.run(t) {
                let loc = loc as usize;
                if self.view.hidden[loc] {
                    continue;
                }
                if !found {
                    if !self.view.show_from[loc] {
                        continue;
                    }
                    found = true;
                }
                let range = self.view.frame_range(loc);
                let outermost = range.end - 1;
                // A location's frames run innermost first; walk from the caller.
                for i in range.rev() {
                    let n = frame_node(i);
                    if n == NOT_KEPT {
                        residual = true;
                        continue;
                    }
                    if node_on_path[n as usize] == 0 {
                        cum[n as usize] = cum[n as usize].wrapping_add(w);
                    }
                    node_on_path[n as usize] += 1;
                    undo.push(n);
                    if last != NOT_KEPT && last != n {
                        let key = (u64::from(last) << 32) | u64::from(n);
                        let next = edges.len() as u32;
                        let e = *edge_index.entry(key).or_insert(next);
                        if e == next {
                            edges.push(RawEdge {
                                src: last,
                                dst: n,
                                weight: 0,
                                residual: false,
                                inline: true,
                            });
                            edge_on_path.push(0);
                        }
                        if edge_on_path[e as usize] == 0 {
                            let edge = &mut edges[e as usize];
                            edge.weight = edge.weight.wrapping_add(w);
                            edge.residual |= residual;
                            edge.inline &= i != outermost;
                        }
                        edge_on_path[e as usize] += 1;
                        undo.push(e | EDGE_BIT);
                    }
                    last = n;
                    residual = false;
                }
            }
            if self.sums.self_nonzero[ti] > 0 && !residual && last != NOT_KEPT {
                flat[last as usize] = flat[last as usize].wrapping_add(self.sums.self_sum[ti]);
            }
            open.push(Open {
                end: tree.end(t),
                undo_len,
                last,
                residual,
                found,
            });
            t += 1;
        }
        RawGraph { flat, cum, edges }
    }
}
