//! Strict percent-decoding of request paths and queries (the
//! `percent-encoding` and `form_urlencoded` crates do the decoding; this
//! module refuses what they would pass through: a `%` without two hex
//! digits, bytes that are not UTF-8, and, in paths, encoded separators).

use std::borrow::Cow;

use axum::http::StatusCode;
use percent_encoding::percent_decode_str;

use crate::refusal::Refusal;

fn bad(what: &str, why: String) -> Refusal {
    Refusal::new(StatusCode::BAD_REQUEST, format!("bad percent-encoding in the {what}: {why}"))
}

/// Refuses a `%` not followed by two hex digits (`%zz`, a trailing `%4`).
fn check_escapes(s: &str, what: &str) -> Result<(), Refusal> {
    let b = s.as_bytes();
    for (i, _) in s.match_indices('%') {
        let hex = b.get(i + 1..i + 3).unwrap_or(&[]);
        if hex.len() != 2 || !hex.iter().all(u8::is_ascii_hexdigit) {
            let shown: String = s.get(i..).unwrap_or("").chars().take(3).collect();
            return Err(bad(what, format!("{shown:?} is not % and two hex digits")));
        }
    }
    Ok(())
}

fn utf8<'a>(s: &'a str, what: &str) -> Result<Cow<'a, str>, Refusal> {
    percent_decode_str(s).decode_utf8().map_err(|_| bad(what, "the decoded bytes are not UTF-8".into()))
}

/// Decodes a request path. Refuses malformed escapes, non-UTF-8 results,
/// NUL, and `/` or `\` written as `%2F` / `%5C` (an encoded separator would
/// let a name cross a directory boundary after decoding).
pub fn path(raw: &str) -> Result<String, Refusal> {
    check_escapes(raw, "path")?;
    let lower = raw.to_ascii_lowercase();
    if lower.contains("%2f") || lower.contains("%5c") {
        return Err(bad("path", "an encoded / or \\ (%2F, %5C) is not allowed".into()));
    }
    let decoded = utf8(raw, "path")?;
    if decoded.contains('\0') {
        return Err(bad("path", "it contains a NUL byte".into()));
    }
    Ok(decoded.into_owned())
}

/// Decodes a query string (without `?`) into its name/value pairs, in
/// order, with `+` as a space. Refuses malformed escapes and non-UTF-8.
pub fn query(raw: &str) -> Result<Vec<(String, String)>, Refusal> {
    check_escapes(raw, "query")?;
    utf8(raw, "query")?;
    Ok(form_urlencoded::parse(raw.as_bytes()).map(|(k, v)| (k.into_owned(), v.into_owned())).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries() {
        let q = query("seconds=5&url=..%2Fheap&x=a+b&seconds=7&flag").unwrap();
        let want = [("seconds", "5"), ("url", "../heap"), ("x", "a b"), ("seconds", "7"), ("flag", "")];
        assert_eq!(q, want.map(|(k, v)| (k.to_string(), v.to_string())));
        assert_eq!(query("").unwrap(), vec![]);
        assert_eq!(query("%C3%A9=%e2%82%ac").unwrap(), vec![("é".to_string(), "€".to_string())]);
        for junk in ["x=%zz", "x=%4", "%", "x=%ff", "x=%C0%AF", "a=1&b=%g0"] {
            let e = query(junk).unwrap_err();
            assert_eq!(e.status, StatusCode::BAD_REQUEST, "{junk}");
            assert!(e.reason.contains("percent-encoding"), "{}", e.reason);
        }
    }

    #[test]
    fn paths() {
        assert_eq!(path("/a%20b/c.js").unwrap(), "/a b/c.js");
        assert_eq!(path("/%2e%2e/x").unwrap(), "/../x");
        assert_eq!(path("/a+b").unwrap(), "/a+b");
        for junk in ["/a%2fb", "/a%2Fb", "/a%5cb", "/%00", "/%zz", "/%", "/%ff"] {
            assert_eq!(path(junk).unwrap_err().status, StatusCode::BAD_REQUEST, "{junk}");
        }
    }
}
