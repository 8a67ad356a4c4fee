//! The endpoints as an axum router (feature `axum`), the analogue of
//! gin-contrib/pprof: mount it at any path.
//!
//! ```no_run
//! use proflens_agent::{axum::router, Config};
//!
//! let app: axum::Router = axum::Router::new()
//!     // serves /debug/pprof, /debug/pprof/ and everything below
//!     .nest_service("/debug/pprof", router(Config::default()));
//! ```
//!
//! `.nest("/debug/pprof", router(config))` works too, with one difference
//! that comes from axum: `nest` does not route the path with a trailing
//! slash, so the index is at `/debug/pprof` (whose links go through
//! `pprof/...`) and `/debug/pprof/` is the app's 404. `nest_service`
//! routes both.

use std::borrow::Cow;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{OriginalUri, Request as AxumRequest, State};
use axum::http::{header::AUTHORIZATION, HeaderName, HeaderValue, StatusCode};
use axum::response::Response as AxumResponse;
use axum::routing::any;
use axum::Router;

use crate::agent::{Agent, Request, Response};
use crate::config::Config;

/// A router serving every endpoint at its root; mount it with
/// `nest_service` (or `nest`) where they should live. Blocking work (CPU profiles, heap deltas, symbolization) runs on
/// tokio's blocking pool, never on the async workers.
pub fn router<S: Clone + Send + Sync + 'static>(config: Config) -> Router<S> {
    let agent = Arc::new(Agent::new(config));
    Router::new().route("/", any(handle)).route("/{*rest}", any(handle)).fallback(handle).with_state(agent)
}

/// Splits the request's path into the mount point and the path below it.
fn paths(req: &AxumRequest) -> (String, String) {
    let inner = req.uri().path().to_string();
    let original =
        req.extensions().get::<OriginalUri>().map_or_else(|| inner.clone(), |o| o.0.path().to_string());
    if original.len() > inner.len() && original.ends_with(&inner) {
        (original[..original.len() - inner.len()].to_string(), inner)
    } else if inner == "/" && !original.ends_with('/') {
        // The mount point itself, without the trailing slash.
        (original, String::new())
    } else if inner == "/" {
        (original.trim_end_matches('/').to_string(), inner)
    } else {
        (String::new(), inner)
    }
}

async fn handle(State(agent): State<Arc<Agent>>, req: AxumRequest) -> AxumResponse {
    let (mount, path) = paths(&req);
    let request = Request {
        method: req.method().as_str().to_string(),
        path,
        query: req.uri().query().unwrap_or("").to_string(),
        authorization: req.headers().get(AUTHORIZATION).and_then(|v| v.to_str().ok()).map(str::to_string),
        mount,
    };
    #[cfg(all(feature = "tokio-taskdump", tokio_unstable, target_os = "linux"))]
    if request.path == "/tasks" {
        return convert(tasks(agent, request).await);
    }
    let response = tokio::task::spawn_blocking(move || agent.handle(&request)).await;
    match response {
        Ok(r) => convert(r),
        Err(_) => convert(Response::text(500, "the profiling handler failed\n".into())),
    }
}

/// `tasks` runs the dump on the runtime serving the request (tokio requires
/// that for current-thread runtimes), then symbolizes on the blocking pool.
#[cfg(all(feature = "tokio-taskdump", tokio_unstable, target_os = "linux"))]
async fn tasks(agent: Arc<Agent>, request: Request) -> Response {
    if let Some(r) = agent.refuse(&request) {
        return r;
    }
    let q = crate::agent::Query::parse(&request.query);
    let (debug, handle) = match agent.tasks_params(&q) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let handle = handle.unwrap_or_else(tokio::runtime::Handle::current);
    let dump = match crate::tasks::dump_async(handle).await {
        Ok(d) => d,
        Err(m) => return Response::text(501, format!("{m}\n")),
    };
    let done =
        tokio::task::spawn_blocking(move || crate::tasks::respond(&crate::tasks::convert(&dump), debug));
    done.await.unwrap_or_else(|_| Response::text(500, "the task dump failed\n".into()))
}

fn convert(r: Response) -> AxumResponse {
    let body = match r.body {
        Cow::Borrowed(b) => Body::from(b),
        Cow::Owned(v) => Body::from(v),
    };
    let mut out = AxumResponse::new(body);
    *out.status_mut() = StatusCode::from_u16(r.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    for (k, v) in r.headers {
        if let (Ok(k), Ok(v)) = (HeaderName::try_from(k), HeaderValue::try_from(v)) {
            out.headers_mut().append(k, v);
        }
    }
    out
}
