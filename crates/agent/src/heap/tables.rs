//! The tables of sampled allocations.
//!
//! Everything here runs inside the global allocator, with the table lock
//! held, so it follows three rules: it never allocates through the global
//! allocator (its memory comes from [`System`] directly, which never calls
//! back into Rust's global allocator), it never panics (no indexing that can
//! fail, no unchecked arithmetic), and it never takes another lock.
//!
//! Layout:
//! - `frames`: an arena of stack addresses; each distinct stack is stored once.
//! - `stacks`: one record per distinct stack (hash, start and length in `frames`).
//! - `buckets`: one record per (stack, allocation size), with cumulative
//!   counters of sampled allocations and frees. Append-only, so a bucket's
//!   index never changes and two snapshots can be subtracted index by index.
//! - `live`: the sampled allocations not yet freed: address → bucket.
//! - two filters, readable without the lock: 2^15 bits that say "a live
//!   sampled allocation may be in this 64 KiB region", and 2^20 bits that
//!   say "this address may be a live sampled allocation"; a free checks
//!   both before taking the lock. Per-bit counters (under the lock) say
//!   when a bit can be cleared.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU64, Ordering};

/// Stack depth kept per sample, from the allocator's entry point (the
/// sampler's `GlobalAlloc` method) towards the root.
pub(crate) const MAX_DEPTH: usize = 64;

/// Caps that bound the tables' memory whatever the program does. A sample
/// that would exceed them is counted in `dropped` instead.
const MAX_BUCKETS: usize = 1 << 20;
const MAX_FRAMES: usize = 1 << 25;

const FILTER_BITS_LOG2: u32 = 20;
const FILTER_BITS: usize = 1 << FILTER_BITS_LOG2;
const FILTER_WORDS: usize = FILTER_BITS / 64;

/// The lock-free part of the filter: bit i is set while some live sampled
/// allocation hashes to i.
pub(crate) static FILTER: [AtomicU64; FILTER_WORDS] = [const { AtomicU64::new(0) }; FILTER_WORDS];

/// The filter slot of an address.
#[inline(always)]
pub(crate) fn filter_slot(addr: usize) -> usize {
    let h = ((addr as u64) >> 4).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    (h >> (64 - FILTER_BITS_LOG2)) as usize
}

const COARSE_BITS_LOG2: u32 = 15;
const COARSE_BITS: usize = 1 << COARSE_BITS_LOG2;
/// Bit i of the coarse filter covers the 64 KiB regions that hash to i.
const REGION_SHIFT: u32 = 16;

/// The coarse filter: bit i is set while some live sampled allocation lies
/// in a 64 KiB region that hashes to i. 4 KiB, so a free checks it without
/// leaving the cache; only frees in such regions read the fine filter.
pub(crate) static COARSE: [AtomicU64; COARSE_BITS / 64] = [const { AtomicU64::new(0) }; COARSE_BITS / 64];

/// The coarse filter slot of an address.
#[inline(always)]
fn coarse_slot(addr: usize) -> usize {
    let h = ((addr as u64) >> REGION_SHIFT).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    (h >> (64 - COARSE_BITS_LOG2)) as usize
}

/// Whether a live sampled allocation may lie in `addr`'s region.
#[inline(always)]
pub(crate) fn coarse_maybe(addr: usize) -> bool {
    let slot = coarse_slot(addr);
    match COARSE.get(slot >> 6) {
        Some(word) => word.load(Ordering::Relaxed) & (1u64 << (slot & 63)) != 0,
        None => false,
    }
}

/// Whether the filter says `slot` may hold a live sampled allocation.
#[inline(always)]
pub(crate) fn filter_maybe(slot: usize) -> bool {
    match FILTER.get(slot >> 6) {
        Some(word) => word.load(Ordering::Relaxed) & (1u64 << (slot & 63)) != 0,
        None => false,
    }
}

/// A distinct stack in the frame arena.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct StackRec {
    pub hash: u64,
    pub start: u32,
    pub len: u32,
}

/// Cumulative counters for one (stack, size).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Bucket {
    pub hash: u64,
    pub stack: u32,
    pub size: u64,
    pub allocs: u64,
    pub alloc_bytes: u64,
    pub frees: u64,
    pub free_bytes: u64,
}

#[derive(Clone, Copy, Default)]
struct Live {
    /// 0 when the slot is empty (no allocation lives at address 0).
    addr: usize,
    bucket: u32,
}

/// A growable array in memory from [`System`]. `T: Copy`, so nothing is
/// ever dropped; growth copies bytes.
pub(crate) struct RawVec<T: Copy> {
    ptr: *mut T,
    len: usize,
    cap: usize,
}

impl<T: Copy> RawVec<T> {
    const fn new() -> Self {
        RawVec { ptr: std::ptr::null_mut(), len: 0, cap: 0 }
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    pub(crate) fn as_slice(&self) -> &[T] {
        if self.ptr.is_null() {
            return &[];
        }
        // SAFETY: `ptr` points to `cap >= len` slots from System, of which the
        // first `len` were written (or zeroed, for zero-filled tables whose
        // T is plain data).
        unsafe { std::slice::from_raw_parts(self.ptr, self.len) }
    }

    fn as_mut_slice(&mut self) -> &mut [T] {
        if self.ptr.is_null() {
            return &mut [];
        }
        // SAFETY: as in `as_slice`; `&mut self` makes the access exclusive.
        unsafe { std::slice::from_raw_parts_mut(self.ptr, self.len) }
    }

    /// Reallocates to exactly `cap` slots (`cap >= len`), keeping the
    /// contents. With `zeroed`, the new slots are zero bytes (only used for
    /// types where all-zero is a valid value). False when out of memory.
    fn set_capacity(&mut self, cap: usize, zeroed: bool) -> bool {
        if cap < self.len {
            return false;
        }
        let Ok(layout) = Layout::array::<T>(cap) else { return false };
        if layout.size() == 0 {
            return false;
        }
        // SAFETY: the layout has a non-zero size.
        let new = unsafe {
            if zeroed {
                System.alloc_zeroed(layout)
            } else {
                System.alloc(layout)
            }
        } as *mut T;
        if new.is_null() {
            return false;
        }
        let len = self.len;
        if !self.ptr.is_null() {
            // SAFETY: both blocks hold at least `len` slots and are distinct.
            unsafe { std::ptr::copy_nonoverlapping(self.ptr, new, len) };
            // `free` forgets the length too: it is restored below.
            self.free();
        }
        self.ptr = new;
        self.cap = cap;
        self.len = len;
        true
    }

    fn free(&mut self) {
        if self.ptr.is_null() {
            return;
        }
        if let Ok(layout) = Layout::array::<T>(self.cap) {
            // SAFETY: `ptr` was allocated by System with this layout.
            unsafe { System.dealloc(self.ptr as *mut u8, layout) };
        }
        self.ptr = std::ptr::null_mut();
        self.cap = 0;
        self.len = 0;
    }

    fn push(&mut self, value: T) -> bool {
        if self.len == self.cap {
            let cap = if self.cap == 0 { 64 } else { self.cap.saturating_mul(2) };
            if !self.set_capacity(cap, false) {
                return false;
            }
        }
        // SAFETY: `len < cap` now, so the slot is inside the block.
        unsafe { self.ptr.add(self.len).write(value) };
        self.len += 1;
        true
    }

    /// A zero-filled table of `n` slots (replacing the contents).
    fn zeroed(n: usize) -> Option<Self> {
        let mut v = RawVec::new();
        if !v.set_capacity(n, true) {
            return None;
        }
        v.len = n;
        Some(v)
    }
}

/// Everything behind the table lock.
pub(crate) struct Tables {
    pub(crate) frames: RawVec<usize>,
    pub(crate) stacks: RawVec<StackRec>,
    pub(crate) buckets: RawVec<Bucket>,
    /// Open addressing over `stacks` (value: index + 1; 0 is empty).
    stack_index: RawVec<u32>,
    /// Open addressing over `buckets` (value: index + 1; 0 is empty).
    bucket_index: RawVec<u32>,
    live: RawVec<Live>,
    live_len: usize,
    /// Per filter bit: how many live samples hash there (sticky at max).
    filter_counts: RawVec<u16>,
    /// Per coarse filter bit: how many live samples lie in its regions.
    coarse_counts: RawVec<u32>,
    /// Samples not recorded because a cap or memory ran out.
    pub(crate) dropped: u64,
}

// SAFETY: the raw pointers are owned exclusively by the tables (memory from
// System, never shared), and the tables are only reached through their lock.
unsafe impl Send for Tables {}

fn mix(mut h: u64, v: u64) -> u64 {
    h ^= v;
    h = h.wrapping_mul(0x100_0000_01B3).rotate_left(29);
    h
}

/// The hash of a stack of addresses.
pub(crate) fn stack_hash(stack: &[usize]) -> u64 {
    let mut h = 0xCBF2_9CE4_8422_2325u64;
    for &a in stack {
        h = mix(h, a as u64);
    }
    mix(h, stack.len() as u64)
}

fn bucket_hash(stack: u32, size: u64) -> u64 {
    mix(mix(0x84222325u64, u64::from(stack)), size).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// Inserts `value` (an index + 1) into an open-addressing index keyed by
/// `hash`, growing it when half full. `rehash(i)` gives the hash of entry i.
fn index_insert(
    index: &mut RawVec<u32>,
    count: usize,
    hash: u64,
    value: u32,
    rehash: impl Fn(usize) -> u64,
) -> bool {
    if index.len() < 2 * (count + 1) {
        let n = (index.len() * 2).max(1024);
        let Some(mut grown) = RawVec::<u32>::zeroed(n) else { return false };
        let mask = n - 1;
        for i in 0..count {
            let mut pos = (rehash(i) as usize) & mask;
            let slots = grown.as_mut_slice();
            while let Some(slot) = slots.get_mut(pos) {
                if *slot == 0 {
                    *slot = i as u32 + 1;
                    break;
                }
                pos = (pos + 1) & mask;
            }
        }
        index.free();
        *index = grown;
    }
    let mask = index.len() - 1;
    let mut pos = (hash as usize) & mask;
    let slots = index.as_mut_slice();
    while let Some(slot) = slots.get_mut(pos) {
        if *slot == 0 {
            *slot = value;
            return true;
        }
        pos = (pos + 1) & mask;
    }
    false
}

impl Tables {
    pub(crate) const fn new() -> Self {
        Tables {
            frames: RawVec::new(),
            stacks: RawVec::new(),
            buckets: RawVec::new(),
            stack_index: RawVec::new(),
            bucket_index: RawVec::new(),
            live: RawVec::new(),
            live_len: 0,
            filter_counts: RawVec::new(),
            coarse_counts: RawVec::new(),
            dropped: 0,
        }
    }

    /// The id of `stack`, added if new.
    fn stack_id(&mut self, stack: &[usize], hash: u64) -> Option<u32> {
        let index = self.stack_index.as_slice();
        if !index.is_empty() {
            let mask = index.len() - 1;
            let mut pos = (hash as usize) & mask;
            while let Some(&v) = index.get(pos) {
                if v == 0 {
                    break;
                }
                let id = (v - 1) as usize;
                if let Some(rec) = self.stacks.as_slice().get(id) {
                    if rec.hash == hash && rec.len as usize == stack.len() {
                        let start = rec.start as usize;
                        if self.frames.as_slice().get(start..start + stack.len()) == Some(stack) {
                            return Some(id as u32);
                        }
                    }
                }
                pos = (pos + 1) & mask;
            }
        }
        if self.frames.len() + stack.len() > MAX_FRAMES || self.stacks.len() >= MAX_BUCKETS {
            return None;
        }
        let start = self.frames.len();
        for &a in stack {
            if !self.frames.push(a) {
                // Forget the partial stack: nothing refers to it yet.
                self.frames.len = start;
                return None;
            }
        }
        let id = self.stacks.len();
        let rec = StackRec { hash, start: start as u32, len: stack.len() as u32 };
        if !self.stacks.push(rec) {
            self.frames.len = start;
            return None;
        }
        let stacks = &self.stacks;
        let ok = index_insert(&mut self.stack_index, id, hash, id as u32 + 1, |i| {
            stacks.as_slice().get(i).map_or(0, |s| s.hash)
        });
        if !ok {
            self.stacks.len = id;
            self.frames.len = start;
            return None;
        }
        Some(id as u32)
    }

    /// The bucket of (stack, size), added if new.
    fn bucket_id(&mut self, stack: u32, size: u64) -> Option<u32> {
        let hash = bucket_hash(stack, size);
        let index = self.bucket_index.as_slice();
        if !index.is_empty() {
            let mask = index.len() - 1;
            let mut pos = (hash as usize) & mask;
            while let Some(&v) = index.get(pos) {
                if v == 0 {
                    break;
                }
                if let Some(b) = self.buckets.as_slice().get((v - 1) as usize) {
                    if b.stack == stack && b.size == size {
                        return Some(v - 1);
                    }
                }
                pos = (pos + 1) & mask;
            }
        }
        if self.buckets.len() >= MAX_BUCKETS {
            return None;
        }
        let id = self.buckets.len();
        if !self.buckets.push(Bucket { hash, stack, size, ..Bucket::default() }) {
            return None;
        }
        let buckets = &self.buckets;
        let ok = index_insert(&mut self.bucket_index, id, hash, id as u32 + 1, |i| {
            buckets.as_slice().get(i).map_or(0, |b| b.hash)
        });
        if !ok {
            self.buckets.len = id;
            return None;
        }
        Some(id as u32)
    }

    /// Records a sampled allocation of `size` bytes at `addr`.
    pub(crate) fn record_alloc(&mut self, addr: usize, size: usize, stack: &[usize]) {
        if addr == 0 || !self.reserve_live() {
            self.dropped = self.dropped.saturating_add(1);
            return;
        }
        let hash = stack_hash(stack);
        let Some(stack_id) = self.stack_id(stack, hash) else {
            self.dropped = self.dropped.saturating_add(1);
            return;
        };
        let Some(bucket) = self.bucket_id(stack_id, size as u64) else {
            self.dropped = self.dropped.saturating_add(1);
            return;
        };
        if let Some(b) = self.buckets.as_mut_slice().get_mut(bucket as usize) {
            b.allocs = b.allocs.saturating_add(1);
            b.alloc_bytes = b.alloc_bytes.saturating_add(size as u64);
        }
        self.live_insert(addr, bucket);
        self.filters_add(addr);
    }

    /// Records the free of `addr` if it is a live sampled allocation;
    /// returns its bucket.
    pub(crate) fn record_free(&mut self, addr: usize) -> Option<u32> {
        let bucket = self.live_remove(addr)?;
        if let Some(b) = self.buckets.as_mut_slice().get_mut(bucket as usize) {
            b.frees = b.frees.saturating_add(1);
            b.free_bytes = b.free_bytes.saturating_add(b.size);
        }
        self.filters_remove(addr);
        Some(bucket)
    }

    /// Undoes `record_free` (a realloc that failed keeps its old block).
    pub(crate) fn undo_free(&mut self, addr: usize, bucket: u32) {
        if let Some(b) = self.buckets.as_mut_slice().get_mut(bucket as usize) {
            b.frees = b.frees.saturating_sub(1);
            b.free_bytes = b.free_bytes.saturating_sub(b.size);
        }
        if !self.reserve_live() {
            return;
        }
        self.live_insert(addr, bucket);
        self.filters_add(addr);
    }

    /// Sets the filters' bits for a live sampled allocation at `addr`.
    fn filters_add(&mut self, addr: usize) {
        let slot = filter_slot(addr);
        if let Some(c) = self.filter_counts.as_mut_slice().get_mut(slot) {
            if *c == 0 {
                if let Some(word) = FILTER.get(slot >> 6) {
                    word.fetch_or(1u64 << (slot & 63), Ordering::Relaxed);
                }
            }
            *c = c.saturating_add(1);
        }
        let slot = coarse_slot(addr);
        if let Some(c) = self.coarse_counts.as_mut_slice().get_mut(slot) {
            if *c == 0 {
                if let Some(word) = COARSE.get(slot >> 6) {
                    word.fetch_or(1u64 << (slot & 63), Ordering::Relaxed);
                }
            }
            *c = c.saturating_add(1);
        }
    }

    /// Clears the filters' bits that no live sampled allocation needs any
    /// more, after the one at `addr` was freed. A saturated counter stays
    /// set: the bit then only costs a lookup now and then.
    fn filters_remove(&mut self, addr: usize) {
        let slot = filter_slot(addr);
        if let Some(c) = self.filter_counts.as_mut_slice().get_mut(slot) {
            if *c != u16::MAX {
                *c = c.saturating_sub(1);
                if *c == 0 {
                    if let Some(word) = FILTER.get(slot >> 6) {
                        word.fetch_and(!(1u64 << (slot & 63)), Ordering::Relaxed);
                    }
                }
            }
        }
        let slot = coarse_slot(addr);
        if let Some(c) = self.coarse_counts.as_mut_slice().get_mut(slot) {
            if *c != u32::MAX {
                *c = c.saturating_sub(1);
                if *c == 0 {
                    if let Some(word) = COARSE.get(slot >> 6) {
                        word.fetch_and(!(1u64 << (slot & 63)), Ordering::Relaxed);
                    }
                }
            }
        }
    }

    /// Makes room for one more live entry (and the filter counters).
    fn reserve_live(&mut self) -> bool {
        if self.filter_counts.len() == 0 {
            match RawVec::<u16>::zeroed(FILTER_BITS) {
                Some(v) => self.filter_counts = v,
                None => return false,
            }
        }
        if self.coarse_counts.len() == 0 {
            match RawVec::<u32>::zeroed(COARSE_BITS) {
                Some(v) => self.coarse_counts = v,
                None => return false,
            }
        }
        if self.live.len() >= 2 * (self.live_len + 1) {
            return true;
        }
        let n = (self.live.len() * 2).max(1024);
        let Some(mut grown) = RawVec::<Live>::zeroed(n) else { return false };
        let mask = n - 1;
        for e in self.live.as_slice() {
            if e.addr == 0 {
                continue;
            }
            let mut pos = live_pos(e.addr, mask);
            let slots = grown.as_mut_slice();
            while let Some(slot) = slots.get_mut(pos) {
                if slot.addr == 0 {
                    *slot = *e;
                    break;
                }
                pos = (pos + 1) & mask;
            }
        }
        self.live.free();
        self.live = grown;
        true
    }

    fn live_insert(&mut self, addr: usize, bucket: u32) {
        let n = self.live.len();
        if n == 0 {
            return;
        }
        let mask = n - 1;
        let mut pos = live_pos(addr, mask);
        let slots = self.live.as_mut_slice();
        while let Some(slot) = slots.get_mut(pos) {
            if slot.addr == 0 || slot.addr == addr {
                if slot.addr == 0 {
                    self.live_len += 1;
                }
                *slot = Live { addr, bucket };
                return;
            }
            pos = (pos + 1) & mask;
        }
    }

    /// Removes `addr` with backward-shift deletion (linear probing keeps no
    /// tombstones).
    fn live_remove(&mut self, addr: usize) -> Option<u32> {
        let n = self.live.len();
        if n == 0 || addr == 0 {
            return None;
        }
        let mask = n - 1;
        let slots = self.live.as_mut_slice();
        let mut pos = live_pos(addr, mask);
        let bucket = loop {
            let slot = slots.get(pos)?;
            if slot.addr == 0 {
                return None;
            }
            if slot.addr == addr {
                break slot.bucket;
            }
            pos = (pos + 1) & mask;
        };
        let mut hole = pos;
        let mut next = (hole + 1) & mask;
        loop {
            let e = *slots.get(next)?;
            if e.addr == 0 {
                break;
            }
            let home = live_pos(e.addr, mask);
            // Move e into the hole if its home is not in (hole, next].
            let dist_next = next.wrapping_sub(home) & mask;
            let dist_hole = hole.wrapping_sub(home) & mask;
            if dist_hole < dist_next {
                if let Some(h) = slots.get_mut(hole) {
                    *h = e;
                }
                hole = next;
            }
            next = (next + 1) & mask;
        }
        if let Some(h) = slots.get_mut(hole) {
            *h = Live::default();
        }
        self.live_len = self.live_len.saturating_sub(1);
        Some(bucket)
    }

    /// Number of live sampled allocations.
    pub(crate) fn live_count(&self) -> usize {
        self.live_len
    }
}

fn live_pos(addr: usize, mask: usize) -> usize {
    let h = ((addr as u64) >> 4).wrapping_mul(0xD6E8_FEB8_6659_FD93);
    ((h >> 32) as usize) & mask
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alloc_free_and_reuse() {
        let mut t = Tables::new();
        let stack = [1usize, 2, 3];
        for i in 1..5000usize {
            t.record_alloc(i * 16, 32, &stack);
        }
        assert_eq!(t.live_count(), 4999);
        assert_eq!(t.buckets.len(), 1);
        for i in (1..5000usize).step_by(2) {
            assert!(t.record_free(i * 16).is_some(), "{i}");
        }
        for i in (2..5000usize).step_by(2) {
            assert!(t.record_free(i * 16).is_some(), "{i}");
        }
        assert_eq!(t.live_count(), 0);
        assert!(t.record_free(16).is_none());
        let b = t.buckets.as_slice()[0];
        assert_eq!((b.allocs, b.alloc_bytes, b.frees, b.free_bytes), (4999, 4999 * 32, 4999, 4999 * 32));
        // Every filter counter is back to zero. (The bits themselves are
        // process-wide, shared with the other tests' tables.)
        assert!(t.filter_counts.as_slice().iter().all(|&c| c == 0));
        assert_eq!(t.coarse_counts.as_slice().iter().map(|&c| u64::from(c)).sum::<u64>(), 0);
    }

    #[test]
    fn stacks_and_sizes_make_buckets() {
        let mut t = Tables::new();
        t.record_alloc(0x1000, 8, &[1, 2]);
        t.record_alloc(0x2000, 8, &[1, 2]);
        t.record_alloc(0x3000, 16, &[1, 2]);
        t.record_alloc(0x4000, 8, &[1, 3]);
        assert_eq!(t.buckets.len(), 3);
        assert_eq!(t.stacks.len(), 2);
        assert_eq!(t.frames.as_slice(), &[1, 2, 1, 3]);
        for i in 0..3000usize {
            t.record_alloc(0x10_0000 + i * 64, 8, &[i, i + 1, i + 2]);
        }
        assert_eq!((t.dropped, t.buckets.len(), t.live_count()), (0, 3003, 3004));
        assert_eq!(t.stacks.len(), 3002);
        assert_eq!(t.record_free(0x10_0000 + 64 * 17), Some(3 + 17));
    }
}
