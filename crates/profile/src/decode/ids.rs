//! Maps the ids of a profile file to dense indices.

use foldhash::HashMap;

/// Ids below this may use the direct table; producers number densely from
/// 1, so the table stays small. Larger ids (hashes, addresses) use a hash
/// map.
const DENSE_LIMIT: u64 = 1 << 22;

/// The direct table grows to an id only while it stays within this many
/// slots per id held (plus a fixed allowance), so one large id cannot make
/// a tiny file allocate the whole table.
const DENSE_SLOTS_PER_ID: u64 = 2;
const DENSE_ALLOWANCE: u64 = 4096;

/// An id to index map that is fast for the dense ids real producers use.
#[derive(Default)]
pub(crate) struct IdMap {
    dense: Vec<u32>,
    sparse: HashMap<u64, u32>,
    len: u64,
}

const ABSENT: u32 = u32::MAX;

impl IdMap {
    /// The index for `id`, if assigned.
    #[inline(always)]
    pub(crate) fn get(&self, id: u64) -> Option<u32> {
        match self.dense.get(id as usize) {
            Some(&i) if id < DENSE_LIMIT && i != ABSENT => Some(i),
            _ if self.sparse.is_empty() => None,
            _ => self.sparse.get(&id).copied(),
        }
    }

    /// Bytes of heap memory the map uses (the hash map's slots at 24
    /// bytes, an estimate of key, value and control bytes).
    pub(crate) fn heap_bytes(&self) -> usize {
        4 * self.dense.capacity() + 24 * self.sparse.capacity()
    }

    /// Assigns `index` to `id`. Returns the earlier index if there was one.
    pub(crate) fn insert(&mut self, id: u64, index: u32) -> Option<u32> {
        if let Some(old) = self.sparse.get_mut(&id) {
            return Some(std::mem::replace(old, index));
        }
        // (Compared as u64 first: on 32-bit targets `as usize` truncates.)
        if id >= self.dense.len() as u64 {
            let allowed = self.allowed_slots();
            if id >= allowed {
                self.len += 1;
                self.sparse.insert(id, index);
                self.catch_up();
                return None;
            }
            self.grow_dense((id + 1).max(2 * self.dense.len() as u64).min(allowed));
        }
        let old = std::mem::replace(&mut self.dense[id as usize], index);
        if old != ABSENT {
            return Some(old);
        }
        self.len += 1;
        self.catch_up();
        None
    }

    /// With ids in the hash map, doubles the direct table once the ids
    /// held allow it, so that ids first seen out of order (samples name
    /// locations before they are defined) end up in the fast table.
    fn catch_up(&mut self) {
        if !self.sparse.is_empty() {
            let allowed = self.allowed_slots();
            if allowed >= 2 * self.dense.len() as u64 {
                self.grow_dense(allowed);
            }
        }
    }

    /// How many slots the direct table may have for the ids held.
    fn allowed_slots(&self) -> u64 {
        ((self.len + 1) * DENSE_SLOTS_PER_ID + DENSE_ALLOWANCE).min(DENSE_LIMIT)
    }

    /// Grows the direct table to `slots` and moves the ids it now covers
    /// out of the hash map.
    fn grow_dense(&mut self, slots: u64) {
        let slots = slots as usize;
        self.dense.resize(slots, ABSENT);
        if !self.sparse.is_empty() {
            let dense = &mut self.dense;
            self.sparse.retain(|&id, &mut i| {
                if id < slots as u64 {
                    dense[id as usize] = i;
                    false
                } else {
                    true
                }
            });
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

    #[test]
    fn one_large_id_does_not_allocate_the_table() {
        let mut m = IdMap::default();
        m.insert(DENSE_LIMIT - 1, 7);
        assert!(m.dense.len() < 10_000, "{} slots for one id", m.dense.len());
        assert_eq!(m.get(DENSE_LIMIT - 1), Some(7));
        // Ids that become dense later still find the sparse ones, and ones
        // first seen out of order move to the direct table.
        for id in (1..100_000u64).rev() {
            m.insert(id, id as u32);
        }
        assert_eq!(m.sparse.len(), 1, "only the large id stays in the hash map");
        assert_eq!(m.get(DENSE_LIMIT - 1), Some(7));
        assert_eq!(m.insert(DENSE_LIMIT - 1, 8), Some(7));
        assert_eq!(m.get(DENSE_LIMIT - 1), Some(8));
        assert_eq!(m.get(99_999), Some(99_999));
    }
}
