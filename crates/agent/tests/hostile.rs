//! Hostile clients against the built-in server (`serve_with`): a page that
//! rebinds its DNS name to 127.0.0.1, a client that never finishes its
//! request head (slowloris) or its body, oversized heads, a crowd of slow
//! profile requests, other methods, broken percent-encoding. Every answer
//! is an HTTP status with a reason; nothing hangs, nothing panics.
//!
//! This binary has the sampling allocator, so `heap?seconds=N` really takes
//! N seconds (the slow request of the crowd test).

mod common;

use std::net::SocketAddr;
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use common::{get, raw, request, slowloris};
use proflens_agent::{Config, SamplingAllocator};

#[global_allocator]
static ALLOC: SamplingAllocator = SamplingAllocator::system();

fn start(config: Config) -> proflens_agent::Server {
    proflens_agent::serve_with("127.0.0.1:0", config).expect("start the agent")
}

fn with_host(addr: SocketAddr, target: &str, host: &str) -> common::Reply {
    let head = format!("GET {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    raw(addr, head.as_bytes()).expect("a reply")
}

#[test]
fn a_page_rebinding_its_name_to_loopback_gets_403() {
    let server = start(Config::default());
    let addr = server.local_addr();
    for host in [
        "evil.example",
        "evil.example:6060",
        "localhost.evil.example",
        "127.0.0.1.nip.io",
        "[::1].evil.example",
        "1.2.3.4",
        "",
    ] {
        let r = with_host(addr, "/debug/pprof/cmdline", host);
        assert_eq!(r.status, 403, "Host: {host:?} got {} {}", r.status, r.text());
        assert!(r.text().contains("Host"), "the reason names the Host header: {}", r.text());
        assert!(!r.body.contains(&0), "no command line in the body");
    }
    // An absolute-form target names the host too, and wins over Host.
    let r = raw(
        addr,
        b"GET http://evil.example/debug/pprof/cmdline HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
    )
    .expect("a reply");
    assert_eq!(r.status, 403, "{}", r.text());
    for host in
        ["localhost", "LocalHost:6060", "localhost.", "127.0.0.1", "127.8.9.10:1", "[::1]", "[::1]:80"]
    {
        let r = with_host(addr, "/debug/pprof/cmdline", host);
        assert_eq!(r.status, 200, "Host: {host:?} got {} {}", r.status, r.text());
    }
    server.shutdown();
}

#[test]
fn a_host_the_user_allows_is_served() {
    let server = start(Config::default().allow_host("devbox.internal"));
    let addr = server.local_addr();
    assert_eq!(with_host(addr, "/debug/pprof/cmdline", "devbox.internal:6060").status, 200);
    assert_eq!(with_host(addr, "/debug/pprof/cmdline", "DEVBOX.internal").status, 200);
    assert_eq!(with_host(addr, "/debug/pprof/cmdline", "other.internal").status, 403);
    server.shutdown();
}

#[test]
fn slowloris_is_cut_off_at_the_request_deadline() {
    let server = start(Config::default().request_deadline(Duration::from_secs(2)));
    let addr = server.local_addr();
    // A header line every 200 ms: a timeout per read would never fire.
    let start = "GET /debug/pprof/ HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    let closed = slowloris(addr, start, Duration::from_millis(200), Duration::from_secs(8));
    let closed = closed.expect("the server still reads a request head after 8 s");
    eprintln!("slowloris (head) closed after {closed:?}");
    assert!(closed >= Duration::from_millis(1800) && closed < Duration::from_secs(4), "{closed:?}");

    // The same with a complete head and a body that never ends.
    let start = "GET /debug/pprof/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100000\r\n\r\n";
    let closed = slowloris(addr, start, Duration::from_millis(200), Duration::from_secs(8));
    assert!(closed.expect("the server still reads a body after 8 s") < Duration::from_secs(4));
    server.shutdown();
}

#[test]
fn the_default_deadline_is_ten_seconds() {
    let server = start(Config::default());
    let start = "GET /debug/pprof/ HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    let closed = slowloris(server.local_addr(), start, Duration::from_millis(500), Duration::from_secs(20));
    let closed = closed.expect("the server still reads a request head after 20 s");
    eprintln!("slowloris (head, default deadline) closed after {closed:?}");
    assert!(closed >= Duration::from_millis(9500) && closed < Duration::from_secs(12), "{closed:?}");
    server.shutdown();
}

#[test]
fn a_request_body_is_refused_without_being_read() {
    let server = start(Config::default());
    let addr = server.local_addr();
    let r =
        raw(addr, b"GET /debug/pprof/cmdline HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\n\r\nhello")
            .expect("a reply");
    assert_eq!(r.status, 413, "{}", r.text());
    let r = raw(
        addr,
        b"GET /debug/pprof/cmdline HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
    )
    .expect("a reply");
    assert_eq!(r.status, 413, "{}", r.text());
    server.shutdown();
}

#[test]
fn oversized_request_heads_get_431() {
    let server = start(Config::default());
    let addr = server.local_addr();
    // One huge header, then many ordinary ones.
    let big = format!(
        "GET /debug/pprof/ HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: {}\r\nConnection: close\r\n\r\n",
        "a".repeat(64 * 1024)
    );
    let many: String = (0..400).map(|i| format!("X-Header-{i}: {}\r\n", "b".repeat(60))).collect();
    let many = format!("GET /debug/pprof/ HTTP/1.1\r\nHost: 127.0.0.1\r\n{many}Connection: close\r\n\r\n");
    for (what, head) in [("one 64 KiB header", big), ("400 headers", many)] {
        let r = raw(addr, head.as_bytes()).unwrap_or_else(|| panic!("{what}: no reply"));
        assert!(r.status == 431 || r.status == 400, "{what}: {} {}", r.status, r.text());
    }
    // A megabyte of head that never ends is cut off too, not buffered.
    let endless = format!("GET /debug/pprof/ HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: {}", "c".repeat(1 << 20));
    let r = raw(addr, endless.as_bytes());
    assert!(r.as_ref().is_none_or(|r| r.status == 431 || r.status == 400), "{r:?}");
    // Still serving.
    assert_eq!(get(addr, "/debug/pprof/").status, 200);
    server.shutdown();
}

#[test]
fn a_crowd_of_slow_profile_requests_gets_503_beyond_the_cap() {
    let server = start(Config::default().max_concurrent_profiles(2));
    let addr = server.local_addr();
    let crowd = 6;
    let barrier = Arc::new(Barrier::new(crowd));
    let began = Instant::now();
    let threads: Vec<_> = (0..crowd)
        .map(|_| {
            let barrier = barrier.clone();
            std::thread::spawn(move || {
                barrier.wait();
                let r = get(addr, "/debug/pprof/heap?seconds=2");
                (r, began.elapsed())
            })
        })
        .collect();
    let (replies, times): (Vec<_>, Vec<_>) = threads.into_iter().map(|t| t.join().unwrap()).unzip();
    let ok = replies.iter().filter(|r| r.status == 200).count();
    let busy: Vec<_> = replies.iter().filter(|r| r.status == 503).collect();
    assert_eq!(ok + busy.len(), crowd, "{:?}", replies.iter().map(|r| r.status).collect::<Vec<_>>());
    assert_eq!(ok, 2, "the cap is 2");
    for r in &busy {
        let after: u64 = r.header("retry-after").expect("Retry-After").parse().expect("seconds");
        assert!(after >= 1, "{after}");
        assert!(r.text().contains("at once"), "{}", r.text());
    }
    // Refusals do not wait for the slow ones.
    let refused_by = replies.iter().zip(&times).filter(|(r, _)| r.status == 503).map(|(_, t)| *t).max();
    let refused_by = refused_by.expect("some refusals");
    eprintln!(
        "crowd of {crowd}, cap 2: {ok} served, {} refused within {refused_by:?}, all done in {:?}",
        busy.len(),
        began.elapsed()
    );
    assert!(refused_by < Duration::from_secs(1), "{refused_by:?}");
    assert!(began.elapsed() < Duration::from_secs(20), "{:?}", began.elapsed());
    // The index and the page stay available while profiles run.
    assert_eq!(get(addr, "/debug/pprof/").status, 200);
    server.shutdown();
}

#[test]
fn only_get_and_head_are_answered() {
    let server = start(Config::default());
    let addr = server.local_addr();
    for method in ["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "BREW"] {
        let r = request(addr, method, "/debug/pprof/cmdline", &[]);
        assert_eq!(r.status, 405, "{method}: {}", r.text());
        assert_eq!(r.header("allow"), Some("GET, HEAD"), "{method}");
    }
    let r = request(addr, "HEAD", "/debug/pprof/cmdline", &[]);
    assert_eq!(r.status, 200);
    assert!(r.body.is_empty());
    server.shutdown();
}

#[test]
fn bad_percent_encoding_gets_400() {
    let server = start(Config::default());
    let addr = server.local_addr();
    for target in [
        "/debug/pprof/threads?debug=1&note=%zz",
        "/debug/pprof/threads?debug=1&note=%4",
        "/debug/pprof/threads?debug=1&%=1",
        "/debug/pprof/threads?note=%ff%fe",
        "/debug/pprof/cmdline?x=%C0%AF",
    ] {
        let r = get(addr, target);
        assert_eq!(r.status, 400, "{target}: {}", r.text());
        assert!(r.text().contains("percent-encoding"), "{target}: {}", r.text());
    }
    // Well-formed escapes decode: %31 is "1".
    assert!(get(addr, "/debug/pprof/threads?debug=%31").text().starts_with("threads profile: total "));
    server.shutdown();
}

#[test]
fn garbage_gets_400_and_the_server_goes_on() {
    let server = start(Config::default());
    let addr = server.local_addr();
    for junk in [
        &b"\x00\x01\x02\x03\r\n\r\n"[..],
        b"GET\r\n\r\n",
        b"GET / HTTP/9.9\r\n\r\n",
        b"GET /debug/pprof/ HTTP/1.1\r\nHost 127.0.0.1\r\n\r\n",
        b"\r\n\r\n\r\n",
    ] {
        let r = raw(addr, junk);
        let status = r.map(|r| r.status);
        assert!(status.is_none_or(|s| s >= 400), "{:?}: {status:?}", String::from_utf8_lossy(junk));
    }
    assert_eq!(get(addr, "/debug/pprof/").status, 200);
    server.shutdown();
}
