//! The lock around the sampler's tables, and what keeps it usable across
//! fork().
//!
//! A spin lock rather than a mutex: its holders never block, allocate
//! through the global allocator or wait on anything, so it is always
//! released within a table update or a copy; and fork handlers can take it
//! and release it without a guard. fork() copies only the forking thread:
//! a lock another thread held at that moment would stay held forever in the
//! child, whose first sampled allocation would then spin forever. So the
//! `prepare` handler takes the lock (the tables are consistent while it is
//! held) and the `parent` and `child` handlers release it.

use std::cell::UnsafeCell;
use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicBool, Ordering};

/// A value behind a spin lock.
pub(crate) struct SpinLock<T> {
    locked: AtomicBool,
    value: UnsafeCell<T>,
}

// SAFETY: the value is only reached through a `Guard`, and at most one
// guard exists at a time (`locked`); sending `T` between threads is what
// sharing the lock amounts to.
unsafe impl<T: Send> Sync for SpinLock<T> {}

impl<T> SpinLock<T> {
    pub(crate) const fn new(value: T) -> Self {
        SpinLock { locked: AtomicBool::new(false), value: UnsafeCell::new(value) }
    }

    /// Takes the lock, spinning (and yielding now and then) while it is held.
    pub(crate) fn lock(&self) -> Guard<'_, T> {
        self.acquire();
        Guard { lock: self }
    }

    /// Takes the lock without a guard (fork's `prepare`).
    pub(crate) fn acquire(&self) {
        let mut spins = 0u32;
        while self.locked.compare_exchange_weak(false, true, Ordering::Acquire, Ordering::Relaxed).is_err() {
            spins = spins.wrapping_add(1);
            if spins % 64 == 0 {
                std::thread::yield_now();
            } else {
                std::hint::spin_loop();
            }
        }
    }

    /// Releases a lock taken with [`SpinLock::acquire`] (fork's `parent`
    /// and `child`).
    pub(crate) fn release(&self) {
        self.locked.store(false, Ordering::Release);
    }
}

/// Access to the value while the lock is held.
pub(crate) struct Guard<'a, T> {
    lock: &'a SpinLock<T>,
}

impl<T> Deref for Guard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: the guard holds the lock: no other reference exists.
        unsafe { &*self.lock.value.get() }
    }
}

impl<T> DerefMut for Guard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: as in `deref`, and `&mut self` makes this one exclusive.
        unsafe { &mut *self.lock.value.get() }
    }
}

impl<T> Drop for Guard<'_, T> {
    fn drop(&mut self) {
        self.lock.release();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excludes_and_releases() {
        static L: SpinLock<u64> = SpinLock::new(0);
        let threads: Vec<_> = (0..4)
            .map(|_| {
                std::thread::spawn(|| {
                    for _ in 0..10_000 {
                        *L.lock() += 1;
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(*L.lock(), 40_000);
        L.acquire();
        L.release();
        assert_eq!(*L.lock(), 40_000);
    }
}
