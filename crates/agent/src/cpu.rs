//! CPU profiles: pprof-rs samples (SIGPROF at the configured frequency), and
//! its report is converted into a Go-style profile.

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
pub(crate) fn profile(seconds: u64, hz: u32) -> Result<Vec<u8>, CpuError> {
    if RUNNING.compare_exchange(false, true, Ordering::AcqRel, Ordering::Acquire).is_err() {
        let left = ENDS_AT.load(Ordering::Relaxed).saturating_sub(unix_now().as_secs());
        return Err(CpuError::Busy(left));
    }
    let _running = Running;
    ENDS_AT.store(unix_now().as_secs() + seconds, Ordering::Relaxed);
    imp::profile(seconds, hz)
}

#[cfg(unix)]
mod imp {
    use super::*;
    use crate::symbols::{clean_name, is_profiler_plumbing, StackWriter};
    use proflens_profile::encode::LabelSpec;

    pub(super) fn profile(seconds: u64, hz: u32) -> Result<Vec<u8>, CpuError> {
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
        std::thread::sleep(Duration::from_secs(seconds));
        // Symbolization happens here: keep its caches out of heap profiles.
        let report = crate::heap::unsampled(|| guard.report().build())
            .map_err(|e| CpuError::Failed(format!("cannot read the CPU profile: {e}")))?;
        let duration = started.elapsed();
        drop(guard);
        Ok(convert(&report, hz, start, duration))
    }

    /// pprof-rs's report as Go's CPU profile: samples/count and
    /// cpu/nanoseconds, period 1e9/hz, thread names as labels.
    fn convert(report: &pprof::Report, hz: u32, start: Duration, duration: Duration) -> Vec<u8> {
        let period = 1_000_000_000 / i64::from(hz.max(1));
        let mut sw = StackWriter::new(&[("samples", "count"), ("cpu", "nanoseconds")]);
        sw.w.set_period("cpu", "nanoseconds", period);
        sw.w.set_time(start.as_nanos() as i64, duration.as_nanos() as i64);
        let mut entries: Vec<_> = report.data.iter().collect();
        // Stable output for equal inputs.
        entries.sort_by(|a, b| b.1.cmp(a.1).then_with(|| a.0.thread_name.cmp(&b.0.thread_name)));
        for (frames, &count) in entries {
            if count <= 0 {
                continue;
            }
            // pprof-rs keeps its own unwinding frames at the leaf end.
            let own = frames
                .frames
                .iter()
                .take_while(|f| !f.is_empty() && f.iter().all(|s| is_profiler_plumbing(&s.name())))
                .count();
            let mut locs = Vec::with_capacity(frames.frames.len());
            for frame in frames.frames.iter().skip(own) {
                let lines: Vec<(String, String, u32)> = frame
                    .iter()
                    .map(|s| (clean_name(&s.name()), s.filename().into_owned(), s.lineno()))
                    .collect();
                let addr = frame.first().and_then(|s| s.addr).map_or(0, |a| a as usize);
                locs.push(sw.symbolic_location(&lines, addr));
            }
            let count = count as i64;
            let name = frames.thread_name_or_id();
            sw.w.add_sample(&locs, &[count, count * period], &[LabelSpec::Str("thread", &name)]);
        }
        sw.w.encode_gzip()
    }
}

#[cfg(not(unix))]
mod imp {
    use super::*;

    pub(super) fn profile(_seconds: u64, _hz: u32) -> Result<Vec<u8>, CpuError> {
        Err(CpuError::Failed("CPU profiles need a Unix system (SIGPROF)".into()))
    }
}
