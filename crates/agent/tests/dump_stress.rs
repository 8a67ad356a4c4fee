//! Thread dumps while eight threads allocate with every allocation sampled
//! (rate 1): the dump signal keeps landing inside the heap sampler's own
//! unwinder, the allocator and libc. The handler must not unwind from
//! there (it says so instead), and nothing may hang or crash: the whole run
//! has a deadline.

mod common;

use std::alloc::System;
use std::hint::black_box;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use common::get;
use proflens_agent::{Config, SamplingAllocator};

#[global_allocator]
static ALLOC: SamplingAllocator = SamplingAllocator::with_rate(System, 1);

/// Allocates and frees blocks of assorted sizes until `stop`.
#[inline(never)]
fn churn(stop: &AtomicBool) -> usize {
    let mut kept: Vec<Vec<u8>> = Vec::new();
    let mut n = 0usize;
    while !stop.load(Ordering::Relaxed) {
        n = n.wrapping_add(1);
        kept.push(black_box(vec![n as u8; 16 + (n * 37) % 2000]));
        if kept.len() > 64 {
            kept.swap_remove(n % 64);
        }
        black_box(format!("{n}"));
    }
    kept.len()
}

#[test]
fn dumps_in_a_loop_while_eight_threads_allocate_at_rate_1() {
    let stop = Arc::new(AtomicBool::new(false));
    let workers: Vec<_> = (0..8)
        .map(|i| {
            let stop = stop.clone();
            std::thread::Builder::new().name(format!("allocator-{i}")).spawn(move || churn(&stop)).unwrap()
        })
        .collect();
    let server = proflens_agent::serve_with("127.0.0.1:0", Config::default()).unwrap();
    let addr = server.local_addr();

    // The dumps run on a thread of their own so that a hang fails the test
    // at the deadline instead of hanging it.
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let began = Instant::now();
        let (mut dumps, mut skipped, mut stacks) = (0, 0, 0);
        while dumps < 15 || began.elapsed() < Duration::from_secs(3) {
            let r = get(addr, "/debug/pprof/threads?debug=2");
            assert_eq!(r.status, 200, "{}", r.text());
            let text = r.text();
            for t in text.split("\n\n").filter(|t| t.contains("\"allocator-")) {
                if t.contains("(no stack: interrupted") {
                    skipped += 1;
                } else if t.contains("churn") {
                    stacks += 1;
                }
            }
            assert_eq!(get(addr, "/debug/pprof/threads").status, 200);
            dumps += 1;
        }
        tx.send((dumps, skipped, stacks, began.elapsed())).unwrap();
    });
    let outcome = rx.recv_timeout(Duration::from_secs(120));
    stop.store(true, Ordering::Relaxed);
    let (dumps, skipped, stacks, took) = outcome.expect("the dumps did not finish within 120 s (a hang)");
    eprintln!(
        "{dumps} dumps in {took:?}: {stacks} allocator stacks, {skipped} left alone inside unsafe code"
    );
    for w in workers {
        w.join().unwrap();
    }
    // At rate 1 the allocators spend most of their time in the sampler:
    // some signals land there and are not unwound; others find a stack.
    assert!(skipped > 0, "no capture was refused inside the sampler: is the check on?");
    assert!(stacks > 0, "no allocator stack was captured");
    server.shutdown();
}
