//! A small static file server for dist/ (std only): GET and HEAD, one
//! thread per connection, no keep-alive. It sends .wasm as application/wasm
//! and profiles (.gz) as raw bytes without Content-Encoding, as the page
//! expects.

use std::io::{self, BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::time::Duration;

/// Binds `address` (e.g. "127.0.0.1:8080").
pub fn bind(address: &str) -> Result<TcpListener, String> {
    TcpListener::bind(address).map_err(|e| {
        if e.kind() == io::ErrorKind::AddrInUse {
            format!("{address} is in use (another server?); stop it or pass --port N")
        } else {
            format!("cannot listen on {address}: {e}")
        }
    })
}

/// Serves `root` on `listener` until the process is stopped.
pub fn serve(listener: TcpListener, root: &Path) -> Result<(), String> {
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        let root = root.to_path_buf();
        std::thread::spawn(move || {
            if let Err(e) = handle(stream, &root) {
                if e.kind() != io::ErrorKind::BrokenPipe && e.kind() != io::ErrorKind::ConnectionReset {
                    eprintln!("serve: {e}");
                }
            }
        });
    }
    Ok(())
}

/// The Content-Type for a file name.
pub fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase().as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "wasm" => "application/wasm",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "txt" | "md" => "text/plain; charset=utf-8",
        // A profile is sent as it is: the page inflates gzip itself.
        "gz" => "application/gzip",
        _ => "application/octet-stream",
    }
}

/// The file under `root` for a request target, or None when the target
/// tries to leave `root`.
pub fn resolve(root: &Path, target: &str) -> Option<PathBuf> {
    let path = target.split(['?', '#']).next().unwrap_or("/");
    let decoded = percent_decode(path)?;
    let mut file = root.to_path_buf();
    for component in Path::new(decoded.trim_start_matches('/')).components() {
        match component {
            Component::Normal(part) => file.push(part),
            Component::CurDir => {}
            _ => return None,
        }
    }
    if file.is_dir() {
        file.push("index.html");
    }
    Some(file)
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn handle(stream: TcpStream, root: &Path) -> io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request = String::new();
    reader.read_line(&mut request)?;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header.trim().is_empty() {
            break;
        }
    }
    let mut out = stream;
    let mut parts = request.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or("/"));
    if method != "GET" && method != "HEAD" {
        return respond(&mut out, "405 Method Not Allowed", "text/plain", b"GET or HEAD only\n", true);
    }
    let Some(file) = resolve(root, target) else {
        return respond(&mut out, "403 Forbidden", "text/plain", b"forbidden\n", true);
    };
    let Ok(mut f) = std::fs::File::open(&file) else {
        eprintln!("serve: 404 {target}");
        let body = format!("not found: {target}\n");
        return respond(&mut out, "404 Not Found", "text/plain", body.as_bytes(), method == "GET");
    };
    let len = f.metadata()?.len();
    write!(
        out,
        "HTTP/1.1 200 OK\r\nContent-Type: {}\r\nContent-Length: {len}\r\nCache-Control: no-cache\r\nConnection: close\r\n\r\n",
        content_type(&file)
    )?;
    if method == "GET" {
        io::copy(&mut f, &mut out)?;
    }
    out.flush()
}

fn respond(out: &mut TcpStream, status: &str, kind: &str, body: &[u8], with_body: bool) -> io::Result<()> {
    write!(
        out,
        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )?;
    if with_body {
        out.write_all(body)?;
    }
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_stay_inside_the_root() {
        let root = Path::new("/srv/dist");
        assert_eq!(resolve(root, "/samples/heap2.pb.gz?x=1"), Some(root.join("samples/heap2.pb.gz")));
        assert_eq!(resolve(root, "/a%20b.js"), Some(root.join("a b.js")));
        assert_eq!(resolve(root, "/../etc/passwd"), None);
        assert_eq!(resolve(root, "/%2e%2e/etc/passwd"), None);
        assert_eq!(resolve(root, "/%zz"), None);
    }

    #[test]
    fn wasm_and_profiles_have_the_right_types() {
        assert_eq!(content_type(Path::new("x_bg.wasm")), "application/wasm");
        assert_eq!(content_type(Path::new("x.js")), "text/javascript; charset=utf-8");
        assert_eq!(content_type(Path::new("heap2.pb.gz")), "application/gzip");
    }
}
