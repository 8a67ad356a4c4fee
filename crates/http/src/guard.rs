//! The checks every request goes through, as functions (for routers that
//! check more, like the agent's) and as one middleware ([`guarded`]).

use axum::extract::{Request, State};
use axum::http::header::{HeaderValue, ALLOW, CONTENT_LENGTH, TRANSFER_ENCODING};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;

use crate::host::{host_of, HostCheck};
use crate::refusal::Refusal;

/// The methods proflens's servers answer, as the `Allow` header says it.
pub const ALLOWED_METHODS: &str = "GET, HEAD";

/// GET and HEAD pass; anything else is 405 with `Allow: GET, HEAD`.
pub fn check_method(method: &Method) -> Result<(), Refusal> {
    if method == Method::GET || method == Method::HEAD {
        return Ok(());
    }
    Err(Refusal::new(
        StatusCode::METHOD_NOT_ALLOWED,
        format!("method {method} not allowed: this service answers GET and HEAD only"),
    )
    .with_header(ALLOW, HeaderValue::from_static(ALLOWED_METHODS)))
}

/// Refuses a request with a body (413: none of these services takes one,
/// and a body that is never read cannot be trickled in to hold a
/// connection) or with more than `max_head_bytes` of headers (431; the
/// server refuses larger heads before they reach a router, this bounds
/// routers mounted in other servers too).
pub fn check_framing(headers: &HeaderMap, max_head_bytes: usize) -> Result<(), Refusal> {
    let has_body = headers.contains_key(TRANSFER_ENCODING)
        || headers.get_all(CONTENT_LENGTH).iter().any(|v| v.as_bytes() != b"0");
    if has_body {
        return Err(Refusal::new(StatusCode::PAYLOAD_TOO_LARGE, "this service takes no request body"));
    }
    // Name, ": ", value and CRLF, as on the wire.
    let bytes: usize = headers.iter().map(|(k, v)| k.as_str().len() + v.len() + 4).sum();
    if bytes > max_head_bytes {
        return Err(Refusal::new(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            format!("the request headers take {bytes} bytes; the limit is {max_head_bytes}"),
        ));
    }
    Ok(())
}

/// The per-request policy of a server: the Host check and the head size.
#[derive(Clone, Debug)]
pub struct Guard {
    /// Which Host values are answered.
    pub hosts: HostCheck,
    /// The largest request head accepted, in bytes.
    pub max_head_bytes: usize,
}

impl Guard {
    /// Runs every check: Host (403), method (405), body and head size
    /// (413, 431).
    pub fn check<B>(&self, req: &axum::http::Request<B>) -> Result<(), Refusal> {
        self.hosts.check(host_of(req))?;
        check_method(req.method())?;
        check_framing(req.headers(), self.max_head_bytes)
    }
}

async fn guard(State(guard): State<Guard>, req: Request, next: Next) -> Response {
    match guard.check(&req) {
        Ok(()) => next.run(req).await,
        Err(refusal) => refusal.into_response(),
    }
}

/// `router` with [`Guard::check`] in front of every route, the fallback
/// included.
pub fn guarded(router: Router, guard_: Guard) -> Router {
    router.layer(middleware::from_fn_with_state(guard_, guard))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::header::HOST;

    #[test]
    fn methods_bodies_and_heads() {
        assert!(check_method(&Method::GET).is_ok() && check_method(&Method::HEAD).is_ok());
        let r = check_method(&Method::POST).unwrap_err();
        assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(r.headers, vec![(ALLOW, HeaderValue::from_static("GET, HEAD"))]);

        let mut h = HeaderMap::new();
        h.insert(CONTENT_LENGTH, HeaderValue::from_static("0"));
        assert!(check_framing(&h, 100).is_ok());
        h.insert(CONTENT_LENGTH, HeaderValue::from_static("5"));
        assert_eq!(check_framing(&h, 100).unwrap_err().status, StatusCode::PAYLOAD_TOO_LARGE);
        let mut h = HeaderMap::new();
        h.insert(TRANSFER_ENCODING, HeaderValue::from_static("chunked"));
        assert_eq!(check_framing(&h, 100).unwrap_err().status, StatusCode::PAYLOAD_TOO_LARGE);
        let mut h = HeaderMap::new();
        h.insert("x-big", HeaderValue::from_str(&"a".repeat(200)).unwrap());
        assert_eq!(check_framing(&h, 100).unwrap_err().status, StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE);
    }

    #[test]
    fn the_host_comes_first() {
        let g = Guard { hosts: HostCheck::loopback(), max_head_bytes: 1000 };
        let req = axum::http::Request::post("/").header(HOST, "evil.example").body(()).unwrap();
        assert_eq!(g.check(&req).unwrap_err().status, StatusCode::FORBIDDEN);
        let req = axum::http::Request::post("/").header(HOST, "localhost").body(()).unwrap();
        assert_eq!(g.check(&req).unwrap_err().status, StatusCode::METHOD_NOT_ALLOWED);
        let req = axum::http::Request::get("/").header(HOST, "localhost").body(()).unwrap();
        assert!(g.check(&req).is_ok());
    }
}
