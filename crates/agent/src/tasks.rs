//! `tasks`: a tokio task dump, in the same forms as `threads` (feature
//! `tokio-taskdump`, and a build with `--cfg tokio_unstable`, Linux only:
//! tokio's requirements for `Handle::dump`).

use std::fmt::Write as _;

use crate::agent::Response;
use crate::symbols::names::display_name;
use crate::symbols::StackWriter;

#[cfg(feature = "tokio-taskdump")]
pub(crate) type Handle = tokio::runtime::Handle;
#[cfg(not(feature = "tokio-taskdump"))]
pub(crate) type Handle = ();

/// One frame: the functions at one address, innermost first, as
/// (name, file, line).
type FrameLines = Vec<(String, String, u32)>;

/// A task and the stacks of the leaf futures it was waiting on.
#[derive(Clone, Debug, Default)]
pub(crate) struct Task {
    pub id: String,
    /// tokio's own rendering of the trace (a tree).
    pub trace: String,
    /// One stack per leaf future, leaf first; each frame is (address, lines).
    pub stacks: Vec<Vec<(usize, FrameLines)>>,
}

/// Whether this build can dump tasks.
pub(crate) const AVAILABLE: bool = cfg!(all(feature = "tokio-taskdump", tokio_unstable, target_os = "linux"));

/// Why it cannot.
#[cfg_attr(all(feature = "tokio-taskdump", tokio_unstable, target_os = "linux"), allow(dead_code))]
pub(crate) fn unavailable_reason() -> &'static str {
    if !cfg!(feature = "tokio-taskdump") {
        "task dumps are off: build proflens-agent with feature tokio-taskdump"
    } else if !cfg!(target_os = "linux") {
        "tokio task dumps are available on Linux only"
    } else {
        "task dumps need tokio's unstable API: build with RUSTFLAGS=\"--cfg tokio_unstable\""
    }
}

#[cfg(all(feature = "tokio-taskdump", tokio_unstable, target_os = "linux"))]
mod imp {
    use super::{FrameLines, Handle, Task};
    use crate::symbols::resolve::strip_hash;
    use std::future::Future;
    use std::pin::pin;
    use std::sync::{Arc, Mutex, PoisonError};
    use std::task::{Poll, Waker};
    use std::time::Duration;

    const TIMEOUT: Duration = Duration::from_secs(10);

    /// Frames of tokio's tracing machinery that leaf stacks start with.
    fn is_trace_plumbing(name: &str) -> bool {
        name.starts_with("backtrace::") || name.starts_with("tokio::runtime::task::trace::")
    }

    /// Awaits `fut` for at most `limit`, with a timer thread rather than
    /// tokio's timer (which panics on runtimes built without it).
    async fn with_timeout<F: Future>(fut: F, limit: Duration) -> Option<F::Output> {
        let state: Arc<Mutex<(bool, Option<Waker>)>> = Arc::new(Mutex::new((false, None)));
        let timer = state.clone();
        let _ = std::thread::Builder::new().name("proflens-timeout".into()).spawn(move || {
            std::thread::sleep(limit);
            let mut s = timer.lock().unwrap_or_else(PoisonError::into_inner);
            s.0 = true;
            if let Some(w) = s.1.take() {
                w.wake();
            }
        });
        let mut fut = pin!(fut);
        std::future::poll_fn(move |cx| {
            if let Poll::Ready(v) = fut.as_mut().poll(cx) {
                return Poll::Ready(Some(v));
            }
            let mut s = state.lock().unwrap_or_else(PoisonError::into_inner);
            if s.0 {
                return Poll::Ready(None);
            }
            s.1 = Some(cx.waker().clone());
            Poll::Pending
        })
        .await
    }

    pub(crate) async fn dump(handle: Handle) -> Result<tokio::runtime::Dump, String> {
        with_timeout(handle.dump(), TIMEOUT)
            .await
            .ok_or_else(|| "the task dump did not finish in 10 s (is a runtime worker blocked?)".to_string())
    }

    /// Resolves symbols (slow: run it where blocking is fine).
    pub(crate) fn convert(dump: &tokio::runtime::Dump) -> Vec<Task> {
        dump.tasks()
            .iter()
            .map(|t| {
                let stacks = t
                    .trace()
                    .resolve_backtraces()
                    .iter()
                    .map(|bt| {
                        let frames: Vec<(usize, FrameLines)> = bt
                            .frames()
                            .map(|f| {
                                let lines: FrameLines = f
                                    .symbols()
                                    .map(|s| {
                                        let name = s
                                            .name_demangled()
                                            .map(|n| strip_hash(n).to_string())
                                            .unwrap_or_else(|| format!("{:p}", f.ip()));
                                        let file =
                                            s.filename().map(|p| p.display().to_string()).unwrap_or_default();
                                        (name, file, s.lineno().unwrap_or(0))
                                    })
                                    .collect();
                                (f.ip() as usize, lines)
                            })
                            .collect();
                        let skip = frames
                            .iter()
                            .take_while(|(_, l)| {
                                !l.is_empty() && l.iter().all(|(n, _, _)| is_trace_plumbing(n))
                            })
                            .count();
                        frames.into_iter().skip(skip).collect()
                    })
                    .collect();
                Task { id: t.id().to_string(), trace: t.trace().to_string(), stacks }
            })
            .collect()
    }

    pub(crate) fn dump_blocking(handle: Option<Handle>) -> Result<Vec<Task>, String> {
        let Some(handle) = handle else {
            return Err("no tokio runtime to dump: pass one with Config::tokio_handle".into());
        };
        let h = handle.clone();
        let dump = handle.block_on(async move { dump(h).await })?;
        Ok(convert(&dump))
    }

    pub(crate) fn count(handle: Option<Handle>) -> Option<usize> {
        Some(handle?.metrics().num_alive_tasks())
    }
}

#[cfg(all(feature = "tokio-taskdump", tokio_unstable, target_os = "linux"))]
pub(crate) use imp::{convert, dump as dump_async};

/// Dumps the runtime's tasks from a thread outside it.
pub(crate) fn dump_blocking(handle: Option<Handle>) -> Result<Vec<Task>, String> {
    #[cfg(all(feature = "tokio-taskdump", tokio_unstable, target_os = "linux"))]
    {
        imp::dump_blocking(handle)
    }
    #[cfg(not(all(feature = "tokio-taskdump", tokio_unstable, target_os = "linux")))]
    {
        let _ = handle;
        Err(unavailable_reason().to_string())
    }
}

/// The number of live tasks, when known.
pub(crate) fn count(handle: Option<Handle>) -> Option<usize> {
    #[cfg(all(feature = "tokio-taskdump", tokio_unstable, target_os = "linux"))]
    {
        imp::count(handle)
    }
    #[cfg(not(all(feature = "tokio-taskdump", tokio_unstable, target_os = "linux")))]
    {
        let _ = handle;
        None
    }
}

/// One sample per leaf stack, grouped by identical stacks.
fn groups(tasks: &[Task]) -> Vec<(&Vec<(usize, FrameLines)>, usize)> {
    let mut out: Vec<(&Vec<(usize, FrameLines)>, usize)> = Vec::new();
    for t in tasks {
        for s in &t.stacks {
            let key: Vec<&FrameLines> = s.iter().map(|(_, l)| l).collect();
            match out.iter_mut().find(|(o, _)| o.iter().map(|(_, l)| l).collect::<Vec<_>>() == key) {
                Some(g) => g.1 += 1,
                None => out.push((s, 1)),
            }
        }
    }
    out.sort_by_key(|g| std::cmp::Reverse(g.1));
    out
}

/// The response for `tasks` in form `debug` (0: profile.proto, 1: grouped
/// text, 2: every task with tokio's trace tree).
pub(crate) fn respond(tasks: &[Task], debug: u8) -> Response {
    match debug {
        1 => {
            let mut out = format!("tasks profile: total {}\n", tasks.len());
            for (stack, n) in groups(tasks) {
                let _ = write!(out, "{n} @");
                for (a, _) in stack.iter() {
                    let _ = write!(out, " {a:#x}");
                }
                out.push('\n');
                for (a, lines) in stack.iter() {
                    for (name, file, line) in lines {
                        let name = display_name(name);
                        let _ = writeln!(out, "#\t{a:#x}\t{name}\t{file}:{line}");
                    }
                }
                out.push('\n');
            }
            Response::text(200, out)
        }
        2 => {
            let mut out = String::new();
            for t in tasks {
                let _ = writeln!(out, "task {}:\n{}\n", t.id, t.trace.trim_end());
            }
            Response::text(200, out)
        }
        _ => {
            // tokio symbolizes the traces itself: these are always symbolized.
            let mut sw = StackWriter::new(&[("tasks", "count")], true);
            sw.w.set_period("tasks", "count", 1);
            for (stack, n) in groups(tasks) {
                let locs: Vec<u64> = stack.iter().map(|(a, lines)| sw.symbolic_location(lines, *a)).collect();
                sw.w.add_sample(&locs, &[n as i64], &[]);
            }
            Response::profile("tasks", sw.finish())
        }
    }
}
