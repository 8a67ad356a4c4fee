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

use crate::fastmap::U64Map;
use crate::filter::{FrameView, Mark, NameFilters};
use crate::gomath;
use crate::model::{LabelValue, Profile};
use crate::tags::KeyFilter;

use super::node_info::NodeTable;

/// Marks a frame whose node was pruned away.
const NOT_KEPT: u32 = u32::MAX;

/// Per stack-tree node sums of the selected sample value.
pub(crate) struct SampleSums {
    /// Value of the included samples ending at the node.
    pub self_sum: Vec<i64>,
    /// Value of the included samples in the node's subtree.
    pub sub_sum: Vec<i64>,
    /// Bit flags per node: SELF_NONZERO, SUB_NONZERO, EXCLUDED.
    flags: Vec<u8>,
    /// Per label set, whether its samples survive tagfocus/tagignore;
    /// empty when neither is set. Samples sharing a stack can differ in
    /// labels, so this is per sample, not per stack node.
    kept_sets: Vec<bool>,
}

/// An included sample with a non-zero value ends at the node.
const SELF_NONZERO: u8 = 1;
/// An included sample with a non-zero value is in the node's subtree.
const SUB_NONZERO: u8 = 2;
/// Samples ending at the node are filtered out.
const EXCLUDED: u8 = 4;

impl SampleSums {
    /// Applies focus/ignore/hide/show/show_from to every stack and the tag
    /// filters' `kept_sets` (per label set; empty keeps all) to every
    /// sample, and sums the values at `value_index` of the samples that
    /// remain.
    pub(crate) fn new(
        profile: &Profile,
        view: &FrameView,
        filters: &NameFilters,
        kept_sets: Vec<bool>,
        value_index: usize,
    ) -> Self {
        let tree = &profile.stacks;
        let n = tree.len();
        let mut flags = vec![0u8; n];
        if filters.selects_samples() || view.show_from_active {
            mark_excluded(profile, view, filters, &mut flags);
        }
        let mut self_sum = vec![0i64; n];
        let samples = &profile.samples;
        for s in 0..samples.len() {
            let node = samples.stack[s] as usize;
            let tag_kept = kept_sets.is_empty() || kept_sets[samples.labels[s].index()];
            if flags[node] & EXCLUDED == 0 && tag_kept {
                let w = samples.value(s, value_index);
                self_sum[node] = gomath::add(self_sum[node], w);
                if w != 0 {
                    flags[node] |= SELF_NONZERO | SUB_NONZERO;
                }
            }
        }
        let mut sub_sum = self_sum.clone();
        for node in (1..n).rev() {
            let p = tree.parent(node as u32) as usize;
            sub_sum[p] = gomath::add(sub_sum[p], sub_sum[node]);
            flags[p] |= flags[node] & SUB_NONZERO;
        }
        SampleSums { self_sum, sub_sum, flags, kept_sets }
    }

    /// Whether samples ending at `node` survive the name filters (the tag
    /// filters are per sample: see [`SampleSums::sample_included`]).
    pub(crate) fn included(&self, node: usize) -> bool {
        self.flags[node] & EXCLUDED == 0
    }

    /// Whether sample `s` of `profile` survives every filter.
    pub(crate) fn sample_included(&self, profile: &Profile, s: usize) -> bool {
        let samples = &profile.samples;
        self.included(samples.stack[s] as usize)
            && (self.kept_sets.is_empty() || self.kept_sets[samples.labels[s].index()])
    }

    /// Whether a sample with a non-zero value ends at `node`.
    pub(crate) fn self_nonzero(&self, node: usize) -> bool {
        self.flags[node] & SELF_NONZERO != 0
    }

    /// Whether a sample with a non-zero value is in `node`'s subtree.
    pub(crate) fn sub_nonzero(&self, node: usize) -> bool {
        self.flags[node] & SUB_NONZERO != 0
    }
}

/// Marks the stack-tree nodes whose samples the filters drop, following
/// pprof: focus/ignore/hide/show keep samples with a focused frame, no
/// ignored frame and some frame left; show_from needs a matching frame.
fn mark_excluded(profile: &Profile, view: &FrameView, filters: &NameFilters, flags: &mut [u8]) {
    const FOCUSED: u8 = 1;
    const IGNORED: u8 = 2;
    const VISIBLE: u8 = 4;
    const SHOWN_FROM: u8 = 8;
    let tree = &profile.stacks;
    let selects = filters.selects_samples();
    // Path flags, top-down: parents precede children in preorder.
    let mut path = vec![0u8; tree.len()];
    for node in 0..tree.len() {
        let mut f = if node == 0 { 0 } else { path[tree.parent(node as u32) as usize] };
        if node != 0 {
            for loc in tree.run(node as u32).iter() {
                let loc = loc as usize;
                f |= match view.mark[loc] {
                    Mark::Focused => FOCUSED,
                    Mark::Ignored => IGNORED,
                    Mark::None => 0,
                };
                if !view.hidden[loc] {
                    f |= VISIBLE;
                    if view.show_from[loc] {
                        f |= SHOWN_FROM;
                    }
                }
            }
        }
        path[node] = f;
        let mut keep = true;
        if selects {
            keep = f & FOCUSED != 0 && f & IGNORED == 0 && (!view.any_hidden || f & VISIBLE != 0);
        }
        if view.show_from_active {
            keep &= f & SHOWN_FROM != 0;
        }
        if !keep {
            flags[node] |= EXCLUDED;
        }
    }
}

/// pprof's report total: the sum of absolute sample values, over the diff
/// base only when the profile has one. `only_included` restricts it to the
/// samples that survive the filters (relative percentages).
pub(crate) fn total(profile: &Profile, value_index: usize, sums: Option<&SampleSums>) -> i64 {
    let is_base: Vec<bool> = profile
        .label_sets
        .ids()
        .map(|set| {
            profile.label_sets.get(set).iter().any(|l| {
                profile.str(l.key) == "pprof::base"
                    && matches!(l.value, LabelValue::Str(v) if profile.str(v) == "true")
            })
        })
        .collect();
    let samples = &profile.samples;
    let (mut all, mut base) = (0i64, 0i64);
    for s in 0..samples.len() {
        if let Some(sums) = sums {
            if !sums.sample_included(profile, s) {
                continue;
            }
        }
        let v = gomath::abs(samples.value(s, value_index));
        all = gomath::add(all, v);
        if is_base[samples.labels[s].index()] {
            base = gomath::add(base, v);
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
    /// Its mark on the current path (see [`PathWalk`]).
    on_path: u32,
}

/// Node values (indexed by node id) and edges from one walk.
pub(crate) struct RawGraph {
    pub flat: Vec<i64>,
    pub cum: Vec<i64>,
    pub edges: Vec<RawEdge>,
}

impl RawGraph {
    /// These values with the nodes outside `kept` left out: what a walk
    /// with `kept` finds when it records no edges, since pprof gives a kept
    /// node the same flat (only as the leaf) and cum (once per sample)
    /// whichever other nodes are kept; only edges become residual.
    pub(crate) fn restricted_to(&self, kept: &[bool]) -> RawGraph {
        let keep = |values: &[i64]| values.iter().zip(kept).map(|(&v, &k)| if k { v } else { 0 }).collect();
        debug_assert!(self.edges.is_empty(), "edges would need the walk with the kept nodes");
        RawGraph { flat: keep(&self.flat), cum: keep(&self.cum), edges: Vec::new() }
    }
}

/// Which edges a walk records.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum EdgeScope {
    /// Every edge (tree, peek, graphs).
    All,
    /// Only edges into nodes that appear as inlined frames: enough for the
    /// top report's "(inline)" marks, and much cheaper.
    IntoInlined,
    /// No edges (source listings).
    None,
}

/// Everything a report needs to build graphs repeatedly with different
/// kept-node sets: the filtered frames, their node ids, and the sums.
pub(crate) struct Walker<'p> {
    pub profile: &'p Profile,
    pub view: FrameView,
    pub nodes: NodeTable<'p>,
    /// Node id of each frame of the view, aligned with `view.all_frames()`.
    pub frame_nodes: Vec<u32>,
    /// Nodes that appear as an inlined (not outermost) frame somewhere.
    inlined: Vec<bool>,
    pub sums: SampleSums,
    /// The label keys reports show (tagshow/taghide).
    pub keys: KeyFilter,
}

/// A location removed by hide/show.
const HIDDEN: u32 = u32::MAX - 1;
/// Marks a location code that needs the general path.
const SLOW: u32 = 1 << 31;

impl<'p> Walker<'p> {
    pub(crate) fn new(
        profile: &'p Profile,
        view: FrameView,
        mut nodes: NodeTable<'p>,
        sums: SampleSums,
        keys: KeyFilter,
    ) -> Self {
        let mut frame_nodes = vec![0u32; view.all_frames().len()];
        let mut inlined_frames = Vec::new();
        for loc in 0..profile.locations.len() {
            let range = view.frame_range(loc);
            let frames = view.frames(loc);
            for (i, &frame) in frames.iter().enumerate() {
                let id = nodes.node_for(loc, frame);
                frame_nodes[range.start + i] = id;
                if i + 1 < frames.len() && !view.hidden[loc] {
                    inlined_frames.push(id);
                }
            }
        }
        let mut inlined = vec![false; nodes.infos.len()];
        for id in inlined_frames {
            inlined[id as usize] = true;
        }
        Walker { profile, view, nodes, frame_nodes, inlined, sums, keys }
    }

    /// Per location: its single frame's node (or NOT_KEPT), HIDDEN, or SLOW
    /// plus the location for the general path.
    fn location_codes(&self, kept: Option<&[bool]>) -> Vec<u32> {
        let view = &self.view;
        (0..self.profile.locations.len())
            .map(|loc| {
                let range = view.frame_range(loc);
                if view.hidden[loc] {
                    HIDDEN
                } else if range.len() == 1 && !view.show_from_active {
                    let n = self.frame_nodes[range.start];
                    match kept {
                        Some(k) if !k[n as usize] => NOT_KEPT,
                        _ => n,
                    }
                } else {
                    SLOW | loc as u32
                }
            })
            .collect()
    }

    /// Whether a walk with `scope` records any edge: without inlined
    /// frames, Top's walk records none.
    pub(crate) fn records_edges(&self, scope: EdgeScope) -> bool {
        match scope {
            EdgeScope::All => true,
            EdgeScope::IntoInlined => self.inlined.contains(&true),
            EdgeScope::None => false,
        }
    }

    /// Walks every stack; nodes not in `kept` (by node id) are pruned.
    pub(crate) fn walk(&self, kept: Option<&[bool]>, scope: EdgeScope) -> RawGraph {
        let tree = &self.profile.stacks;
        let node_count = self.nodes.infos.len();
        let codes = self.location_codes(kept);
        let mut walk = PathWalk {
            flat: vec![0i64; node_count],
            cum: vec![(0i64, NOT_ON_PATH); node_count],
            edges: Vec::new(),
            edge_index: U64Map::default(),
            t: 0,
            t_end: 0,
            track: match scope {
                EdgeScope::All => Track::All,
                EdgeScope::IntoInlined => Track::Into(&self.inlined),
                EdgeScope::None => Track::Nothing,
            },
        };
        let mut open = vec![Open {
            end: tree.len() as u32,
            at: At { last: NOT_KEPT, residual: false, found: !self.view.show_from_active },
        }];
        let mut t = 1u32;
        let len = tree.len() as u32;
        while t < len {
            while open.last().is_some_and(|o| o.end <= t) {
                open.pop();
            }
            let ti = t as usize;
            if !self.sums.sub_nonzero(ti) {
                // No sample with a value below here: pprof skips such samples.
                t = tree.end(t);
                continue;
            }
            let mut at = open.last().expect("the root stays open").at;
            walk.t = t;
            walk.t_end = tree.end(t);
            let w = self.sums.sub_sum[ti];
            for loc in tree.run(t).iter() {
                let code = codes[loc as usize];
                if code == HIDDEN {
                    continue;
                }
                if code & SLOW == 0 && at.found {
                    walk.frame(&mut at, code, false, w);
                    continue;
                }
                if code == NOT_KEPT {
                    at.residual = true;
                    continue;
                }
                // The general path: inlined frames, show_from.
                let loc = (code & !SLOW) as usize;
                if !at.found {
                    if !self.view.show_from[loc] {
                        continue;
                    }
                    at.found = true;
                }
                let range = self.view.frame_range(loc);
                let outermost = range.end - 1;
                for i in range.rev() {
                    let n = self.frame_nodes[i];
                    let n = match kept {
                        Some(k) if !k[n as usize] => NOT_KEPT,
                        _ => n,
                    };
                    walk.frame(&mut at, n, i != outermost, w);
                }
            }
            if self.sums.self_nonzero(ti) && !at.residual && at.last != NOT_KEPT {
                let f = &mut walk.flat[at.last as usize];
                *f = gomath::add(*f, self.sums.self_sum[ti]);
            }
            open.push(Open { end: tree.end(t), at });
            t += 1;
        }
        RawGraph { flat: walk.flat, cum: walk.cum.into_iter().map(|(c, _)| c).collect(), edges: walk.edges }
    }
}

/// The walk's position: the last kept node, whether nodes were skipped
/// since, and whether show_from has matched yet.
#[derive(Clone, Copy)]
struct At {
    last: u32,
    residual: bool,
    found: bool,
}

/// A stack-tree node whose subtree the walk is inside.
#[derive(Clone, Copy)]
struct Open {
    end: u32,
    at: At,
}

/// "Not on the current path" for [`PathWalk`]'s marks: no walk position is
/// below it.
const NOT_ON_PATH: u32 = 0;

/// Accumulators of one walk, and for each node and edge a mark: the end of
/// the subtree of the stack-tree node where the walk first met it.
/// Stack-tree nodes are in preorder, so the node or edge is on the current
/// path exactly when the current node `t` is inside that subtree
/// (`t < mark`): no bookkeeping is needed when the walk leaves a subtree,
/// and the check reads no table (the walk's hottest line).
struct PathWalk<'a> {
    flat: Vec<i64>,
    /// (cum, mark) per node.
    cum: Vec<(i64, u32)>,
    edges: Vec<RawEdge>,
    edge_index: U64Map,
    /// The stack-tree node being walked.
    t: u32,
    /// The end of its subtree: the mark of what is first met there.
    t_end: u32,
    /// Which edges are recorded.
    track: Track<'a>,
}

/// Which edges a walk records (see [`EdgeScope`]).
#[derive(Clone, Copy)]
enum Track<'a> {
    All,
    Into(&'a Vec<bool>),
    Nothing,
}

impl PathWalk<'_> {
    /// Whether a first-seen mark is on the current path.
    #[inline]
    fn on_path(&self, mark: u32) -> bool {
        self.t < mark
    }

    /// Enters frame node `n` (NOT_KEPT if pruned) below the current path;
    /// `inline` says it is not its location's outermost frame.
    #[inline]
    fn frame(&mut self, at: &mut At, n: u32, inline: bool, w: i64) {
        if n == NOT_KEPT {
            at.residual = true;
            return;
        }
        let mark = self.cum[n as usize].1;
        if !self.on_path(mark) {
            let node = &mut self.cum[n as usize];
            node.0 = gomath::add(node.0, w);
            node.1 = self.t_end;
        }
        let tracked = match self.track {
            Track::All => true,
            Track::Into(nodes) => nodes[n as usize],
            Track::Nothing => false,
        };
        if at.last != NOT_KEPT && at.last != n && tracked {
            let key = (u64::from(at.last) << 32) | u64::from(n);
            let e = self.edge_index.get_or_insert(key, self.edges.len() as u32) as usize;
            if e == self.edges.len() {
                self.edges.push(RawEdge {
                    src: at.last,
                    dst: n,
                    weight: 0,
                    residual: false,
                    inline: true,
                    on_path: NOT_ON_PATH,
                });
            }
            if !self.on_path(self.edges[e].on_path) {
                let t = self.t_end;
                let edge = &mut self.edges[e];
                edge.weight = gomath::add(edge.weight, w);
                edge.residual |= at.residual;
                edge.inline &= inline;
                edge.on_path = t;
            }
        }
        at.last = n;
        at.residual = false;
    }
}
