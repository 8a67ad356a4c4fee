//! The dev server of `cargo xtask serve`: dist/ from disk, through
//! proflens-http (the stack of every proflens server). GET and HEAD,
//! loopback Host names only, .wasm as application/wasm, profiles (.gz) as
//! raw bytes without Content-Encoding (the page inflates them), and no
//! request path that leads outside the root.

use std::io;
use std::net::TcpListener;
use std::path::Path;

use proflens_http::{files, guarded, Guard, HostCheck, Limits};

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

/// The router that serves `root`.
fn router(root: &Path) -> axum::Router {
    let guard = Guard { hosts: HostCheck::loopback(), max_head_bytes: Limits::default().max_head_bytes };
    guarded(files::directory(root.to_path_buf()), guard)
}

/// Serves `root` on `listener` until the process is stopped.
pub fn serve(listener: TcpListener, root: &Path) -> Result<(), String> {
    proflens_http::run(listener, router(root), Limits::default()).map_err(|e| format!("serve: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::net::{SocketAddr, TcpStream};

    /// GET `target` with `host`: (status, content type, body).
    fn get(addr: SocketAddr, method: &str, target: &str, host: &str) -> (u16, String, Vec<u8>) {
        let mut s = TcpStream::connect(addr).unwrap();
        write!(s, "{method} {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").unwrap();
        let mut raw = Vec::new();
        s.read_to_end(&mut raw).unwrap();
        let end = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("a response head");
        let head = String::from_utf8_lossy(&raw[..end]).to_ascii_lowercase();
        let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
        let kind = head.lines().find_map(|l| l.strip_prefix("content-type: ")).unwrap_or("").to_string();
        (status, kind, raw[end + 4..].to_vec())
    }

    #[test]
    fn serves_dist_and_nothing_outside_it() {
        let base = std::env::temp_dir().join(format!("proflens-static-{}", std::process::id()));
        let root = base.join("dist");
        std::fs::create_dir_all(root.join("sub")).unwrap();
        std::fs::write(root.join("index.html"), "<!doctype html>page").unwrap();
        std::fs::write(root.join("sub/a b.txt"), "inside").unwrap();
        std::fs::write(root.join("x_bg.wasm"), b"\0asm").unwrap();
        std::fs::write(base.join("secret.txt"), "SECRET").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(base.join("secret.txt"), root.join("link")).unwrap();

        let listener = bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let server =
            proflens_http::Background::spawn("xtask-test", listener, router(&root), Limits::default(), 1)
                .unwrap();
        let host = addr.to_string();

        assert_eq!(
            get(addr, "GET", "/", &host),
            (200, "text/html; charset=utf-8".into(), b"<!doctype html>page".to_vec())
        );
        assert_eq!(get(addr, "GET", "/sub/a%20b.txt", &host).2, b"inside");
        assert_eq!(get(addr, "GET", "/x_bg.wasm", &host).1, "application/wasm");
        assert_eq!(get(addr, "HEAD", "/sub/a%20b.txt", &host).0, 200);
        for (target, want) in [
            ("/../secret.txt", 404),
            ("/sub/../../secret.txt", 404),
            ("/%2e%2e/secret.txt", 404),
            ("/sub/%2E%2E/%2E%2E/secret.txt", 404),
            ("/sub/..%2f..%2fsecret.txt", 400),
            ("/..%5csecret.txt", 400),
            ("/..\\secret.txt", 404),
            ("/%zz", 400),
            ("/%00", 400),
            ("/link", 404),
            ("/missing.js", 404),
        ] {
            let (status, _, body) = get(addr, "GET", target, &host);
            assert_eq!(status, want, "{target}");
            assert!(!String::from_utf8_lossy(&body).contains("SECRET"), "{target} leaked the file");
        }
        assert_eq!(get(addr, "GET", "/", "evil.example").0, 403);
        assert_eq!(get(addr, "POST", "/", &host).0, 405);
        server.shutdown();
        let _ = std::fs::remove_dir_all(&base);
    }
}
