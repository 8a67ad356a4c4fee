//! The workloads the overhead benchmarks time.

// Each bench binary uses one of the two.
#![allow(dead_code)]

use std::collections::HashMap;
use std::hint::black_box;

/// Allocation-heavy: strings, vectors and map entries of mixed sizes (16 B
/// to 4 KiB), most freed soon, some kept for a while, as a request handler
/// does. About 2,100 allocations and 1.2 MB per call.
#[inline(never)]
pub fn alloc_heavy(seed: u64) -> usize {
    let mut x = seed | 1;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let mut kept: Vec<Vec<u8>> = Vec::with_capacity(64);
    let mut map: HashMap<u64, String> = HashMap::new();
    let mut total = 0;
    for i in 0..1000u64 {
        let size = 16 + (next() % 1024) as usize;
        let v = vec![i as u8; size];
        total += v.len();
        let s = format!("key-{i}-{}", next() % 1000);
        total += s.len();
        if i % 16 == 0 {
            kept.push(v);
            let big = vec![0u8; 4096];
            total += black_box(big).len();
        }
        map.insert(i % 100, s);
    }
    total + kept.len() + map.len()
}

/// CPU-bound: integer mixing over a buffer, no allocation.
#[inline(never)]
pub fn cpu_heavy(buf: &[u64]) -> u64 {
    let mut acc = 0x9E37_79B9_7F4A_7C15u64;
    for _ in 0..8 {
        for &w in buf {
            acc ^= w;
            acc = acc.wrapping_mul(0xff51_afd7_ed55_8ccd).rotate_left(23);
        }
    }
    acc
}
