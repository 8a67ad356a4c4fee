//! Checks arbitrary requests against proflens-agent's endpoints without
//! serving them (`Agent::check`: the policy, the path and the parameters:
//! seconds, debug and anything else in the query), under several
//! configurations, and runs proflens-http's decoders and Host check on the
//! raw input. Refusals are expected; panics, hangs and other answers are
//! bugs.
//!
//! Input: up to five fields separated by newlines: method, Host, path,
//! query, Authorization; the first byte also picks the peer.

#![no_main]

use std::net::SocketAddr;
use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use proflens_agent::{Agent, Config, Request};
use proflens_http::{decode, HostCheck};

fn configs() -> [Config; 5] {
    [
        Config::default(),
        Config::default().token("s3cret"),
        Config::default().allow_remote(true).max_seconds(1).default_seconds(5),
        Config::default().allow_host("devbox.internal:6060").prefix("x"),
        Config::default().request_deadline(Duration::ZERO).max_concurrent_profiles(0),
    ]
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut fields = text.splitn(5, '\n');
    let mut field = || fields.next().map(str::to_string);
    let peer: Option<SocketAddr> = match data.first().map(|b| b % 3) {
        Some(0) => Some(SocketAddr::from(([127, 0, 0, 1], 40000))),
        Some(1) => Some(SocketAddr::from(([192, 0, 2, 7], 40000))),
        _ => None,
    };
    let req = Request {
        method: field().unwrap_or_default(),
        host: field(),
        path: field().unwrap_or_default(),
        query: field().unwrap_or_default(),
        authorization: field(),
        mount: "/debug/pprof".into(),
        peer,
    };
    for config in configs() {
        match Agent::new(config).check(&req) {
            Ok(()) => assert!(req.method == "GET" || req.method == "HEAD", "{:?} passed", req.method),
            Err(r) => {
                assert!(matches!(r.status, 400 | 401 | 403 | 404 | 405), "unexpected status {}", r.status);
                assert!(!r.body.is_empty(), "a refusal says why");
            }
        }
    }

    // The shared pieces on the raw input.
    if let Ok(pairs) = decode::query(&text) {
        // One pair per non-empty &-separated piece, at most.
        assert!(pairs.len() <= text.split('&').filter(|p| !p.is_empty()).count());
    }
    if let Ok(path) = decode::path(&text) {
        assert!(!path.contains('\0'));
        assert!(!text.to_ascii_lowercase().contains("%2f"));
    }
    let _ = HostCheck::loopback().check(Some(&text));
    let _ = HostCheck::loopback().allow(&text).map(|c| c.check(Some("localhost")));
});
