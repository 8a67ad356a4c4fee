//! "Copy link": a link that carries the profile itself (gzip bytes, base64)
//! in the URL fragment, beside the view state. The fragment never reaches a
//! server, so sharing uploads nothing. Only small profiles fit: the link
//! is refused above [`LINK_LIMIT`] bytes of profile.

use std::cell::RefCell;

use js_sys::{ArrayBuffer, Uint8Array};

use crate::state::{percent_decode, percent_encode};

/// The most profile bytes a link carries (as stored: gzip when the file
/// was gzip). Base64 makes the link a third longer.
pub const LINK_LIMIT: usize = 64 * 1024;

/// The fragment parameters that hold a carried profile.
const NAME_PARAM: &str = "name";
const PROFILE_PARAM: &str = "profile";

/// The profile on screen, kept for links: its load, name and bytes (None
/// when too big to carry, with its size).
struct Shareable {
    generation: u32,
    name: String,
    bytes: Result<Vec<u8>, usize>,
}

thread_local! {
    static CURRENT: RefCell<Vec<Shareable>> = const { RefCell::new(Vec::new()) };
}

/// Remembers the bytes of load `generation` (before they are handed to the
/// worker), if small enough to share.
pub fn remember(generation: u32, name: &str, buffer: &ArrayBuffer) {
    let len = buffer.byte_length() as usize;
    let bytes = if len <= LINK_LIMIT { Ok(Uint8Array::new(buffer).to_vec()) } else { Err(len) };
    CURRENT.with(|c| {
        let mut c = c.borrow_mut();
        // Keep the last few loads: the one on screen may be older than the latest attempt.
        c.retain(|s| s.generation + 4 > generation);
        c.push(Shareable { generation, name: name.to_string(), bytes });
    });
}

/// A link to this page showing `fragment` (the view state) of load
/// `generation`, with the profile inside; or why there is none.
pub fn link_for(generation: u32, fragment: &str) -> Result<String, String> {
    let (name, bytes) = CURRENT.with(|c| {
        c.borrow()
            .iter()
            .find(|s| s.generation == generation)
            .map(|s| (s.name.clone(), s.bytes.clone()))
            .ok_or_else(|| "the profile's bytes are no longer at hand; load it again".to_string())
    })?;
    let bytes = bytes.map_err(|len| {
        format!(
            "{name} is {:.0} KB; a link carries at most {} KB of profile. Share the file instead.",
            len as f64 / 1024.0,
            LINK_LIMIT / 1024
        )
    })?;
    let window = web_sys::window().ok_or("no window")?;
    let binary: String = bytes.iter().map(|&b| char::from(b)).collect();
    let base64 = window.btoa(&binary).map_err(|_| "cannot encode the profile".to_string())?;
    let base64url: String = base64
        .trim_end_matches('=')
        .chars()
        .map(|c| {
            if c == '+' {
                '-'
            } else if c == '/' {
                '_'
            } else {
                c
            }
        })
        .collect();
    let location = window.location();
    // Not the query: a ?url= would fetch instead of using the bytes.
    let page =
        format!("{}{}", location.origin().unwrap_or_default(), location.pathname().unwrap_or_default());
    let joiner = if fragment.contains('?') { '&' } else { '?' };
    Ok(format!("{page}#{fragment}{joiner}{NAME_PARAM}={}&{PROFILE_PARAM}={base64url}", percent_encode(&name)))
}

/// The profile a link carries in `fragment`: its name and bytes.
pub fn profile_in_fragment(fragment: &str) -> Option<(String, Vec<u8>)> {
    let params = fragment.split_once('?')?.1;
    let get = |key: &str| {
        params
            .split('&')
            .find_map(|p| p.split_once('=').filter(|(k, _)| *k == key).map(|(_, v)| v.to_string()))
    };
    let encoded = get(PROFILE_PARAM)?;
    let name = get(NAME_PARAM).map(|n| percent_decode(&n)).unwrap_or_else(|| "shared.pb.gz".into());
    let mut base64: String = encoded
        .chars()
        .map(|c| {
            if c == '-' {
                '+'
            } else if c == '_' {
                '/'
            } else {
                c
            }
        })
        .collect();
    while !base64.len().is_multiple_of(4) {
        base64.push('=');
    }
    let binary = web_sys::window()?.atob(&base64).ok()?;
    Some((name, binary.chars().map(|c| c as u32 as u8).collect()))
}

/// The carried-profile parameters of `fragment` ("&name=…&profile=…"), so
/// that view changes keep them and a reload still has the profile.
pub fn carried_params(fragment: &str) -> String {
    let Some((_, params)) = fragment.split_once('?') else { return String::new() };
    params
        .split('&')
        .filter(|p| p.starts_with("name=") || p.starts_with("profile="))
        .map(|p| format!("&{p}"))
        .collect()
}
