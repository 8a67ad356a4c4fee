//! The flame graph's data: the full call tree (never pruned), merged by
//! function at functions or filefunctions granularity, optionally pivoted
//! on a function (its callees below, its callers above), as pprof's flame
//! graph shows it.

use crate::pattern::Pattern;

use crate::error::Error;
use crate::fastmap::U64Map;
use crate::gomath;
use crate::graph::{shorten_function_name, Granularity, NodeTable};
use crate::model::Profile;
use crate::units;

use super::context::{ReportContext, ReportKind};
use super::ReportOptions;

/// A function shown in the flame graph.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlameFunction {
    /// Full name ("net/http.(*conn).serve"), or the file at files granularity.
    pub name: String,
    /// Short name for narrow frames ("http.(*conn).serve").
    pub short: String,
    /// Source file, if known and asked for.
    pub file: String,
    /// The package, for colouring ("net/http").
    pub package: String,
}

/// A frame of a flame tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlameNode {
    /// Index into [`FlameGraph::functions`]; `u32::MAX` for a tree's root.
    pub function: u32,
    /// Distance from the root.
    pub depth: u32,
    /// Value of the samples through this frame.
    pub total: i64,
    /// Value of the samples ending at this frame.
    pub self_value: i64,
    /// Value of the positive samples through this frame (for a diff, the
    /// source's share; equals `total` when no sample is negative).
    pub positive: i64,
    /// Magnitude of the negative samples through this frame (for a diff,
    /// the base's share), so `positive - negative == total`. pprof's diff
    /// flame graph draws a frame `positive + negative` wide.
    pub negative: i64,
    /// One past the last node of this frame's subtree.
    pub end: u32,
    /// The frame was inlined into its parent.
    pub inlined: bool,
}

/// A tree of frames in preorder, children ordered by name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FlameTree {
    /// The frames; node 0 is the root.
    pub nodes: Vec<FlameNode>,
}

impl FlameTree {
    /// The children of `node`, in order.
    pub fn children(&self, node: usize) -> impl Iterator<Item = usize> + '_ {
        let end = self.nodes[node].end as usize;
        let mut next = node + 1;
        std::iter::from_fn(move || {
            if next >= end {
                return None;
            }
            let child = next;
            next = self.nodes[child].end as usize;
            Some(child)
        })
    }

    /// The deepest depth.
    pub fn max_depth(&self) -> u32 {
        self.nodes.iter().map(|n| n.depth).max().unwrap_or(0)
    }

    /// The tree without the frames (and their subtrees) whose `width` is
    /// below `min`, and how many frames that left out. The root stays. A
    /// page uses it to bound what it draws: a frame far narrower than a
    /// pixel at every usable zoom level costs memory and transfer time but
    /// shows nothing. Totals and self values of the kept frames are
    /// unchanged.
    pub fn without_narrow(&self, min: i64, width: impl Fn(&FlameNode) -> i64) -> (FlameTree, usize) {
        let mut kept: Vec<u32> = Vec::new();
        let mut i = 0usize;
        while i < self.nodes.len() {
            if i > 0 && width(&self.nodes[i]) < min {
                i = (self.nodes[i].end as usize).max(i + 1);
                continue;
            }
            kept.push(i as u32);
            i += 1;
        }
        let nodes = kept
            .iter()
            .map(|&old| {
                let n = &self.nodes[old as usize];
                // Kept nodes are in preorder, so the subtree ends where the
                // first kept node at or past the old end sits.
                let end = kept.partition_point(|&k| k < n.end) as u32;
                FlameNode { end, ..n.clone() }
            })
            .collect();
        let dropped = self.nodes.len() - kept.len();
        (FlameTree { nodes }, dropped)
    }
}

/// The flame graph.
#[derive(Clone, Debug, PartialEq)]
pub struct FlameGraph {
    /// The functions the frames refer to.
    pub functions: Vec<FlameFunction>,
    /// The call tree from the roots; with a pivot, the pivot's callees.
    pub tree: FlameTree,
    /// With a pivot: its callers, the pivot at the root, callers as children.
    pub callers: Option<FlameTree>,
    /// The report total (percentages are of it).
    pub total: i64,
    /// The sample type shown.
    pub sample_type: String,
    /// Its unit.
    pub sample_unit: String,
}

impl FlameGraph {
    /// `v` in the sample's unit, auto-scaled ("44.50MB", "1.20s").
    pub fn format_value(&self, v: i64) -> String {
        units::scaled_label(v, &self.sample_unit, "auto")
    }
}

/// The package of a function name, for colours: "net/http" for
/// "net/http.(*conn).serve", "std::vector" for C++ names.
pub fn package_name(name: &str) -> &str {
    let name = name.strip_prefix("(anonymous namespace)::").unwrap_or(name);
    let after_slash = name.rfind('/').map_or(0, |i| i + 1);
    if let Some(i) = name.find("::") {
        return &name[..i];
    }
    match name[after_slash..].find('.') {
        Some(i) => &name[..after_slash + i],
        None => name,
    }
}

/// The options of a flame graph at `granularity` and its compiled pivot,
/// or why they are refused (the flame graph groups by function).
pub(super) fn flame_options(
    options: &ReportOptions,
    granularity: Granularity,
    pivot: Option<&str>,
) -> Result<(ReportOptions, Option<Pattern>), Error> {
    if !matches!(granularity, Granularity::Functions | Granularity::FileFunctions) {
        return Err(Error::InvalidOption {
            option: "granularity",
            detail: "the flame graph groups frames by function: use functions or filefunctions".into(),
        });
    }
    let pivot = match pivot.filter(|p| !p.is_empty()) {
        Some(p) => Some(Pattern::new(p).map_err(|detail| Error::Regex { option: "pivot", detail })?),
        None => None,
    };
    Ok((ReportOptions { granularity, ..options.clone() }, pivot))
}

/// Computes the flame graph. `granularity` must be functions or
/// filefunctions (pprof's flame graph uses filefunctions); `pivot` is a
/// regexp on function names.
pub fn flame(
    profile: &Profile,
    options: &ReportOptions,
    granularity: Granularity,
    pivot: Option<&str>,
) -> Result<FlameGraph, Error> {
    let (options, pivot) = flame_options(options, granularity, pivot)?;
    let ctx = ReportContext::new(profile, &options, ReportKind::Flame)?;
    let walker = &ctx.walker;
    let table = &walker.nodes;

    // Graph node ids become flame functions.
    let mut interned =
        Interned { of: vec![u32::MAX; table.infos.len()], functions: Vec::new(), matches: Vec::new() };
    let mut function = |id: u32| interned.get(id, table, profile, pivot.as_ref());
    let tree = &profile.stacks;
    let sums = &walker.sums;
    let view = &walker.view;
    let mut main = TreeBuilder::new();
    let mut callers = TreeBuilder::new();
    // Per open stack-tree node: where its frames left the path.
    #[derive(Clone, Copy)]
    struct Open {
        end: u32,
        path_len: usize,
        at: u32,
        found: bool,
        pivoted: bool,
    }
    // The frames on the path from the root: (function, inlined).
    let mut path: Vec<(u32, bool)> = Vec::new();
    let mut open = vec![Open {
        end: tree.len() as u32,
        path_len: 0,
        at: 0,
        found: !view.show_from_active,
        pivoted: pivot.is_none(),
    }];
    let signed = SignedSums::new(profile, sums, ctx.value_index);
    main.nodes[0].total = sums.sub_sum[0];
    main.nodes[0].self_value = sums.self_sum[0];
    main.nodes[0].split = signed.split(0, sums.sub_sum[0]);
    let mut t = 1u32;
    while t < tree.len() as u32 {
        while open.last().is_some_and(|o| o.end <= t) {
            open.pop();
        }
        let ti = t as usize;
        if !sums.sub_nonzero(ti) && sums.sub_sum[ti] == 0 {
            t = tree.end(t);
            continue;
        }
        let mut o = *open.last().expect("the root stays open");
        path.truncate(o.path_len);
        let w = sums.sub_sum[ti];
        let (pos, neg) = signed.split(ti, w);
        for loc in tree.run(t).iter() {
            let loc = loc as usize;
            if view.hidden[loc] {
                continue;
            }
            if !o.found {
                if !view.show_from[loc] {
                    continue;
                }
                o.found = true;
            }
            let range = view.frame_range(loc);
            let outermost = range.end - 1;
            for i in range.rev() {
                let (f, matched) = function(walker.frame_nodes[i]);
                let inlined = i != outermost;
                path.push((f, inlined));
                if !o.pivoted {
                    if !matched {
                        continue;
                    }
                    // The root-most match: the pivot. Its callers, reversed.
                    o.pivoted = true;
                    let mut at = 0;
                    callers.nodes[0].add(w, pos, neg);
                    for &(g, inl) in path[..path.len() - 1].iter().rev() {
                        at = callers.child(at, g, inl);
                        callers.nodes[at as usize].add(w, pos, neg);
                    }
                    o.at = 0;
                    continue;
                }
                o.at = main.child(o.at, f, inlined);
                main.nodes[o.at as usize].add(w, pos, neg);
            }
        }
        if o.pivoted {
            let node = &mut main.nodes[o.at as usize];
            node.self_value = gomath::add(node.self_value, sums.self_sum[ti]);
        }
        o.end = tree.end(t);
        o.path_len = path.len();
        open.push(o);
        t += 1;
    }
    if pivot.is_some() {
        // The pivot's own total: every sample through it.
        main.nodes[0].total = callers.nodes[0].total;
        main.nodes[0].split = callers.nodes[0].split;
        main.nodes[0].self_value = main.nodes[0].self_value.min(main.nodes[0].total);
    }
    let functions = interned.functions;
    let order = |a: u32, b: u32| functions[a as usize].name.cmp(&functions[b as usize].name);
    let tree_main = main.finish(&order);
    let tree_callers = pivot.is_some().then(|| callers.finish(&order));
    Ok(FlameGraph {
        functions,
        tree: tree_main,
        callers: tree_callers,
        total: ctx.total,
        sample_type: ctx.sample_type.clone(),
        sample_unit: ctx.sample_unit.clone(),
    })
}

/// A flame tree under construction: children found by (parent, function).
pub(super) struct TreeBuilder {
    pub(super) nodes: Vec<BuildNode>,
    children: U64Map,
}

/// No node (for the child links below).
const NONE: u32 = u32::MAX;

/// A node under construction. Children are a linked list in insertion
/// order (first, last, next sibling) rather than a Vec per node: big
/// profiles have tens of millions of frames, and a heap allocation each
/// cost more time than the rest of the build.
#[derive(Clone, Copy)]
pub(super) struct BuildNode {
    function: u32,
    inlined: bool,
    pub(super) total: i64,
    pub(super) self_value: i64,
    /// (positive, negative magnitude) parts of `total`.
    pub(super) split: (i64, i64),
    first_kid: u32,
    last_kid: u32,
    next: u32,
}

impl BuildNode {
    fn new(function: u32, inlined: bool) -> BuildNode {
        BuildNode {
            function,
            inlined,
            total: 0,
            self_value: 0,
            split: (0, 0),
            first_kid: NONE,
            last_kid: NONE,
            next: NONE,
        }
    }
}

impl BuildNode {
    pub(super) fn add(&mut self, total: i64, positive: i64, negative: i64) {
        self.total = gomath::add(self.total, total);
        self.split.0 = gomath::add(self.split.0, positive);
        self.split.1 = gomath::add(self.split.1, negative);
    }
}

/// Per stack-tree node, the positive and negative (as a magnitude) sums of
/// the included samples in its subtree; only computed when some sample is
/// negative, as in a diff (pprof's `sumpos` and `sumneg`).
pub(super) struct SignedSums {
    positive: Vec<i64>,
    negative: Vec<i64>,
}

impl SignedSums {
    pub(super) fn new(profile: &Profile, sums: &crate::graph::SampleSums, value_index: usize) -> SignedSums {
        let samples = &profile.samples;
        let tree = &profile.stacks;
        let negative_at = |s: usize| samples.value(s, value_index) < 0 && sums.sample_included(profile, s);
        if !(0..samples.len()).any(negative_at) {
            return SignedSums { positive: Vec::new(), negative: Vec::new() };
        }
        let mut positive = vec![0i64; tree.len()];
        let mut negative = vec![0i64; tree.len()];
        for s in 0..samples.len() {
            let node = samples.stack[s] as usize;
            if !sums.sample_included(profile, s) {
                continue;
            }
            let v = samples.value(s, value_index);
            if v < 0 {
                negative[node] = gomath::sub(negative[node], v);
            } else {
                positive[node] = gomath::add(positive[node], v);
            }
        }
        for node in (1..tree.len()).rev() {
            let p = tree.parent(node as u32) as usize;
            positive[p] = gomath::add(positive[p], positive[node]);
            negative[p] = gomath::add(negative[p], negative[node]);
        }
        SignedSums { positive, negative }
    }

    /// The (positive, negative) parts of stack-tree node `node`, whose
    /// subtree sums to `total`.
    pub(super) fn split(&self, node: usize, total: i64) -> (i64, i64) {
        match (self.positive.get(node), self.negative.get(node)) {
            (Some(&p), Some(&n)) => (p, n),
            // No negative sample anywhere: everything is positive.
            _ => (total, 0),
        }
    }
}

impl TreeBuilder {
    pub(super) fn new() -> Self {
        TreeBuilder { nodes: vec![BuildNode::new(u32::MAX, false)], children: U64Map::default() }
    }

    pub(super) fn child(&mut self, parent: u32, function: u32, inlined: bool) -> u32 {
        let key = (u64::from(parent) << 32) | (u64::from(function) << 1) | u64::from(inlined);
        let next = self.nodes.len() as u32;
        let id = self.children.get_or_insert(key, next);
        if id == next {
            self.nodes.push(BuildNode::new(function, inlined));
            let last = self.nodes[parent as usize].last_kid;
            if last == NONE {
                self.nodes[parent as usize].first_kid = id;
            } else {
                self.nodes[last as usize].next = id;
            }
            self.nodes[parent as usize].last_kid = id;
        }
        id
    }

    /// Lays the tree out in preorder with children in `order`.
    /// `order` compares two functions for display.
    pub(super) fn finish(self, order: &dyn Fn(u32, u32) -> std::cmp::Ordering) -> FlameTree {
        let mut out: Vec<FlameNode> = Vec::with_capacity(self.nodes.len());
        let mut index_of = vec![0usize; self.nodes.len()];
        // (node, depth, leaving): a node is visited on the way in and out.
        let mut stack: Vec<(u32, u32, bool)> = vec![(0, 0, false)];
        let mut kids: Vec<u32> = Vec::new();
        while let Some((node, depth, leaving)) = stack.pop() {
            if leaving {
                let len = out.len() as u32;
                out[index_of[node as usize]].end = len;
                continue;
            }
            let n = self.nodes[node as usize];
            index_of[node as usize] = out.len();
            out.push(FlameNode {
                function: n.function,
                depth,
                total: n.total,
                self_value: n.self_value,
                positive: n.split.0,
                negative: n.split.1,
                end: 0,
                inlined: n.inlined,
            });
            stack.push((node, depth, true));
            kids.clear();
            let mut kid = n.first_kid;
            while kid != NONE {
                kids.push(kid);
                kid = self.nodes[kid as usize].next;
            }
            kids.sort_by(|&a, &b| {
                let (fa, fb) = (&self.nodes[a as usize], &self.nodes[b as usize]);
                order(fa.function, fb.function).then(fa.inlined.cmp(&fb.inlined))
            });
            for &k in kids.iter().rev() {
                stack.push((k, depth + 1, false));
            }
        }
        FlameTree { nodes: out }
    }
}

/// Flame functions, made from graph node ids on first use.
pub(super) struct Interned {
    pub(super) of: Vec<u32>,
    pub(super) functions: Vec<FlameFunction>,
    pub(super) matches: Vec<bool>,
}

impl Interned {
    /// The flame function of graph node `id`, and whether the pivot
    /// matches it.
    pub(super) fn get(
        &mut self,
        id: u32,
        table: &NodeTable<'_>,
        profile: &Profile,
        pivot: Option<&Pattern>,
    ) -> (u32, bool) {
        let slot = self.of[id as usize];
        if slot != u32::MAX {
            return (slot, self.matches[slot as usize]);
        }
        let info = &table.infos[id as usize];
        let name = table.printable_name(info);
        let full = profile.str(info.name);
        let matched = pivot.is_some_and(|rx| rx.is_match(full));
        let f = self.functions.len() as u32;
        self.of[id as usize] = f;
        self.matches.push(matched);
        self.functions.push(FlameFunction {
            short: if full.is_empty() { name.clone() } else { shorten_function_name(full) },
            package: package_name(if full.is_empty() { &name } else { full }).to_string(),
            file: table.file_name(info.file).to_string(),
            name,
        });
        (f, matched)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packages() {
        assert_eq!(package_name("net/http.(*conn).serve"), "net/http");
        assert_eq!(package_name("main.main"), "main");
        assert_eq!(package_name("github.com/a/b.F"), "github.com/a/b");
        assert_eq!(package_name("std::vector<int>::push_back"), "std");
        assert_eq!(package_name("malloc"), "malloc");
    }

    /// A tree from (depth, total) in preorder; ends follow from the depths.
    fn tree(frames: &[(u32, i64)]) -> FlameTree {
        let nodes = frames
            .iter()
            .enumerate()
            .map(|(i, &(depth, total))| {
                let end =
                    frames[i + 1..].iter().position(|&(d, _)| d <= depth).map_or(frames.len(), |p| i + 1 + p);
                FlameNode {
                    function: i as u32,
                    depth,
                    total,
                    self_value: 0,
                    positive: total,
                    negative: 0,
                    end: end as u32,
                    inlined: false,
                }
            })
            .collect();
        FlameTree { nodes }
    }

    #[test]
    fn narrow_frames_go_with_their_subtrees() {
        // root(100) -> a(90) -> b(85), c(4) -> d(4); e(6) -> f(1)
        let t = tree(&[(0, 100), (1, 90), (2, 85), (2, 4), (3, 4), (1, 6), (2, 1)]);
        let (pruned, dropped) = t.without_narrow(5, |n| n.total.abs());
        let kept: Vec<(u32, u32, u32)> = pruned.nodes.iter().map(|n| (n.function, n.depth, n.end)).collect();
        assert_eq!(kept, vec![(0, 0, 4), (1, 1, 3), (2, 2, 3), (5, 1, 4)]);
        assert_eq!(dropped, 3);
        assert_eq!(pruned.children(0).collect::<Vec<_>>(), vec![1, 3]);
        // Nothing narrow: the same tree.
        assert_eq!(t.without_narrow(0, |n| n.total.abs()).0, t);
    }
}

#[cfg(test)]
mod diff_tests {
    use super::*;
    use crate::compare::{combine, Combine};
    use crate::decode::{decode, DecodeOptions};
    use crate::encode::ProfileWriter;

    /// A heap-like profile: main.a calls main.b (`b` bytes) and main.c (`c`).
    fn profile(b: i64, c: i64) -> Profile {
        let mut w = ProfileWriter::new(&[("inuse_space", "bytes")]);
        let fa = w.add_function("main.a", "a.go", 1);
        let fb = w.add_function("main.b", "a.go", 10);
        let fc = w.add_function("main.c", "a.go", 20);
        let la = w.add_location(None, 0x10, &[(fa, 2)]);
        let lb = w.add_location(None, 0x20, &[(fb, 11)]);
        let lc = w.add_location(None, 0x30, &[(fc, 21)]);
        w.add_sample(&[lb, la], &[b], &[]);
        w.add_sample(&[lc, la], &[c], &[]);
        decode(&w.encode(), &DecodeOptions::default()).unwrap()
    }

    /// (name, total, positive, negative) of every frame in preorder.
    fn frames(g: &FlameGraph) -> Vec<(String, i64, i64, i64)> {
        g.tree
            .nodes
            .iter()
            .map(|n| {
                let name = g.functions.get(n.function as usize).map_or("root".into(), |f| f.name.clone());
                (name, n.total, n.positive, n.negative)
            })
            .collect()
    }

    #[test]
    fn diff_frames_split_increases_and_decreases() {
        let (base, source) = ([profile(10, 4)], [profile(3, 9)]);
        let diff = combine(&Combine { sources: &source, bases: &base, ..Combine::default() }).unwrap();
        let g = flame(&diff, &ReportOptions::default(), Granularity::Functions, None).unwrap();
        let want = [("root", -2, 12, 14), ("main.a", -2, 12, 14), ("main.b", -7, 3, 10), ("main.c", 5, 9, 4)];
        let want: Vec<_> = want.iter().map(|&(n, t, p, m)| (n.to_string(), t, p, m)).collect();
        assert_eq!(frames(&g), want);
        // Pivoted on main.b: the pivot and its caller keep the split.
        let pivoted =
            flame(&diff, &ReportOptions::default(), Granularity::Functions, Some("main\\.b")).unwrap();
        let root = &pivoted.tree.nodes[0];
        assert_eq!((root.total, root.positive, root.negative), (-7, 3, 10));
        let caller = &pivoted.callers.as_ref().unwrap().nodes[1];
        assert_eq!((caller.total, caller.positive, caller.negative), (-7, 3, 10));
    }

    #[test]
    fn without_negative_samples_everything_is_positive() {
        let g = flame(&profile(3, 9), &ReportOptions::default(), Granularity::Functions, None).unwrap();
        assert!(g.tree.nodes.iter().all(|n| n.positive == n.total && n.negative == 0));
        assert_eq!(g.tree.nodes[0].total, 12);
    }
}
