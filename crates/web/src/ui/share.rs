//! "Copy link" on the page: the bytes of recent loads are kept while they
//! are small enough for a link (see [`crate::share_link`] for the link's
//! format and limits), so that the link can be made later.

use std::cell::RefCell;

use js_sys::Uint8Array;

use crate::file_bytes::FileBytes;
use crate::share_link::{params_for, too_big, LINK_LIMIT};

/// A loaded file, kept for links: its load, name and bytes (None when too
/// big to carry, with its size).
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
pub fn remember(generation: u32, name: &str, source: &FileBytes) {
    let len = source.len() as usize;
    let bytes = match source {
        FileBytes::Buffer(buffer) if len <= LINK_LIMIT => Ok(Uint8Array::new(buffer).to_vec()),
        // The page sends only files over the limit as Blobs.
        _ => Err(len),
    };
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
    let params = CURRENT.with(|c| {
        let c = c.borrow();
        let shared = c
            .iter()
            .find(|s| s.generation == generation)
            .ok_or_else(|| "the profile's bytes are no longer at hand; load it again".to_string())?;
        match &shared.bytes {
            Ok(bytes) => params_for(&shared.name, bytes),
            Err(len) => Err(too_big(&shared.name, *len)),
        }
    })?;
    let location = web_sys::window().ok_or("no window")?.location();
    // Not the query: a ?url= would fetch instead of using the bytes.
    let page =
        format!("{}{}", location.origin().unwrap_or_default(), location.pathname().unwrap_or_default());
    let joiner = if fragment.contains('?') { '&' } else { '?' };
    Ok(format!("{page}#{fragment}{joiner}{params}"))
}
