//! The endpoints, independent of any HTTP server: a [`Request`] in, a
//! [`Response`] out. The built-in server and the axum router both call
//! [`Agent::handle`].

use std::borrow::Cow;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::config::Config;
use crate::heap::profile::Kind;
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

    fn error(status: u16, message: &str) -> Self {
        let mut r = Response::text(status, format!("{message}\n"));
        r.headers.push(("Cache-Control", "no-store".into()));
        r
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
    pub(crate) fn parse(q: &str) -> Self {
        Query(
            q.split('&')
                .filter(|p| !p.is_empty())
                .map(|p| {
                    let (k, v) = p.split_once('=').unwrap_or((p, ""));
                    (percent_decode(k), percent_decode(v))
                })
                .collect(),
        )
    }

    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

/// Decodes `%XX` and `+`; invalid escapes are kept as they are.
pub(crate) fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => {
                let hex =
                    std::str::from_utf8(&b[i + 1..i + 3]).ok().and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(v) => {
                        out.push(v);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
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

/// Compares in time independent of where the inputs differ.
fn same_secret(a: &[u8], b: &[u8]) -> bool {
    let mut diff = a.len() ^ b.len();
    for (i, &x) in a.iter().enumerate() {
        diff |= usize::from(x ^ b.get(i % b.len().max(1)).copied().unwrap_or(0));
    }
    diff == 0
}

/// The endpoints with their configuration.
#[derive(Clone, Debug)]
pub struct Agent {
    config: Config,
}

impl Agent {
    /// Endpoints with `config`.
    pub fn new(config: Config) -> Self {
        Agent { config }
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Checks the method and the token; `None` when the request may go on.
    pub(crate) fn refuse(&self, req: &Request) -> Option<Response> {
        if req.method != "GET" {
            let mut r = Response::error(405, "method not allowed: the profiling endpoints answer GET only");
            r.headers.push(("Allow", "GET".into()));
            return Some(r);
        }
        if let Some(token) = &self.config.token {
            let given = req
                .authorization
                .as_deref()
                .and_then(|h| h.strip_prefix("Bearer ").or_else(|| h.strip_prefix("bearer ")))
                .map(str::trim);
            let ok = given.is_some_and(|g| same_secret(g.as_bytes(), token.as_bytes()));
            if !ok {
                let mut r = Response::error(
                    401,
                    if given.is_some() {
                        "unauthorized: wrong bearer token"
                    } else {
                        "unauthorized: send Authorization: Bearer <token>"
                    },
                );
                r.headers.push(("WWW-Authenticate", "Bearer realm=\"proflens-agent\"".into()));
                return Some(r);
            }
        }
        None
    }

    /// Serves one request. May block: a CPU profile or a heap delta takes
    /// the seconds asked for, so call it where blocking is fine (its own
    /// thread, or `spawn_blocking`).
    pub fn handle(&self, req: &Request) -> Response {
        if let Some(r) = self.refuse(req) {
            return r;
        }
        let q = Query::parse(&req.query);
        let result = match req.path.as_str() {
            // The mount point without its trailing slash: the same index,
            // with links that go through the mount point's last segment
            // (axum's `nest` cannot route the trailing-slash path).
            "" => {
                let name = req.mount.trim_end_matches('/').rsplit('/').next().unwrap_or("");
                Ok(index::page(&self.config, &req.mount, &format!("{name}/")))
            }
            "/" => Ok(index::page(&self.config, &req.mount, "")),
            "/profile" => self.cpu(&q),
            "/heap" => self.heap(&q, Kind::Heap),
            "/allocs" => self.heap(&q, Kind::Allocs),
            "/threads" => self.threads(&q),
            "/tasks" => self.tasks(&q),
            "/cmdline" => Ok(cmdline()),
            "/ui" => Ok(Response::redirect("ui/".into())),
            p if p.starts_with("/ui/") => Ok(ui::serve(&p["/ui/".len()..])),
            p => Err(Response::error(
                404,
                &format!(
                    "unknown profile {:?}: the endpoints are profile, heap, allocs, threads, tasks, cmdline",
                    p.trim_start_matches('/')
                ),
            )),
        };
        result.unwrap_or_else(|r| r)
    }

    fn cpu(&self, q: &Query) -> Result<Response, Response> {
        let bad = |m: String| Response::error(400, &m);
        debug_param(q, &[0], "profile").map_err(bad)?;
        let seconds = seconds_param(q, self.config.max_seconds)
            .map_err(bad)?
            .unwrap_or(self.config.cpu_default_seconds());
        match cpu::profile(seconds, self.config.cpu_hz) {
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

    fn heap(&self, q: &Query, kind: Kind) -> Result<Response, Response> {
        let bad = |m: String| Response::error(400, &m);
        let name = if kind == Kind::Heap { "heap" } else { "allocs" };
        let debug = debug_param(q, &[0, 1], name).map_err(bad)?;
        let seconds = seconds_param(q, self.config.max_seconds).map_err(bad)?;
        if debug != 0 && seconds.is_some() {
            return Err(bad(
                "seconds and debug cannot be used together: a delta profile has no text form".into()
            ));
        }
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
            None => heap::profile::proto(kind, &heap::snapshot(), None, unix_nanos(), 0),
            Some(s) => {
                let (t0, start) = (unix_nanos(), Instant::now());
                let base = heap::snapshot();
                std::thread::sleep(Duration::from_secs(s));
                let now = heap::snapshot();
                heap::profile::proto(kind, &now, Some(&base), t0, start.elapsed().as_nanos() as i64)
            }
        };
        Ok(Response::profile(name, gz))
    }

    fn threads(&self, q: &Query) -> Result<Response, Response> {
        let bad = |m: String| Response::error(400, &m);
        let debug = debug_param(q, &[0, 1, 2], "threads").map_err(bad)?;
        if q.get("seconds").is_some() {
            return Err(bad("threads takes no seconds: it is a snapshot".into()));
        }
        let time = unix_nanos();
        let list = threads::dump(self.config.thread_signal).map_err(|m| Response::error(501, &m))?;
        Ok(match debug {
            1 => Response::text(200, threads::text_grouped(&list)),
            2 => Response::text(200, threads::text_full(&list)),
            _ => Response::profile("threads", threads::proto(&list, time)),
        })
    }

    fn tasks(&self, q: &Query) -> Result<Response, Response> {
        let (debug, handle) = self.tasks_params(q)?;
        let dump = tasks::dump_blocking(handle).map_err(|m| Response::error(501, &m))?;
        Ok(tasks::respond(&dump, debug))
    }

    /// Checks the `tasks` parameters; returns debug and the configured runtime.
    pub(crate) fn tasks_params(&self, q: &Query) -> Result<(u8, Option<tasks::Handle>), Response> {
        let bad = |m: String| Response::error(400, &m);
        let debug = debug_param(q, &[0, 1, 2], "tasks").map_err(bad)?;
        if q.get("seconds").is_some() {
            return Err(bad("tasks takes no seconds: it is a snapshot".into()));
        }
        #[cfg(feature = "tokio-taskdump")]
        let handle = self.config.tokio.clone();
        #[cfg(not(feature = "tokio-taskdump"))]
        let handle = None;
        Ok((debug, handle))
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
        let q = Query::parse("seconds=5&url=..%2Fheap&x=a+b&bad=%zz&seconds=7");
        assert_eq!(q.get("seconds"), Some("5"));
        assert_eq!(q.get("url"), Some("../heap"));
        assert_eq!(q.get("x"), Some("a b"));
        assert_eq!(q.get("bad"), Some("%zz"));
        assert_eq!(percent_decode("%"), "%");
        assert_eq!(percent_decode("a%4"), "a%4");
    }

    #[test]
    fn parameters_are_bounded() {
        let q = Query::parse("seconds=abc&debug=7");
        assert!(seconds_param(&q, 300).unwrap_err().contains("whole number"));
        assert!(debug_param(&q, &[0, 1], "heap").unwrap_err().contains("debug 0, 1"));
        assert!(seconds_param(&Query::parse("seconds=301"), 300).unwrap_err().contains("maximum is 300"));
        assert!(seconds_param(&Query::parse("seconds=0"), 300).is_err());
        assert_eq!(seconds_param(&Query::parse("seconds=300"), 300), Ok(Some(300)));
    }

    #[test]
    fn secrets_compare() {
        assert!(same_secret(b"abc", b"abc"));
        assert!(!same_secret(b"abc", b"abd"));
        assert!(!same_secret(b"abc", b"abcd"));
        assert!(!same_secret(b"", b"a"));
    }
}
