//! Every OS thread of the process with its name and current stack: the
//! goroutine dump for a Rust process (Linux).
//!
//! Threads are listed from /proc/self/task. Each is sent a real-time signal
//! in turn, carrying the capture's generation number (rt_tgsigqueueinfo);
//! its handler, running on that thread, claims the static slot only if the
//! slot waits for this thread and this generation, records the stack's
//! addresses with the unwinder (no allocation, no lock) and marks the slot
//! done. A signal that arrives late (after its capture gave up) finds
//! another generation and leaves the slot alone; a handler still writing
//! when its capture gives up keeps the slot until it is done, so it never
//! writes into the next capture.
//!
//! The handler does not unwind when it interrupted the heap sampler's
//! unwinder, or code in libc, the dynamic loader, libgcc or the vDSO other
//! than a blocked system call (see `unwind_safety.rs`); the capture is then
//! tried again a few times, and the thread is listed with the reason if it
//! is still there. The requester waits with a timeout, so a thread that
//! cannot run the handler (blocked signal, stopped, stuck in the kernel)
//! delays the dump by at most the timeout and is listed without a stack.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use proflens_profile::encode::LabelSpec;

use crate::heap::profile::write_frames;
use crate::symbols::hygiene::is_signal_plumbing;
use crate::symbols::{location_addresses, Pcs, StackWriter, Symbolizer};

/// One thread and, when captured, its stack (location addresses, leaf first).
#[derive(Clone, Debug)]
pub(crate) struct Thread {
    pub tid: i32,
    pub name: String,
    pub state: String,
    pub stack: Result<Vec<usize>, &'static str>,
}

/// The signal used when the configuration names none: SIGRTMIN + 6.
pub(crate) fn default_signal() -> i32 {
    #[cfg(target_os = "linux")]
    {
        libc::SIGRTMIN() + 6
    }
    #[cfg(not(target_os = "linux"))]
    {
        0
    }
}

/// The number of threads, for the index page.
pub(crate) fn count() -> usize {
    std::fs::read_dir("/proc/self/task").map(|d| d.count()).unwrap_or(0)
}

/// Captures every thread's stack.
pub(crate) fn dump(signal: i32) -> Result<Vec<Thread>, String> {
    imp::dump(signal)
}

#[cfg(target_os = "linux")]
mod imp {
    use super::Thread;
    use crate::unwind_safety;
    use std::sync::atomic::{AtomicU32, AtomicU64, AtomicU8, AtomicUsize, Ordering};
    use std::sync::{Mutex, PoisonError};
    use std::time::{Duration, Instant};

    const MAX_FRAMES: usize = 128;

    // Slot states.
    const REQUESTED: u64 = 1;
    const WRITING: u64 = 2;
    const DONE: u64 = 3;
    /// The handler would not unwind there; the reason is in `REFUSAL`.
    const REFUSED: u64 = 4;
    /// The requester gave up while the handler was writing: the slot is
    /// the handler's until it is done.
    const ABANDONED: u64 = 5;

    /// The slot's word: generation (24 bits), state (8), thread id (32), so
    /// that the handler's claim checks all three at once. 0 is idle.
    static SLOT: AtomicU64 = AtomicU64::new(0);
    static GENERATION: AtomicU32 = AtomicU32::new(0);
    static LEN: AtomicUsize = AtomicUsize::new(0);
    static LEAF: AtomicUsize = AtomicUsize::new(0);
    static REFUSAL: AtomicU8 = AtomicU8::new(0);
    static IPS: [AtomicUsize; MAX_FRAMES] = [const { AtomicUsize::new(0) }; MAX_FRAMES];

    /// One dump at a time; also guards handler installation.
    static DUMP: Mutex<Vec<i32>> = Mutex::new(Vec::new());

    const GENERATION_MASK: u32 = (1 << 24) - 1;

    fn word(generation: u32, state: u64, tid: i32) -> u64 {
        (u64::from(generation & GENERATION_MASK) << 40) | (state << 32) | u64::from(tid as u32)
    }

    fn next_generation() -> u32 {
        loop {
            let g = GENERATION.fetch_add(1, Ordering::Relaxed).wrapping_add(1) & GENERATION_MASK;
            if g != 0 {
                return g;
            }
        }
    }

    fn gettid() -> i32 {
        // SAFETY: SYS_gettid takes no arguments and cannot fail.
        unsafe { libc::syscall(libc::SYS_gettid) as i32 }
    }

    /// The interrupted program counter.
    #[allow(unused_variables)]
    fn interrupted_pc(ucontext: *mut libc::c_void) -> usize {
        if ucontext.is_null() {
            return 0;
        }
        #[cfg(target_arch = "x86_64")]
        {
            let uc = ucontext as *const libc::ucontext_t;
            // SAFETY: the kernel passes a valid ucontext_t to an SA_SIGINFO
            // handler; it lives on this thread's stack for the handler's run.
            unsafe { (*uc).uc_mcontext.gregs[libc::REG_RIP as usize] as usize }
        }
        #[cfg(target_arch = "aarch64")]
        {
            let uc = ucontext as *const libc::ucontext_t;
            // SAFETY: as above.
            unsafe { (*uc).uc_mcontext.pc as usize }
        }
        #[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
        {
            0
        }
    }

    /// The generation a signal carries: sent by this process with
    /// `SI_QUEUE`. `None` for any other signal (another sender).
    fn signal_generation(info: *mut libc::siginfo_t) -> Option<u32> {
        if info.is_null() {
            return None;
        }
        // SAFETY: the kernel passes a valid siginfo_t to an SA_SIGINFO
        // handler; for SI_QUEUE its pid and value fields are the ones set.
        unsafe {
            if (*info).si_code != libc::SI_QUEUE || (*info).si_pid() != libc::getpid() {
                return None;
            }
            Some(((*info).si_value().sival_ptr as usize as u32) & GENERATION_MASK)
        }
    }

    /// The state the handler leaves: DONE or REFUSED, unless the requester
    /// abandoned the capture meanwhile, in which case the slot is released.
    fn finish(generation: u32, me: i32, state: u64) {
        let writing = word(generation, WRITING, me);
        if SLOT
            .compare_exchange(writing, word(generation, state, me), Ordering::Release, Ordering::Relaxed)
            .is_err()
        {
            let _ = SLOT.compare_exchange(
                word(generation, ABANDONED, me),
                0,
                Ordering::Release,
                Ordering::Relaxed,
            );
        }
    }

    /// The signal handler. Async-signal-safe: atomics, gettid, getpid, one
    /// thread-local read, and the unwinder (which neither allocates nor
    /// locks with glibc's `_dl_find_object`) where it is safe to run;
    /// errno is preserved.
    extern "C" fn on_signal(_sig: libc::c_int, info: *mut libc::siginfo_t, ucontext: *mut libc::c_void) {
        // SAFETY: __errno_location returns this thread's errno slot.
        let errno = unsafe { *libc::__errno_location() };
        let me = gettid();
        if let Some(generation) = signal_generation(info) {
            let claim = SLOT.compare_exchange(
                word(generation, REQUESTED, me),
                word(generation, WRITING, me),
                Ordering::AcqRel,
                Ordering::Relaxed,
            );
            if claim.is_ok() {
                let pc = interrupted_pc(ucontext);
                LEAF.store(pc, Ordering::Relaxed);
                if let Some(code) = unwind_safety::refusal(pc) {
                    REFUSAL.store(code, Ordering::Relaxed);
                    finish(generation, me, REFUSED);
                } else {
                    let mut n = 0;
                    // SAFETY: the system unwinder is thread-safe (see
                    // heap::capture) and this is not inside it (checked
                    // above); the closure only stores into atomics.
                    unsafe {
                        backtrace::trace_unsynchronized(|frame| match IPS.get(n) {
                            Some(slot) => {
                                slot.store(frame.ip() as usize, Ordering::Relaxed);
                                n += 1;
                                true
                            }
                            None => false,
                        })
                    };
                    LEN.store(n, Ordering::Relaxed);
                    finish(generation, me, DONE);
                }
            }
        }
        // SAFETY: as above.
        unsafe { *libc::__errno_location() = errno };
    }

    /// The bytes of a `siginfo_t` after the `_rt` fields.
    const INFO_REST: usize =
        128 - 3 * 4 - 4 * (cfg!(target_pointer_width = "64") as usize) - 8 - std::mem::size_of::<usize>();

    /// The `siginfo_t` of a queued signal as the kernel lays it out: 128
    /// bytes, the `_rt` fields (pid, uid, value) after the header, which is
    /// padded to 16 bytes on 64-bit targets.
    #[repr(C)]
    struct QueuedInfo {
        signo: libc::c_int,
        errno: libc::c_int,
        code: libc::c_int,
        #[cfg(target_pointer_width = "64")]
        _pad: libc::c_int,
        pid: libc::pid_t,
        uid: libc::uid_t,
        value: usize,
        _rest: [u8; INFO_REST],
    }

    /// Sends `signal` to thread `tid` with `generation` as its value.
    fn send(tid: i32, signal: i32, generation: u32) -> bool {
        // SAFETY: getpid and getuid cannot fail.
        let (pid, uid) = unsafe { (libc::getpid(), libc::getuid()) };
        let info = QueuedInfo {
            signo: signal,
            errno: 0,
            code: libc::SI_QUEUE,
            #[cfg(target_pointer_width = "64")]
            _pad: 0,
            pid,
            uid,
            value: generation as usize,
            _rest: [0; INFO_REST],
        };
        // SAFETY: rt_tgsigqueueinfo reads a siginfo_t (128 bytes, laid out
        // above) and queues `signal`, whose handler is installed, to one
        // thread of this process.
        let r = unsafe {
            libc::syscall(libc::SYS_rt_tgsigqueueinfo, pid, tid, signal, &info as *const QueuedInfo)
        };
        r == 0
    }

    fn install(signal: i32, installed: &mut Vec<i32>) -> Result<(), String> {
        if installed.contains(&signal) {
            return Ok(());
        }
        if signal <= 0 || signal > libc::SIGRTMAX() {
            return Err(format!("signal {signal} is not a valid signal number"));
        }
        // SAFETY: sigaction with a null new action only reads the current one
        // into `old`, a zeroed sigaction (a valid value for this C struct).
        let mut old: libc::sigaction = unsafe { std::mem::zeroed() };
        // SAFETY: see above.
        if unsafe { libc::sigaction(signal, std::ptr::null(), &mut old) } != 0 {
            return Err(format!("cannot read the action of signal {signal}"));
        }
        let ours = on_signal as extern "C" fn(libc::c_int, *mut libc::siginfo_t, *mut libc::c_void) as usize;
        if old.sa_sigaction != libc::SIG_DFL && old.sa_sigaction != ours {
            return Err(format!(
                "signal {signal} already has a handler; choose another with Config::thread_signal"
            ));
        }
        // SAFETY: a zeroed sigaction is valid; the handler is an
        // async-signal-safe extern "C" function with the SA_SIGINFO signature.
        let mut sa: libc::sigaction = unsafe { std::mem::zeroed() };
        sa.sa_sigaction = ours;
        // Not SA_ONSTACK: the alternate signal stack Rust gives each thread
        // is a few KiB, too small for an unwind (and for a CPU profiler's
        // handler nesting on top of it).
        sa.sa_flags = libc::SA_SIGINFO | libc::SA_RESTART;
        // SAFETY: `sa.sa_mask` is a valid sigset_t to initialize; SIGPROF
        // is held back while the handler runs, so the CPU profiler's
        // handler never unwinds through this one.
        unsafe {
            libc::sigemptyset(&mut sa.sa_mask);
            libc::sigaddset(&mut sa.sa_mask, libc::SIGPROF);
        }
        // SAFETY: installs the handler described above.
        if unsafe { libc::sigaction(signal, &sa, std::ptr::null_mut()) } != 0 {
            return Err(format!("cannot install a handler for signal {signal}"));
        }
        installed.push(signal);
        Ok(())
    }

    fn read(path: &str) -> String {
        std::fs::read_to_string(path).unwrap_or_default()
    }

    /// Whether `signal` is blocked on thread `tid` (SigBlk in its status).
    fn blocked(tid: i32, signal: i32) -> bool {
        let status = read(&format!("/proc/self/task/{tid}/status"));
        let Some(mask) = status.lines().find_map(|l| l.strip_prefix("SigBlk:")) else { return false };
        let Ok(mask) = u64::from_str_radix(mask.trim(), 16) else { return false };
        (1..=64).contains(&signal) && mask & (1u64 << (signal - 1)) != 0
    }

    fn state(tid: i32) -> String {
        let stat = read(&format!("/proc/self/task/{tid}/stat"));
        let code =
            stat.rsplit_once(')').and_then(|(_, rest)| rest.trim_start().chars().next()).unwrap_or('?');
        match code {
            'R' => "running",
            'S' => "sleeping",
            'D' => "disk sleep",
            'T' => "stopped",
            't' => "tracing stop",
            'Z' => "zombie",
            'X' => "dead",
            'I' => "idle",
            _ => "unknown",
        }
        .to_string()
    }

    /// Why one attempt at a capture failed.
    enum Failed {
        /// For good: the reason to list.
        Stop(&'static str),
        /// The handler would not unwind where it landed; another signal
        /// may land elsewhere.
        Refused(&'static str),
    }

    /// Waits for the slot to be idle: a handler abandoned by an earlier
    /// capture may still be writing.
    fn wait_idle() -> bool {
        let start = Instant::now();
        while SLOT.load(Ordering::Acquire) != 0 {
            if start.elapsed() > Duration::from_millis(100) {
                return false;
            }
            std::thread::sleep(Duration::from_micros(200));
        }
        true
    }

    fn capture_once(tid: i32, signal: i32) -> Result<Vec<usize>, Failed> {
        if !wait_idle() {
            return Err(Failed::Stop("an earlier stack capture is still running"));
        }
        let generation = next_generation();
        LEN.store(0, Ordering::Relaxed);
        REFUSAL.store(0, Ordering::Relaxed);
        SLOT.store(word(generation, REQUESTED, tid), Ordering::Release);
        if !send(tid, signal, generation) {
            SLOT.store(0, Ordering::Release);
            return Err(Failed::Stop("thread exited"));
        }
        let start = Instant::now();
        let mut spins = 0u32;
        loop {
            let s = SLOT.load(Ordering::Acquire);
            if s == word(generation, DONE, tid) {
                break;
            }
            if s == word(generation, REFUSED, tid) {
                let code = REFUSAL.load(Ordering::Relaxed);
                SLOT.store(0, Ordering::Release);
                return Err(Failed::Refused(unwind_safety::reason(code)));
            }
            let waited = start.elapsed();
            if waited > Duration::from_millis(250) {
                // Withdraw the request unless the handler has started.
                let requested = word(generation, REQUESTED, tid);
                if SLOT.compare_exchange(requested, 0, Ordering::AcqRel, Ordering::Acquire).is_ok() {
                    return Err(Failed::Stop("did not answer the signal in time"));
                }
                if waited > Duration::from_secs(2) {
                    // The handler keeps the slot until it is done with it.
                    let writing = word(generation, WRITING, tid);
                    let abandoned = word(generation, ABANDONED, tid);
                    if SLOT.compare_exchange(writing, abandoned, Ordering::AcqRel, Ordering::Acquire).is_ok()
                    {
                        return Err(Failed::Stop("stack capture did not finish"));
                    }
                }
            }
            spins += 1;
            if spins < 100 {
                std::thread::yield_now();
            } else {
                std::thread::sleep(Duration::from_micros(200));
            }
        }
        let n = LEN.load(Ordering::Relaxed).min(MAX_FRAMES);
        let leaf = LEAF.load(Ordering::Relaxed);
        let ips: Vec<usize> = IPS.iter().take(n).map(|a| a.load(Ordering::Relaxed)).collect();
        SLOT.store(0, Ordering::Release);
        // Start at the interrupted frame: everything before it is the
        // handler and the kernel's signal trampoline.
        match ips.iter().position(|&ip| ip == leaf && leaf != 0) {
            Some(i) => Ok(ips.get(i..).unwrap_or(&[]).to_vec()),
            None => Ok(ips),
        }
    }

    /// A capture, tried again (up to 4 times in all) when the signal lands
    /// where the handler will not unwind.
    fn capture(tid: i32, signal: i32) -> Result<Vec<usize>, &'static str> {
        let mut last = "not unwound";
        for attempt in 0..4 {
            match capture_once(tid, signal) {
                Ok(stack) => return Ok(stack),
                Err(Failed::Stop(why)) => return Err(why),
                Err(Failed::Refused(why)) => last = why,
            }
            std::thread::sleep(Duration::from_micros(200 << attempt));
        }
        Err(last)
    }

    pub(super) fn dump(signal: i32) -> Result<Vec<Thread>, String> {
        let mut guard = DUMP.lock().unwrap_or_else(PoisonError::into_inner);
        install(signal, &mut guard)?;
        unwind_safety::refresh();
        let mut tids: Vec<i32> = std::fs::read_dir("/proc/self/task")
            .map_err(|e| format!("cannot list threads: {e}"))?
            .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
            .collect();
        tids.sort_unstable();
        let mut out = Vec::with_capacity(tids.len());
        for tid in tids {
            let name = read(&format!("/proc/self/task/{tid}/comm")).trim_end_matches('\n').to_string();
            let state = state(tid);
            if state == "zombie" || state == "dead" {
                continue;
            }
            let stack =
                if blocked(tid, signal) { Err("blocks the dump signal") } else { capture(tid, signal) };
            if stack == Err("thread exited") {
                continue;
            }
            out.push(Thread { tid, name, state, stack });
        }
        drop(guard);
        Ok(out)
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn words_keep_generation_state_and_thread_apart() {
            let w = word(GENERATION_MASK, ABANDONED, -1);
            assert_eq!(w >> 40, u64::from(GENERATION_MASK));
            assert_eq!((w >> 32) & 0xff, ABANDONED);
            assert_eq!(w as u32, u32::MAX);
            assert_ne!(word(1, REQUESTED, 7), word(2, REQUESTED, 7));
            assert_eq!(word(GENERATION_MASK + 1, DONE, 7), word(0, DONE, 7));
            assert_eq!(std::mem::size_of::<QueuedInfo>(), 128);
        }

        #[test]
        fn a_late_signal_leaves_the_next_capture_alone() {
            let mut installed = Vec::new();
            let signal = crate::threads::default_signal();
            let _one = DUMP.lock().unwrap_or_else(PoisonError::into_inner);
            install(signal, &mut installed).unwrap();
            let me = gettid();
            // The slot waits for generation 7 of this thread; a signal of
            // generation 6 (a capture that gave up) arrives.
            SLOT.store(word(7, REQUESTED, me), Ordering::Release);
            assert!(send(me, signal, 6));
            assert_eq!(
                SLOT.load(Ordering::Acquire),
                word(7, REQUESTED, me),
                "the late signal claimed the slot"
            );
            // The right one is answered.
            assert!(send(me, signal, 7));
            let s = SLOT.load(Ordering::Acquire);
            assert!(s == word(7, DONE, me) || s == word(7, REFUSED, me), "{s:#x}");
            // A handler whose capture was abandoned releases the slot.
            SLOT.store(word(8, ABANDONED, me), Ordering::Release);
            finish(8, me, DONE);
            assert_eq!(SLOT.load(Ordering::Acquire), 0);
            SLOT.store(0, Ordering::Release);
        }
    }
}

#[cfg(not(target_os = "linux"))]
mod imp {
    use super::Thread;

    pub(super) fn dump(_signal: i32) -> Result<Vec<Thread>, String> {
        Err("thread dumps are implemented for Linux only".into())
    }
}

/// The location addresses of a thread's stack. The capture starts at the
/// interrupted frame when it found it by address; otherwise the handler's
/// frames are left out by name (when symbolizing).
fn frames_of(t: &Thread, sym: Option<&mut Symbolizer>) -> Vec<usize> {
    let Ok(stack) = &t.stack else { return Vec::new() };
    let addrs = location_addresses(stack, Pcs::LeafExact);
    let Some(sym) = sym else { return addrs };
    let skip = addrs
        .iter()
        .take_while(|&&a| {
            let f = sym.resolve(a);
            !f.is_empty() && f.iter().all(|f| is_signal_plumbing(&f.name))
        })
        .count();
    addrs.get(skip..).unwrap_or(&[]).to_vec()
}

/// Threads with the same stack (location addresses) and name.
type Group<'a> = ((Vec<usize>, String), Vec<&'a Thread>);

/// Threads grouped by (stack, name), largest groups first.
fn groups<'a>(threads: &'a [Thread], mut sym: Option<&mut Symbolizer>) -> Vec<Group<'a>> {
    let mut map: BTreeMap<(Vec<usize>, String), Vec<&Thread>> = BTreeMap::new();
    for t in threads {
        map.entry((frames_of(t, sym.as_deref_mut()), t.name.clone())).or_default().push(t);
    }
    let mut v: Vec<_> = map.into_iter().collect();
    v.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then_with(|| a.0.cmp(&b.0)));
    v
}

/// The pprof form: threads/count per identical stack and name;
/// `symbolize`: with functions and lines, or addresses only.
pub(crate) fn proto(threads: &[Thread], time_nanos: i64, symbolize: bool) -> Vec<u8> {
    let mut sw = StackWriter::new(&[("threads", "count")], symbolize);
    sw.w.set_period("threads", "count", 1);
    sw.w.set_time(time_nanos, 0);
    let symbols = if symbolize { Some(&mut sw.symbols) } else { None };
    for ((addrs, name), members) in groups(threads, symbols) {
        let locs = sw.stack(&addrs, (0, 0));
        sw.w.add_sample(&locs, &[members.len() as i64], &[LabelSpec::Str("thread", &name)]);
    }
    sw.finish()
}

fn json_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `debug=1`: Go's goroutine?debug=1 layout, one group per stack and name.
pub(crate) fn text_grouped(threads: &[Thread]) -> String {
    let mut sym = Symbolizer::new();
    let mut out = format!("threads profile: total {}\n", threads.len());
    for ((addrs, name), members) in groups(threads, Some(&mut sym)) {
        let _ = write!(out, "{} @", members.len());
        for a in &addrs {
            let _ = write!(out, " {a:#x}");
        }
        out.push('\n');
        let _ = writeln!(out, "# labels: {{\"thread\":{}}}", json_string(&name));
        if let Some(Err(why)) = members.first().map(|t| &t.stack) {
            let _ = writeln!(out, "#\t(no stack: {why})");
        }
        write_frames(&mut out, &mut sym, &addrs);
        out.push('\n');
    }
    out
}

/// `debug=2`: every thread, in the layout of Go's full goroutine dump.
pub(crate) fn text_full(threads: &[Thread]) -> String {
    let mut sym = Symbolizer::new();
    let mut out = String::new();
    for t in threads {
        let _ = writeln!(out, "thread {} {} [{}]:", t.tid, json_string(&t.name), t.state);
        match &t.stack {
            Err(why) => {
                let _ = writeln!(out, "(no stack: {why})");
            }
            Ok(_) => {
                for a in frames_of(t, Some(&mut sym)) {
                    let frames = sym.resolve(a);
                    if frames.is_empty() {
                        let _ = writeln!(out, "{a:#x}()\n\t?:0");
                    }
                    for f in frames.iter() {
                        let off = if f.entry != 0 && a >= f.entry { a - f.entry } else { 0 };
                        let _ = writeln!(out, "{}()\n\t{}:{} +{:#x}", f.name, f.file, f.line, off);
                    }
                }
            }
        }
        out.push('\n');
    }
    out
}
