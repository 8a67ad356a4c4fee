//! The heap sampler's overhead, measured so that a shared, busy machine
//! does not decide the answer: `System` and `SamplingAllocator<System>`
//! run in the same process, behind one switch (both pay its branch),
//! alternating in short rounds, each timed in the thread's CPU time; the
//! overhead is the median of the rounds' ratios, so that whatever slows
//! the machine down for a while slows both sides of a round alike.
//!
//! `cargo bench -p proflens-agent --bench heap_overhead`
//!
//! Prints, for the sampler at 512 KiB (the default), at 4 KiB and with
//! sampling off: the median time of an `alloc_heavy` call on each side,
//! the median ratio and its interquartile range.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, Ordering};

use proflens_agent::SamplingAllocator;

#[path = "common/workload.rs"]
mod workload;

/// Which allocator serves: the sampler when set.
static SAMPLED: AtomicBool = AtomicBool::new(false);
static SAMPLER: SamplingAllocator = SamplingAllocator::system();

/// `System` or the sampler. The switch only flips between calls of the
/// workload, which free everything they allocate, so a block is freed by
/// the side that allocated it.
struct Switch;

// SAFETY: both sides are global allocators over `System`; each call is
// forwarded unchanged to one of them.
unsafe impl GlobalAlloc for Switch {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's guarantees.
        unsafe {
            if SAMPLED.load(Ordering::Relaxed) {
                SAMPLER.alloc(layout)
            } else {
                System.alloc(layout)
            }
        }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as above.
        unsafe {
            if SAMPLED.load(Ordering::Relaxed) {
                SAMPLER.alloc_zeroed(layout)
            } else {
                System.alloc_zeroed(layout)
            }
        }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as above; a block's origin does not matter to System.
        unsafe {
            if SAMPLED.load(Ordering::Relaxed) {
                SAMPLER.dealloc(ptr, layout)
            } else {
                System.dealloc(ptr, layout)
            }
        }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: as above.
        unsafe {
            if SAMPLED.load(Ordering::Relaxed) {
                SAMPLER.realloc(ptr, layout, new_size)
            } else {
                System.realloc(ptr, layout, new_size)
            }
        }
    }
}

#[global_allocator]
static ALLOC: Switch = Switch;

fn thread_nanos() -> u64 {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: clock_gettime writes one timespec, which `ts` is.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

/// Thread CPU time of `calls` calls of the workload on one side.
fn batch(sampled: bool, calls: u64, seed: &mut u64) -> u64 {
    SAMPLED.store(sampled, Ordering::Relaxed);
    let start = thread_nanos();
    for _ in 0..calls {
        *seed += 1;
        std::hint::black_box(workload::alloc_heavy(*seed));
    }
    let t = thread_nanos().saturating_sub(start);
    SAMPLED.store(false, Ordering::Relaxed);
    t
}

fn quartiles(mut v: Vec<f64>) -> (f64, f64, f64) {
    v.sort_by(|a, b| a.total_cmp(b));
    let at = |q: f64| v[((v.len() - 1) as f64 * q).round() as usize];
    (at(0.25), at(0.5), at(0.75))
}

fn measure(label: &str, rate: usize) {
    proflens_agent::heap::set_sample_rate(rate);
    let (rounds, calls) = (300, 20);
    let mut seed = 1u64;
    // Warm-up: both sides, caches and the sampler's tables.
    batch(false, 200, &mut seed);
    batch(true, 200, &mut seed);
    let (mut plain, mut sampled, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..rounds {
        // Alternate which side goes first.
        let (a, b) = if round % 2 == 0 {
            let a = batch(false, calls, &mut seed);
            (a, batch(true, calls, &mut seed))
        } else {
            let b = batch(true, calls, &mut seed);
            (batch(false, calls, &mut seed), b)
        };
        plain.push(a as f64 / calls as f64);
        sampled.push(b as f64 / calls as f64);
        ratios.push(b as f64 / a as f64);
    }
    let (_, p, _) = quartiles(plain);
    let (_, s, _) = quartiles(sampled);
    let (q1, m, q3) = quartiles(ratios);
    println!(
        "{label:<22} System {:>7.1} µs   sampler {:>7.1} µs   overhead {:+.1}% (interquartile {:+.1}% to {:+.1}%)",
        p / 1e3,
        s / 1e3,
        (m - 1.0) * 100.0,
        (q1 - 1.0) * 100.0,
        (q3 - 1.0) * 100.0
    );
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --benches` does not run this.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    println!("alloc_heavy: about 2,100 allocations and 1.2 MB per call; {} rounds of 20 calls a side", 300);
    measure("sampled at 512 KiB", proflens_agent::heap::DEFAULT_SAMPLE_RATE);
    measure("sampled at 4 KiB", 4096);
    measure("sampling off", 0);
}
