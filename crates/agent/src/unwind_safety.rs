//! Where a signal handler may unwind the stack of the thread it
//! interrupted, shared by the CPU profiler and thread dumps.
//!
//! Unwinding from inside libc, the dynamic loader, libgcc's unwinder or the
//! vDSO is where signal-time unwinders are known to crash or deadlock: the
//! interrupted code may hold the loader's locks or be halfway through
//! updating the unwinder's caches (pprof-rs's advice, whose blocklist takes
//! the same library names). The heap sampler's own unwinder runs partly in
//! this crate's code, so it is recognized by a thread-local flag instead.
//!
//! One exception, for thread dumps: a thread blocked in a system call sits
//! in libc at the `syscall` instruction, holding nothing the unwinder needs;
//! nearly every idle thread is there, and its stack is the point of a dump.

/// Libraries a signal handler must not unwind from, as substrings of their
/// file names (the form pprof-rs's blocklist takes).
pub(crate) const UNSAFE_LIBRARIES: &[&str] =
    &["libc.so", "libc-2.", "libpthread", "ld-linux", "ld-musl", "libgcc_s", "vdso"];

/// Of those, the ones whose blocked system calls may be unwound from.
const SYSCALL_LIBRARIES: &[&str] = &["libc.so", "libc-2.", "libpthread", "ld-musl"];

/// Why a handler did not unwind, as a small code a handler can store.
pub(crate) const IN_SAMPLER: u8 = 1;
/// See [`IN_SAMPLER`].
pub(crate) const IN_UNSAFE_LIBRARY: u8 = 2;

/// The reason for a refusal code.
pub(crate) fn reason(code: u8) -> &'static str {
    match code {
        IN_SAMPLER => "interrupted inside the heap sampler's unwinder; not unwound",
        IN_UNSAFE_LIBRARY => "interrupted inside libc, the dynamic loader, libgcc or the vDSO; not unwound",
        _ => "not unwound",
    }
}

#[cfg(target_os = "linux")]
mod ranges {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

    use findshlibs::{Segment, SharedLibrary, TargetSharedLibrary};

    use super::{IN_SAMPLER, IN_UNSAFE_LIBRARY, SYSCALL_LIBRARIES, UNSAFE_LIBRARIES};

    const MAX_RANGES: usize = 64;

    /// The address ranges of the unsafe libraries' segments. Append-only
    /// (a library unloaded later only makes the check stricter), published
    /// through `COUNT`, so a handler reads them without a lock.
    static COUNT: AtomicUsize = AtomicUsize::new(0);
    static STARTS: [AtomicUsize; MAX_RANGES] = [const { AtomicUsize::new(0) }; MAX_RANGES];
    static ENDS: [AtomicUsize; MAX_RANGES] = [const { AtomicUsize::new(0) }; MAX_RANGES];
    static SYSCALL_OK: [AtomicBool; MAX_RANGES] = [const { AtomicBool::new(false) }; MAX_RANGES];

    /// Adds the ranges of libraries loaded since the last call. Not
    /// async-signal-safe (it allocates); one caller at a time (the thread
    /// dump holds its lock).
    pub(crate) fn refresh() {
        let mut found: Vec<(usize, usize, bool)> = Vec::new();
        TargetSharedLibrary::each(|lib| {
            let name = lib.name().to_string_lossy();
            if !UNSAFE_LIBRARIES.iter().any(|n| name.contains(n)) {
                return;
            }
            let syscall_ok = SYSCALL_LIBRARIES.iter().any(|n| name.contains(n));
            for seg in lib.segments() {
                let start = seg.actual_virtual_memory_address(lib).0;
                found.push((start, start.saturating_add(seg.len()), syscall_ok));
            }
        });
        let mut n = COUNT.load(Ordering::Acquire);
        for (start, end, syscall_ok) in found {
            let known = (0..n).any(|i| {
                STARTS[i].load(Ordering::Relaxed) == start && ENDS[i].load(Ordering::Relaxed) == end
            });
            if known || n >= MAX_RANGES {
                continue;
            }
            STARTS[n].store(start, Ordering::Relaxed);
            ENDS[n].store(end, Ordering::Relaxed);
            SYSCALL_OK[n].store(syscall_ok, Ordering::Relaxed);
            n += 1;
            COUNT.store(n, Ordering::Release);
        }
    }

    /// Whether `pc` is at a system call instruction, or just after one (the
    /// kernel rewinds the program counter onto the instruction when the
    /// call is to be restarted after the handler). `[start, end)` is the
    /// readable code range `pc` is in.
    #[allow(unused_variables)]
    fn at_syscall(pc: usize, start: usize, end: usize) -> bool {
        #[cfg(target_arch = "x86_64")]
        {
            // `syscall` is 0F 05.
            let is = |at: usize| {
                at >= start && at.saturating_add(2) <= end && {
                    // SAFETY: [at, at + 2) is inside a mapped segment of a
                    // loaded library's code.
                    let b = unsafe { std::ptr::read_volatile(at as *const [u8; 2]) };
                    b == [0x0f, 0x05]
                }
            };
            is(pc) || is(pc.wrapping_sub(2))
        }
        #[cfg(target_arch = "aarch64")]
        {
            // `svc #0` is D4000001.
            let is = |at: usize| {
                at >= start && at % 4 == 0 && at.saturating_add(4) <= end && {
                    // SAFETY: as above; aligned.
                    let w = unsafe { std::ptr::read_volatile(at as *const u32) };
                    w == 0xd400_0001
                }
            };
            is(pc) || is(pc.wrapping_sub(4))
        }
        #[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
        {
            false
        }
    }

    /// `None` when a handler that interrupted `pc` on this thread may
    /// unwind; else the refusal code. Async-signal-safe: atomics, one
    /// thread-local read, and reads of code bytes.
    pub(crate) fn refusal(pc: usize) -> Option<u8> {
        if crate::heap::in_sampler() {
            return Some(IN_SAMPLER);
        }
        let n = COUNT.load(Ordering::Acquire).min(MAX_RANGES);
        for i in 0..n {
            let (start, end) = (STARTS[i].load(Ordering::Relaxed), ENDS[i].load(Ordering::Relaxed));
            if pc >= start && pc < end {
                let ok = SYSCALL_OK[i].load(Ordering::Relaxed) && at_syscall(pc, start, end);
                return (!ok).then_some(IN_UNSAFE_LIBRARY);
            }
        }
        None
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn libc_is_unsafe_except_at_a_system_call() {
            refresh();
            // The entry of libc's qsort (no system call there), and a
            // function of this crate.
            let qsort = libc::qsort as *const () as usize;
            assert_eq!(refusal(qsort), Some(IN_UNSAFE_LIBRARY));
            assert_eq!(refusal(refusal as *const () as usize), None);
            #[cfg(target_arch = "x86_64")]
            {
                // The syscall instruction inside libc's `syscall` function.
                let f = libc::syscall as *const () as usize;
                let at = (f..f + 64)
                    .find(|&a| unsafe { std::ptr::read_volatile(a as *const [u8; 2]) } == [0x0f, 0x05])
                    .expect("a syscall instruction in syscall()");
                assert_eq!(refusal(at), None, "at the instruction (a restarted call)");
                assert_eq!(refusal(at + 2), None, "just after it (a blocked call)");
            }
        }
    }
}

#[cfg(target_os = "linux")]
pub(crate) use ranges::{refresh, refusal};
