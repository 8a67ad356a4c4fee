//! Fetching a profile by URL (`?url=`, an embedding's `src`), streamed and
//! capped: the body is read chunk by chunk and reading stops as soon as it
//! passes the cap (or at once when Content-Length says it will), so a huge
//! or endless response cannot fill the tab's memory.

use js_sys::{ArrayBuffer, Reflect, Uint8Array};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// The largest profile the page reads (a file, or a URL's body): a wasm32
/// worker has 4 GiB of memory at most, and needs room for the model
/// beside the bytes.
pub const PAGE_MAX_FILE: u64 = 1_000_000_000;

/// A byte count for messages: "1 GB", "2.5 MB", "900 kB", "12 bytes".
pub fn size_text(bytes: u64) -> String {
    let units = [(1e9, "GB"), (1e6, "MB"), (1e3, "kB")];
    for (scale, unit) in units {
        let v = bytes as f64 / scale;
        if v >= 1.0 {
            let rounded = (v * 10.0).round() / 10.0;
            return if rounded.fract() == 0.0 {
                format!("{rounded:.0} {unit}")
            } else {
                format!("{rounded:.1} {unit}")
            };
        }
    }
    format!("{bytes} bytes")
}

/// Why a body over `cap` is refused, and how to open the profile instead.
pub fn over_cap(what: &str, size: Option<u64>, cap: u64) -> String {
    let size = size.map_or_else(|| format!("more than {}", size_text(cap)), size_text);
    format!(
        "{what} is {size}, over the {} this page reads; open it with the proflens command \
         (proflens top FILE) or download it and drop the file here",
        size_text(cap)
    )
}

pub(crate) fn js_error_text(e: &wasm_bindgen::JsValue) -> String {
    e.dyn_ref::<js_sys::Error>().map(|e| String::from(e.message())).unwrap_or_else(|| format!("{e:?}"))
}

/// Fetches `url`, at most `cap` bytes, calling `progress(done, total)`
/// as chunks arrive (`total` 0 when the server does not say).
pub async fn fetch_capped(url: &str, cap: u64, progress: &dyn Fn(u64, u64)) -> Result<ArrayBuffer, String> {
    let window = web_sys::window().ok_or("no window")?;
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str(url))
        .await
        .map_err(|e| {
            format!("cannot fetch {url}: {} (is the server up, and does it allow CORS?)", js_error_text(&e))
        })?
        .unchecked_into();
    if !response.ok() {
        return Err(format!("fetching {url} failed: HTTP {} {}", response.status(), response.status_text()));
    }
    read_capped(&response, url, cap, progress).await
}

/// Reads `response`'s body (from `url`, for messages), at most `cap`
/// bytes.
pub async fn read_capped(
    response: &web_sys::Response,
    url: &str,
    cap: u64,
    progress: &dyn Fn(u64, u64),
) -> Result<ArrayBuffer, String> {
    let declared =
        response.headers().get("content-length").ok().flatten().and_then(|l| l.trim().parse::<u64>().ok());
    if let Some(len) = declared.filter(|&len| len > cap) {
        // Nothing of it is read: stop the download.
        if let Some(body) = response.body() {
            let _ = body.cancel();
        }
        return Err(over_cap(url, Some(len), cap));
    }
    let Some(body) = response.body() else { return Ok(ArrayBuffer::new(0)) };
    let reader: web_sys::ReadableStreamDefaultReader = body.get_reader().unchecked_into();
    let mut chunks: Vec<Uint8Array> = Vec::new();
    let mut done_bytes = 0u64;
    loop {
        let next = JsFuture::from(reader.read())
            .await
            .map_err(|e| format!("reading {url} failed: {}", js_error_text(&e)))?;
        if Reflect::get(&next, &"done".into()).ok().is_some_and(|d| d.is_truthy()) {
            break;
        }
        let Ok(chunk) = Reflect::get(&next, &"value".into()).and_then(|v| v.dyn_into::<Uint8Array>()) else {
            return Err(format!("reading {url} failed: the body is not bytes"));
        };
        done_bytes += u64::from(chunk.length());
        if done_bytes > cap {
            // Stop the download: what is left is never read.
            let _ = reader.cancel();
            return Err(over_cap(url, None, cap));
        }
        progress(done_bytes, declared.unwrap_or(0));
        chunks.push(chunk);
    }
    let length =
        u32::try_from(done_bytes).map_err(|_| over_cap(url, Some(done_bytes), u64::from(u32::MAX)))?;
    let whole = Uint8Array::new_with_length(length);
    let mut at = 0u32;
    for chunk in chunks {
        whole.set(&chunk, at);
        at += chunk.length();
    }
    Ok(whole.buffer())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(size_text(1_000_000_000), "1 GB");
        assert_eq!(size_text(2_500_000_000), "2.5 GB");
        assert_eq!(size_text(1000), "1 kB");
        assert_eq!(size_text(999), "999 bytes");
        let refused = over_cap("https://x/heap", Some(2_000_000_000), PAGE_MAX_FILE);
        assert!(refused.starts_with("https://x/heap is 2 GB, over the 1 GB this page reads"), "{refused}");
        assert!(refused.contains("proflens top") && refused.contains("drop"), "{refused}");
        assert!(over_cap("u", None, 1000).starts_with("u is more than 1 kB, over the 1 kB"));
    }
}
