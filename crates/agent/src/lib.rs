//! proflens-agent: `/debug/pprof` for Rust services, what `net/http/pprof`
//! is for Go. Every profile is a gzipped `profile.proto` that both
//! `go tool pprof` and proflens read.
//!
//! | endpoint | what |
//! |---|---|
//! | `/` | index: each profile with its count, a description, the download and "open in proflens" |
//! | `profile?seconds=N` | CPU profile (pprof-rs sampling, symbolized); one at a time, else 409 |
//! | `heap`, `allocs` | sampled allocations with Go's four sample types; `seconds=N` gives a delta; `debug=1` text |
//! | `threads` | every OS thread's name and stack (Linux); `debug=1` grouped text, `debug=2` every thread |
//! | `tasks` | tokio task dump (feature `tokio-taskdump`, `--cfg tokio_unstable`) |
//! | `cmdline` | the command line, NUL-separated |
//! | `ui/` | the analyzer page (feature `ui`) |
//!
//! Three ways in:
//!
//! ```no_run
//! // Heap profiles: the sampling allocator, one line in main.rs.
//! #[global_allocator]
//! static ALLOC: proflens_agent::SamplingAllocator = proflens_agent::SamplingAllocator::system();
//!
//! fn main() -> std::io::Result<()> {
//!     // No framework: the endpoint on its own thread.
//!     proflens_agent::serve("127.0.0.1:6060")?;
//!     // axum (feature `axum`):
//!     // app.nest("/debug/pprof", proflens_agent::axum::router(proflens_agent::Config::default()))
//!     Ok(())
//! }
//! ```
//!
//! What the profiles hold: function names that stay distinct and readable
//! in `go tool pprof` and proflens (the full demangled name is each
//! function's `system_name`); heap profiles whose `drop_frames` name the
//! allocator's frames, so that flat lands on the code that allocates; none
//! of the agent's machinery (its sampler's and signal handlers' frames, the
//! memory it uses to serve a profile or to run [`serve`]'s server); and
//! mappings with their build IDs and file offsets, so that
//! [`Config::symbolize`]`(false)` can serve address-only profiles for a
//! symbolizer to resolve later.
//!
//! Safety: [`serve`] and the axum router are one router with one policy
//! (see [`axum`](crate::axum) and `docs/RELIABILITY.md`): loopback clients
//! and loopback `Host` names only unless told otherwise (DNS rebinding), an
//! optional bearer token on every route, GET and HEAD only, no request body,
//! strict percent-decoding, bad parameters 400 with a reason, at most
//! [`Config::max_concurrent_profiles`] profiles at once (503 beyond), and
//! under [`serve`] a deadline for the whole request head (slowloris) and a
//! bound on its size. Taking a profile never blocks the service's own work
//! for longer than a copy of the allocation tables (heap) or the capture of
//! one thread's stack (threads).
//!
//! # Features
//!
//! - `axum`: [`axum::router`](crate::axum), to mount the endpoints in an
//!   axum app (axum itself is always a dependency: [`serve`] runs it).
//! - `ui`: serve the analyzer page at `ui/`, embedded at compile time from
//!   the folder `PROFLENS_UI_DIST` names (or a repository checkout's built
//!   `dist/`); without a built page, `ui/` says how to get one.
//! - `tokio-taskdump`: the `tasks` endpoint (tokio task dumps); also needs
//!   `RUSTFLAGS="--cfg tokio_unstable"`.

#![warn(missing_docs)]

mod agent;
#[cfg(feature = "axum")]
pub mod axum;
mod config;
mod cpu;
pub mod heap;
mod index;
mod policy;
mod router;
mod server;
mod symbols;
mod tasks;
mod threads;
mod ui;
mod unwind_safety;

pub use agent::{Agent, Request, Response};
pub use config::Config;
pub use heap::SamplingAllocator;
pub use server::{serve, serve_with, Server};
