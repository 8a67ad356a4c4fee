//! A minimal HTTP/1.1 client for the tests (std TcpStream), and profile
//! helpers.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use proflens_core::Profile;

/// A response: status, headers (names lowercased), body.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body decoded as a profile.
    pub fn profile(&self) -> Profile {
        assert_eq!(self.status, 200, "{}", self.text());
        proflens_core::decode(&self.body, &Default::default()).expect("a valid profile")
    }
}

/// Sends `method target` with optional extra headers and reads the reply.
pub fn request(addr: SocketAddr, method: &str, target: &str, headers: &[(&str, &str)]) -> Reply {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(120))).unwrap();
    let mut req = format!("{method} {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).expect("send");
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).expect("read");
    let mut reply = parse_head(&raw);
    if method != "HEAD" {
        reply.body = body(&raw, &reply.headers);
    }
    reply
}

pub fn get(addr: SocketAddr, target: &str) -> Reply {
    request(addr, "GET", target, &[])
}

fn parse(raw: &[u8]) -> Reply {
    let mut reply = parse_head(raw);
    reply.body = body(raw, &reply.headers);
    reply
}

/// The status and headers; the body is left empty.
fn parse_head(raw: &[u8]) -> Reply {
    let end = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("a response head");
    let head = String::from_utf8_lossy(&raw[..end]).into_owned();
    let mut lines = head.split("\r\n");
    let status: u16 = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    Reply { status, headers, body: Vec::new() }
}

fn body(raw: &[u8], headers: &[(String, String)]) -> Vec<u8> {
    let end = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("a response head");
    let mut body = raw[end + 4..].to_vec();
    if let Some(len) = headers.iter().find(|(k, _)| k == "content-length") {
        let len: usize = len.1.parse().unwrap();
        assert!(body.len() >= len, "short body");
        body.truncate(len);
    } else if headers.iter().any(|(k, v)| k == "transfer-encoding" && v.contains("chunked")) {
        body = dechunk(&body);
    }
    body
}

fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let nl = b.windows(2).position(|w| w == b"\r\n").unwrap();
        let n = usize::from_str_radix(std::str::from_utf8(&b[..nl]).unwrap().trim(), 16).unwrap();
        if n == 0 {
            return out;
        }
        out.extend_from_slice(&b[nl + 2..nl + 2 + n]);
        b = &b[nl + 2 + n + 2..];
    }
}

/// Every function name on sample `i`'s stack, leaf first, inlined frames
/// expanded (innermost first).
pub fn stack_names(p: &Profile, i: usize) -> Vec<String> {
    let mut out = Vec::new();
    for loc in p.stacks.frames(p.samples.stack[i]) {
        for line in p.location_lines(loc) {
            out.push(p.str(p.functions[line.function].name).to_string());
        }
    }
    out
}

/// The value of string label `key` on sample `i`.
pub fn label(p: &Profile, i: usize, key: &str) -> Option<String> {
    p.label_sets.get(p.samples.labels[i]).iter().find_map(|l| match l.value {
        proflens_core::model::LabelValue::Str(v) if p.str(l.key) == key => Some(p.str(v).to_string()),
        _ => None,
    })
}

/// The index of sample type `name`.
pub fn type_index(p: &Profile, name: &str) -> usize {
    p.sample_type_names().iter().position(|n| n == name).unwrap_or_else(|| panic!("no sample type {name}"))
}

/// Sum of sample type `name` over samples whose stack has a function whose
/// name contains `func`.
pub fn sum_where(p: &Profile, name: &str, func: &str) -> i64 {
    let t = type_index(p, name);
    (0..p.samples.len())
        .filter(|&i| stack_names(p, i).iter().any(|n| n.contains(func)))
        .map(|i| p.samples.value(i, t))
        .sum()
}

/// Sends `raw` bytes as they are and reads until the server closes; the
/// parsed reply, if one came back.
pub fn raw(addr: SocketAddr, raw: &[u8]) -> Option<Reply> {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    // The server may answer and close before reading everything.
    let _ = s.write_all(raw);
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    (!out.is_empty() && out.windows(4).any(|w| w == b"\r\n\r\n")).then(|| parse(&out))
}

/// How long the server keeps a connection open that sends the start of a
/// request head and then one more header line every `every`, never ending
/// it (slowloris). `None` if it is still open after `give_up`.
pub fn slowloris(addr: SocketAddr, start: &str, every: Duration, give_up: Duration) -> Option<Duration> {
    let began = std::time::Instant::now();
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(every)).unwrap();
    s.write_all(start.as_bytes()).expect("send the start");
    let mut buf = [0u8; 4096];
    let mut i = 0u64;
    while began.elapsed() < give_up {
        // A read that returns (data or end of stream) or fails with
        // anything but a timeout means the server answered or closed.
        match s.read(&mut buf) {
            Ok(_) => return Some(began.elapsed()),
            Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {}
            Err(_) => return Some(began.elapsed()),
        }
        i += 1;
        if s.write_all(format!("X-Slow-{i}: a\r\n").as_bytes()).is_err() {
            return Some(began.elapsed());
        }
    }
    None
}
