//! Static files: content types, answers for bytes in memory, and a
//! directory served from disk that no request path can leave.

use std::path::{Component, Path, PathBuf};

use axum::body::Body;
use axum::extract::State;
use axum::http::header::{HeaderValue, CACHE_CONTROL, CONTENT_TYPE};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;

use crate::decode;
use crate::refusal::Refusal;

/// The Content-Type for a file name, by extension. Profiles (`.gz`) are
/// sent as they are, without Content-Encoding: the page inflates them.
pub fn content_type(name: &str) -> &'static str {
    let ext = name.rsplit_once('.').map_or("", |(_, e)| e).to_ascii_lowercase();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "wasm" => "application/wasm",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "txt" | "md" => "text/plain; charset=utf-8",
        "gz" => "application/gzip",
        _ => "application/octet-stream",
    }
}

/// A 200 answer with `body`, its type and a Cache-Control value.
pub fn bytes(content_type: &str, body: impl Into<Body>, cache: &'static str) -> Response {
    let mut r = Response::new(body.into());
    let h = r.headers_mut();
    if let Ok(v) = HeaderValue::from_str(content_type) {
        h.insert(CONTENT_TYPE, v);
    }
    h.insert(CACHE_CONTROL, HeaderValue::from_static(cache));
    h.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    r
}

fn not_found(path: &str) -> Refusal {
    Refusal::new(StatusCode::NOT_FOUND, format!("not found: {path}"))
}

/// The file under `root` that a raw request path names. Refuses (400) bad
/// percent-encoding and encoded separators, and (404) any `..` or other
/// component that is not a plain name: the result is always inside `root`
/// as a path (symbolic links are the caller's to check, see [`directory`]).
pub fn resolve(root: &Path, raw_path: &str) -> Result<PathBuf, Refusal> {
    let decoded = decode::path(raw_path)?;
    let mut file = root.to_path_buf();
    for part in decoded.split('/').filter(|p| !p.is_empty()) {
        let mut components = Path::new(part).components();
        match (components.next(), components.next()) {
            (Some(Component::Normal(name)), None) if !part.contains('\\') => file.push(name),
            (Some(Component::CurDir), None) => {}
            _ => return Err(not_found(&decoded)),
        }
    }
    Ok(file)
}

async fn serve_file(State(root): State<PathBuf>, uri: Uri) -> Response {
    let file = match resolve(&root, uri.path()) {
        Ok(f) => f,
        Err(r) => return r.into_response(),
    };
    let shown = uri.path();
    // Symbolic links may point anywhere: serve only what really is below
    // the root.
    let (Ok(real_root), Ok(mut real)) =
        (tokio::fs::canonicalize(&root).await, tokio::fs::canonicalize(&file).await)
    else {
        return not_found(shown).into_response();
    };
    if !real.starts_with(&real_root) {
        return not_found(shown).into_response();
    }
    if tokio::fs::metadata(&real).await.is_ok_and(|m| m.is_dir()) {
        real.push("index.html");
    }
    match tokio::fs::read(&real).await {
        Ok(body) => bytes(content_type(&real.to_string_lossy()), body, "no-cache"),
        Err(_) => not_found(shown).into_response(),
    }
}

/// A router that serves the files below `root` (a directory's
/// `index.html` for the directory) on every path, `Cache-Control:
/// no-cache`. Put it behind [`crate::guarded`] for the method and Host
/// checks.
pub fn directory(root: PathBuf) -> Router {
    Router::new().fallback(serve_file).with_state(root)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_stay_inside_the_root() {
        let root = Path::new("/srv/dist");
        assert_eq!(resolve(root, "/samples/heap2.pb.gz").unwrap(), root.join("samples/heap2.pb.gz"));
        assert_eq!(resolve(root, "/a%20b.js").unwrap(), root.join("a b.js"));
        assert_eq!(resolve(root, "/./x//y").unwrap(), root.join("x/y"));
        assert_eq!(resolve(root, "/").unwrap(), root.to_path_buf());
        for (target, status) in [
            ("/../etc/passwd", 404),
            ("/%2e%2e/etc/passwd", 404),
            ("/a/%2E%2E/%2e%2e/etc/passwd", 404),
            ("/..%2fetc%2fpasswd", 400),
            ("/a%5c..%5c..%5cetc", 400),
            ("/a\\..\\..\\etc", 404),
            ("/%zz", 400),
            ("/%00", 400),
        ] {
            let r = resolve(root, target).unwrap_err();
            assert_eq!(r.status.as_u16(), status, "{target}: {r}");
        }
    }

    #[test]
    fn types() {
        assert_eq!(content_type("x_bg.wasm"), "application/wasm");
        assert_eq!(content_type("x.JS"), "text/javascript; charset=utf-8");
        assert_eq!(content_type("heap2.pb.gz"), "application/gzip");
        assert_eq!(content_type("noext"), "application/octet-stream");
    }
}
