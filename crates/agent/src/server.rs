//! The endpoint on a thread of its own, for programs without a web
//! framework: the agent's router ([`crate::router`]) served by
//! proflens-http on a current-thread tokio runtime, on a thread named
//! `proflens-agent` (profiles run on its blocking pool, at most
//! [`Config::max_concurrent_profiles`] at once). Threads of that name are
//! the agent's: the heap sampler leaves their allocations out.

use std::io;
use std::net::{SocketAddr, TcpListener, ToSocketAddrs};

use proflens_http::{Background, Limits};

use crate::config::Config;
use crate::router::{self, MAX_HEAD_BYTES};

/// A running endpoint started by [`serve`] or [`serve_with`]. Dropping it
/// leaves the server running (as `go http.ListenAndServe` in a goroutine);
/// [`Server::shutdown`] stops it.
#[derive(Debug)]
pub struct Server {
    prefix: String,
    background: Background,
}

impl Server {
    /// The address it listens on (with the actual port when 0 was asked).
    pub fn local_addr(&self) -> SocketAddr {
        self.background.local_addr()
    }

    /// The index page's URL, e.g. `http://127.0.0.1:6060/debug/pprof/`.
    pub fn url(&self) -> String {
        format!("http://{}{}/", self.local_addr(), self.prefix)
    }

    /// Stops accepting connections, lets requests in flight finish for up
    /// to 5 s, closes the rest and waits for the server's thread to end. (A
    /// CPU profile cut off this way still ends on its own, on time.)
    pub fn shutdown(self) {
        self.background.shutdown();
    }
}

/// Starts the endpoints under `/debug/pprof` on `addr` (e.g.
/// `"127.0.0.1:6060"`) on a thread of their own, like
/// `go http.ListenAndServe(":6060", nil)`. Only loopback addresses are
/// accepted; see [`serve_with`] and [`Config::allow_remote`].
pub fn serve(addr: impl ToSocketAddrs) -> io::Result<Server> {
    crate::heap::unsampled(|| serve_with(addr, Config::default()))
}

/// [`serve`] with a configuration.
pub fn serve_with(addr: impl ToSocketAddrs, config: Config) -> io::Result<Server> {
    // The server (its runtime, its handle) is the agent's memory, not the
    // program's: none of it is sampled.
    crate::heap::unsampled(|| start(addr, config))
}

fn start(addr: impl ToSocketAddrs, config: Config) -> io::Result<Server> {
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
    config.host_check().map_err(|e| {
        io::Error::new(io::ErrorKind::InvalidInput, format!("proflens-agent: Config::allow_host: {e}"))
    })?;
    let listener = TcpListener::bind(&addrs[..])?;
    let limits = Limits {
        request_deadline: config.request_deadline,
        max_head_bytes: MAX_HEAD_BYTES,
        ..Limits::default()
    };
    // One blocking thread per profile slot, and one for a task dump's
    // symbolization.
    let blocking = config.max_concurrent_profiles + 1;
    let prefix = config.prefix.clone();
    let background =
        Background::spawn(crate::heap::AGENT_THREAD, listener, router::standalone(config), limits, blocking)?;
    Ok(Server { prefix, background })
}
