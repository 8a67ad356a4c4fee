//! A hash map from u64 keys to u32 values, for the hot paths (stack tree
//! children, graph edges). Keys and values sit side by side in one array
//! with linear probing, so a lookup is usually a single cache miss. The keys
//! are our own dense indices, so there is nothing for an attacker to collide.

/// Open-addressing map from `u64` (never `u64::MAX`) to `u32`. A slot is
/// three u32s (key high, key low, value): 12 bytes, no padding.
#[derive(Clone, Debug, Default)]
pub struct U64Map {
    slots: Vec<[u32; 3]>,
    len: usize,
}

const EMPTY: u64 = u64::MAX;

#[inline(always)]
fn key_of(slot: &[u32; 3]) -> u64 {
    (u64::from(slot[0]) << 32) | u64::from(slot[1])
}

fn slot(key: u64, value: u32) -> [u32; 3] {
    [(key >> 32) as u32, key as u32, value]
}

/// Grow when more than 2/3 full: a fair trade between probe length and
/// memory for tables with millions of entries.
fn needs_growth(len: usize, capacity: usize) -> bool {
    (len + 1) * 3 > capacity * 2
}

#[inline(always)]
fn start(key: u64, mask: usize) -> usize {
    // Fibonacci hashing: the high bits of the product mix every key bit.
    (key.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 32) as usize & mask
}

impl U64Map {
    /// Bytes of heap memory the map uses.
    pub fn heap_bytes(&self) -> usize {
        12 * self.slots.capacity()
    }

    /// The value for `key`, if present.
    #[inline]
    pub fn get(&self, key: u64) -> Option<u32> {
        if self.slots.is_empty() {
            return None;
        }
        let mask = self.slots.len() - 1;
        let mut i = start(key, mask);
        loop {
            let k = key_of(&self.slots[i]);
            if k == key {
                return Some(self.slots[i][2]);
            }
            if k == EMPTY {
                return None;
            }
            i = (i + 1) & mask;
        }
    }

    /// The value for `key`, inserting `value` first if absent.
    #[inline]
    pub fn get_or_insert(&mut self, key: u64, value: u32) -> u32 {
        debug_assert_ne!(key, EMPTY);
        if needs_growth(self.len, self.slots.len()) {
            self.grow();
        }
        let mask = self.slots.len() - 1;
        let mut i = start(key, mask);
        loop {
            let k = key_of(&self.slots[i]);
            if k == key {
                return self.slots[i][2];
            }
            if k == EMPTY {
                self.slots[i] = slot(key, value);
                self.len += 1;
                return value;
            }
            i = (i + 1) & mask;
        }
    }

    /// Sets the value of `key`, inserting it if absent.
    pub fn insert(&mut self, key: u64, value: u32) {
        if needs_growth(self.len, self.slots.len()) {
            self.grow();
        }
        let mask = self.slots.len() - 1;
        let mut i = start(key, mask);
        loop {
            let k = key_of(&self.slots[i]);
            if k == key || k == EMPTY {
                if k == EMPTY {
                    self.len += 1;
                }
                self.slots[i] = slot(key, value);
                return;
            }
            i = (i + 1) & mask;
        }
    }

    fn grow(&mut self) {
        let capacity = (self.slots.len() * 2).max(1024);
        let old = std::mem::replace(&mut self.slots, vec![slot(EMPTY, 0); capacity]);
        let mask = capacity - 1;
        for old_slot in old.into_iter().filter(|s| key_of(s) != EMPTY) {
            let mut i = start(key_of(&old_slot), mask);
            while key_of(&self.slots[i]) != EMPTY {
                i = (i + 1) & mask;
            }
            self.slots[i] = old_slot;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inserts_and_finds_through_growth() {
        let mut m = U64Map::default();
        for k in 0..10_000u64 {
            assert_eq!(m.get_or_insert(k * 7919, k as u32), k as u32);
        }
        for k in 0..10_000u64 {
            assert_eq!(m.get(k * 7919), Some(k as u32));
            assert_eq!(m.get_or_insert(k * 7919, 0), k as u32);
        }
        assert_eq!(m.get(3), None);
        m.insert(7919, 42);
        assert_eq!(m.get(7919), Some(42));
    }
}
