//! A small HTTP/1.1 server on its own threads, for programs without a web
//! framework: one accept thread, one thread per request (at most
//! `MAX_CONNECTIONS` at once), `Connection: close` on every response.

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use crate::agent::{Agent, Request, Response};
use crate::config::Config;

const MAX_CONNECTIONS: usize = 16;
const MAX_HEAD: usize = 16 * 1024;

/// A running endpoint started by [`serve`] or [`serve_with`]. Dropping it
/// leaves the server running (as `go http.ListenAndServe` in a goroutine);
/// [`Server::shutdown`] stops it.
#[derive(Debug)]
pub struct Server {
    addr: SocketAddr,
    prefix: String,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    /// The address it listens on (with the actual port when 0 was asked).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The index page's URL, e.g. `http://127.0.0.1:6060/debug/pprof/`.
    pub fn url(&self) -> String {
        format!("http://{}{}/", self.addr, self.prefix)
    }

    /// Stops accepting connections and waits for the accept thread.
    /// Requests in progress finish on their own threads.
    pub fn shutdown(mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept call.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Starts the endpoints under `/debug/pprof` on `addr` (e.g.
/// `"127.0.0.1:6060"`) on a thread of their own, like
/// `go http.ListenAndServe(":6060", nil)`. Only loopback addresses are
/// accepted; see [`serve_with`] and [`Config::allow_remote`].
pub fn serve(addr: impl ToSocketAddrs) -> io::Result<Server> {
    serve_with(addr, Config::default())
}

/// [`serve`] with a configuration.
pub fn serve_with(addr: impl ToSocketAddrs, config: Config) -> io::Result<Server> {
    let addrs: Vec<SocketAddr> = addr.to_socket_addrs()?.collect();
    if !config.allow_remote {
        if let Some(a) = addrs.iter().find(|a| !a.ip().is_loopback()) {
            return Err(io::Error::new(
                io::ErrorKind::PermissionDenied,
                format!(
                    "proflens-agent: {a} is not a loopback address; profiles reveal a lot about a \
                     process: use Config::allow_remote(true) (and a token) to listen there"
                ),
            ));
        }
    }
    let listener = TcpListener::bind(&addrs[..])?;
    let local = listener.local_addr()?;
    let stop = Arc::new(AtomicBool::new(false));
    let prefix = config.prefix.clone();
    let agent = Arc::new(Agent::new(config));
    let stop2 = stop.clone();
    let thread = std::thread::Builder::new()
        .name("proflens-agent".into())
        .spawn(move || accept_loop(listener, agent, stop2))?;
    Ok(Server { addr: local, prefix, stop, thread: Some(thread) })
}

fn accept_loop(listener: TcpListener, agent: Arc<Agent>, stop: Arc<AtomicBool>) {
    let active = Arc::new(AtomicUsize::new(0));
    for stream in listener.incoming() {
        if stop.load(Ordering::SeqCst) {
            break;
        }
        let Ok(mut stream) = stream else {
            // Out of file descriptors and the like: back off a little.
            std::thread::sleep(Duration::from_millis(50));
            continue;
        };
        if active.load(Ordering::SeqCst) >= MAX_CONNECTIONS {
            let _ = stream.set_write_timeout(Some(Duration::from_secs(2)));
            let r = Response::text(503, "too many profiling requests at once; try again\n".into());
            let _ = write_response(&mut stream, &r);
            continue;
        }
        active.fetch_add(1, Ordering::SeqCst);
        let (agent, active2) = (agent.clone(), active.clone());
        let spawned = std::thread::Builder::new().name("proflens-agent-req".into()).spawn(move || {
            connection(stream, &agent);
            active2.fetch_sub(1, Ordering::SeqCst);
        });
        if spawned.is_err() {
            active.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

/// A parsed request head.
struct Head {
    method: String,
    target: String,
    authorization: Option<String>,
}

fn read_head(stream: &mut TcpStream) -> Result<Head, Response> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    let end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        if buf.len() > MAX_HEAD {
            return Err(Response::text(431, "request head too large\n".into()));
        }
        match stream.read(&mut chunk) {
            Ok(0) => return Err(Response::text(400, "incomplete request\n".into())),
            Ok(n) => buf.extend_from_slice(chunk.get(..n).unwrap_or(&[])),
            Err(_) => return Err(Response::text(408, "request timeout\n".into())),
        }
    };
    let head = String::from_utf8_lossy(buf.get(..end).unwrap_or(&[])).into_owned();
    let mut lines = head.split("\r\n");
    let mut first = lines.next().unwrap_or("").split(' ');
    let (Some(method), Some(target), Some(version)) = (first.next(), first.next(), first.next()) else {
        return Err(Response::text(400, "malformed request line\n".into()));
    };
    if !version.starts_with("HTTP/1.") {
        return Err(Response::text(505, "HTTP/1.x only\n".into()));
    }
    let mut authorization = None;
    for line in lines {
        if let Some((k, v)) = line.split_once(':') {
            if k.trim().eq_ignore_ascii_case("authorization") {
                authorization = Some(v.trim().to_string());
            }
        }
    }
    Ok(Head { method: method.to_string(), target: target.to_string(), authorization })
}

fn connection(mut stream: TcpStream, agent: &Agent) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let _ = stream.set_write_timeout(Some(Duration::from_secs(60)));
    let response = match read_head(&mut stream) {
        Ok(head) => route(agent, head),
        Err(r) => r,
    };
    let _ = write_response(&mut stream, &response);
    let _ = stream.shutdown(Shutdown::Write);
    // Let the client read everything before the socket closes.
    let mut sink = [0u8; 512];
    let _ = stream.set_read_timeout(Some(Duration::from_millis(200)));
    while matches!(stream.read(&mut sink), Ok(n) if n > 0) {}
}

fn route(agent: &Agent, head: Head) -> Response {
    // Absolute-form targets ("http://host/path") are reduced to the path.
    let target = match head.target.strip_prefix("http://").or_else(|| head.target.strip_prefix("https://")) {
        Some(rest) => rest.find('/').map_or("/", |i| &rest[i..]).to_string(),
        None => head.target.clone(),
    };
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    let prefix = agent.config().prefix.as_str();
    let Some(rest) = path.strip_prefix(prefix) else {
        return Response::text(404, format!("not found; the profiles are under {prefix}/\n"));
    };
    if !(rest.is_empty() || rest.starts_with('/')) {
        return Response::text(404, format!("not found; the profiles are under {prefix}/\n"));
    }
    let req = Request {
        method: head.method,
        path: rest.to_string(),
        query: query.to_string(),
        authorization: head.authorization,
        mount: prefix.to_string(),
    };
    agent.handle(&req)
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        409 => "Conflict",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        503 => "Service Unavailable",
        505 => "HTTP Version Not Supported",
        _ => "",
    }
}

fn write_response(stream: &mut TcpStream, r: &Response) -> io::Result<()> {
    let mut head = format!("HTTP/1.1 {} {}\r\n", r.status, reason(r.status));
    for (k, v) in &r.headers {
        // Header values are ours; keep them on one line regardless.
        let v: String = v.chars().filter(|c| *c != '\r' && *c != '\n').collect();
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str(&format!("Content-Length: {}\r\nConnection: close\r\n\r\n", r.body.len()));
    stream.write_all(head.as_bytes())?;
    stream.write_all(&r.body)?;
    stream.flush()
}
