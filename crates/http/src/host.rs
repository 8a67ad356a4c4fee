//! The Host check of loopback services.
//!
//! A page on evil.example can make its DNS name resolve to 127.0.0.1
//! (DNS rebinding); the browser then sends it requests for a service on the
//! user's loopback, same-origin, and lets it read the answers. The browser
//! still sends `Host: evil.example`, so a loopback service that answers
//! only loopback names (and the names its user configured) is out of reach.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use axum::http::uri::Authority;
use axum::http::{header::HOST, Request, StatusCode};

use crate::refusal::Refusal;

/// A name the user allowed, with its port if one was given.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Allowed {
    name: String,
    port: Option<u16>,
}

/// Which `Host` values a service answers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostCheck {
    enforced: bool,
    allowed: Vec<Allowed>,
}

impl Default for HostCheck {
    fn default() -> Self {
        HostCheck::loopback()
    }
}

/// `name` lowercased, without a trailing dot (`localhost.` is `localhost`).
fn normalize(name: &str) -> String {
    name.strip_suffix('.').unwrap_or(name).to_ascii_lowercase()
}

/// Splits a Host value into its name and port; `None` if it is not a valid
/// `host[:port]` (empty, user info, a path, spaces...).
fn split(host: &str) -> Option<(String, Option<u16>)> {
    let authority: Authority = host.parse().ok()?;
    let (name, port) = (authority.host(), authority.port());
    // Exactly `name` or `name:port`: no user info, nothing the parser
    // skipped (it takes "[::1].evil" as "[::1]").
    let exact = name.len() + port.as_ref().map_or(0, |p| 1 + p.as_str().len()) == authority.as_str().len();
    if !exact || name.is_empty() {
        return None;
    }
    Some((normalize(name), authority.port_u16()))
}

/// Whether `name` (a Host value's name, without the port; IPv6 in brackets)
/// is a loopback name: `localhost`, an address in 127.0.0.0/8, or `[::1]`.
pub fn is_loopback_host(name: &str) -> bool {
    let name = normalize(name);
    if name == "localhost" {
        return true;
    }
    if let Some(v6) = name.strip_prefix('[').and_then(|n| n.strip_suffix(']')) {
        return v6.parse::<Ipv6Addr>().is_ok_and(|ip| IpAddr::V6(ip).to_canonical().is_loopback());
    }
    name.parse::<Ipv4Addr>().is_ok_and(|ip| ip.is_loopback())
}

/// The host a request names: the authority of an absolute-form target
/// (which takes precedence, RFC 9112 §3.2.2), else the Host header.
/// `None` when there is none or it is not text.
pub fn host_of<B>(req: &Request<B>) -> Option<&str> {
    match req.uri().authority() {
        Some(a) => Some(a.as_str()),
        None => req.headers().get(HOST).and_then(|v| v.to_str().ok()),
    }
}

impl HostCheck {
    /// Loopback names only (plus those added with [`HostCheck::allow`]).
    pub fn loopback() -> Self {
        HostCheck { enforced: true, allowed: Vec::new() }
    }

    /// Any host: for services reachable from other machines, which must
    /// guard themselves otherwise (a token).
    pub fn any() -> Self {
        HostCheck { enforced: false, allowed: Vec::new() }
    }

    /// Also answers `host` (`name` or `name:port`; without a port, any
    /// port). Turns the check on if it was off. A value that is not a valid
    /// host is refused with the reason.
    pub fn allow(mut self, host: &str) -> Result<Self, String> {
        let (name, port) =
            split(host.trim()).ok_or_else(|| format!("{host:?} is not a host name or host:port"))?;
        self.enforced = true;
        self.allowed.push(Allowed { name, port });
        Ok(self)
    }

    /// Whether the check refuses anything.
    pub fn is_enforced(&self) -> bool {
        self.enforced
    }

    /// Checks a request's host (see [`host_of`]).
    pub fn check(&self, host: Option<&str>) -> Result<(), Refusal> {
        if !self.enforced {
            return Ok(());
        }
        let refuse = |why: String| {
            Err(Refusal::new(
                StatusCode::FORBIDDEN,
                format!(
                    "{why}: this service answers requests for localhost, 127.0.0.1 or [::1] only \
                     (a page that points its own name at this machine must not read it); \
                     allow another name in the service's configuration"
                ),
            ))
        };
        let Some(host) = host else { return refuse("no Host header".into()) };
        let Some((name, port)) = split(host) else { return refuse(format!("bad Host header {host:?}")) };
        if is_loopback_host(&name)
            || self.allowed.iter().any(|a| a.name == name && (a.port.is_none() || a.port == port))
        {
            return Ok(());
        }
        refuse(format!("Host {host:?} is not a loopback name"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_names() {
        for yes in [
            "localhost",
            "LOCALHOST",
            "localhost.",
            "127.0.0.1",
            "127.255.0.9",
            "[::1]",
            "[::ffff:127.0.0.1]",
        ] {
            assert!(is_loopback_host(yes), "{yes}");
        }
        for no in
            ["localhost.evil", "127.0.0.1.nip.io", "10.0.0.1", "[::2]", "::1", "", "[", "0.0.0.0", "127.1"]
        {
            assert!(!is_loopback_host(no), "{no}");
        }
    }

    #[test]
    fn hosts_with_ports_and_allowed_names() {
        let check = HostCheck::loopback().allow("devbox").unwrap().allow("pinned:8080").unwrap();
        for ok in ["localhost:6060", "[::1]:80", "127.0.0.1", "devbox", "DevBox:1", "pinned:8080"] {
            assert_eq!(check.check(Some(ok)), Ok(()), "{ok}");
        }
        for bad in [
            "pinned:8081",
            "pinned",
            "evil.example",
            "user@localhost",
            "localhost/x",
            "",
            "[::1",
            "[::1].evil",
        ] {
            let r = check.check(Some(bad)).unwrap_err();
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{bad}");
            assert!(r.reason.contains("Host"), "{}", r.reason);
        }
        assert!(check.check(None).is_err());
        assert_eq!(HostCheck::any().check(Some("evil.example")), Ok(()));
        assert_eq!(HostCheck::any().check(None), Ok(()));
        assert!(HostCheck::loopback().allow("a b").is_err());
        assert!(HostCheck::any().allow("x").unwrap().is_enforced());
    }

    #[test]
    fn an_absolute_target_names_the_host() {
        let req = Request::get("http://evil.example/x").header(HOST, "localhost").body(()).unwrap();
        assert_eq!(host_of(&req), Some("evil.example"));
        let req = Request::get("/x").header(HOST, "localhost:1").body(()).unwrap();
        assert_eq!(host_of(&req), Some("localhost:1"));
    }
}
