//! The one request path of the agent: an axum router. [`crate::serve`] runs
//! it on the agent's own thread; [`crate::axum::router`] hands it to an
//! axum app. Either way a request goes through the same steps:
//!
//! 1. framing (proflens-http): no request body (413), bounded headers (431);
//! 2. the policy ([`crate::policy`]): Host, method, peer, token;
//! 3. the path and parameters, into a [`Call`] (404, 400);
//! 4. profiles take one of [`Config::max_concurrent_profiles`] slots (503
//!    with `Retry-After` when none is free) and run on a blocking thread;
//!    everything else (the index, cmdline, the page) is answered inline.

use std::borrow::Cow;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{ConnectInfo, OriginalUri, Request as AxumRequest, State};
use axum::http::{header::AUTHORIZATION, HeaderName, HeaderValue, StatusCode};
use axum::response::Response as AxumResponse;
use axum::routing::any;
use axum::Router;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::agent::{Agent, Call, Request, Response};
use crate::config::Config;

/// The largest request head the router takes from a server that lets more
/// through (the built-in server refuses larger heads before this).
pub(crate) const MAX_HEAD_BYTES: usize = 16 * 1024;

/// What a refused profile request is told to wait, in seconds.
const RETRY_AFTER_SECONDS: u32 = 2;

/// Where the router is mounted.
#[derive(Clone, Debug)]
enum Mount {
    /// By the built-in server at this prefix ("" for the root): paths
    /// outside it are 404.
    Prefix(String),
    /// In an app, with `nest` or `nest_service`: the mount point is what
    /// the original URI has in front of the router's own path.
    #[cfg_attr(not(feature = "axum"), allow(dead_code))]
    Nested,
}

#[derive(Clone)]
struct RouterState {
    agent: Arc<Agent>,
    mount: Mount,
    slots: Arc<Semaphore>,
}

/// The router of an app's `nest`/`nest_service`.
#[cfg_attr(not(feature = "axum"), allow(dead_code))]
pub(crate) fn nested<S: Clone + Send + Sync + 'static>(config: Config) -> Router<S> {
    build(config, Mount::Nested)
}

/// The router of the built-in server, answering every path.
pub(crate) fn standalone(mut config: Config) -> Router {
    config.standalone = true;
    let prefix = config.prefix.clone();
    build(config, Mount::Prefix(prefix))
}

fn build<S: Clone + Send + Sync + 'static>(config: Config, mount: Mount) -> Router<S> {
    let slots = Arc::new(Semaphore::new(config.max_concurrent_profiles));
    let state = RouterState { agent: Arc::new(Agent::new(config)), mount, slots };
    Router::new().route("/", any(handle)).route("/{*rest}", any(handle)).fallback(handle).with_state(state)
}

/// Splits a nested request's path into the mount point and the path
/// below it.
fn nested_paths(req: &AxumRequest) -> (String, String) {
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

/// The mount point and the raw path below it; `None` for the path below
/// a prefix the request is not under.
fn paths(mount: &Mount, req: &AxumRequest) -> (String, Option<String>) {
    match mount {
        Mount::Nested => {
            let (mount, path) = nested_paths(req);
            (mount, Some(path))
        }
        Mount::Prefix(prefix) => {
            let rest = req.uri().path().strip_prefix(prefix.as_str());
            let rest = rest.filter(|r| r.is_empty() || r.starts_with('/'));
            (prefix.clone(), rest.map(str::to_string))
        }
    }
}

async fn handle(State(state): State<RouterState>, req: AxumRequest) -> AxumResponse {
    if let Err(r) = proflens_http::check_framing(req.headers(), MAX_HEAD_BYTES) {
        return convert(Response::refusal(r));
    }
    let (mount, raw_path) = paths(&state.mount, &req);
    let mut request = Request {
        method: req.method().as_str().to_string(),
        path: String::new(),
        query: req.uri().query().unwrap_or("").to_string(),
        authorization: req.headers().get(AUTHORIZATION).and_then(|v| v.to_str().ok()).map(str::to_string),
        mount,
        host: proflens_http::host_of(&req).map(str::to_string),
        peer: req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0),
    };
    // The policy first: a refused client learns nothing, not even the prefix.
    if let Err(r) = state.agent.admit(&request) {
        return convert(r);
    }
    let Some(raw_path) = raw_path else {
        let prefix = request.mount.as_str();
        return convert(Response::error(404, &format!("not found; the profiles are under {prefix}/")));
    };
    request.path = match proflens_http::decode::path(&raw_path) {
        Ok(p) => p,
        Err(r) => return convert(Response::refusal(r)),
    };
    let call = match state.agent.plan(&request) {
        Ok(c) => c,
        Err(r) => return convert(r),
    };
    if !call.is_profile() {
        return convert(state.agent.run(call, &request.mount));
    }
    let Ok(permit) = state.slots.clone().try_acquire_owned() else {
        return convert(busy(state.agent.config().max_concurrent_profiles));
    };
    convert(profile(state.agent, call, request.mount, permit).await)
}

fn busy(cap: usize) -> Response {
    let mut r = Response::error(
        503,
        &format!(
            "too many profile requests at once (at most {cap}, Config::max_concurrent_profiles); \
             try again in a moment"
        ),
    );
    r.headers.push(("Retry-After", RETRY_AFTER_SECONDS.to_string()));
    r
}

/// Runs a profile call on a blocking thread, holding its slot until done.
async fn profile(agent: Arc<Agent>, call: Call, mount: String, permit: OwnedSemaphorePermit) -> Response {
    // In an app, the dump runs on the app's runtime; the built-in server
    // dumps the configured runtime from a blocking thread, as `run` does.
    #[cfg(all(feature = "tokio-taskdump", tokio_unstable, target_os = "linux"))]
    if let (Call::Tasks { debug }, false) = (&call, agent.config().standalone) {
        return tasks(agent, *debug, permit).await;
    }
    let done = tokio::task::spawn_blocking(move || {
        let r = agent.run(call, &mount);
        drop(permit);
        r
    });
    done.await.unwrap_or_else(|_| Response::text(500, "the profiling handler failed\n".into()))
}

/// `tasks` runs the dump on the runtime it dumps (tokio requires that for
/// current-thread runtimes), then symbolizes on the blocking pool.
#[cfg(all(feature = "tokio-taskdump", tokio_unstable, target_os = "linux"))]
async fn tasks(agent: Arc<Agent>, debug: u8, permit: OwnedSemaphorePermit) -> Response {
    let Some(handle) = agent.config().tasks_handle() else {
        return Response::text(501, "no tokio runtime to dump: pass one with Config::tokio_handle\n".into());
    };
    let dump = match crate::tasks::dump_async(handle).await {
        Ok(d) => d,
        Err(m) => return Response::text(501, format!("{m}\n")),
    };
    let done = tokio::task::spawn_blocking(move || {
        let r = crate::tasks::respond(&crate::tasks::convert(&dump), debug);
        drop(permit);
        r
    });
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
