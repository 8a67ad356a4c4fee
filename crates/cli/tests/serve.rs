//! `proflens serve` as a user runs it: the binary on port 0, then the page
//! and the profile fetched over HTTP.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Kills the server when the test ends, pass or fail.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn fixture(path: &str) -> String {
    format!("{}/../../tests/fixtures/{path}", env!("CARGO_MANIFEST_DIR"))
}

/// GET `path` from `host`: (status line, body).
fn get(host: &str, path: &str) -> (String, Vec<u8>) {
    send(host, &format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"))
}

/// Sends `raw` and reads until the server closes: (status line, body).
fn send(host: &str, raw: &str) -> (String, Vec<u8>) {
    let mut stream = TcpStream::connect(host).expect("the server accepts connections");
    stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let _ = stream.write_all(raw.as_bytes());
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    let split = response.windows(4).position(|w| w == b"\r\n\r\n").expect("a complete response");
    let head = String::from_utf8_lossy(&response[..split]).into_owned();
    (head.lines().next().unwrap_or("").to_string(), response[split + 4..].to_vec())
}

/// Starts `proflens serve --port 0 ARGS`; the server and its host:port.
fn start(args: &[&str]) -> (Server, String) {
    let child = Command::new(env!("CARGO_BIN_EXE_proflens"))
        .args(["serve", "--port", "0"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("proflens starts");
    let mut server = Server(child);
    let mut first = String::new();
    BufReader::new(server.0.stdout.take().unwrap()).read_line(&mut first).unwrap();
    // "proflens is serving heap2.pb.gz on http://127.0.0.1:PORT/?url=profiles/0/heap2.pb.gz"
    let url = first.split_whitespace().last().expect("an address").to_string();
    let rest = url.strip_prefix("http://").expect("an http address");
    let host = rest.split_once('/').unwrap().0.to_string();
    (server, host)
}

#[test]
fn serves_the_page_and_the_profiles() {
    let (heap2, heap1) = (fixture("go/heap2.pb.gz"), fixture("go/heap1.pb.gz"));
    let child = Command::new(env!("CARGO_BIN_EXE_proflens"))
        .args(["serve", "--port", "0", &heap2, &heap1])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("proflens starts");
    let mut server = Server(child);
    let mut first = String::new();
    BufReader::new(server.0.stdout.take().unwrap()).read_line(&mut first).unwrap();
    // "proflens is serving heap2.pb.gz on http://127.0.0.1:PORT/?url=profiles/0/heap2.pb.gz"
    let url = first.split_whitespace().last().expect("an address").to_string();
    let rest = url.strip_prefix("http://").expect("an http address");
    let (host, query) = rest.split_once('/').unwrap();
    assert_eq!(query, "?url=profiles/0/heap2.pb.gz", "{first}");

    let (status, page) = get(host, "/");
    assert_eq!(status, "HTTP/1.1 200 OK");
    let page = String::from_utf8(page).unwrap();
    assert!(
        page.starts_with("<!doctype html>") && page.contains("proflens"),
        "{}",
        &page[..page.len().min(200)]
    );

    let (status, body) = get(host, "/profiles/0/heap2.pb.gz");
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert_eq!(body, std::fs::read(&heap2).unwrap(), "the profile's bytes, unchanged");
    let (_, body) = get(host, "/profiles/1/heap1.pb.gz");
    assert_eq!(body, std::fs::read(&heap1).unwrap());
    assert_eq!(get(host, "/profiles/2/x").0, "HTTP/1.1 404 Not Found");
    assert_eq!(get(host, "/../../etc/passwd").0, "HTTP/1.1 404 Not Found");
}

#[test]
fn refuses_a_file_that_is_not_a_profile() {
    let out = Command::new(env!("CARGO_BIN_EXE_proflens"))
        .args(["serve", "--port", "0", &fixture("go/src/gen/leak/main.go")])
        .output()
        .expect("proflens runs");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("main.go") && err.contains("not"), "{err}");
}

#[test]
fn a_page_rebinding_its_name_to_loopback_gets_403() {
    let heap2 = fixture("go/heap2.pb.gz");
    let (_server, host) = start(&[&heap2]);
    let port = host.rsplit(':').next().unwrap();
    for evil in ["evil.example", &format!("evil.example:{port}"), "127.0.0.1.nip.io", "devbox"] {
        let (status, body) =
            send(&host, &format!("GET /profiles/0/heap2.pb.gz HTTP/1.1\r\nHost: {evil}\r\n\r\n"));
        assert_eq!(status, "HTTP/1.1 403 Forbidden", "Host: {evil}");
        assert!(String::from_utf8_lossy(&body).contains("Host"), "the reason names the Host header");
    }
    for local in [format!("localhost:{port}"), format!("[::1]:{port}"), host.clone()] {
        let (status, _) =
            send(&host, &format!("GET / HTTP/1.1\r\nHost: {local}\r\nConnection: close\r\n\r\n"));
        assert_eq!(status, "HTTP/1.1 200 OK", "Host: {local}");
    }
    // A name the user allows.
    let (_server, host) = start(&["--allow-host", "devbox", &heap2]);
    let (status, _) = send(&host, "GET / HTTP/1.1\r\nHost: devbox:8080\r\nConnection: close\r\n\r\n");
    assert_eq!(status, "HTTP/1.1 200 OK");
    let (status, _) = send(&host, "GET / HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n");
    assert_eq!(status, "HTTP/1.1 403 Forbidden");
}

#[test]
fn slowloris_is_cut_off_after_ten_seconds() {
    let (_server, host) = start(&[&fixture("go/heap2.pb.gz")]);
    let began = Instant::now();
    let mut stream = TcpStream::connect(&host).unwrap();
    stream.set_read_timeout(Some(Duration::from_millis(500))).unwrap();
    stream.write_all(format!("GET / HTTP/1.1\r\nHost: {host}\r\n").as_bytes()).unwrap();
    // A header line every half second, never the blank line that ends the head.
    let mut closed = None;
    for i in 0.. {
        if began.elapsed() > Duration::from_secs(20) {
            break;
        }
        let mut buf = [0u8; 256];
        match stream.read(&mut buf) {
            Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {}
            _ => {
                closed = Some(began.elapsed());
                break;
            }
        }
        if stream.write_all(format!("X-Slow-{i}: a\r\n").as_bytes()).is_err() {
            closed = Some(began.elapsed());
            break;
        }
    }
    let closed = closed.expect("still reading a request head after 20 s");
    eprintln!("proflens serve: slowloris closed after {closed:?}");
    assert!(closed >= Duration::from_millis(9500) && closed < Duration::from_secs(12), "{closed:?}");
}

#[test]
fn hostile_requests_get_4xx_and_never_a_file() {
    let heap2 = fixture("go/heap2.pb.gz");
    let (_server, host) = start(&[&heap2]);
    let req = |target: &str| {
        send(&host, &format!("GET {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"))
    };
    for (target, want) in [
        ("/%2e%2e/%2e%2e/etc/passwd", "404"),
        ("/profiles/0/..%2f..%2f..%2fetc%2fpasswd", "400"),
        ("/profiles%2f0%2fheap2.pb.gz", "400"),
        ("/profiles/0/heap2.pb.gz%zz", "400"),
        ("/profiles/0/%ff", "400"),
        ("/profiles/0/heap2.pb.gz/..", "404"),
    ] {
        let (status, body) = req(target);
        assert!(status.starts_with(&format!("HTTP/1.1 {want} ")), "{target}: {status}");
        assert!(
            !body.starts_with(b"\x1f\x8b") && !String::from_utf8_lossy(&body).contains("root:"),
            "{target}"
        );
    }
    // A well-formed escape is decoded: %2E is ".".
    let (status, body) = req("/profiles/0/heap2%2Epb.gz");
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert_eq!(body, std::fs::read(&heap2).unwrap());

    for method in ["POST", "PUT", "DELETE", "OPTIONS"] {
        let (status, _) =
            send(&host, &format!("{method} / HTTP/1.1\r\nHost: {host}\r\nContent-Length: 0\r\n\r\n"));
        assert_eq!(status, "HTTP/1.1 405 Method Not Allowed", "{method}");
    }
    let (status, body) =
        send(&host, &format!("HEAD / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"));
    assert_eq!((status.as_str(), body.len()), ("HTTP/1.1 200 OK", 0));

    let big = format!("GET / HTTP/1.1\r\nHost: {host}\r\nX-Big: {}\r\n\r\n", "a".repeat(64 * 1024));
    assert_eq!(send(&host, &big).0, "HTTP/1.1 431 Request Header Fields Too Large");
    // Still serving.
    assert_eq!(req("/").0, "HTTP/1.1 200 OK");
}
