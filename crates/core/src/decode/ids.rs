//! Maps the ids of a profile file to dense indices.

use std::collections::HashMap;

/// Ids below this use a direct table; producers number densely from 1, so
/// the table stays small. Larger ids (hashes, addresses) use a hash map.
const DENSE_LIMIT: u64 = 1 << 22;

/// An id to index map that is fast for the dense ids real producers use.
#[derive(Default)]
pub(crate) struct IdMap {
    dense: Vec<u32>,
    sparse: HashMap<u64, u32>,
}

const ABSENT: u32 = u32::MAX;

impl IdMap {
    /// The index for `id`, if assigned.
    pub(crate) fn get(&self, id: u64) -> Option<u32> {
        if id < DENSE_LIMIT {
            match self.dense.get(id as usize) {
                Some(&i) if i != ABSENT => Some(i),
                _ => None,
            }
        } else {
            self.sparse.get(&id).copied()
        }
    }

    /// Assigns `index` to `id`. Returns the earlier index if there was one.
    pub(crate) fn insert(&mut self, id: u64, index: u32) -> Option<u32> {
        if id < DENSE_LIMIT {
            let slot = id as usize;
            if slot >= self.dense.len() {
                self.dense.resize(slot + 1, ABSENT);
            }
            let old = std::mem::replace(&mut self.dense[slot], index);
            (old != ABSENT).then_some(old)
        } else {
            self.sparse.insert(id, index)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dense_and_sparse_ids() {
        let mut m = IdMap::default();
        assert_eq!(m.insert(3, 0), None);
        assert_eq!(m.insert(u64::MAX, 1), None);
        assert_eq!(m.get(3), Some(0));
        assert_eq!(m.get(u64::MAX), Some(1));
        assert_eq!(m.get(2), None);
        assert_eq!(m.insert(3, 5), Some(0));
    }
}
