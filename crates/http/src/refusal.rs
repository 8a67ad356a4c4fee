//! A request the server will not serve, as a plain-text answer.

use axum::body::Body;
use axum::http::header::{HeaderName, HeaderValue, CACHE_CONTROL, CONNECTION, CONTENT_TYPE};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// A refused request: a status, a one-line reason for the client, and any
/// headers the status calls for (`Allow` with 405, `Retry-After` with 503).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    /// The HTTP status.
    pub status: StatusCode,
    /// Why, in one line, saying what to do about it where there is a fix.
    pub reason: String,
    /// Extra response headers.
    pub headers: Vec<(HeaderName, HeaderValue)>,
}

impl Refusal {
    /// A refusal with `status` and `reason`.
    pub fn new(status: StatusCode, reason: impl Into<String>) -> Self {
        Refusal { status, reason: reason.into(), headers: Vec::new() }
    }

    /// Adds a response header.
    pub fn with_header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.push((name, value));
        self
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.status, self.reason)
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let mut r = Response::new(Body::from(format!("{}\n", self.reason)));
        *r.status_mut() = self.status;
        let h = r.headers_mut();
        h.insert(CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
        h.insert(HeaderName::from_static("x-content-type-options"), HeaderValue::from_static("nosniff"));
        h.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
        // A refused client gets no second request on this connection (and
        // after a 413 the unread body would be taken for one).
        h.insert(CONNECTION, HeaderValue::from_static("close"));
        for (k, v) in self.headers {
            h.append(k, v);
        }
        r
    }
}
