//! `proflens serve`: the native counterpart of `go tool pprof -http`. It
//! serves the built-in analyzer page on 127.0.0.1 with the profiles beside
//! it and prints the address that opens them. The server is proflens-http's
//! (GET and HEAD, loopback Host names unless `--allow-host`, a deadline for
//! each request head, bounded heads, no request bodies).

use std::net::TcpListener;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use proflens_http::{files, guarded, Guard, HostCheck, Limits, Refusal};

/// A profile to serve, by name.
pub struct ServedFile {
    /// Its file name, as the page shows it.
    pub name: String,
    /// Its bytes, as read.
    pub bytes: Vec<u8>,
}

/// What the server hands out: the page, and each profile at its path.
struct Site {
    page: &'static str,
    files: Vec<(String, Bytes)>,
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

/// The Host check for `--allow-host` values; `Err` names a bad one.
pub fn host_check(allowed: &[String]) -> Result<HostCheck, String> {
    allowed
        .iter()
        .try_fold(HostCheck::loopback(), |check, h| check.allow(h).map_err(|e| format!("--allow-host: {e}")))
}

async fn answer(State(site): State<Arc<Site>>, uri: Uri) -> Response {
    let path = match proflens_http::decode::path(uri.path()) {
        Ok(p) => p,
        Err(r) => return r.into_response(),
    };
    if path == "/" || path == "/index.html" {
        return files::bytes("text/html; charset=utf-8", site.page, "no-store");
    }
    match site.files.iter().find(|(p, _)| *p == path) {
        Some((_, bytes)) => files::bytes("application/octet-stream", bytes.clone(), "no-store"),
        None => Refusal::new(StatusCode::NOT_FOUND, format!("not found: {path}")).into_response(),
    }
}

/// The page and the profiles, behind proflens-http's checks.
pub fn router(page: &'static str, served: Vec<ServedFile>, hosts: HostCheck) -> Router {
    let files = served
        .into_iter()
        .enumerate()
        .map(|(i, f)| (format!("/{}", profile_path(i, &f.name)), Bytes::from(f.bytes)))
        .collect();
    let site = Arc::new(Site { page, files });
    let limits = Limits::default();
    guarded(
        Router::new().fallback(answer).with_state(site),
        Guard { hosts, max_head_bytes: limits.max_head_bytes },
    )
}

/// Serves until the process stops.
pub fn serve(
    listener: TcpListener,
    page: &'static str,
    files: Vec<ServedFile>,
    hosts: HostCheck,
) -> Result<(), String> {
    proflens_http::run(listener, router(page, files, hosts), Limits::default())
        .map_err(|e| format!("cannot serve: {e}"))
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
