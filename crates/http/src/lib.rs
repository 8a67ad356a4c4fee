//! proflens-http: the one HTTP stack behind proflens's servers.
//!
//! Three servers use it: the agent's `/debug/pprof` endpoint
//! (`proflens_agent::serve`), `proflens serve` (the page and the profiles
//! from memory) and `cargo xtask serve` (dist/ from disk). Each builds an
//! [`axum::Router`] and hands it to [`run`] or [`Background::spawn`], which
//! serve it over HTTP/1.1 with hyper on tokio under [`Limits`]:
//!
//! - the whole request head must arrive within a deadline (a slow client
//!   that trickles header lines is cut off, however often it sends);
//! - a bounded head size (431 beyond it) and a bounded number of open
//!   connections (more wait in the kernel's backlog);
//! - a write that makes no progress for a while closes the connection (a
//!   client that never reads its answer);
//! - graceful shutdown: stop accepting, let requests in flight finish for a
//!   grace period, then close.
//!
//! The checks that belong to each request live here too, as functions and
//! a middleware ([`Guard`]): GET and HEAD only (405), the Host header of a
//! loopback service ([`HostCheck`], 403: a page that rebinds its DNS name
//! to 127.0.0.1 must not read what the service serves), no request body
//! (413), strict percent-decoding ([`decode`], 400) and static files that
//! never leave their root ([`files`]).

#![warn(missing_docs)]

mod background;
pub mod decode;
pub mod files;
mod guard;
mod host;
mod io;
mod refusal;
mod server;

pub use background::{run, Background};
pub use guard::{check_framing, check_method, guarded, Guard, ALLOWED_METHODS};
pub use host::{host_of, is_loopback_host, HostCheck};
pub use refusal::Refusal;
pub use server::{serve, Limits};
