//! Peak memory while decoding stays within a fixed multiple of the
//! decompressed size, whatever the input repeats: every repeated field of
//! the profile, flooded with its smallest elements (see
//! `proflens_tests::crafted::floods`), raw and gzipped.
//!
//! This binary counts every allocation with its own global allocator, so it
//! holds nothing else. Its two tests share the counters: they take turns
//! (`TURN`).

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};

use proflens_core::encode::{dense_ids, encode_profile, gzip};
use proflens_core::{decode, DecodeOptions, Error, Limits};
use proflens_tests::{crafted, fixture};
use prost::Message;

/// Counts live heap bytes and their peak.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(n: usize) {
    let live = LIVE.fetch_add(n, Ordering::Relaxed) + n;
    PEAK.fetch_max(live, Ordering::Relaxed);
}

// SAFETY: every call is forwarded to the system allocator unchanged; the
// counters are only bookkeeping.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            if new_size > layout.size() {
                // Growing: count the worst case, a move with the old and
                // the new block both live (wasm's allocator copies).
                grew(new_size);
                LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
            } else {
                // Shrinking happens in place.
                LIVE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Held by a test while it measures.
static TURN: Mutex<()> = Mutex::new(());

fn my_turn() -> MutexGuard<'static, ()> {
    TURN.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Peak heap bytes `f` allocated beyond what was live when it started.
fn peak_during(f: impl FnOnce()) -> usize {
    let base = LIVE.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    f();
    PEAK.load(Ordering::Relaxed).saturating_sub(base)
}

/// Slack for fixed costs: the gzip decoder's window and buffers, the
/// stream buffer, small tables.
const SLACK: usize = 512 << 10;

/// Decodes `bytes`, returning the peak heap and what came out.
fn measure(bytes: &[u8], options: &DecodeOptions) -> (usize, Result<usize, Error>) {
    let mut outcome = Ok(0);
    let peak = peak_during(|| outcome = decode(bytes, options).map(|p| p.samples.len()));
    (peak, outcome)
}

#[test]
fn decoding_memory_is_bounded_by_the_decompressed_size() {
    let _turn = my_turn();
    let k = Limits::MEMORY_FACTOR as usize;
    let mut inputs = crafted::floods(2 << 20);
    inputs.push(("value-count-flood", crafted::value_count_flood(1_000_000, 4000)));
    inputs
        .push(("long-repeated-stack", crafted::long_repeated_stack((1 << 20) + 10, (1 << 20) + 3).encode()));
    for name in ["go/heap2.pb.gz", "go/cpu.pb.gz", "pprof/large.cpu"] {
        let p = decode(&fixture(name), &DecodeOptions::default()).unwrap();
        let raw = encode_profile(&p, &dense_ids).encode_to_vec();
        inputs.push((name, raw));
    }
    let mut report = Vec::new();
    let mut failures = Vec::new();
    for (name, raw) in inputs {
        // Through gzip, the decoder streams: its buffers are a fixed cost,
        // checked on a few inputs (compressing in debug builds is slow).
        let mut encodings = vec![("raw", raw.clone())];
        if matches!(name, "labels-empty" | "sample-types" | "values-packed" | "pprof/large.cpu") {
            encodings.push(("gzip", gzip(&raw)));
        }
        for (encoding, bytes) in encodings {
            // Compacting the stacks is the same work whatever the encoding.
            let compact: &[bool] = if encoding == "raw" { &[false, true] } else { &[false] };
            for &compact_stacks in compact {
                let options = DecodeOptions { compact_stacks, ..DecodeOptions::default() };
                let (peak, outcome) = measure(&bytes, &options);
                let ratio = peak as f64 / raw.len() as f64;
                let outcome = match outcome {
                    Ok(samples) => format!("{samples} samples"),
                    Err(e) => e.to_string().chars().take(50).collect(),
                };
                report.push(format!(
                    "{name:>24} {encoding:>4} compact={compact_stacks:<5} {:>8} B: peak {:>10} B, {ratio:5.1}x ({outcome})",
                    raw.len(),
                    peak
                ));
                if peak > k * raw.len() + SLACK {
                    failures.push(format!("{name} ({encoding}, compact {compact_stacks}): {ratio:.1}x"));
                }
            }
        }
    }
    println!("{}", report.join("\n"));
    assert!(
        failures.is_empty(),
        "peak memory over {k}x the decompressed size: {failures:?}\n{}",
        report.join("\n")
    );
}

/// A small file that inflates to a flood bigger than `max_decoded_bytes`
/// is refused by that limit, before its tables grow past twice it.
#[test]
fn decoded_tables_stop_at_their_limit() {
    let _turn = my_turn();
    let budget = 4 << 20;
    let flood = |element: &[u8]| {
        let mut p = crafted::profile_head();
        p.repeat(element, (16 << 20) / element.len());
        p.0
    };
    let in_sample = |element: &[u8]| {
        let mut sample = crafted::Proto::default();
        sample.packed(1, [1]).packed(2, [1]).repeat(element, (16 << 20) / element.len());
        let mut p = crafted::profile_head();
        p.message(2, &sample);
        p.0
    };
    let cases = [
        ("sample types", flood(&[0x0a, 0x00])),
        ("strings", flood(&[0x32, 0x01, b'x'])),
        ("functions", flood(&[0x2a, 0x02, 0x08, 0x01])),
        ("labels in a sample", in_sample(&[0x1a, 0x02, 0x08, 0x01])),
        ("values in a sample", in_sample(&[0x10, 0x01])),
    ];
    for (name, raw) in cases {
        let bytes = gzip(&raw);
        let options = DecodeOptions {
            limits: Limits { max_decoded_bytes: budget, ..Limits::default() },
            ..DecodeOptions::default()
        };
        let (peak, outcome) = measure(&bytes, &options);
        let what = format!("{name}: {} bytes gzipped, {} raw, peak {peak}", bytes.len(), raw.len());
        match outcome {
            Err(Error::TooMany { what: "bytes of decoded tables", limit }) => {
                assert_eq!(limit, budget, "{what}")
            }
            other => panic!("{what}: {other:?}"),
        }
        assert!(peak < 2 * budget as usize + SLACK, "{what}");
    }
}
