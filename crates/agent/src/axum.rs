//! The endpoints as an axum router (feature `axum`), the analogue of
//! gin-contrib/pprof: mount it at any path.
//!
//! ```no_run
//! use std::net::SocketAddr;
//! use proflens_agent::{axum::router, Config};
//!
//! # async fn run(listener: tokio::net::TcpListener) -> std::io::Result<()> {
//! let app: axum::Router = axum::Router::new()
//!     // serves /debug/pprof, /debug/pprof/ and everything below
//!     .nest_service("/debug/pprof", router(Config::default()));
//! // The router needs the client's address: serve with connect info.
//! axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await
//! # }
//! ```
//!
//! It is the very router [`crate::serve`] runs, with the same policy:
//! loopback clients only unless [`Config::token`] or
//! [`Config::allow_remote`] say otherwise (so it needs the client's address,
//! `ConnectInfo<SocketAddr>`: without it, and without a token or
//! `allow_remote`, every request gets 403 saying so); the Host check against
//! DNS rebinding; GET and HEAD only; no request body; at most
//! [`Config::max_concurrent_profiles`] profiles at once (503 with
//! `Retry-After` beyond), each on tokio's blocking pool, never on the async
//! workers. The request-head deadline and size limit belong to the server:
//! [`crate::serve`] sets them; under `axum::serve` they are hyper's.
//!
//! `.nest("/debug/pprof", router(config))` works too, with one difference
//! that comes from axum: `nest` does not route the path with a trailing
//! slash, so the index is at `/debug/pprof` (whose links go through
//! `pprof/...`) and `/debug/pprof/` is the app's 404. `nest_service`
//! routes both.

use axum::Router;

use crate::config::Config;

/// A router serving every endpoint at its root; mount it with
/// `nest_service` (or `nest`) where they should live, and serve the app
/// with `into_make_service_with_connect_info::<SocketAddr>()`.
pub fn router<S: Clone + Send + Sync + 'static>(config: Config) -> Router<S> {
    crate::router::nested(config)
}
