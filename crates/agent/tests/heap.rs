//! Heap profiles from the sampling allocator, installed as this test
//! binary's global allocator with a low mean rate (4 KiB) so that the
//! statistics are tight.
//!
//! Tolerance: a site that allocates n blocks of s bytes at rate r has about
//! n·p samples, p = 1 - exp(-s/r); the unbiased estimate of its bytes has a
//! relative standard error of sqrt((1-p)/(n·p)). For 4096 blocks of 1 KiB at
//! 4 KiB, p = 0.22 and the error is 2.9%; the tests allow ±15% (over 5
//! standard errors: a false failure about once in ten million runs).

mod common;

use std::alloc::System;
use std::hint::black_box;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common::{get, stack_names, sum_where};
use proflens_agent::SamplingAllocator;

const RATE: usize = 4096;

#[global_allocator]
static ALLOC: SamplingAllocator = SamplingAllocator::with_rate(System, RATE);

fn within(got: i64, want: i64, tolerance: f64) -> bool {
    (got as f64 - want as f64).abs() <= want as f64 * tolerance
}

/// The known allocation site: `n` blocks of 1 KiB.
#[inline(never)]
fn proflens_test_alloc_site(out: &mut Vec<Vec<u8>>, n: usize) {
    for i in 0..n {
        out.push(black_box(vec![i as u8; 1024]));
    }
}

#[test]
fn heap_shows_a_known_site_with_about_its_bytes() {
    let server = proflens_agent::serve("127.0.0.1:0").unwrap();
    let addr = server.local_addr();
    let n = 4096;
    let mut keep = Vec::with_capacity(n);
    proflens_test_alloc_site(&mut keep, n);

    let p = get(addr, "/debug/pprof/heap").profile();
    assert_eq!(p.sample_type_names(), vec!["alloc_objects", "alloc_space", "inuse_objects", "inuse_space"]);
    assert_eq!(p.str(p.default_sample_type), "inuse_space");
    let period = p.period_type.expect("a period type");
    assert_eq!((p.str(period.kind), p.str(period.unit), p.period), ("space", "bytes", RATE as i64));

    let want = (n * 1024) as i64;
    let inuse = sum_where(&p, "inuse_space", "proflens_test_alloc_site");
    let objects = sum_where(&p, "inuse_objects", "proflens_test_alloc_site");
    assert!(within(inuse, want, 0.15), "inuse_space {inuse}, want {want} ± 15%");
    assert!(within(objects, n as i64, 0.15), "inuse_objects {objects}, want {n} ± 15%");
    assert!(sum_where(&p, "alloc_space", "proflens_test_alloc_site") >= inuse);
    // The allocation is the site's own (flat), not vec!'s or the
    // allocator's: their frames are the profile's drop_frames.
    for i in 0..p.samples.len() {
        let names = stack_names(&p, i);
        if names.iter().any(|n| n.ends_with("proflens_test_alloc_site")) {
            assert_eq!(names[0], "heap::proflens_test_alloc_site", "{names:?}");
        }
    }

    // Freed: nothing in use at the site any more, the allocations remain.
    drop(keep);
    let p = get(addr, "/debug/pprof/heap").profile();
    assert_eq!(sum_where(&p, "inuse_space", "proflens_test_alloc_site"), 0);
    // The symbolizer's caches, built by the first profile, are not in it.
    assert_eq!(sum_where(&p, "alloc_space", "addr2line::"), 0);
    let alloc = sum_where(&p, "alloc_space", "proflens_test_alloc_site");
    assert!(within(alloc, want, 0.15), "alloc_space {alloc}, want {want} ± 15%");

    // allocs: the same data, alloc_space first.
    let p = get(addr, "/debug/pprof/allocs").profile();
    assert_eq!(p.str(p.default_sample_type), "alloc_space");
    assert!(within(sum_where(&p, "alloc_space", "proflens_test_alloc_site"), want, 0.15));

    // The text form, in Go's legacy layout.
    let text = get(addr, "/debug/pprof/heap?debug=1").text();
    assert!(text.starts_with("heap profile: "), "{}", &text[..200.min(text.len())]);
    assert!(text.contains(&format!("@ heap/{}", 2 * RATE)));
    assert!(text.contains("proflens_test_alloc_site"));
    server.shutdown();
}

#[inline(never)]
fn proflens_test_before_delta(out: &mut Vec<Vec<u8>>) {
    for _ in 0..512 {
        out.push(black_box(vec![7u8; 4096]));
    }
}

#[inline(never)]
fn proflens_test_during_delta() {
    drop(black_box(vec![1u8; 64 * 1024]));
}

#[test]
fn seconds_gives_a_delta_profile() {
    let server = proflens_agent::serve("127.0.0.1:0").unwrap();
    let addr = server.local_addr();
    let mut before = Vec::new();
    proflens_test_before_delta(&mut before);
    // Allocates at a known site from before the request until after it.
    let stop = Arc::new(AtomicBool::new(false));
    let stop2 = stop.clone();
    let churn = std::thread::spawn(move || {
        while !stop2.load(Ordering::Relaxed) {
            proflens_test_during_delta();
            std::thread::sleep(Duration::from_millis(2));
        }
    });
    let p = get(addr, "/debug/pprof/heap?seconds=2").profile();
    stop.store(true, Ordering::Relaxed);
    churn.join().unwrap();

    assert!(p.duration_nanos >= 2_000_000_000, "duration {}", p.duration_nanos);
    assert!(
        sum_where(&p, "alloc_space", "proflens_test_during_delta") > 0,
        "the window's allocations are there"
    );
    // Allocated before the window and unchanged since: not in the delta.
    assert_eq!(sum_where(&p, "alloc_space", "proflens_test_before_delta"), 0);
    assert_eq!(sum_where(&p, "inuse_space", "proflens_test_before_delta"), 0);
    // ...but in the full profile.
    let full = get(addr, "/debug/pprof/heap").profile();
    assert!(sum_where(&full, "inuse_space", "proflens_test_before_delta") > 0);

    let r = get(addr, "/debug/pprof/heap?seconds=1&debug=1");
    assert_eq!(r.status, 400);
    assert!(r.text().contains("cannot be used together"), "{}", r.text());
    drop(before);
    server.shutdown();
}

#[test]
fn no_deadlock_under_cross_thread_churn_while_serving() {
    let server = proflens_agent::serve("127.0.0.1:0").unwrap();
    let addr = server.local_addr();
    let stop = Arc::new(AtomicBool::new(false));
    let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<u8>>(256);
    let mut workers = Vec::new();
    for t in 0..2 {
        let (tx, stop) = (tx.clone(), stop.clone());
        workers.push(std::thread::spawn(move || {
            let mut i = 0usize;
            while !stop.load(Ordering::Relaxed) {
                let mut v = Vec::new();
                for k in 0..(16 + i % 200) {
                    v.push((k + t) as u8); // reallocs as it grows
                }
                let _ = tx.try_send(v); // freed on another thread
                i += 1;
                if i % 256 == 0 {
                    // Leave the server some CPU on a 2-core machine.
                    std::thread::sleep(Duration::from_micros(200));
                }
            }
        }));
    }
    drop(tx);
    let freer = std::thread::spawn(move || {
        for v in rx {
            drop(black_box(v))
        }
    });
    for _ in 0..3 {
        let p = get(addr, "/debug/pprof/heap").profile();
        assert!(!p.samples.is_empty());
        get(addr, "/debug/pprof/allocs?debug=1");
    }
    stop.store(true, Ordering::Relaxed);
    for w in workers {
        w.join().unwrap();
    }
    freer.join().unwrap();
    assert!(proflens_agent::heap::is_installed());
    assert_eq!(proflens_agent::heap::sample_rate(), RATE);
    server.shutdown();
}
