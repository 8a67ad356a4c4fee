//! Walks of the stack tree kept across graph requests on one profile: a
//! viewer that changes only nodecount, nodefraction or edgefraction gets
//! the same walks again (the unpruned one, and the pruned ones for node
//! sets it asked for before), so only the pruning is redone.

use std::cell::RefCell;
use std::rc::Rc;

use super::build::RawGraph;
use super::{EdgeScope, Walker};

/// How many walks are kept. The unpruned walk holds every edge of the
/// profile; pruned ones are small.
const KEPT_WALKS: usize = 8;

/// A cache of walks for one profile. Keep one per profile and pass it to
/// the `*_cached` reports; a key of the options that shape the walk
/// (filters, sample, granularity) tells which walks still apply.
#[derive(Default)]
pub struct WalkCache {
    walks: RefCell<Vec<CachedWalk>>,
    made: std::cell::Cell<usize>,
}

impl std::fmt::Debug for WalkCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "WalkCache({} walks)", self.walks.borrow().len())
    }
}

struct CachedWalk {
    key: Rc<str>,
    kept: Option<Vec<bool>>,
    scope: EdgeScope,
    raw: Rc<RawGraph>,
}

impl WalkCache {
    /// How many walks were made (not found in the cache) so far.
    pub fn walks_made(&self) -> usize {
        self.made.get()
    }

    /// The walk of `walker` with `kept` nodes for `scope`, from the cache
    /// when an earlier request under `key` made it.
    pub(crate) fn walk(
        &self,
        key: &str,
        walker: &Walker<'_>,
        kept: Option<&[bool]>,
        scope: EdgeScope,
    ) -> Rc<RawGraph> {
        let mut walks = self.walks.borrow_mut();
        // Walks made under other options no longer apply.
        walks.retain(|w| &*w.key == key);
        if let Some(i) = walks.iter().position(|w| w.scope == scope && w.kept.as_deref() == kept) {
            let hit = walks.remove(i);
            let raw = hit.raw.clone();
            walks.push(hit);
            return raw;
        }
        let raw = Rc::new(walker.walk(kept, scope));
        self.made.set(self.made.get() + 1);
        if walks.len() == KEPT_WALKS {
            // The least recently used pruned walk goes; the unpruned one
            // is the costliest to redo.
            let i = walks.iter().position(|w| w.kept.is_some()).unwrap_or(0);
            walks.remove(i);
        }
        walks.push(CachedWalk { key: key.into(), kept: kept.map(<[bool]>::to_vec), scope, raw: raw.clone() });
        raw
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{dot, dot_cached, top, top_cached, ReportOptions};
    use crate::synth::{generate, SynthSpec};
    use crate::{decode, DecodeOptions};

    #[test]
    fn cached_graphs_equal_fresh_ones_and_reuse_walks() {
        let p = decode(&generate(&SynthSpec::SMALL), &DecodeOptions::default()).unwrap();
        let cache = WalkCache::default();
        let d = ReportOptions::default;
        let sequence = [
            d(),
            ReportOptions { node_fraction: 0.0, ..d() },
            ReportOptions { node_count: Some(10), ..d() },
            ReportOptions { edge_fraction: 0.1, node_fraction: 0.0, ..d() },
            d(),
            ReportOptions { node_fraction: 0.0, ..d() },
            ReportOptions { focus: "main".into(), ..d() },
            d(),
        ];
        let mut made = Vec::new();
        for o in &sequence {
            assert_eq!(dot_cached(&p, o, Some(&cache)).unwrap(), dot(&p, o).unwrap(), "{o:?}");
            made.push(cache.walks_made());
        }
        // Default: the unpruned walk, the nodefraction-pruned one and the
        // one pruned to 80 nodes; asking again for the default or
        // nodefraction=0 walks nothing; another focus starts over.
        assert_eq!(made[0], 3);
        assert_eq!(made[4], made[3], "the default graph again reuses its walks");
        assert_eq!(made[5], made[4], "nodefraction=0 again reuses its walks");
        assert!(made[6] > made[5], "a new focus walks again");
    }

    #[test]
    fn the_graph_reuses_the_walk_top_made() {
        let p = decode(&generate(&SynthSpec::SMALL), &DecodeOptions::default()).unwrap();
        let d = ReportOptions::default();
        let fresh = WalkCache::default();
        dot_cached(&p, &d, Some(&fresh)).unwrap();
        let after_top = WalkCache::default();
        assert_eq!(top_cached(&p, &d, Some(&after_top)).unwrap(), top(&p, &d).unwrap());
        let top_walks = after_top.walks_made();
        assert_eq!(dot_cached(&p, &d, Some(&after_top)).unwrap(), dot(&p, &d).unwrap());
        assert_eq!(
            after_top.walks_made() - top_walks + 1,
            fresh.walks_made(),
            "the Graph after Top should walk once less than a Graph alone"
        );
        // And Top after the Graph walks nothing.
        let before = after_top.walks_made();
        assert_eq!(top_cached(&p, &d, Some(&after_top)).unwrap(), top(&p, &d).unwrap());
        assert_eq!(after_top.walks_made(), before);
    }

    #[test]
    fn top_without_inlined_frames_walks_once_and_keeps_exact_values() {
        // Collapsed stacks have one frame per location: nothing inlined.
        let mut text = String::new();
        for i in 0..400u32 {
            let value = 1 + (i * 7919) % 97;
            text.push_str(&format!("main;f{};g{};h{} {value}\n", i % 5, i % 41, i % 173));
        }
        let p = decode(text.as_bytes(), &DecodeOptions::default()).unwrap();
        let d = ReportOptions::default();
        let cache = WalkCache::default();
        let pruned = top_cached(&p, &d, Some(&cache)).unwrap();
        assert_eq!(cache.walks_made(), 1, "the nodefraction cut reuses the first walk");
        let all = top(&p, &ReportOptions { node_fraction: 0.0, ..d }).unwrap();
        assert!(pruned.rows.len() < all.rows.len(), "the cut should drop nodes here");
        // The kept rows are the unpruned report's rows that pass the cut, unchanged.
        let cutoff = (pruned.total as f64 * 0.005) as i64;
        let kept: Vec<_> = all.rows.iter().filter(|r| r.cum.abs() >= cutoff).collect();
        assert_eq!(pruned.rows.len(), kept.len());
        for (got, want) in pruned.rows.iter().zip(kept) {
            assert_eq!(
                (&got.name, got.flat, got.cum, got.inline),
                (&want.name, want.flat, want.cum, want.inline)
            );
        }
    }
}
