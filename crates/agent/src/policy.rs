//! Who may read the profiles: the one policy every request meets, whichever
//! way it comes in (the built-in server, the axum router, a direct call to
//! [`crate::Agent::handle`]).
//!
//! In order: the Host (403; loopback names unless configured otherwise),
//! the method (405; GET and HEAD), the peer (403; loopback peers only
//! without a token or `allow_remote`), the bearer token (401).

use std::net::SocketAddr;

use proflens_http::HostCheck;

use crate::agent::{Request, Response};
use crate::config::Config;

/// The policy of one configuration.
#[derive(Clone, Debug)]
pub(crate) struct Policy {
    hosts: HostCheck,
    loopback_only: bool,
    token: Option<String>,
}

/// Compares in time independent of where the inputs differ.
fn same_secret(a: &[u8], b: &[u8]) -> bool {
    let mut diff = a.len() ^ b.len();
    for (i, &x) in a.iter().enumerate() {
        diff |= usize::from(x ^ b.get(i % b.len().max(1)).copied().unwrap_or(0));
    }
    diff == 0
}

fn is_loopback(peer: &SocketAddr) -> bool {
    peer.ip().to_canonical().is_loopback()
}

impl Policy {
    pub(crate) fn new(config: &Config) -> Self {
        Policy {
            hosts: config.host_check_lenient(),
            loopback_only: config.loopback_only(),
            token: config.token.clone(),
        }
    }

    /// `Ok` when `req` may be served; else the refusal.
    pub(crate) fn admit(&self, req: &Request) -> Result<(), Response> {
        self.hosts.check(req.host.as_deref()).map_err(Response::refusal)?;
        let method = axum::http::Method::from_bytes(req.method.as_bytes())
            .map_err(|_| Response::error(405, &format!("method {:?} not allowed", req.method)))?;
        proflens_http::check_method(&method).map_err(Response::refusal)?;
        if self.loopback_only {
            self.check_peer(req.peer)?;
        }
        self.check_token(req.authorization.as_deref())
    }

    fn check_peer(&self, peer: Option<SocketAddr>) -> Result<(), Response> {
        match peer {
            Some(p) if is_loopback(&p) => Ok(()),
            Some(p) => Err(Response::error(
                403,
                &format!(
                    "forbidden: {} is not a loopback address, and profiles reveal a lot about a process; \
                     to answer other machines, set Config::allow_remote(true) and a Config::token",
                    p.ip()
                ),
            )),
            None => Err(Response::error(
                403,
                "forbidden: the client's address is unknown, and without a token only loopback clients \
                 are answered; serve the app with \
                 app.into_make_service_with_connect_info::<SocketAddr>() (axum::serve), or set a \
                 Config::token, or Config::allow_remote(true)",
            )),
        }
    }

    fn check_token(&self, authorization: Option<&str>) -> Result<(), Response> {
        let Some(token) = &self.token else { return Ok(()) };
        let given = authorization
            .and_then(|h| h.strip_prefix("Bearer ").or_else(|| h.strip_prefix("bearer ")))
            .map(str::trim);
        if given.is_some_and(|g| same_secret(g.as_bytes(), token.as_bytes())) {
            return Ok(());
        }
        let mut r = Response::error(
            401,
            if given.is_some() {
                "unauthorized: wrong bearer token"
            } else {
                "unauthorized: send Authorization: Bearer <token>"
            },
        );
        r.headers.push(("WWW-Authenticate", "Bearer realm=\"proflens-agent\"".into()));
        Err(r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(host: &str, peer: &str) -> Request {
        Request {
            method: "GET".into(),
            path: "/".into(),
            host: Some(host.into()),
            peer: peer.parse().ok(),
            ..Request::default()
        }
    }

    #[test]
    fn secrets_compare() {
        assert!(same_secret(b"abc", b"abc"));
        assert!(!same_secret(b"abc", b"abd"));
        assert!(!same_secret(b"abc", b"abcd"));
        assert!(!same_secret(b"", b"a"));
    }

    #[test]
    fn loopback_only_by_default() {
        let p = Policy::new(&Config::default());
        assert!(p.admit(&req("localhost:6060", "127.0.0.1:1")).is_ok());
        assert!(p.admit(&req("localhost", "[::ffff:127.0.0.1]:1")).is_ok());
        assert_eq!(p.admit(&req("evil.example", "127.0.0.1:1")).unwrap_err().status, 403);
        assert_eq!(p.admit(&req("localhost", "10.1.2.3:1")).unwrap_err().status, 403);
        assert_eq!(p.admit(&req("localhost", "")).unwrap_err().status, 403);
        let mut post = req("localhost", "127.0.0.1:1");
        post.method = "POST".into();
        assert_eq!(p.admit(&post).unwrap_err().status, 405);
        post.method = "NOT A METHOD".into();
        assert_eq!(p.admit(&post).unwrap_err().status, 405);
    }

    #[test]
    fn a_token_opens_remote_peers_and_any_host() {
        let p = Policy::new(&Config::default().token("t"));
        let mut r = req("profiler.example", "10.1.2.3:1");
        assert_eq!(p.admit(&r).unwrap_err().status, 401);
        r.authorization = Some("Bearer t".into());
        assert!(p.admit(&r).is_ok());
        // Unless hosts are named.
        let p = Policy::new(&Config::default().token("t").allow_host("profiler.internal"));
        assert_eq!(p.admit(&r).unwrap_err().status, 403);
    }
}
