//! The flame graph built on demand for a viewport: only the frames a viewer
//! can see at its zoom are made, level by level from the root, so memory
//! and time stay bounded by what is drawn (about the pixels across times
//! the depth), not by the profile's tens of millions of distinct paths.
//!
//! Each frame is a set of cursors into the stack tree: a stack-tree node
//! and how far along its run of frames the frame's path has come. A
//! frame's children are found by stepping every cursor one frame on
//! (into the tree node's children at the end of its run) and grouping the
//! steps by function; their totals are sums of stack-tree subtree sums, so
//! every frame shown carries the exact values of the full flame graph
//! ([`super::flame()`]). Children narrower than a pixel are not expanded:
//! each run of consecutive narrow siblings becomes one [`ELIDED`] frame
//! as wide as they are together, so every frame keeps the position it has
//! in the full graph, and zooming in on a "…" frame asks for the same
//! range at a finer scale.

use crate::error::Error;
use crate::gomath;
use crate::graph::Granularity;
use crate::model::Profile;
use crate::pattern::Pattern;

use super::context::{ReportContext, ReportKind};
use super::flame::{
    flame_options, FlameFunction, FlameGraph, FlameNode, FlameTree, Interned, SignedSums, TreeBuilder,
};
use super::ReportOptions;

/// The function index of a frame standing for consecutive siblings too
/// narrow to draw at the viewport's scale ("…").
pub const ELIDED: u32 = u32::MAX - 1;
/// The function index of a tree's root.
const ROOT: u32 = u32::MAX;
/// The most pixels a viewport may ask for: bounds the frames per level.
pub const MAX_PIXELS: u32 = 16_384;

/// The part of the flame graph a viewer shows, in drawn-width units (a
/// frame is [`super::drawn_width`] wide, the root starts at 0).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FlameViewport {
    /// Left edge of the range zoomed into.
    pub start: f64,
    /// Width of the range zoomed into; 0 (or anything not positive) for the
    /// whole graph.
    pub span: f64,
    /// Pixels across the viewer: frames narrower than one pixel (of the
    /// whole graph, or of the zoomed range where they overlap it) are merged
    /// into "…" frames. 0 builds every frame.
    pub pixels: u32,
}

impl FlameViewport {
    /// The whole graph over `pixels` pixels.
    pub fn whole(pixels: u32) -> FlameViewport {
        FlameViewport { start: 0.0, span: 0.0, pixels }
    }
}

/// A flame graph built for a viewport.
#[derive(Clone, Debug, PartialEq)]
pub struct LazyFlame {
    /// The graph: only the functions its frames refer to; frames whose
    /// function is [`ELIDED`] stand for narrow siblings.
    pub graph: FlameGraph,
    /// How many frames of the full graph the "…" frames stand for (their
    /// own subtrees not counted: they were never built).
    pub elided: usize,
}

/// Builds the frames of the flame graph that `viewport` shows. Same
/// arguments and values as [`super::flame()`], which it equals when
/// `viewport.pixels` is 0.
pub fn flame_lazy(
    profile: &Profile,
    options: &ReportOptions,
    granularity: Granularity,
    pivot: Option<&str>,
    viewport: FlameViewport,
) -> Result<LazyFlame, Error> {
    let (options, pivot) = flame_options(options, granularity, pivot)?;
    let ctx = ReportContext::new(profile, &options, ReportKind::Flame)?;
    let walker = &ctx.walker;
    let mut interned =
        Interned { of: vec![u32::MAX; walker.nodes.infos.len()], functions: Vec::new(), matches: Vec::new() };
    let signed = SignedSums::new(profile, &walker.sums, ctx.value_index);
    let starts = Starts::find(&ctx, &mut interned, pivot.as_ref(), &signed);

    let mut expander = Expander { ctx: &ctx, starts: &starts, interned, signed: &signed };
    let sums = &walker.sums;
    let root = if pivot.is_some() {
        let c = &starts.callers.nodes[0];
        Group { code: ROOT, total: c.total, split: c.split, self_value: sums.self_sum[0], cursors: 0..0 }
    } else {
        let total = sums.sub_sum[0];
        Group { code: ROOT, total, split: signed.split(0, total), self_value: 0, cursors: 0..0 }
    };
    let root_cursors: Vec<Cursor> = if pivot.is_some() {
        starts.roots.clone()
    } else {
        vec![Cursor { node: 0, at: profile.stacks.run(0).len() as u32, taken: 0 }]
    };
    let levels = expander.levels(root, root_cursors, viewport);
    let interned = expander.interned;
    let callers = starts.callers;

    // Only the functions the frames refer to, in order of first use.
    let mut remap = vec![u32::MAX; interned.functions.len()];
    let mut functions: Vec<FlameFunction> = Vec::new();
    let mut use_function = |f: u32| -> u32 {
        if f == ROOT || f == ELIDED {
            return f;
        }
        if remap[f as usize] == u32::MAX {
            remap[f as usize] = functions.len() as u32;
            functions.push(interned.functions[f as usize].clone());
        }
        remap[f as usize]
    };
    let mut tree = preorder(&levels.frames);
    if pivot.is_some() {
        let root = &mut tree.nodes[0];
        root.self_value = root.self_value.min(root.total);
    }
    for n in &mut tree.nodes {
        n.function = use_function(n.function);
    }
    let mut elided = levels.elided;
    let callers = pivot.is_some().then(|| {
        let order = |a: u32, b: u32| {
            let f = &interned.functions;
            f[a as usize].name.cmp(&f[b as usize].name)
        };
        let full = callers.finish(&order);
        let (mut narrowed, dropped) = match viewport.pixels.min(MAX_PIXELS) {
            0 => (full, 0),
            px => {
                let root = full.nodes.first().map_or(0, super::drawn_width);
                full.without_narrow(root / i64::from(px), super::drawn_width)
            }
        };
        elided += dropped;
        for n in &mut narrowed.nodes {
            n.function = use_function(n.function);
        }
        narrowed
    });
    Ok(LazyFlame {
        graph: FlameGraph {
            functions,
            tree,
            callers,
            total: ctx.total,
            sample_type: ctx.sample_type.clone(),
            sample_unit: ctx.sample_unit.clone(),
        },
        elided,
    })
}

/// A position in the stack tree: node `node`, about to take the frames of
/// location `at` of its run, `taken` of them already taken (outermost
/// first, as [`super::flame()`] does).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Cursor {
    node: u32,
    at: u32,
    taken: u32,
}

/// Marks a stack-tree node whose frames are not in the main tree (before
/// show_from's match or the pivot), in [`Starts::begin`].
const OUTSIDE: u32 = u32::MAX;

/// Where each stack-tree node's frames start in the main tree, and with a
/// pivot, its callers tree (built whole: it only holds the paths down to
/// the pivot's root-most matches).
struct Starts {
    /// Per stack-tree node, (location, frames taken) its main-tree frames
    /// start at; empty when every node starts at (0, 0).
    begin: Vec<(u32, u32)>,
    /// With a pivot: the cursors just past each root-most match.
    roots: Vec<Cursor>,
    callers: TreeBuilder,
}

impl Starts {
    /// Walks the stack tree down to where show_from and the pivot are met,
    /// as [`super::flame()`] does; below those, every frame counts.
    fn find(
        ctx: &ReportContext<'_>,
        interned: &mut Interned,
        pivot: Option<&Pattern>,
        signed: &SignedSums,
    ) -> Starts {
        let walker = &ctx.walker;
        let (view, sums, tree) = (&walker.view, &walker.sums, &ctx.profile.stacks);
        let mut starts = Starts { begin: Vec::new(), roots: Vec::new(), callers: TreeBuilder::new() };
        if pivot.is_none() && !view.show_from_active {
            return starts;
        }
        starts.begin = vec![(0, 0); tree.len()];
        // Open ancestors: (subtree end, path length, found show_from).
        let mut open: Vec<(u32, usize, bool)> = vec![(tree.len() as u32, 0, !view.show_from_active)];
        let mut path: Vec<(u32, bool)> = Vec::new();
        let mut t = 1u32;
        while t < tree.len() as u32 {
            while open.last().is_some_and(|o| o.0 <= t) {
                open.pop();
            }
            let ti = t as usize;
            if !sums.sub_nonzero(ti) && sums.sub_sum[ti] == 0 {
                t = tree.end(t);
                continue;
            }
            let (_, path_len, mut found) = *open.last().expect("the root stays open");
            path.truncate(path_len);
            let mut start = None;
            'run: for (at, loc) in tree.run(t).iter().enumerate() {
                let loc = loc as usize;
                if view.hidden[loc] {
                    continue;
                }
                if !found {
                    if !view.show_from[loc] {
                        continue;
                    }
                    found = true;
                    if pivot.is_none() {
                        start = Some((at as u32, 0));
                        break;
                    }
                }
                let range = view.frame_range(loc);
                let outermost = range.end - 1;
                for (taken, i) in range.rev().enumerate() {
                    let (f, matched) = interned.get(walker.frame_nodes[i], &walker.nodes, ctx.profile, pivot);
                    path.push((f, i != outermost));
                    if matched {
                        start = Some((at as u32, taken as u32 + 1));
                        break 'run;
                    }
                }
            }
            match start {
                Some((at, taken)) => {
                    starts.begin[ti] = (at, taken);
                    if pivot.is_some() {
                        let w = sums.sub_sum[ti];
                        let (pos, neg) = signed.split(ti, w);
                        let callers = &mut starts.callers;
                        callers.nodes[0].add(w, pos, neg);
                        let mut node = 0;
                        for &(g, inl) in path[..path.len() - 1].iter().rev() {
                            node = callers.child(node, g, inl);
                            callers.nodes[node as usize].add(w, pos, neg);
                        }
                        starts.roots.push(Cursor { node: t, at, taken });
                    }
                    // Everything below is in the main tree from its start.
                    t = tree.end(t);
                }
                None => {
                    starts.begin[ti] = (OUTSIDE, 0);
                    open.push((tree.end(t), path.len(), found));
                    t += 1;
                }
            }
        }
        starts
    }

    /// The cursor at the start of stack-tree node `node`'s main-tree
    /// frames; None for a node outside the main tree.
    fn cursor(&self, node: u32) -> Option<Cursor> {
        match self.begin.get(node as usize) {
            Some(&(OUTSIDE, _)) => None,
            Some(&(at, taken)) => Some(Cursor { node, at, taken }),
            None => Some(Cursor { node, at: 0, taken: 0 }),
        }
    }
}

/// Frames of one level of a tree under construction, with the cursors of
/// those to expand.
#[derive(Clone, Debug)]
struct Group {
    /// Flame function << 1 | inlined, or ROOT, or ELIDED.
    code: u32,
    total: i64,
    split: (i64, i64),
    self_value: i64,
    /// Range of this frame's cursors (empty for "…").
    cursors: std::ops::Range<usize>,
}

/// A built frame.
#[derive(Clone, Debug)]
struct Built {
    function: u32,
    inlined: bool,
    total: i64,
    self_value: i64,
    split: (i64, i64),
    /// Children: a range of the next level.
    kids: std::ops::Range<u32>,
}

/// The levels of the main tree, root first.
struct Levels {
    frames: Vec<Vec<Built>>,
    elided: usize,
}

/// Steps cursors and groups the steps into child frames.
struct Expander<'a, 'p> {
    ctx: &'a ReportContext<'p>,
    starts: &'a Starts,
    interned: Interned,
    signed: &'a SignedSums,
}

impl Expander<'_, '_> {
    /// The frame `cursor` is about to take, and the cursor past it; None at
    /// the end of the cursor's run.
    fn step(&mut self, cursor: Cursor) -> Option<(u32, Cursor)> {
        let walker = &self.ctx.walker;
        let run = self.ctx.profile.stacks.run(cursor.node);
        let (mut at, mut taken) = (cursor.at as usize, cursor.taken as usize);
        while at < run.len() {
            let loc = run.get(at) as usize;
            let range = walker.view.frame_range(loc);
            if walker.view.hidden[loc] || taken >= range.len() {
                (at, taken) = (at + 1, 0);
                continue;
            }
            let i = range.end - 1 - taken;
            let (f, _) = self.interned.get(walker.frame_nodes[i], &walker.nodes, self.ctx.profile, None);
            let code = (f << 1) | u32::from(taken != 0);
            return Some((code, Cursor { node: cursor.node, at: at as u32, taken: taken as u32 + 1 }));
        }
        None
    }

    /// Steps `cursors` (one frame's): pushes (code, next cursor) to `out`
    /// and returns the frame's self value (its samples ending there).
    fn expand(&mut self, cursors: &[Cursor], out: &mut Vec<(u32, Cursor)>, ends: &mut Vec<u32>) -> i64 {
        let tree = &self.ctx.profile.stacks;
        let sums = &self.ctx.walker.sums;
        let mut self_value = 0i64;
        for &c in cursors {
            match self.step(c) {
                Some(next) => out.push(next),
                None => ends.push(c.node),
            }
            // At the end of a node's frames: its own samples, then its
            // children; children without frames of their own pass through.
            while let Some(node) = ends.pop() {
                self_value = gomath::add(self_value, sums.self_sum[node as usize]);
                let end = tree.end(node);
                let mut kid = node + 1;
                while kid < end {
                    let next_kid = tree.end(kid);
                    let k = kid as usize;
                    if sums.sub_nonzero(k) || sums.sub_sum[k] != 0 {
                        match self.starts.cursor(kid) {
                            None => ends.push(kid),
                            Some(start) => match self.step(start) {
                                Some(next) => out.push(next),
                                None => ends.push(kid),
                            },
                        }
                    }
                    kid = next_kid;
                }
            }
        }
        self_value
    }

    /// Builds the main tree level by level from `root`, keeping the frames
    /// `viewport` shows and merging the others into "…" frames.
    fn levels(&mut self, mut root: Group, root_cursors: Vec<Cursor>, viewport: FlameViewport) -> Levels {
        let pixels = f64::from(viewport.pixels.min(MAX_PIXELS));
        let root_width = drawn(root.split) as f64;
        let coarse = if pixels > 0.0 { root_width / pixels } else { 0.0 };
        let zoomed = viewport.span > 0.0 && viewport.span < root_width && pixels > 0.0;
        let (lo, hi) = (viewport.start, viewport.start + viewport.span);
        let fine = if zoomed { viewport.span / pixels } else { coarse };
        let keep = |x0: f64, width: i64| {
            if pixels == 0.0 {
                return true;
            }
            let w = width as f64;
            width > 0 && (w >= coarse || (w >= fine && x0 < hi && x0 + w > lo))
        };

        let mut frames: Vec<Vec<Built>> = Vec::new();
        let mut elided = 0usize;
        root.cursors = 0..root_cursors.len();
        let mut level: Vec<(Group, f64)> = vec![(root, 0.0)];
        let mut cursors = root_cursors;
        let mut steps: Vec<(u32, Cursor)> = Vec::new();
        let mut ends: Vec<u32> = Vec::new();
        while !level.is_empty() {
            let mut built = Vec::with_capacity(level.len());
            let mut next: Vec<(Group, f64)> = Vec::new();
            let mut next_cursors: Vec<Cursor> = Vec::new();
            for (group, x0) in &level {
                let first_kid = next.len() as u32;
                let mut self_value = group.self_value;
                if !group.cursors.is_empty() {
                    steps.clear();
                    let s = self.expand(&cursors[group.cursors.clone()], &mut steps, &mut ends);
                    self_value = gomath::add(self_value, s);
                    let kids = self.group(&mut steps, &mut next_cursors);
                    let mut x = *x0;
                    let mut run: Option<(Group, f64)> = None;
                    for kid in kids {
                        let width = drawn(kid.split);
                        if keep(x, width) {
                            if let Some(r) = run.take() {
                                next.push(r);
                            }
                            next.push((kid, x));
                        } else {
                            elided += 1;
                            let elided_run =
                                Group { code: ELIDED, total: 0, split: (0, 0), self_value: 0, cursors: 0..0 };
                            let r = run.get_or_insert((elided_run, x));
                            r.0.total = gomath::add(r.0.total, kid.total);
                            r.0.split.0 = gomath::add(r.0.split.0, kid.split.0);
                            r.0.split.1 = gomath::add(r.0.split.1, kid.split.1);
                        }
                        x += width as f64;
                    }
                    if let Some(r) = run.take() {
                        next.push(r);
                    }
                }
                let (function, inlined) = match group.code {
                    ROOT | ELIDED => (group.code, false),
                    code => (code >> 1, code & 1 == 1),
                };
                built.push(Built {
                    function,
                    inlined,
                    total: group.total,
                    self_value,
                    split: group.split,
                    kids: first_kid..next.len() as u32,
                });
            }
            // Cursors of frames not kept are dropped: compact the kept ones.
            let mut compact: Vec<Cursor> = Vec::with_capacity(next_cursors.len());
            for (g, _) in &mut next {
                let range = g.cursors.clone();
                g.cursors = compact.len()..compact.len() + range.len();
                compact.extend_from_slice(&next_cursors[range]);
            }
            frames.push(built);
            cursors = compact;
            level = next;
        }
        Levels { frames, elided }
    }

    /// Groups `steps` by frame: the child frames in display order (by name,
    /// then not inlined before inlined), their cursors appended to
    /// `cursors`.
    fn group(&self, steps: &mut [(u32, Cursor)], cursors: &mut Vec<Cursor>) -> Vec<Group> {
        let sums = &self.ctx.walker.sums;
        steps.sort_unstable_by_key(|s| s.0);
        let mut groups: Vec<Group> = Vec::new();
        for &(code, cursor) in steps.iter() {
            let node = cursor.node as usize;
            let w = sums.sub_sum[node];
            let (pos, neg) = self.signed.split(node, w);
            match groups.last_mut() {
                Some(g) if g.code == code => {
                    g.total = gomath::add(g.total, w);
                    g.split.0 = gomath::add(g.split.0, pos);
                    g.split.1 = gomath::add(g.split.1, neg);
                    g.cursors.end += 1;
                }
                _ => groups.push(Group {
                    code,
                    total: w,
                    split: (pos, neg),
                    self_value: 0,
                    cursors: cursors.len()..cursors.len() + 1,
                }),
            }
            cursors.push(cursor);
        }
        let functions = &self.interned.functions;
        groups.sort_by(|a, b| {
            let (fa, fb) = (&functions[(a.code >> 1) as usize], &functions[(b.code >> 1) as usize]);
            fa.name.cmp(&fb.name).then((a.code & 1).cmp(&(b.code & 1))).then(a.code.cmp(&b.code))
        });
        groups
    }
}

/// How wide a frame is drawn: increases plus decreases.
fn drawn((positive, negative): (i64, i64)) -> i64 {
    positive.saturating_add(negative)
}

/// The levels laid out in preorder.
fn preorder(levels: &[Vec<Built>]) -> FlameTree {
    let mut nodes: Vec<FlameNode> = Vec::with_capacity(levels.iter().map(Vec::len).sum());
    if levels.is_empty() || levels[0].is_empty() {
        return FlameTree { nodes };
    }
    // (depth, index in its level, position in `nodes` once entered).
    let mut stack: Vec<(usize, u32, Option<usize>)> = vec![(0, 0, None)];
    while let Some((depth, i, entered)) = stack.pop() {
        let b = &levels[depth][i as usize];
        if let Some(at) = entered {
            nodes[at].end = nodes.len() as u32;
            continue;
        }
        stack.push((depth, i, Some(nodes.len())));
        nodes.push(FlameNode {
            function: b.function,
            depth: depth as u32,
            total: b.total,
            self_value: b.self_value,
            positive: b.split.0,
            negative: b.split.1,
            end: 0,
            inlined: b.inlined,
        });
        for kid in b.kids.clone().rev() {
            stack.push((depth + 1, kid, None));
        }
    }
    FlameTree { nodes }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::encode::ProfileWriter;
    use crate::report::{drawn_width, flame};
    use crate::{decode, DecodeOptions};

    /// A profile from stacks (leaf first) of location indices over six
    /// functions; location `l` has `1 + l % 2` frames (the second inlined).
    fn profile(stacks: &[(Vec<usize>, i64)]) -> Profile {
        let mut w = ProfileWriter::new(&[("samples", "count")]);
        let f: Vec<u64> = (0..6).map(|i| w.add_function(&format!("f{i}"), "a.go", 1)).collect();
        let locs: Vec<u64> = (0..8)
            .map(|l| {
                let lines: Vec<(u64, i64)> =
                    (0..1 + l % 2).map(|k| (f[(l + 3 * k) % 6], k as i64 + 1)).collect();
                w.add_location(None, 0x10 * (l as u64 + 1), &lines)
            })
            .collect();
        for (stack, v) in stacks {
            let ids: Vec<u64> = stack.iter().map(|&l| locs[l]).collect();
            w.add_sample(&ids, &[*v], &[]);
        }
        decode(&w.encode(), &DecodeOptions::default()).unwrap()
    }

    /// Per frame in preorder: (name path, depth, end, total, self, +, -, inlined, left edge).
    type Row = (Vec<String>, u32, u32, i64, i64, i64, i64, bool, i64);

    fn rows(g: &FlameGraph, tree: &FlameTree) -> Vec<Row> {
        let name = |f: u32| match f {
            ROOT => "root".to_string(),
            ELIDED => "…".to_string(),
            f => g.functions[f as usize].name.clone(),
        };
        let mut out: Vec<Row> = Vec::new();
        // Open ancestors: (end, path, next child's left edge).
        let mut open: Vec<(u32, Vec<String>, i64)> = Vec::new();
        for (i, n) in tree.nodes.iter().enumerate() {
            while open.last().is_some_and(|o| o.0 as usize <= i) {
                open.pop();
            }
            let (mut path, x) = match open.last_mut() {
                Some(o) => {
                    let x = o.2;
                    o.2 += drawn_width(n);
                    (o.1.clone(), x)
                }
                None => (Vec::new(), 0),
            };
            path.push(format!("{}{}", name(n.function), if n.inlined { "+" } else { "" }));
            out.push((
                path.clone(),
                n.depth,
                n.end,
                n.total,
                n.self_value,
                n.positive,
                n.negative,
                n.inlined,
                x,
            ));
            open.push((n.end, path, x));
        }
        out
    }

    fn options(hide: bool, show_from: bool) -> ReportOptions {
        ReportOptions {
            hide: if hide { "f5".into() } else { String::new() },
            show_from: if show_from { "f2".into() } else { String::new() },
            ..ReportOptions::default()
        }
    }

    fn stacks() -> impl Strategy<Value = Vec<(Vec<usize>, i64)>> {
        prop::collection::vec((prop::collection::vec(0usize..8, 0..7), -20i64..200), 1..40)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// Built whole, the lazy graph is the full flame graph.
        #[test]
        fn unbounded_equals_the_full_graph(
            stacks in stacks(),
            pivot in prop::option::of(0usize..6),
            hide in any::<bool>(),
            show_from in any::<bool>(),
        ) {
            let p = profile(&stacks);
            let pivot = pivot.map(|i| format!("^f{i}$"));
            let o = options(hide, show_from);
            for g in [Granularity::Functions, Granularity::FileFunctions] {
                let full = flame(&p, &o, g, pivot.as_deref()).unwrap();
                let lazy = flame_lazy(&p, &o, g, pivot.as_deref(), FlameViewport::whole(0)).unwrap();
                prop_assert_eq!(lazy.elided, 0);
                prop_assert_eq!(rows(&lazy.graph, &lazy.graph.tree), rows(&full, &full.tree));
                prop_assert_eq!(
                    lazy.graph.callers.as_ref().map(|c| rows(&lazy.graph, c)),
                    full.callers.as_ref().map(|c| rows(&full, c))
                );
                prop_assert_eq!(lazy.graph.total, full.total);
            }
        }

        /// Built for a few pixels, possibly zoomed: every frame shown has the
        /// full graph's values and position, every "…" frame the sums of the
        /// siblings it stands for, and no frame is narrower than a pixel
        /// unless it is a "…" frame.
        #[test]
        fn frames_shown_keep_their_exact_values(
            stacks in stacks(),
            pivot in prop::option::of(0usize..6),
            show_from in any::<bool>(),
            pixels in 1u32..12,
            zoom in prop::option::of((0.0f64..1.0, 0.0f64..1.0)),
        ) {
            let p = profile(&stacks);
            let pivot = pivot.map(|i| format!("^f{i}$"));
            let o = options(false, show_from);
            let full = flame(&p, &o, Granularity::Functions, pivot.as_deref()).unwrap();
            let root = full.tree.nodes.first().map_or(0, drawn_width) as f64;
            let viewport = match zoom {
                Some((a, b)) => FlameViewport { start: a * root, span: b * root * 0.5, pixels },
                None => FlameViewport::whole(pixels),
            };
            let lazy = flame_lazy(&p, &o, Granularity::Functions, pivot.as_deref(), viewport).unwrap();
            let want = rows(&full, &full.tree);
            let got = rows(&lazy.graph, &lazy.graph.tree);
            for row in &got {
                let (path, depth, x) = (&row.0, row.1, row.8);
                if path.last().is_some_and(|n| n == "…") {
                    // The full graph's siblings in [x, x + width) at that depth.
                    let parent = &path[..path.len() - 1];
                    let shown = |w: &Row| got.iter().any(|g| g.0 == w.0);
                    let end = x + row.5 + row.6;
                    let covered: Vec<&Row> = want
                        .iter()
                        .filter(|w| w.1 == depth && w.0[..w.0.len() - 1] == *parent)
                        .filter(|w| w.8 >= x && w.8 <= end && !shown(w))
                        .collect();
                    prop_assert!(!covered.is_empty());
                    prop_assert_eq!(covered.iter().map(|w| w.3).sum::<i64>(), row.3);
                    prop_assert_eq!(covered.iter().map(|w| w.5 + w.6).sum::<i64>(), row.5 + row.6);
                    continue;
                }
                let same = want.iter().find(|w| w.0 == *path);
                prop_assert!(same.is_some(), "{:?} is not in the full graph", path);
                let same = same.unwrap();
                prop_assert_eq!((same.3, same.4, same.5, same.6, same.8), (row.3, row.4, row.5, row.6, row.8));
                if depth > 0 && pixels > 0 {
                    let w = (row.5 + row.6) as f64;
                    let zoomed = viewport.span > 0.0 && viewport.span < root;
                    let fine = if zoomed { viewport.span } else { root } / f64::from(pixels);
                    prop_assert!(w >= fine.min(root / f64::from(pixels)), "{:?} is narrower than a pixel", path);
                }
            }
        }
    }

    #[test]
    fn frames_stay_bounded_on_a_big_profile() {
        use crate::synth::{generate, SynthSpec};
        let spec = SynthSpec { samples: 60_000, functions: 5_000, locations: 30_000, max_depth: 50, seed: 3 };
        let p = decode(&generate(&spec), &DecodeOptions::default()).unwrap();
        let o = ReportOptions::default();
        let full = flame(&p, &o, Granularity::FileFunctions, None).unwrap();
        let pixels = 200u32;
        let lazy =
            flame_lazy(&p, &o, Granularity::FileFunctions, None, FlameViewport::whole(pixels)).unwrap();
        let depth = lazy.graph.tree.max_depth() as usize + 1;
        // Per level: at most one frame per pixel, and a "…" frame before,
        // between or after those of each parent.
        let bound = depth * 3 * pixels as usize;
        let frames = lazy.graph.tree.nodes.len();
        assert!(frames <= bound, "{frames} frames > {bound}");
        assert!(frames * 20 < full.tree.nodes.len(), "{frames} frames of {}", full.tree.nodes.len());
        assert!(lazy.elided > 0);
        assert_eq!(lazy.graph.tree.nodes[0].total, full.tree.nodes[0].total);
    }
}
