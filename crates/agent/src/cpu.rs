//! CPU profiles: pprof-rs samples (SIGPROF at the configured frequency);
//! its raw stacks are written as a Go-style profile, without the signal
//! handler's frames, symbolized like heap and thread profiles.
//!
//! pprof-rs counts a stack once per distinct list of functions, keeping the
//! addresses of the first sample it saw for that list: lines within a
//! function are those of one of its samples.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Set while a CPU profile is being taken (one at a time per process: the
/// profiling timer and signal are process-wide).
static RUNNING: AtomicBool = AtomicBool::new(false);
/// When the running profile ends (Unix seconds), for the 409 message.
static ENDS_AT: AtomicU64 = AtomicU64::new(0);

/// Why a CPU profile was not taken.
#[derive(Debug)]
pub(crate) enum CpuError {
    /// Another profile is running; seconds left.
    Busy(u64),
    /// The profiler failed to start or to report.
    Failed(String),
}

/// Whether a CPU profile is being taken now.
pub(crate) fn running() -> bool {
    RUNNING.load(Ordering::Relaxed)
}

struct Running;

impl Drop for Running {
    fn drop(&mut self) {
        RUNNING.store(false, Ordering::Release);
    }
}

fn unix_now() -> Duration {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default()
}

/// Takes a CPU profile for `seconds` at `hz` samples per second and returns
/// it gzipped.
/// With `symbolize`, locations get functions and lines; otherwise
/// addresses only.
pub(crate) fn profile(seconds: u64, hz: u32, symbolize: bool) -> Result<Vec<u8>, CpuError> {
    if RUNNING.compare_exchange(false, true, Ordering::AcqRel, Ordering::Acquire).is_err() {
        let left = ENDS_AT.load(Ordering::Relaxed).saturating_sub(unix_now().as_secs());
        return Err(CpuError::Busy(left));
    }
    let _running = Running;
    ENDS_AT.store(unix_now().as_secs() + seconds, Ordering::Relaxed);
    imp::profile(seconds, hz, symbolize)
}

#[cfg(unix)]
mod imp {
    use super::*;
    use crate::symbols::{location_addresses, Pcs, StackWriter};
    use proflens_profile::encode::LabelSpec;

    pub(super) fn profile(seconds: u64, hz: u32, symbolize: bool) -> Result<Vec<u8>, CpuError> {
        let start = unix_now();
        let started = Instant::now();
        // Samples that land in these libraries are dropped: unwinding from
        // inside them is where signal-time unwinders are known to crash or
        // deadlock (the list thread dumps use too).
        let guard = pprof::ProfilerGuardBuilder::default()
            .frequency(hz.clamp(1, 10_000) as i32)
            .blocklist(crate::unwind_safety::UNSAFE_LIBRARIES)
            .build()
            .map_err(|e| CpuError::Failed(format!("cannot start the CPU profiler: {e}")))?;
        let handler = sigprof_handler();
        std::thread::sleep(Duration::from_secs(seconds));
        // The raw stacks; symbolization (if any) is the writer's.
        let report = guard
            .report()
            .build_unresolved()
            .map_err(|e| CpuError::Failed(format!("cannot read the CPU profile: {e}")))?;
        let duration = started.elapsed();
        drop(guard);
        let samples: Vec<Sample> = report
            .data
            .iter()
            .filter(|(_, &count)| count > 0)
            .map(|(frames, &count)| Sample {
                frames: frames
                    .frames
                    .iter()
                    .map(|f| (f.ip() as usize, f.symbol_address() as usize))
                    .collect(),
                thread: thread_name(
                    &frames.thread_name[..frames.thread_name_length.min(frames.thread_name.len())],
                    frames.thread_id,
                ),
                count: count as i64,
            })
            .collect();
        Ok(convert(samples, handler, hz, start, duration, symbolize))
    }

    /// The function pprof-rs installed for SIGPROF.
    fn sigprof_handler() -> usize {
        // SAFETY: sigaction with a null new action only reads the current
        // one into `old`, a zeroed sigaction (a valid value for this C struct).
        let mut old: libc::sigaction = unsafe { std::mem::zeroed() };
        // SAFETY: see above.
        if unsafe { libc::sigaction(libc::SIGPROF, std::ptr::null(), &mut old) } != 0 {
            return 0;
        }
        old.sa_sigaction
    }

    fn thread_name(name: &[u8], id: u64) -> String {
        if name.is_empty() {
            id.to_string()
        } else {
            String::from_utf8_lossy(name).into_owned()
        }
    }

    /// One stack with its count, as pprof-rs aggregated it.
    pub(super) struct Sample {
        /// (program counter, start of its function) per frame, leaf first.
        pub frames: Vec<(usize, usize)>,
        pub thread: String,
        pub count: i64,
    }

    /// Where the program's frames begin: after the signal handler's frame
    /// (recognized by its function, `handler`) and the kernel's signal
    /// trampoline that called it. The frame after them is the interrupted
    /// one, whose address is exact. `None` if the handler is not there.
    pub(super) fn program_start(frames: &[(usize, usize)], handler: usize) -> Option<usize> {
        if handler == 0 {
            return None;
        }
        let at = frames.iter().position(|&(_, function)| function == handler)?;
        Some((at + 2).min(frames.len()))
    }

    /// The samples as Go's CPU profile: samples/count and cpu/nanoseconds,
    /// period 1e9/hz, thread names as labels.
    pub(super) fn convert(
        mut samples: Vec<Sample>,
        handler: usize,
        hz: u32,
        start: Duration,
        duration: Duration,
        symbolize: bool,
    ) -> Vec<u8> {
        let period = 1_000_000_000 / i64::from(hz.max(1));
        let mut sw = StackWriter::new(&[("samples", "count"), ("cpu", "nanoseconds")], symbolize);
        sw.w.set_period("cpu", "nanoseconds", period);
        sw.w.set_time(start.as_nanos() as i64, duration.as_nanos() as i64);
        // Stable output for equal inputs.
        samples.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.thread.cmp(&b.thread)));
        let mut unmarked = 0;
        for s in &samples {
            let pcs: Vec<usize> = s.frames.iter().map(|&(pc, _)| pc).collect();
            // Without the handler's frame (an unwinder that cannot tell
            // functions apart), the stack is kept whole, and said so.
            let from = program_start(&s.frames, handler).unwrap_or_else(|| {
                unmarked += 1;
                0
            });
            let addrs = location_addresses(pcs.get(from..).unwrap_or(&[]), Pcs::LeafExact);
            if addrs.is_empty() {
                continue;
            }
            let locs = sw.stack(&addrs, (0, 0));
            sw.w.add_sample(&locs, &[s.count, s.count * period], &[LabelSpec::Str("thread", &s.thread)]);
        }
        if unmarked > 0 {
            sw.w.add_comment(&format!(
                "{unmarked} stacks were not unwound through the profiler's signal handler and include its frames"
            ));
        }
        sw.finish()
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn stacks_start_after_the_handler_and_its_trampoline() {
            let frames = [(0x10, 0x8), (0x25, 0x20), (0x7f00, 0x7ef0), (0x500, 0x4f0), (0x610, 0x600)];
            // The handler's frame, then the trampoline, then the program.
            assert_eq!(program_start(&frames, 0x20), Some(3));
            assert_eq!(program_start(&frames, 0x999), None);
            assert_eq!(program_start(&frames, 0), None);
            assert_eq!(program_start(&frames, 0x600), Some(5));
        }
    }
}

#[cfg(not(unix))]
mod imp {
    use super::*;

    pub(super) fn profile(_seconds: u64, _hz: u32, _symbolize: bool) -> Result<Vec<u8>, CpuError> {
        Err(CpuError::Failed("CPU profiles need a Unix system (SIGPROF)".into()))
    }
}
