//! Call stacks stored once, as a radix tree of locations.
//!
//! Each node holds a run of locations (root side first) that no other stack
//! branches off in the middle of. Samples with the same stack share a node,
//! stacks with a common root-side prefix share the nodes of that prefix, and
//! an unshared tail costs four bytes per frame. Nodes are kept in preorder:
//! a node's subtree is the index range `node..end(node)` and parents come
//! before their children, so reports walk every stack with one forward pass
//! over the nodes instead of walking each sample's stack.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;

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
    arena: Vec<u32>,
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
    pub fn run(&self, node: StackNode) -> &[u32] {
        let start = self.run_start[node as usize] as usize;
        &self.arena[start..start + self.run_len[node as usize] as usize]
    }

    /// One past the last node of `node`'s subtree.
    pub fn end(&self, node: StackNode) -> StackNode {
        self.end[node as usize]
    }

    /// The locations of `node`'s stack, leaf first, as pprof lists them.
    pub fn frames(&self, node: StackNode) -> impl Iterator<Item = LocationIndex> + '_ {
        let mut node = node;
        let mut run: &[u32] = self.run(node);
        std::iter::from_fn(move || loop {
            if let Some((&last, rest)) = run.split_last() {
                run = rest;
                return Some(last as LocationIndex);
            }
            if node == ROOT {
                return None;
            }
            node = self.parent(node);
            run = self.run(node);
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

    /// Bytes of heap memory the tree uses.
    pub fn heap_bytes(&self) -> usize {
        4 * (self.parent.capacity()
            + self.run_start.capacity()
            + self.run_len.capacity()
            + self.end.capacity()
            + self.arena.capacity())
    }
}

type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FastHasher>>;

/// Builds a [`StackTree`] by inserting stacks one at a time.
pub(crate) struct StackTreeBuilder {
    parent: Vec<StackNode>,
    run_start: Vec<u32>,
    run_len: Vec<u32>,
    arena: Vec<u32>,
    /// (parent, first location of the run) to child.
    children: FastMap<u64, StackNode>,
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
            arena: Vec::new(),
            children: FastMap::default(),
        }
    }

    /// How many nodes exist so far.
    pub(crate) fn len(&self) -> usize {
        self.parent.len()
    }

    fn run(&self, node: StackNode) -> &[u32] {
        let start = self.run_start[node as usize] as usize;
        &self.arena[start..start + self.run_len[node as usize] as usize]
    }

    fn push_node(&mut self, parent: StackNode, start: u32, len: u32) -> StackNode {
        let node = self.parent.len() as StackNode;
        self.parent.push(parent);
        self.run_start.push(start);
        self.run_len.push(len);
        node
    }

    /// Inserts a stack given root first and returns the node it ends at.
    pub(crate) fn insert(&mut self, stack: &[u32]) -> StackNode {
        let mut node = ROOT;
        let mut i = 0;
        while i < stack.len() {
            let key = child_key(node, stack[i]);
            let Some(&child) = self.children.get(&key) else {
                let start = self.arena.len() as u32;
                self.arena.extend_from_slice(&stack[i..]);
                let new = self.push_node(node, start, (stack.len() - i) as u32);
                self.children.insert(key, new);
                return new;
            };
            let run = self.run(child);
            let common = run
                .iter()
                .zip(&stack[i..])
                .take_while(|(a, b)| a == b)
                .count();
            if common < run.len() {
                // The new stack leaves (or ends inside) the child's run: split
                // the run so the shared part becomes a node of its own.
                let start = self.run_start[child as usize];
                let head = self.push_node(node, start, common as u32);
                self.parent[child as usize] = head;
                self.run_start[child as usize] = start + common as u32;
                self.run_len[child as usize] -= common as u32;
                let tail_first = self.arena[(start + common as u32) as usize];
                self.children.insert(key, head);
                self.children.insert(child_key(head, tail_first), child);
                node = head;
            } else {
                node = child;
            }
            i += common;
        }
        node
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

    /// Lays the nodes that `used` marks (and their ancestors) out in preorder.
    /// Returns the tree and, for each old node, its new index (or u32::MAX
    /// when dropped).
    pub(crate) fn finish(self, used: &[bool]) -> (StackTree, Vec<StackNode>) {
        let n = self.parent.len();
        drop(self.children);
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
        let mut new_index = vec![NONE; n];
        let mut parent = Vec::new();
        let mut run_start = Vec::new();
        let mut run_len = Vec::new();
        let mut end = Vec::new();
        let mut open: Vec<u32> = Vec::new();
        let mut next = Some(0u32);
        while let Some(node) = next {
            let idx = parent.len() as u32;
            new_index[node as usize] = idx;
            let old_parent = self.parent[node as usize];
            parent.push(if node == 0 {
                0
            } else {
                new_index[old_parent as usize]
            });
            run_start.push(self.run_start[node as usize]);
            run_len.push(self.run_len[node as usize]);
            end.push(0);
            open.push(node);
            next = None;
            if first_child[node as usize] != NONE {
                next = Some(first_child[node as usize]);
                continue;
            }
            while let Some(done) = open.pop() {
                end[new_index[done as usize] as usize] = parent.len() as u32;
                if next_sibling[done as usize] != NONE {
                    next = Some(next_sibling[done as usize]);
                    break;
                }
            }
        }
        let mut arena = self.arena;
        arena.shrink_to_fit();
        (
            StackTree {
                parent,
                run_start,
                run_len,
                end,
                arena,
            },
            new_index,
        )
    }
}

/// FxHash-style hashing for integer keys: the keys are our own dense
/// indices, so there is nothing for an attacker to collide.
#[derive(Default, Clone, Copy)]
pub(crate) struct FastHasher(u64);

impl std::hash::Hasher for FastHasher {
    fn finish(&self) -> u64 {
        // The multiply carries entropy only upwards; rotating the high bits
        // down keeps table indices (the low bits) well spread.
        self.0.rotate_left(26)
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }
    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }
    fn write_u64(&mut self, n: u64) {
        const K: u64 = 0xf135_7aea_2e62_a9c5;
        self.0 = (self.0 ^ n).wrapping_mul(K);
    }
    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build(stacks: &[&[u32]]) -> (StackTree, Vec<StackNode>) {
        let mut b = StackTreeBuilder::new();
        let nodes: Vec<_> = stacks.iter().map(|s| b.insert(s)).collect();
        let mut used = vec![false; b.len()];
        for &n in &nodes {
            used[n as usize] = true;
        }
        let (tree, map) = b.finish(&used);
        (tree, nodes.iter().map(|&n| map[n as usize]).collect())
    }

    #[test]
    fn stacks_round_trip_through_splits() {
        // Root-first stacks that split runs at various points.
        let stacks: Vec<&[u32]> = vec![
            &[0, 1, 2, 3],
            &[0, 1, 4],
            &[0, 1],
            &[5],
            &[0, 1, 2, 3],
            &[],
            &[0, 1, 2],
        ];
        let (tree, nodes) = build(&stacks);
        for (stack, &node) in stacks.iter().zip(&nodes) {
            assert_eq!(
                tree.frames_root_first(node),
                stack.iter().map(|&l| l as usize).collect::<Vec<_>>()
            );
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
    fn unshared_tails_are_single_runs() {
        let (tree, _) = build(&[&[0, 1, 2, 3, 4, 5], &[0, 1, 2, 9, 8, 7]]);
        // root, shared [0,1,2], and two tails.
        assert_eq!(tree.len(), 4);
    }
}
