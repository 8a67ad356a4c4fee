//! The endpoints, independent of any HTTP server: a [`Request`] in, a
//! [`Response`] out. A request is first checked against the policy and
//! parsed into a [`Call`] (cheap, never blocks), then the call runs (a CPU
//! profile or a heap delta takes the seconds asked for). The built-in
//! server and the axum router are the same router (`router.rs`), which
//! does both steps; [`Agent::handle`] does both for other servers.

use std::borrow::Cow;
use std::net::SocketAddr;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::config::Config;
use crate::heap::profile::Kind;
use crate::policy::Policy;
use crate::{cpu, heap, index, tasks, threads, ui};

/// A request, as the endpoints see it.
#[derive(Clone, Debug, Default)]
pub struct Request {
    /// The HTTP method.
    pub method: String,
    /// The path below the mount point: `"/"`, `"/heap"`, ... (`""` for the
    /// mount point itself without a trailing slash).
    pub path: String,
    /// The raw query string, without `?`.
    pub query: String,
    /// The `Authorization` header, if any.
    pub authorization: Option<String>,
    /// The full path of the mount point (`"/debug/pprof"`), for the index.
    pub mount: String,
    /// The host the request names (the `Host` header, or the authority of
    /// an absolute-form target); checked against loopback names and
    /// [`Config::allow_host`].
    pub host: Option<String>,
    /// The client's address; `None` when the server does not say. Without
    /// a token and without [`Config::allow_remote`], only loopback clients
    /// are answered, so `None` is refused then.
    pub peer: Option<SocketAddr>,
}

/// A response: status, headers and body.
#[derive(Clone, Debug)]
pub struct Response {
    /// The HTTP status code.
    pub status: u16,
    /// Header names and values (Content-Type among them).
    pub headers: Vec<(&'static str, String)>,
    /// The body.
    pub body: Cow<'static, [u8]>,
}

impl Response {
    fn new(status: u16, content_type: &str, body: impl Into<Cow<'static, [u8]>>) -> Self {
        Response {
            status,
            headers: vec![
                ("Content-Type", content_type.to_string()),
                ("X-Content-Type-Options", "nosniff".to_string()),
            ],
            body: body.into(),
        }
    }

    /// A plain-text response.
    pub(crate) fn text(status: u16, body: String) -> Self {
        Response::new(status, "text/plain; charset=utf-8", body.into_bytes())
    }

    pub(crate) fn error(status: u16, message: &str) -> Self {
        let mut r = Response::text(status, format!("{message}\n"));
        r.headers.push(("Cache-Control", "no-store".into()));
        r
    }

    /// A refusal from proflens-http's checks, with the headers its status
    /// calls for.
    pub(crate) fn refusal(r: proflens_http::Refusal) -> Self {
        let mut out = Response::error(r.status.as_u16(), &r.reason);
        // As proflens-http answers refusals: no second request on the connection.
        out.headers.push(("Connection", "close".into()));
        for (name, value) in &r.headers {
            let name = match name.as_str() {
                "allow" => "Allow",
                "retry-after" => "Retry-After",
                _ => continue,
            };
            if let Ok(v) = value.to_str() {
                out.headers.push((name, v.to_string()));
            }
        }
        out
    }

    pub(crate) fn profile(name: &str, gz: Vec<u8>) -> Self {
        let mut r = Response::new(200, "application/octet-stream", gz);
        r.headers.push(("Content-Disposition", format!("attachment; filename=\"{name}\"")));
        r.headers.push(("Cache-Control", "no-store".into()));
        r
    }

    pub(crate) fn html(body: String) -> Self {
        let mut r = Response::new(200, "text/html; charset=utf-8", body.into_bytes());
        r.headers.push(("Cache-Control", "no-store".into()));
        r
    }

    pub(crate) fn asset(content_type: &str, body: &'static [u8], cache: &str) -> Self {
        let mut r = Response::new(200, content_type, body);
        r.headers.push(("Cache-Control", cache.to_string()));
        r
    }

    pub(crate) fn redirect(location: String) -> Self {
        let mut r = Response::text(301, format!("see {location}\n"));
        r.headers.push(("Location", location));
        r
    }

    /// The value of header `name` (case-insensitive), if set.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// The parsed query string. The first value of a name wins.
pub(crate) struct Query(Vec<(String, String)>);

impl Query {
    /// Decodes `q` (proflens-http's strict decoding: 400 on a malformed
    /// escape or bytes that are not UTF-8).
    pub(crate) fn parse(q: &str) -> Result<Self, Response> {
        proflens_http::decode::query(q).map(Query).map_err(Response::refusal)
    }

    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

/// A parameter problem: 400 with this reason.
type BadRequest = String;

fn debug_param(q: &Query, allowed: &[u8], what: &str) -> Result<u8, BadRequest> {
    let Some(v) = q.get("debug") else { return Ok(0) };
    let want = allowed.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(", ");
    match v.parse::<u8>() {
        Ok(d) if allowed.contains(&d) => Ok(d),
        _ => Err(format!("bad debug={v:?}: {what} takes debug {want}")),
    }
}

fn seconds_param(q: &Query, max: u64) -> Result<Option<u64>, BadRequest> {
    let Some(v) = q.get("seconds") else { return Ok(None) };
    match v.parse::<u64>() {
        Ok(s) if (1..=max).contains(&s) => Ok(Some(s)),
        Ok(s) if s > max => Err(format!("bad seconds={s}: the maximum is {max} (Config::max_seconds)")),
        _ => Err(format!("bad seconds={v:?}: want a whole number of seconds from 1 to {max}")),
    }
}

fn unix_nanos() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos() as i64)
}

/// One endpoint with its parameters, checked and ready to run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Call {
    /// The index; `base` is prefixed to its links.
    Index {
        base: String,
    },
    Cpu {
        seconds: u64,
    },
    Heap {
        kind: Kind,
        debug: u8,
        seconds: Option<u64>,
    },
    Threads {
        debug: u8,
    },
    Tasks {
        debug: u8,
    },
    Cmdline,
    /// `ui` without the slash.
    UiRedirect,
    /// A file of the page, below `ui/`.
    Ui(String),
}

impl Call {
    /// Whether it takes a profile: long (a CPU profile, a heap delta) or
    /// heavy (symbolization), so it runs on a blocking thread, counted
    /// against [`Config::max_concurrent_profiles`].
    pub(crate) fn is_profile(&self) -> bool {
        matches!(self, Call::Cpu { .. } | Call::Heap { .. } | Call::Threads { .. } | Call::Tasks { .. })
    }
}

/// The endpoints with their configuration.
#[derive(Clone, Debug)]
pub struct Agent {
    config: Config,
    policy: Policy,
}

impl Agent {
    /// Endpoints with `config`.
    pub fn new(config: Config) -> Self {
        let policy = Policy::new(&config);
        Agent { config, policy }
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Checks `req` as [`Agent::handle`] would (the Host, the method, the
    /// client's address, the token, the path and the parameters) without
    /// serving it: `Err` is the answer it would get. Never blocks.
    pub fn check(&self, req: &Request) -> Result<(), Response> {
        self.plan(req).map(|_| ())
    }

    /// Serves one request: [`Agent::check`], then the endpoint. May block:
    /// a CPU profile or a heap delta takes the seconds asked for, so call
    /// it where blocking is fine (its own thread, or `spawn_blocking`).
    /// This entry point does not bound how many run at once; the router
    /// does ([`Config::max_concurrent_profiles`]).
    pub fn handle(&self, req: &Request) -> Response {
        match self.plan(req) {
            Ok(call) => self.run(call, &req.mount),
            Err(r) => r,
        }
    }

    /// The policy's checks alone.
    pub(crate) fn admit(&self, req: &Request) -> Result<(), Response> {
        self.policy.admit(req)
    }

    /// The policy, then the path and the parameters.
    pub(crate) fn plan(&self, req: &Request) -> Result<Call, Response> {
        self.admit(req)?;
        let q = Query::parse(&req.query)?;
        let bad = |m: String| Response::error(400, &m);
        Ok(match req.path.as_str() {
            // The mount point without its trailing slash: the same index,
            // with links that go through the mount point's last segment
            // (axum's `nest` cannot route the trailing-slash path).
            "" => {
                let name = req.mount.trim_end_matches('/').rsplit('/').next().unwrap_or("");
                Call::Index { base: format!("{name}/") }
            }
            "/" => Call::Index { base: String::new() },
            "/profile" => {
                debug_param(&q, &[0], "profile").map_err(bad)?;
                let seconds = seconds_param(&q, self.config.max_seconds)
                    .map_err(bad)?
                    .unwrap_or(self.config.cpu_default_seconds());
                Call::Cpu { seconds }
            }
            "/heap" | "/allocs" => {
                let (kind, name) =
                    if req.path == "/heap" { (Kind::Heap, "heap") } else { (Kind::Allocs, "allocs") };
                let debug = debug_param(&q, &[0, 1], name).map_err(bad)?;
                let seconds = seconds_param(&q, self.config.max_seconds).map_err(bad)?;
                if debug != 0 && seconds.is_some() {
                    return Err(bad(
                        "seconds and debug cannot be used together: a delta profile has no text form".into(),
                    ));
                }
                Call::Heap { kind, debug, seconds }
            }
            "/threads" => {
                let debug = debug_param(&q, &[0, 1, 2], "threads").map_err(bad)?;
                if q.get("seconds").is_some() {
                    return Err(bad("threads takes no seconds: it is a snapshot".into()));
                }
                Call::Threads { debug }
            }
            "/tasks" => {
                let debug = debug_param(&q, &[0, 1, 2], "tasks").map_err(bad)?;
                if q.get("seconds").is_some() {
                    return Err(bad("tasks takes no seconds: it is a snapshot".into()));
                }
                Call::Tasks { debug }
            }
            "/cmdline" => Call::Cmdline,
            "/ui" => Call::UiRedirect,
            p if p.starts_with("/ui/") => Call::Ui(p["/ui/".len()..].to_string()),
            p => {
                return Err(Response::error(
                    404,
                    &format!(
                    "unknown profile {:?}: the endpoints are profile, heap, allocs, threads, tasks, cmdline",
                    p.trim_start_matches('/')
                ),
                ))
            }
        })
    }

    /// Runs a planned call; `mount` is the request's mount point. The
    /// agent's own allocations (heap snapshots, symbolization, encoding)
    /// are not sampled: they are not the program's.
    pub(crate) fn run(&self, call: Call, mount: &str) -> Response {
        heap::unsampled(|| self.run_unsampled(call, mount))
    }

    fn run_unsampled(&self, call: Call, mount: &str) -> Response {
        let result = match call {
            Call::Index { base } => Ok(index::page(&self.config, mount, &base)),
            Call::Cpu { seconds } => self.cpu(seconds),
            Call::Heap { kind, debug, seconds } => self.heap(kind, debug, seconds),
            Call::Threads { debug } => self.threads(debug),
            Call::Tasks { debug } => self.tasks(debug),
            Call::Cmdline => Ok(cmdline()),
            Call::UiRedirect => Ok(Response::redirect("ui/".into())),
            Call::Ui(path) => Ok(ui::serve(&path)),
        };
        result.unwrap_or_else(|r| r)
    }

    fn cpu(&self, seconds: u64) -> Result<Response, Response> {
        match cpu::profile(seconds, self.config.cpu_hz, self.config.symbolize) {
            Ok(gz) => Ok(Response::profile("profile", gz)),
            Err(cpu::CpuError::Busy(left)) => Err(Response::error(
                409,
                &format!(
                    "a CPU profile is already being taken (about {left} s left); \
                     only one can run at a time: try again when it ends"
                ),
            )),
            Err(cpu::CpuError::Failed(m)) => Err(Response::error(500, &m)),
        }
    }

    fn heap(&self, kind: Kind, debug: u8, seconds: Option<u64>) -> Result<Response, Response> {
        let name = if kind == Kind::Heap { "heap" } else { "allocs" };
        if !heap::is_installed() {
            return Err(Response::error(
                501,
                "heap profiling is off: make proflens_agent::SamplingAllocator the #[global_allocator]",
            ));
        }
        if debug == 1 {
            return Ok(Response::text(200, heap::profile::text(&heap::snapshot())));
        }
        let gz = match seconds {
            None => {
                heap::profile::proto(kind, &heap::snapshot(), None, unix_nanos(), 0, self.config.symbolize)
            }
            Some(s) => {
                let (t0, start) = (unix_nanos(), Instant::now());
                let base = heap::snapshot();
                std::thread::sleep(Duration::from_secs(s));
                let now = heap::snapshot();
                let took = start.elapsed().as_nanos() as i64;
                heap::profile::proto(kind, &now, Some(&base), t0, took, self.config.symbolize)
            }
        };
        Ok(Response::profile(name, gz))
    }

    fn threads(&self, debug: u8) -> Result<Response, Response> {
        let time = unix_nanos();
        let list = threads::dump(self.config.thread_signal).map_err(|m| Response::error(501, &m))?;
        Ok(match debug {
            1 => Response::text(200, threads::text_grouped(&list)),
            2 => Response::text(200, threads::text_full(&list)),
            _ => Response::profile("threads", threads::proto(&list, time, self.config.symbolize)),
        })
    }

    fn tasks(&self, debug: u8) -> Result<Response, Response> {
        let dump = tasks::dump_blocking(self.config.tasks_handle()).map_err(|m| Response::error(501, &m))?;
        Ok(tasks::respond(&dump, debug))
    }
}

/// The command line, arguments separated by NUL bytes, as Go serves it.
fn cmdline() -> Response {
    let mut out = Vec::new();
    for (i, a) in std::env::args_os().enumerate() {
        if i > 0 {
            out.push(0);
        }
        #[cfg(unix)]
        out.extend_from_slice(std::os::unix::ffi::OsStrExt::as_bytes(a.as_os_str()));
        #[cfg(not(unix))]
        out.extend_from_slice(a.to_string_lossy().as_bytes());
    }
    Response::new(200, "text/plain; charset=utf-8", out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_decode() {
        let q = Query::parse("seconds=5&url=..%2Fheap&x=a+b&seconds=7").unwrap();
        assert_eq!(q.get("seconds"), Some("5"));
        assert_eq!(q.get("url"), Some("../heap"));
        assert_eq!(q.get("x"), Some("a b"));
        for bad in ["bad=%zz", "%", "a%4", "x=%ff"] {
            let r = Query::parse(bad).err().unwrap();
            assert_eq!(r.status, 400, "{bad}");
        }
    }

    #[test]
    fn parameters_are_bounded() {
        let q = Query::parse("seconds=abc&debug=7").unwrap();
        assert!(seconds_param(&q, 300).unwrap_err().contains("whole number"));
        assert!(debug_param(&q, &[0, 1], "heap").unwrap_err().contains("debug 0, 1"));
        let q = |s| Query::parse(s).unwrap();
        assert!(seconds_param(&q("seconds=301"), 300).unwrap_err().contains("maximum is 300"));
        assert!(seconds_param(&q("seconds=0"), 300).is_err());
        assert_eq!(seconds_param(&q("seconds=300"), 300), Ok(Some(300)));
    }

    #[test]
    fn requests_plan_into_calls() {
        let agent = Agent::new(Config::default().max_seconds(60));
        let plan = |path: &str, query: &str| {
            agent.plan(&Request {
                method: "GET".into(),
                path: path.into(),
                query: query.into(),
                mount: "/debug/pprof".into(),
                host: Some("localhost".into()),
                peer: "127.0.0.1:9".parse().ok(),
                ..Request::default()
            })
        };
        assert_eq!(plan("/profile", "").unwrap(), Call::Cpu { seconds: 30 });
        assert_eq!(
            plan("/heap", "seconds=%35").unwrap(),
            Call::Heap { kind: Kind::Heap, debug: 0, seconds: Some(5) }
        );
        assert_eq!(plan("", "").unwrap(), Call::Index { base: "pprof/".into() });
        assert_eq!(plan("/ui/x.js", "").unwrap(), Call::Ui("x.js".into()));
        assert_eq!(plan("/heap", "seconds=61").unwrap_err().status, 400);
        assert_eq!(plan("/allocs", "debug=1&seconds=1").unwrap_err().status, 400);
        assert_eq!(plan("/goroutine", "").unwrap_err().status, 404);
        assert!(plan("/threads", "").unwrap().is_profile());
        assert!(!plan("/cmdline", "").unwrap().is_profile());
    }
}
