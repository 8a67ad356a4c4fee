//! Heap profiling: a sampling global allocator.
//!
//! [`SamplingAllocator`] wraps any [`GlobalAlloc`] (the system allocator by
//! default, or jemalloc, mimalloc, ...). Each thread counts down the bytes it
//! allocates from an exponentially distributed draw with the sampling rate as
//! its mean, as Go's `MemProfileRate` sampling does; the allocation during
//! which the count crosses zero is sampled, so an allocation of `s` bytes is
//! sampled with probability `1 - exp(-s/rate)`, and profiles scale each
//! sample back by the inverse of that probability (Go's unbiasing).
//!
//! Cost when an allocation is not sampled: one thread-local subtraction and
//! compare on `alloc`, before a tail call to the inner allocator; on
//! `dealloc`, a hash of the address's 64 KiB region and one relaxed load
//! from a 4 KiB bitmap that says whether a live sampled allocation may be
//! in that region, and only then the same for the address itself in a
//! 128 KiB bitmap. A sampled allocation records its stack's return
//! addresses from the allocator's entry point on (no symbolization, no
//! allocation) and takes a lock for the table insert; symbols are resolved
//! only when a profile is served.
//!
//! The allocator guards against re-entrance (a thread already inside the
//! sampler allocates unsampled), never allocates through the global
//! allocator while holding its lock (the tables live in memory from
//! [`System`]), and never panics.

mod lock;
pub(crate) mod profile;
pub(crate) mod tables;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};

use lock::{Guard, SpinLock};
use tables::{coarse_maybe, filter_maybe, filter_slot, Bucket, StackRec, Tables, MAX_DEPTH};

/// The default mean sampling interval: one sample per 512 KiB allocated, as
/// Go's default `MemProfileRate`.
pub const DEFAULT_SAMPLE_RATE: usize = 512 * 1024;

/// How often (in bytes) a thread rechecks the rate while sampling is off.
const OFF_RECHECK: i64 = 1 << 20;

const RATE_UNSET: usize = usize::MAX;

static RATE: AtomicUsize = AtomicUsize::new(RATE_UNSET);
static INSTALLED: AtomicBool = AtomicBool::new(false);
static SEED: AtomicU64 = AtomicU64::new(0x2545_F491_4F6C_DD1D);
static TABLES: SpinLock<Tables> = SpinLock::new(Tables::new());

struct Local {
    /// Bytes left before the next sample; at or below zero the next
    /// allocation takes the slow path.
    left: Cell<i64>,
    /// xorshift state; 0 until the thread's first slow path.
    rng: Cell<u64>,
    /// Set while this thread is inside the sampler.
    busy: Cell<bool>,
    /// Set while the agent itself works on this thread (symbolization):
    /// its allocations are not sampled, its frees are still recorded.
    quiet: Cell<bool>,
    /// Whether the thread's name was checked (at its first sample).
    named: Cell<bool>,
}

thread_local! {
    // Const-initialized and without a destructor: no lazy registration, no
    // allocation, and usable at any point of a thread's life.
    static LOCAL: Local = const {
        Local {
            left: Cell::new(0),
            rng: Cell::new(0),
            busy: Cell::new(false),
            quiet: Cell::new(false),
            named: Cell::new(false),
        }
    };
}

/// A global allocator that samples allocations for heap profiles.
///
/// ```no_run
/// #[global_allocator]
/// static ALLOC: proflens_agent::SamplingAllocator = proflens_agent::SamplingAllocator::system();
/// ```
///
/// To sample another allocator, wrap it: `SamplingAllocator::new(Jemalloc)`.
/// The mean sampling interval is [`DEFAULT_SAMPLE_RATE`] unless set with
/// [`SamplingAllocator::with_rate`] or, at run time, [`set_sample_rate`].
#[derive(Debug, Default)]
pub struct SamplingAllocator<A = System> {
    inner: A,
    rate: usize,
}

impl SamplingAllocator<System> {
    /// Samples the system allocator at the default rate.
    pub const fn system() -> Self {
        SamplingAllocator { inner: System, rate: DEFAULT_SAMPLE_RATE }
    }
}

impl<A> SamplingAllocator<A> {
    /// Samples `inner` at the default rate.
    pub const fn new(inner: A) -> Self {
        SamplingAllocator { inner, rate: DEFAULT_SAMPLE_RATE }
    }

    /// Samples `inner` with a mean of one sample per `rate` bytes allocated
    /// (0 turns sampling off, 1 records every allocation).
    pub const fn with_rate(inner: A, rate: usize) -> Self {
        SamplingAllocator { inner, rate }
    }

    /// The wrapped allocator.
    pub fn inner(&self) -> &A {
        &self.inner
    }
}

/// Changes the mean sampling interval at run time (0 turns sampling off).
/// Threads pick the new rate up at their next sample (or within 1 MiB of
/// allocation when sampling was off). Profiles are unbiased with the rate in
/// force when they are taken, so set it once, early, as with Go's
/// `runtime.MemProfileRate`.
pub fn set_sample_rate(bytes: usize) {
    RATE.store(if bytes == RATE_UNSET { RATE_UNSET - 1 } else { bytes }, Ordering::Relaxed);
}

/// The mean sampling interval in force (0: off).
pub fn sample_rate() -> usize {
    match RATE.load(Ordering::Relaxed) {
        RATE_UNSET => DEFAULT_SAMPLE_RATE,
        r => r,
    }
}

/// Whether a [`SamplingAllocator`] is the global allocator (it has seen an
/// allocation).
pub fn is_installed() -> bool {
    INSTALLED.load(Ordering::Relaxed)
}

/// Runs `f` without sampling this thread's allocations: the agent's own
/// memory (the symbolizer's debug-info caches, tens of MB for a large
/// binary) stays out of the profiles it serves, as Go's runtime keeps its
/// own out of Go's.
pub(crate) fn unsampled<R>(f: impl FnOnce() -> R) -> R {
    let was = LOCAL.try_with(|l| l.quiet.replace(true)).unwrap_or(true);
    let r = f();
    if !was {
        let _ = LOCAL.try_with(|l| l.quiet.set(false));
    }
    r
}

/// Whether this thread is inside the sampler now (its unwinder, or holding
/// the table lock). Async-signal-safe: one thread-local read. A signal
/// handler that finds it set must not unwind this thread's stack.
pub(crate) fn in_sampler() -> bool {
    LOCAL.try_with(|l| l.busy.get()).unwrap_or(true)
}

/// Runs `f` on the tables with this thread marked busy, so that anything
/// the thread does meanwhile (an allocation, a free, a signal handler that
/// allocates) skips the sampler instead of coming back for the lock it
/// holds. `None` when the thread is already inside the sampler.
fn with_tables<R>(f: impl FnOnce(&mut Tables) -> R) -> Option<R> {
    LOCAL
        .try_with(|l| {
            if l.busy.replace(true) {
                return None;
            }
            let r = f(&mut lock_tables());
            l.busy.set(false);
            Some(r)
        })
        .ok()
        .flatten()
}

fn lock_tables() -> Guard<'static, Tables> {
    TABLES.lock()
}

/// fork() handlers (see `lock.rs`): the table lock is held across fork, so
/// that the child's copy of the tables is consistent and its lock free.
#[cfg(unix)]
mod fork {
    use super::{LOCAL, TABLES};
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Once;

    static INSTALL: Once = Once::new();
    /// Whether `prepare` took the lock (not when the forking thread was
    /// inside the sampler, which holds it already or is about to).
    static HELD: AtomicBool = AtomicBool::new(false);

    /// Registers the handlers, once. glibc serializes fork handlers of
    /// concurrent forks, so the statics above belong to one fork at a time.
    pub(super) fn install() {
        INSTALL.call_once(|| {
            // SAFETY: registers three extern "C" functions without
            // arguments that only touch atomics and this thread's LOCAL.
            unsafe { libc::pthread_atfork(Some(prepare), Some(release), Some(release)) };
        });
    }

    extern "C" fn prepare() {
        // Busy while the lock is held, so that an allocation on this thread
        // during fork skips the sampler instead of waiting for the lock.
        let was_busy = LOCAL.try_with(|l| l.busy.replace(true)).unwrap_or(true);
        if !was_busy {
            TABLES.acquire();
            HELD.store(true, Ordering::Relaxed);
        }
    }

    /// The `parent` and `child` handler.
    extern "C" fn release() {
        if HELD.swap(false, Ordering::Relaxed) {
            TABLES.release();
            let _ = LOCAL.try_with(|l| l.busy.set(false));
        }
    }
}

impl<A> SamplingAllocator<A> {
    /// Counts `size` bytes down; true when the count crossed zero and the
    /// allocation goes through `slow_alloc`. Done before the allocation, so
    /// that the common case ends with a tail call to the inner allocator.
    #[inline(always)]
    fn count_down(&self, size: usize) -> bool {
        LOCAL
            .try_with(|l| {
                let left = l.left.get().saturating_sub(size as i64);
                l.left.set(left);
                left <= 0
            })
            .unwrap_or(false)
    }

    #[cold]
    #[inline(never)]
    fn slow_alloc(&self, ptr: *mut u8, size: usize) {
        let _ = LOCAL.try_with(|l| {
            if l.busy.get() || l.quiet.get() {
                return;
            }
            if !INSTALLED.load(Ordering::Relaxed) {
                INSTALLED.store(true, Ordering::Relaxed);
                // glibc's pthread_atfork allocates with its own malloc,
                // not through this allocator.
                #[cfg(unix)]
                fork::install();
            }
            if !l.named.replace(true) && is_agent_thread() {
                // The built-in server's thread, from its very start; its
                // allocations take the fast path from now on.
                l.quiet.set(true);
                l.left.set(i64::MAX);
                return;
            }
            let rate = current_rate(self.rate);
            if rate == 0 {
                l.left.set(OFF_RECHECK);
                return;
            }
            l.busy.set(true);
            if l.rng.get() == 0 {
                // The thread's first countdown starts at this allocation.
                seed(l);
                let first = next_interval(l, rate);
                if first > size as i64 {
                    l.left.set(first - size as i64);
                    l.busy.set(false);
                    return;
                }
            }
            sample(ptr as usize, size, Self::slow_alloc as fn(&Self, *mut u8, usize) as usize);
            l.left.set(next_interval(l, rate));
            l.busy.set(false);
        });
    }

    #[inline(always)]
    fn before_free(&self, ptr: *mut u8) -> Option<u32> {
        // The coarse filter (4 KiB, stays in cache) first, then the fine one.
        if coarse_maybe(ptr as usize) && filter_maybe(filter_slot(ptr as usize)) {
            free_slow(ptr as usize)
        } else {
            None
        }
    }
}

/// The name of the built-in server's thread (see `server.rs`).
pub(crate) const AGENT_THREAD: &str = "proflens-agent";

/// Whether this thread is the built-in server's: its allocations are the
/// agent's. One system call, no allocation (it runs inside the sampler).
fn is_agent_thread() -> bool {
    #[cfg(target_os = "linux")]
    {
        let mut name = [0u8; 16];
        // SAFETY: PR_GET_NAME writes at most 16 bytes (NUL-terminated) into
        // the buffer it is given.
        let ok = unsafe { libc::prctl(libc::PR_GET_NAME, name.as_mut_ptr()) } == 0;
        let len = name.iter().position(|&b| b == 0).unwrap_or(name.len());
        ok && name.get(..len) == Some(AGENT_THREAD.as_bytes())
    }
    #[cfg(not(target_os = "linux"))]
    {
        false
    }
}

fn current_rate(own: usize) -> usize {
    match RATE.load(Ordering::Relaxed) {
        RATE_UNSET => {
            let _ = RATE.compare_exchange(RATE_UNSET, own, Ordering::Relaxed, Ordering::Relaxed);
            match RATE.load(Ordering::Relaxed) {
                RATE_UNSET => own,
                r => r,
            }
        }
        r => r,
    }
}

fn seed(l: &Local) {
    let mut x = SEED.fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed) ^ (l as *const Local as u64);
    // splitmix64 finalizer
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^= x >> 31;
    l.rng.set(if x == 0 { 1 } else { x });
}

/// An exponential draw with mean `rate`, in bytes (at least 1).
fn next_interval(l: &Local, rate: usize) -> i64 {
    let mut x = l.rng.get();
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    l.rng.set(x);
    if rate <= 1 {
        return 1;
    }
    // u in (0, 1]
    let u = ((x >> 11) as f64 + 1.0) * (1.0 / (1u64 << 53) as f64);
    let v = -u.ln() * rate as f64;
    if v >= (i64::MAX / 2) as f64 {
        i64::MAX / 2
    } else if v < 1.0 {
        1
    } else {
        v as i64
    }
}

/// Frames the sampler's own code may put below its entry point: the
/// unwinder, `capture`, `sample`, the thread-local access, `slow_alloc`.
const MAX_OWN_FRAMES: usize = 32;

/// The return address inside `slow_alloc` found by the last capture, and
/// that `slow_alloc`'s address: every sample passes through the same call
/// in `slow_alloc`, so after the first capture the frame is recognized by
/// its address alone, without asking the unwinder for its function.
static SLOW_ALLOC_RETURN: [AtomicUsize; 2] = [AtomicUsize::new(0), AtomicUsize::new(0)];

/// Whether `frame` is `slow_alloc`'s (whose entry is `slow_alloc`).
fn is_slow_alloc_frame(frame: &backtrace::Frame, slow_alloc: usize) -> bool {
    let ip = frame.ip() as usize;
    if SLOW_ALLOC_RETURN[0].load(Ordering::Relaxed) == slow_alloc
        && SLOW_ALLOC_RETURN[1].load(Ordering::Relaxed) == ip
    {
        return true;
    }
    // `_Unwind_FindEnclosingFunction`: the unwinder's own lookup.
    if frame.symbol_address() as usize != slow_alloc {
        return false;
    }
    SLOW_ALLOC_RETURN[1].store(ip, Ordering::Relaxed);
    SLOW_ALLOC_RETURN[0].store(slow_alloc, Ordering::Relaxed);
    true
}

/// Records the return addresses of the program's stack, from the
/// allocator's entry point (the `GlobalAlloc` method that called
/// `slow_alloc`, whose address is `slow_alloc`) to the root. The sampler's
/// own frames are recognized by the function they are in, so no
/// symbolization is needed, and they take no room in the tables. No
/// allocation: the frames go into fixed arrays.
#[inline(never)]
fn capture(ips: &mut [usize; MAX_DEPTH], slow_alloc: usize) -> usize {
    let mut all = [0usize; MAX_DEPTH + MAX_OWN_FRAMES];
    let mut n = 0;
    // Index in `all` of the first frame above `slow_alloc`'s.
    let mut from = None;
    // SAFETY: `trace_unsynchronized` is unsafe because some platform
    // unwinders are not thread-safe. On the platforms this crate samples
    // (Linux and other Unix with the system unwinder, libgcc/libunwind),
    // `_Unwind_Backtrace` is thread-safe; the synchronized `trace` would
    // take a lock that symbolization holds for long stretches, and allocate.
    unsafe {
        backtrace::trace_unsynchronized(|frame| {
            // ip 0 marks the end of the stack.
            if frame.ip().is_null() {
                return false;
            }
            if from.is_none() && n < MAX_OWN_FRAMES && is_slow_alloc_frame(frame, slow_alloc) {
                from = Some(n + 1);
            }
            match all.get_mut(n) {
                Some(slot) => {
                    *slot = frame.ip() as usize;
                    n += 1;
                    true
                }
                None => false,
            }
        })
    };
    // Without the marker (an unwinder that cannot tell functions apart),
    // the whole stack is kept and profiles cut it by name.
    let kept = all.get(from.unwrap_or(0)..n).unwrap_or(&[]);
    let len = kept.len().min(MAX_DEPTH);
    if let (Some(to), Some(from)) = (ips.get_mut(..len), kept.get(..len)) {
        to.copy_from_slice(from);
    }
    len
}

/// Records a sampled allocation; the thread is marked busy by the caller.
#[inline(never)]
fn sample(ptr: usize, size: usize, slow_alloc: usize) {
    let mut ips = [0usize; MAX_DEPTH];
    let n = capture(&mut ips, slow_alloc);
    let stack = ips.get(..n).unwrap_or(&[]);
    // The caller has marked the thread busy (see `with_tables`).
    lock_tables().record_alloc(ptr, size, stack);
}

#[cold]
#[inline(never)]
fn free_slow(ptr: usize) -> Option<u32> {
    with_tables(|t| t.record_free(ptr)).flatten()
}

// SAFETY: every method forwards to `inner` with the caller's arguments and
// returns its result unchanged; the bookkeeping around it never touches the
// memory handed out, never allocates through the global allocator while the
// table lock is held, and skips sampling when re-entered on the same thread.
unsafe impl<A: GlobalAlloc> GlobalAlloc for SamplingAllocator<A> {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if !self.count_down(layout.size()) {
            // SAFETY: the caller's guarantees for `layout` are passed on.
            return unsafe { self.inner.alloc(layout) };
        }
        // SAFETY: as above.
        let p = unsafe { self.inner.alloc(layout) };
        if !p.is_null() {
            self.slow_alloc(p, layout.size());
        }
        p
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if !self.count_down(layout.size()) {
            // SAFETY: as for `alloc`.
            return unsafe { self.inner.alloc_zeroed(layout) };
        }
        // SAFETY: as for `alloc`.
        let p = unsafe { self.inner.alloc_zeroed(layout) };
        if !p.is_null() {
            self.slow_alloc(p, layout.size());
        }
        p
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // The record goes before the block: once freed, the address can be
        // handed out (and sampled) again by another thread.
        self.before_free(ptr);
        // SAFETY: the caller guarantees `ptr` came from this allocator (so
        // from `inner`) with `layout`.
        unsafe { self.inner.dealloc(ptr, layout) }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let old = self.before_free(ptr);
        // SAFETY: the caller's guarantees for `ptr`, `layout` and `new_size`
        // are passed on.
        let p = unsafe { self.inner.realloc(ptr, layout, new_size) };
        if p.is_null() {
            // The old block is still live: put its record back.
            if let Some(bucket) = old {
                with_tables(|t| t.undo_free(ptr as usize, bucket));
            }
        } else if self.count_down(new_size) {
            self.slow_alloc(p, new_size);
        }
        p
    }
}

/// A copy of the tables, taken under the lock.
pub(crate) struct Snapshot {
    pub frames: Vec<usize>,
    pub stacks: Vec<StackRec>,
    pub buckets: Vec<Bucket>,
    pub rate: usize,
    pub dropped: u64,
    pub live: usize,
}

impl Snapshot {
    /// The return addresses of bucket `b`'s stack, leaf first.
    pub(crate) fn stack(&self, b: &Bucket) -> &[usize] {
        let Some(s) = self.stacks.get(b.stack as usize) else { return &[] };
        let start = s.start as usize;
        self.frames.get(start..start + s.len as usize).unwrap_or(&[])
    }
}

/// Copies the tables. The lock is held only for the copy: the vectors are
/// sized beforehand (nothing is allocated under the lock, where a sampled
/// allocation on this thread would deadlock), and resized if the tables grew
/// in between.
pub(crate) fn snapshot() -> Snapshot {
    let sizes = |t: &mut Tables| (t.frames.len(), t.stacks.len(), t.buckets.len());
    let mut want = with_tables(sizes).unwrap_or_default();
    loop {
        let mut frames = Vec::with_capacity(want.0 + 4096);
        let mut stacks = Vec::with_capacity(want.1 + 256);
        let mut buckets = Vec::with_capacity(want.2 + 256);
        let copied = with_tables(|t| {
            let now = sizes(t);
            if now.0 > frames.capacity() || now.1 > stacks.capacity() || now.2 > buckets.capacity() {
                return Err(now);
            }
            // Within capacity: these copies do not allocate.
            frames.extend_from_slice(t.frames.as_slice());
            stacks.extend_from_slice(t.stacks.as_slice());
            buckets.extend_from_slice(t.buckets.as_slice());
            Ok((t.dropped, t.live_count()))
        });
        match copied {
            Some(Ok((dropped, live))) => {
                return Snapshot { frames, stacks, buckets, rate: sample_rate(), dropped, live }
            }
            Some(Err(now)) => want = now,
            // Only reachable from inside the sampler itself.
            None => return Snapshot { frames, stacks, buckets, rate: sample_rate(), dropped: 0, live: 0 },
        }
    }
}

/// The number of (stack, size) records, for the index page.
pub(crate) fn record_count() -> usize {
    with_tables(|t| t.buckets.len()).unwrap_or(0)
}
