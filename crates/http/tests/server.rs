//! The server's own limits: the connection cap and graceful shutdown.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::time::{Duration, Instant};

use axum::routing::get;
use axum::Router;
use proflens_http::{Background, Limits};

fn start(limits: Limits) -> Background {
    let app = Router::new().route("/fast", get(|| async { "fast" })).route(
        "/slow",
        get(|| async {
            tokio::time::sleep(Duration::from_secs(60)).await;
            "late"
        }),
    );
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    Background::spawn("http-test", listener, app, limits, 1).unwrap()
}

fn get_path(addr: SocketAddr, path: &str) -> std::io::Result<String> {
    let mut s = TcpStream::connect(addr)?;
    s.set_read_timeout(Some(Duration::from_secs(30)))?;
    write!(s, "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")?;
    let mut out = String::new();
    s.read_to_string(&mut out)?;
    Ok(out)
}

#[test]
fn shutdown_lets_requests_finish_for_the_grace_period_then_closes() {
    let limits = Limits { shutdown_grace: Duration::from_secs(1), ..Limits::default() };
    let server = start(limits);
    let addr = server.local_addr();
    assert!(get_path(addr, "/fast").unwrap().ends_with("fast"));
    let slow = std::thread::spawn(move || get_path(addr, "/slow"));
    std::thread::sleep(Duration::from_millis(200));
    let began = Instant::now();
    server.shutdown();
    let took = began.elapsed();
    eprintln!("shutdown with a request in flight took {took:?}");
    assert!(took < Duration::from_secs(3), "{took:?}");
    // The slow request was cut off, not answered.
    let answer = slow.join().unwrap().unwrap_or_default();
    assert!(!answer.contains("late"), "{answer}");
    // Nobody listens any more.
    assert!(get_path(addr, "/fast").is_err());
}

#[test]
fn connections_beyond_the_cap_wait_for_a_free_slot() {
    let limits = Limits { max_connections: 2, request_deadline: Duration::from_secs(1), ..Limits::default() };
    let server = start(limits);
    let addr = server.local_addr();
    // Two idle connections hold both slots until the 1 s deadline closes them.
    let idle: Vec<_> = (0..2).map(|_| TcpStream::connect(addr).unwrap()).collect();
    std::thread::sleep(Duration::from_millis(100));
    let began = Instant::now();
    let answer = get_path(addr, "/fast").unwrap();
    let waited = began.elapsed();
    eprintln!("the third connection was answered after {waited:?}");
    assert!(answer.ends_with("fast"));
    assert!(waited >= Duration::from_millis(700) && waited < Duration::from_secs(5), "{waited:?}");
    drop(idle);
    server.shutdown();
}
