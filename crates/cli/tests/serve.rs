//! `proflens serve` as a user runs it: the binary on port 0, then the page
//! and the profile fetched over HTTP.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

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
    let mut stream = TcpStream::connect(host).expect("the server accepts connections");
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    let split = response.windows(4).position(|w| w == b"\r\n\r\n").expect("a complete response");
    let head = String::from_utf8_lossy(&response[..split]).into_owned();
    (head.lines().next().unwrap_or("").to_string(), response[split + 4..].to_vec())
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
