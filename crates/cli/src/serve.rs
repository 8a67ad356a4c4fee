//! `proflens serve`: the native counterpart of `go tool pprof -http`. It
//! serves the built-in analyzer page on 127.0.0.1 with the profiles beside
//! it and prints the address that opens them. Std only: GET and HEAD, one
//! thread per connection, no keep-alive.

use std::io::{self, BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::time::Duration;

/// A profile to serve, by name.
pub struct ServedFile {
    /// Its file name, as the page shows it.
    pub name: String,
    /// Its bytes, as read.
    pub bytes: Vec<u8>,
}

/// What the server hands out.
struct Site {
    page: &'static str,
    files: Vec<ServedFile>,
}

/// Binds 127.0.0.1:`port` (0 picks a free port).
pub fn bind(port: u16) -> Result<TcpListener, String> {
    TcpListener::bind(("127.0.0.1", port)).map_err(|e| format!("cannot listen on 127.0.0.1:{port}: {e}"))
}

/// The page's address for the listener, opening the first profile.
pub fn page_url(listener: &TcpListener, files: &[ServedFile]) -> Result<String, String> {
    let address = listener.local_addr().map_err(|e| e.to_string())?;
    let first = files.first().map(|f| format!("?url={}", profile_path(0, &f.name))).unwrap_or_default();
    Ok(format!("http://{address}/{first}"))
}

/// Where profile `index` is served, relative to the page.
pub fn profile_path(index: usize, name: &str) -> String {
    let safe: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() || "._-".contains(c) { c } else { '_' }).collect();
    format!("profiles/{index}/{safe}")
}

/// Serves until the process stops.
pub fn serve(listener: TcpListener, page: &'static str, files: Vec<ServedFile>) -> Result<(), String> {
    let site = Arc::new(Site { page, files });
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        let site = site.clone();
        std::thread::spawn(move || {
            if let Err(e) = handle(stream, &site) {
                if !matches!(e.kind(), io::ErrorKind::BrokenPipe | io::ErrorKind::ConnectionReset) {
                    eprintln!("proflens serve: {e}");
                }
            }
        });
    }
    Ok(())
}

fn handle(stream: TcpStream, site: &Site) -> io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request = String::new();
    reader.read_line(&mut request)?;
    // The headers are not needed; read them so the client sees a clean close.
    let mut line = String::new();
    while reader.read_line(&mut line)? > 2 {
        line.clear();
    }
    let mut parts = request.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or("/"));
    let path = target.split(['?', '#']).next().unwrap_or("/");
    let mut out = stream;
    if method != "GET" && method != "HEAD" {
        return respond(&mut out, "405 Method Not Allowed", "text/plain", b"GET only\n", method == "HEAD");
    }
    let head = method == "HEAD";
    if path == "/" || path == "/index.html" {
        return respond(&mut out, "200 OK", "text/html; charset=utf-8", site.page.as_bytes(), head);
    }
    for (i, f) in site.files.iter().enumerate() {
        if path == format!("/{}", profile_path(i, &f.name)) {
            return respond(&mut out, "200 OK", "application/octet-stream", &f.bytes, head);
        }
    }
    respond(&mut out, "404 Not Found", "text/plain", b"not found\n", head)
}

fn respond(out: &mut TcpStream, status: &str, content_type: &str, body: &[u8], head: bool) -> io::Result<()> {
    write!(
        out,
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nCache-Control: no-store\r\n\
         Connection: close\r\n\r\n",
        body.len()
    )?;
    if !head {
        out.write_all(body)?;
    }
    out.flush()
}

/// Opens `url` in the desktop's browser, if there is one.
pub fn open_browser(url: &str) -> Result<(), String> {
    let (program, args): (&str, Vec<&str>) = if cfg!(target_os = "macos") {
        ("open", vec![url])
    } else if cfg!(windows) {
        ("cmd", vec!["/c", "start", "", url])
    } else {
        ("xdg-open", vec![url])
    };
    std::process::Command::new(program)
        .args(args)
        .spawn()
        .map(|_| ())
        .map_err(|e| format!("cannot start {program} to open the browser ({e}); open {url} yourself"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_paths_are_url_safe() {
        assert_eq!(profile_path(0, "heap.pb.gz"), "profiles/0/heap.pb.gz");
        assert_eq!(profile_path(2, "my heap?.pb"), "profiles/2/my_heap_.pb");
    }
}
