//! Call stacks stored once, as a radix tree of locations.
//!
//! Each node holds a run of locations (root side first) that no other stack
//! branches off in the middle of. Samples with the same stack share a node,
//! stacks with a common root-side prefix share the nodes of that prefix, and
//! an unshared tail costs four bytes per frame. Nodes are kept in preorder:
//! a node's subtree is the index range `node..end(node)` and parents come
//! before their children, so reports walk every stack with one forward pass
//! over the nodes instead of walking each sample's stack.

use crate::fastmap::U64Map;
use crate::model::LocationIndex;

/// A node of the [`StackTree`]: the stack from the root to the end of this
/// node's run of locations.
pub type StackNode = u32;

/// The root of every [`StackTree`]: the empty stack.
pub const ROOT: StackNode = 0;

/// Every stack of a profile, as a radix tree in preorder.
#[derive(Clone, Debug)]
pub struct StackTree {
    parent: Vec<StackNode>,
    run_start: Vec<u32>,
    run_len: Vec<u32>,
    end: Vec<StackNode>,
    /// Locations of all runs, each run root side first.
    arena: Arena,
}

impl StackTree {
    /// How many nodes, including the root.
    pub fn len(&self) -> usize {
        self.parent.len()
    }

    /// True when the tree holds only the root (no sample has a frame).
    pub fn is_empty(&self) -> bool {
        self.parent.len() <= 1
    }

    /// The node this node's run continues; the root is its own parent.
    pub fn parent(&self, node: StackNode) -> StackNode {
        self.parent[node as usize]
    }

    /// The locations this node adds to its parent's stack, root side first.
    #[inline(always)]
    pub fn run(&self, node: StackNode) -> Run<'_> {
        self.arena.run(self.run_start[node as usize], self.run_len[node as usize])
    }

    /// One past the last node of `node`'s subtree.
    #[inline(always)]
    pub fn end(&self, node: StackNode) -> StackNode {
        self.end[node as usize]
    }

    /// The locations of `node`'s stack, leaf first, as pprof lists them.
    pub fn frames(&self, node: StackNode) -> impl Iterator<Item = LocationIndex> + '_ {
        let mut node = node;
        let mut run = self.run(node).iter();
        std::iter::from_fn(move || loop {
            if let Some(last) = run.next_back() {
                return Some(last as LocationIndex);
            }
            if node == ROOT {
                return None;
            }
            node = self.parent(node);
            run = self.run(node).iter();
        })
    }

    /// The locations of `node`'s stack, root first.
    pub fn frames_root_first(&self, node: StackNode) -> Vec<LocationIndex> {
        let mut v: Vec<_> = self.frames(node).collect();
        v.reverse();
        v
    }

    /// How many locations `node`'s stack holds.
    pub fn depth(&self, node: StackNode) -> usize {
        let mut depth = 0;
        let mut n = node;
        while n != ROOT {
            depth += self.run_len[n as usize] as usize;
            n = self.parent(n);
        }
        depth
    }

    /// Every node's subtree end, for walks that index them directly.
    pub fn end_slice(&self) -> &[StackNode] {
        &self.end
    }

    /// Bytes of heap memory the tree uses.
    pub fn heap_bytes(&self) -> usize {
        4 * (self.parent.capacity()
            + self.run_start.capacity()
            + self.run_len.capacity()
            + self.end.capacity())
            + self.arena.heap_bytes()
    }
}

/// Entries per arena chunk. Runs never straddle chunks (a stack longer
/// than a chunk becomes a chain of nodes), and chunks are never reallocated
/// once full, so a huge profile's arena grows without copies.
const CHUNK_BITS: u32 = 20;
const CHUNK: usize = 1 << CHUNK_BITS;
/// Chunks an arena can address with u32 positions: 2^32 entries in all.
const MAX_CHUNKS: usize = 1 << (32 - CHUNK_BITS);
/// The narrowest entries an arena starts with; it widens as larger
/// location indices arrive.
const MIN_BITS: u32 = 16;
/// Zero bytes kept after a chunk's last entry, so that every entry is read
/// with one eight-byte load.
const PAD: usize = 8;

/// The arena is out of u32 positions (only with limits far above the
/// defaults: 2^32 frames is more than 2 GiB of protobuf can hold).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ArenaFull;

impl From<ArenaFull> for crate::error::Error {
    fn from(_: ArenaFull) -> Self {
        crate::error::Error::TooMany { what: "stack frames", limit: 1 << 32 }
    }
}

/// A run of locations, root side first, as stored in the arena.
#[derive(Clone, Copy, Debug)]
pub struct Run<'a> {
    /// The chunk from the byte holding the run's first entry to its end
    /// (padding included).
    bytes: &'a [u8],
    /// Where the first entry starts in `bytes[0]`.
    shift: u32,
    len: u32,
    bits: u32,
}

impl<'a> Run<'a> {
    /// How many locations.
    #[inline]
    pub fn len(&self) -> usize {
        self.len as usize
    }

    /// True for the root's empty run.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Location `i` of the run.
    #[inline(always)]
    pub fn get(&self, i: usize) -> u32 {
        assert!(i < self.len as usize, "run index {i} out of {}", self.len);
        read_entry(self.bytes, self.shift as usize + i * self.bits as usize, self.bits)
    }

    /// The locations, root side first.
    #[inline]
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = u32> + ExactSizeIterator + 'a {
        RunIter { bytes: self.bytes, shift: self.shift, bits: self.bits, front: 0, back: self.len }
    }
}

/// The locations of a [`Run`]: a plain struct, not an iterator adapter,
/// so that walks inline it even in the page's opt-level "z" build.
struct RunIter<'a> {
    bytes: &'a [u8],
    shift: u32,
    bits: u32,
    /// The entries not yet returned: `front..back`.
    front: u32,
    back: u32,
}

impl Iterator for RunIter<'_> {
    type Item = u32;

    #[inline(always)]
    fn next(&mut self) -> Option<u32> {
        if self.front == self.back {
            return None;
        }
        let bit = self.shift as usize + self.front as usize * self.bits as usize;
        self.front += 1;
        Some(read_entry(self.bytes, bit, self.bits))
    }

    #[inline(always)]
    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = (self.back - self.front) as usize;
        (n, Some(n))
    }
}

impl DoubleEndedIterator for RunIter<'_> {
    #[inline(always)]
    fn next_back(&mut self) -> Option<u32> {
        if self.front == self.back {
            return None;
        }
        self.back -= 1;
        let bit = self.shift as usize + self.back as usize * self.bits as usize;
        Some(read_entry(self.bytes, bit, self.bits))
    }
}

impl ExactSizeIterator for RunIter<'_> {}

/// The entry of `bits` bits starting at bit `bit` of `bytes`.
#[inline(always)]
fn read_entry(bytes: &[u8], bit: usize, bits: u32) -> u32 {
    let at = bit >> 3;
    let word: [u8; 8] = bytes[at..at + 8].try_into().expect("eight bytes");
    ((u64::from_le_bytes(word) >> (bit & 7)) & ((1u64 << bits) - 1)) as u32
}

/// Bits an entry needs to hold `location`, at least [`MIN_BITS`].
fn bits_for(location: u32) -> u32 {
    (32 - location.leading_zeros()).max(MIN_BITS)
}

/// Bytes a chunk of `entries` entries of `bits` bits takes, padding
/// included.
fn chunk_bytes(entries: usize, bits: u32) -> usize {
    (entries * bits as usize).div_ceil(8) + PAD
}

/// Up to [`CHUNK`] entries, packed at the arena's width.
#[derive(Clone, Debug)]
struct Chunk {
    /// The entries, then zeros: [`chunk_bytes`] of `len` long.
    bytes: Vec<u8>,
    len: usize,
}

impl Chunk {
    fn with_capacity(entries: usize, bits: u32) -> Self {
        let mut bytes = Vec::with_capacity(chunk_bytes(entries, bits));
        bytes.resize(PAD, 0);
        Chunk { bytes, len: 0 }
    }

    /// Grows the bytes to hold `entries` more (zeroed), doubling the
    /// capacity but never past a full chunk.
    fn make_room(&mut self, entries: usize, bits: u32) {
        let need = chunk_bytes(self.len + entries, bits);
        if self.bytes.capacity() < need {
            let want = (2 * self.bytes.capacity()).max(need).min(chunk_bytes(CHUNK, bits));
            self.bytes.reserve_exact(want - self.bytes.len());
        }
        self.bytes.resize(need, 0);
    }

    /// Appends `entries` (which fit the width and the chunk).
    fn extend(&mut self, entries: impl ExactSizeIterator<Item = u32>, bits: u32) {
        let count = entries.len();
        self.make_room(count, bits);
        let mut bit = self.len * bits as usize;
        for entry in entries {
            or_bits(&mut self.bytes, bit, u64::from(entry));
            bit += bits as usize;
        }
        self.len += count;
    }

    /// Appends a run packed at the same width, 56 bits at a time rather
    /// than entry by entry (the compacting copy moves every entry).
    fn extend_same_width(&mut self, run: Run<'_>) {
        let bits = run.bits;
        self.make_room(run.len(), bits);
        let mut to = self.len * bits as usize;
        let mut from = run.shift as usize;
        let end = from + run.len() * bits as usize;
        while from < end {
            let take = (end - from).min(56);
            let at = from >> 3;
            let word: [u8; 8] = run.bytes[at..at + 8].try_into().expect("eight bytes");
            let piece = (u64::from_le_bytes(word) >> (from & 7)) & ((1u64 << take) - 1);
            or_bits(&mut self.bytes, to, piece);
            from += take;
            to += take;
        }
        self.len += run.len();
    }
}

/// ORs `value` (at most 57 bits) into `bytes` at bit `bit`.
#[inline(always)]
fn or_bits(bytes: &mut [u8], bit: usize, value: u64) {
    let at = bit >> 3;
    let slot: &mut [u8; 8] = (&mut bytes[at..at + 8]).try_into().expect("eight bytes");
    *slot = (u64::from_le_bytes(*slot) | (value << (bit & 7))).to_le_bytes();
}

/// Location runs in fixed-size chunks; a run is addressed by a global
/// position `chunk << CHUNK_BITS | entry offset`. Entries are packed at
/// the fewest bits that hold every location index seen (19 bits for half
/// a million locations, where bytes would take 24).
#[derive(Clone, Debug)]
struct Arena {
    chunks: Vec<Chunk>,
    bits: u32,
}

impl Default for Arena {
    fn default() -> Self {
        Arena { chunks: Vec::new(), bits: MIN_BITS }
    }
}

impl Arena {
    #[inline(always)]
    fn run(&self, start: u32, len: u32) -> Run<'_> {
        if len == 0 {
            return Run { bytes: &[], shift: 0, len: 0, bits: self.bits };
        }
        let chunk = &self.chunks[(start >> CHUNK_BITS) as usize];
        let bit = ((start as usize) & (CHUNK - 1)) * self.bits as usize;
        Run { bytes: &chunk.bytes[bit >> 3..], shift: (bit & 7) as u32, len, bits: self.bits }
    }

    #[inline(always)]
    fn get(&self, position: u32) -> u32 {
        self.run(position, 1).get(0)
    }

    /// Makes room in the last chunk for `entries` more, starting a new
    /// chunk when it is full (or, with `whole`, when they do not all fit).
    fn last_with_room(&mut self, entries: usize, whole: bool) -> Result<usize, ArenaFull> {
        let fits =
            self.chunks.last().is_some_and(|c| if whole { c.len + entries <= CHUNK } else { c.len < CHUNK });
        if !fits {
            if self.chunks.len() == MAX_CHUNKS {
                return Err(ArenaFull);
            }
            self.shrink_last();
            // Sized by what arrives, so a small profile's arena stays small.
            self.chunks.push(Chunk::with_capacity(entries.clamp(1024, CHUNK), self.bits));
        }
        Ok(self.chunks.len() - 1)
    }

    /// Appends as much of `run` as fits in the current chunk (starting a new
    /// chunk when it is full) and returns its position and how many entries
    /// it took, at least one for a non-empty run.
    fn push_prefix(&mut self, run: &[u32]) -> Result<(u32, usize), ArenaFull> {
        let widest = run.iter().fold(0, |a, &l| a | l);
        if bits_for(widest) > self.bits {
            self.widen(bits_for(widest));
        }
        let index = self.last_with_room(run.len(), false)?;
        let bits = self.bits;
        let chunk = &mut self.chunks[index];
        let offset = chunk.len;
        let taken = run.len().min(CHUNK - offset);
        chunk.extend(run[..taken].iter().copied(), bits);
        Ok((((index as u32) << CHUNK_BITS) | offset as u32, taken))
    }

    /// Appends a run (at most a chunk long) of another arena no wider than
    /// this one; a run that does not fit starts a new chunk.
    fn push_run(&mut self, run: Run<'_>) -> Result<u32, ArenaFull> {
        debug_assert!(run.len() <= CHUNK, "runs are at most a chunk long");
        let index = self.last_with_room(run.len(), true)?;
        let bits = self.bits;
        let chunk = &mut self.chunks[index];
        let offset = chunk.len;
        if run.bits == bits {
            chunk.extend_same_width(run);
        } else {
            chunk.extend(run.iter(), bits);
        }
        Ok(((index as u32) << CHUNK_BITS) | offset as u32)
    }

    /// Repacks every entry at `bits` bits, one chunk at a time; positions
    /// stay valid.
    fn widen(&mut self, bits: u32) {
        let old = self.bits;
        for chunk in &mut self.chunks {
            let run = Run { bytes: &chunk.bytes, shift: 0, len: chunk.len as u32, bits: old };
            let mut wide = Chunk::with_capacity(chunk.len, bits);
            wide.extend(run.iter(), bits);
            *chunk = wide;
        }
        self.bits = bits;
    }

    fn shrink_last(&mut self) {
        if let Some(last) = self.chunks.last_mut() {
            last.bytes.shrink_to_fit();
        }
    }

    fn heap_bytes(&self) -> usize {
        self.chunks.iter().map(|c| c.bytes.capacity()).sum::<usize>()
            + std::mem::size_of::<Chunk>() * self.chunks.capacity()
    }
}

/// Builds a [`StackTree`] by inserting stacks one at a time.
pub(crate) struct StackTreeBuilder {
    parent: Vec<StackNode>,
    run_start: Vec<u32>,
    run_len: Vec<u32>,
    arena: Arena,
    /// (parent, first location of the run) to child.
    children: U64Map,
}

fn child_key(parent: StackNode, first: u32) -> u64 {
    (u64::from(parent) << 32) | u64::from(first)
}

impl StackTreeBuilder {
    pub(crate) fn new() -> Self {
        StackTreeBuilder {
            parent: vec![ROOT],
            run_start: vec![0],
            run_len: vec![0],
            arena: Arena::default(),
            children: U64Map::default(),
        }
    }

    /// How many nodes exist so far.
    pub(crate) fn len(&self) -> usize {
        self.parent.len()
    }

    /// Bytes of heap memory the builder uses.
    pub(crate) fn heap_bytes(&self) -> usize {
        4 * (self.parent.capacity() + self.run_start.capacity() + self.run_len.capacity())
            + self.arena.heap_bytes()
            + self.children.heap_bytes()
    }

    #[inline(always)]
    fn run(&self, node: StackNode) -> Run<'_> {
        self.arena.run(self.run_start[node as usize], self.run_len[node as usize])
    }

    fn push_node(&mut self, parent: StackNode, start: u32, len: u32) -> StackNode {
        let node = self.parent.len() as StackNode;
        self.parent.push(parent);
        self.run_start.push(start);
        self.run_len.push(len);
        node
    }

    /// Inserts a stack given root first and returns the node it ends at.
    pub(crate) fn insert(&mut self, stack: &[u32]) -> Result<StackNode, ArenaFull> {
        let mut node = ROOT;
        let mut i = 0;
        while i < stack.len() {
            let key = child_key(node, stack[i]);
            let Some(child) = self.children.get(key) else {
                return self.push_tail(node, &stack[i..]);
            };
            // The key matched the run's first location; compare the rest.
            let run = self.run(child);
            // A plain loop: iterator adapters stay calls at opt-level "z".
            let shared = run.len().min(stack.len() - i);
            let mut common = 1;
            while common < shared && run.get(common) == stack[i + common] {
                common += 1;
            }
            if common < run.len() {
                // The new stack leaves (or ends inside) the child's run: split
                // the run so the shared part becomes a node of its own. Runs
                // lie within one chunk, so the tail's position is the head's
                // plus `common` whatever the run's length.
                let start = self.run_start[child as usize];
                let head = self.push_node(node, start, common as u32);
                self.parent[child as usize] = head;
                self.run_start[child as usize] = start + common as u32;
                self.run_len[child as usize] -= common as u32;
                let tail_first = self.arena.get(start + common as u32);
                self.children.insert(key, head);
                self.children.insert(child_key(head, tail_first), child);
                node = head;
            } else {
                node = child;
            }
            i += common;
        }
        Ok(node)
    }

    /// Adds `tail` below `parent` as new nodes: one, or a chain of nodes
    /// when the tail does not fit in the arena's current chunk.
    fn push_tail(&mut self, mut parent: StackNode, mut tail: &[u32]) -> Result<StackNode, ArenaFull> {
        while !tail.is_empty() {
            let (start, taken) = self.arena.push_prefix(tail)?;
            let node = self.push_node(parent, start, taken as u32);
            self.children.insert(child_key(parent, tail[0]), node);
            parent = node;
            tail = &tail[taken..];
        }
        Ok(parent)
    }

    /// The stack ending at `node`, root first.
    pub(crate) fn stack(&self, node: StackNode, out: &mut Vec<u32>) {
        out.clear();
        let mut n = node;
        while n != ROOT {
            out.extend(self.run(n).iter().rev());
            n = self.parent[n as usize];
        }
        out.reverse();
    }

    /// Frees the lookup table once no more stacks will be inserted.
    pub(crate) fn seal(&mut self) {
        self.children = U64Map::default();
    }

    /// Lays the nodes that `used` marks (and their ancestors) out in preorder.
    /// Returns the tree and, for each old node, its new index (or u32::MAX
    /// when dropped).
    /// With `compact`, the runs are also copied into preorder, which makes
    /// walks faster and needs memory for a second arena while copying.
    pub(crate) fn finish(
        self,
        used: &[bool],
        compact: bool,
    ) -> Result<(StackTree, Vec<StackNode>), ArenaFull> {
        let n = self.parent.len();
        let mut keep = used.to_vec();
        keep.resize(n, false);
        keep[0] = true;
        // A split puts a new node above an older one, so parents may have
        // larger indices than their children: walk up from each used node.
        for node in 1..n {
            if used.get(node).copied().unwrap_or(false) {
                let mut p = self.parent[node] as usize;
                while !keep[p] {
                    keep[p] = true;
                    p = self.parent[p] as usize;
                }
            }
        }
        const NONE: u32 = u32::MAX;
        let mut first_child = vec![NONE; n];
        let mut next_sibling = vec![NONE; n];
        for node in (1..n).rev() {
            if keep[node] {
                let p = self.parent[node] as usize;
                next_sibling[node] = first_child[p];
                first_child[p] = node as u32;
            }
        }
        drop(keep);
        // Pass 1: number the kept nodes in preorder and record subtree ends.
        let mut new_index = vec![NONE; n];
        let mut end: Vec<StackNode> = Vec::new();
        let mut open: Vec<u32> = Vec::new();
        let mut next = Some(0u32);
        while let Some(node) = next {
            new_index[node as usize] = end.len() as u32;
            end.push(0);
            open.push(node);
            next = None;
            if first_child[node as usize] != NONE {
                next = Some(first_child[node as usize]);
                continue;
            }
            while let Some(done) = open.pop() {
                end[new_index[done as usize] as usize] = end.len() as u32;
                if next_sibling[done as usize] != NONE {
                    next = Some(next_sibling[done as usize]);
                    break;
                }
            }
        }
        drop(first_child);
        drop(next_sibling);
        // Pass 2: move each column into preorder, one column at a time so
        // that only one old and one new column coexist.
        let kept = end.len();
        let StackTreeBuilder { parent: old_parent, run_start: old_start, run_len: old_len, arena, .. } = self;
        let permute = |old: Vec<u32>, map: &dyn Fn(u32) -> u32| {
            let mut new = vec![0u32; kept];
            for (node, value) in old.into_iter().enumerate() {
                let ni = new_index[node];
                if ni != NONE {
                    new[ni as usize] = map(value);
                }
            }
            new
        };
        let mut parent = permute(old_parent, &|p| new_index[p as usize]);
        parent[0] = 0;
        let run_start = permute(old_start, &|v| v);
        let run_len = permute(old_len, &|v| v);
        let mut run_start = run_start;
        let mut arena = arena;
        if compact {
            // Copy the runs into preorder so walks read the arena front to
            // back (at the cost of holding both arenas for a moment).
            let mut packed = Arena { chunks: Vec::new(), bits: arena.bits };
            for node in 0..kept {
                let run = arena.run(run_start[node], run_len[node]);
                run_start[node] = packed.push_run(run)?;
            }
            arena = packed;
        }
        arena.shrink_last();
        Ok((StackTree { parent, run_start, run_len, end, arena }, new_index))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build(stacks: &[&[u32]]) -> (StackTree, Vec<StackNode>) {
        build_with(stacks, true)
    }

    fn build_with(stacks: &[&[u32]], compact: bool) -> (StackTree, Vec<StackNode>) {
        let mut b = StackTreeBuilder::new();
        let nodes: Vec<_> = stacks.iter().map(|s| b.insert(s).unwrap()).collect();
        let mut used = vec![false; b.len()];
        for &n in &nodes {
            used[n as usize] = true;
        }
        let (tree, map) = b.finish(&used, compact).unwrap();
        (tree, nodes.iter().map(|&n| map[n as usize]).collect())
    }

    #[test]
    fn runs_longer_than_a_chunk_split_at_any_offset() {
        let filler: Vec<u32> = (100..1100).collect();
        let cases =
            [(CHUNK + 10, CHUNK + 3), (CHUNK + 10, CHUNK), (CHUNK - 1, CHUNK + 1), (2 * CHUNK + 5, CHUNK)];
        for (first, second) in cases {
            for compact in [false, true] {
                // A short stack first, so the long run starts mid-chunk.
                let (a, b) = (vec![7u32; first], vec![7u32; second]);
                let mut c = vec![7u32; first - 2];
                c.push(8);
                let stacks: Vec<&[u32]> = vec![&filler, &a, &b, &c];
                let (tree, nodes) = build_with(&stacks, compact);
                for (stack, &node) in stacks.iter().zip(&nodes) {
                    assert_eq!(tree.depth(node), stack.len());
                    assert!(tree
                        .frames_root_first(node)
                        .iter()
                        .zip(stack.iter())
                        .all(|(&f, &l)| f == l as usize));
                }
                for node in 1..tree.len() as u32 {
                    assert!(tree.run(node).len() <= CHUNK);
                }
            }
        }
    }

    #[test]
    fn stacks_round_trip_through_splits() {
        // Root-first stacks that split runs at various points.
        let stacks: Vec<&[u32]> =
            vec![&[0, 1, 2, 3], &[0, 1, 4], &[0, 1], &[5], &[0, 1, 2, 3], &[], &[0, 1, 2]];
        let (tree, nodes) = build(&stacks);
        for (stack, &node) in stacks.iter().zip(&nodes) {
            assert_eq!(tree.frames_root_first(node), stack.iter().map(|&l| l as usize).collect::<Vec<_>>());
            assert_eq!(tree.depth(node), stack.len());
        }
        assert_eq!(nodes[0], nodes[4], "equal stacks share a node");
        assert_eq!(nodes[5], ROOT);
        for node in 1..tree.len() as u32 {
            let p = tree.parent(node);
            assert!(p < node, "parents precede children");
            assert!(tree.end(node) <= tree.end(p), "subtrees nest");
            assert!(!tree.run(node).is_empty());
        }
        assert_eq!(tree.end(ROOT) as usize, tree.len());
    }

    #[test]
    fn wide_location_indices_widen_the_arena() {
        let big = (1 << 24) + 5;
        let wide = [1, big, 7];
        let stacks: Vec<&[u32]> = vec![&[1, 2, 3], &wide, &[1, 2]];
        let (tree, nodes) = build(&stacks);
        for (stack, &node) in stacks.iter().zip(&nodes) {
            assert_eq!(tree.frames_root_first(node), stack.iter().map(|&l| l as usize).collect::<Vec<_>>());
        }
    }

    #[test]
    fn packed_entries_survive_every_widening() {
        // Stacks whose location indices cross several bit widths, each
        // widening after earlier runs (in more than one chunk) were packed.
        let mut stacks: Vec<Vec<u32>> = Vec::new();
        for bits in [1u32, 15, 16, 17, 19, 23, 24, 25, 31, 32] {
            let top = if bits == 32 { u32::MAX } else { (1u32 << bits) - 1 };
            stacks.push(vec![3, top, top / 2, 1, top]);
            stacks.push(vec![3, top, 0, top - top / 3]);
            stacks.push((0..CHUNK as u32 / 3).map(|i| i % (top.max(1) / 2 + 1)).collect());
        }
        let stacks: Vec<&[u32]> = stacks.iter().map(Vec::as_slice).collect();
        for compact in [false, true] {
            let (tree, nodes) = build_with(&stacks, compact);
            for (stack, &node) in stacks.iter().zip(&nodes) {
                let frames: Vec<u32> = tree.frames_root_first(node).iter().map(|&f| f as u32).collect();
                assert_eq!(frames, *stack, "compact {compact}");
            }
        }
    }

    #[test]
    fn unshared_tails_are_single_runs() {
        let (tree, _) = build(&[&[0, 1, 2, 3, 4, 5], &[0, 1, 2, 9, 8, 7]]);
        // root, shared [0,1,2], and two tails.
        assert_eq!(tree.len(), 4);
    }
}
