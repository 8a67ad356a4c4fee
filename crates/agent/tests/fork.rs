//! fork() while other threads hold the heap sampler's lock: the child has
//! only the forking thread, so a lock held by another thread at the fork
//! would never be released there, and the child's first sampled allocation
//! would spin forever. The sampler's fork handlers make the child's copy
//! usable. Every allocation is sampled here (rate 1), so the lock is held
//! most of the time.

use std::alloc::System;
use std::hint::black_box;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use proflens_agent::SamplingAllocator;

#[global_allocator]
static ALLOC: SamplingAllocator = SamplingAllocator::with_rate(System, 1);

#[inline(never)]
fn churn(stop: &AtomicBool) {
    let mut n = 0usize;
    while !stop.load(Ordering::Relaxed) {
        n = n.wrapping_add(1);
        black_box(vec![n as u8; 32 + n % 500]);
    }
}

/// Waits for `pid` for at most `limit`; its exit status, or None (killed).
fn wait_for(pid: libc::pid_t, limit: Duration) -> Option<i32> {
    let began = Instant::now();
    loop {
        let mut status = 0;
        // SAFETY: waitpid on our own child with a valid status pointer.
        let r = unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) };
        if r == pid {
            return libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status));
        }
        if began.elapsed() > limit {
            // SAFETY: kill and reap our own child.
            unsafe {
                libc::kill(pid, libc::SIGKILL);
                libc::waitpid(pid, &mut status, 0);
            }
            return None;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn a_child_forked_while_others_allocate_can_allocate() {
    let stop = Arc::new(AtomicBool::new(false));
    let workers: Vec<_> = (0..8)
        .map(|_| {
            let stop = stop.clone();
            std::thread::spawn(move || churn(&stop))
        })
        .collect();
    std::thread::sleep(Duration::from_millis(50));
    let mut failures = Vec::new();
    for round in 0..30 {
        // SAFETY: the child only allocates (through the sampler under
        // test), frees and calls _exit; it never returns into the harness.
        let pid = unsafe { libc::fork() };
        assert!(pid >= 0, "fork failed");
        if pid == 0 {
            let mut v: Vec<Vec<u8>> = Vec::new();
            for i in 0..200 {
                v.push(black_box(vec![i as u8; 64 + i]));
            }
            drop(black_box(v));
            // SAFETY: ends the child without running the parent's exit code.
            unsafe { libc::_exit(0) };
        }
        match wait_for(pid, Duration::from_secs(10)) {
            Some(0) => {}
            other => {
                failures.push(format!("round {round}: child {pid} ended with {other:?} (None: hung, killed)"))
            }
        }
    }
    stop.store(true, Ordering::Relaxed);
    for w in workers {
        w.join().unwrap();
    }
    assert!(failures.is_empty(), "{failures:#?}");
}
