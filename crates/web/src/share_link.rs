//! A profile carried in the URL fragment ("Copy link"): its file name and
//! bytes as base64url beside the view state, `…&name=heap.pb.gz&profile=H4sI…`.
//! The fragment never reaches a server, so sharing uploads nothing. Links
//! are for small profiles: [`LINK_LIMIT`] bytes as stored, and
//! [`LINK_MAX_INFLATED`] once decompressed; anything over is refused with
//! a message saying so, before it costs memory.

use crate::fragment::{pairs, percent_decode, percent_encode};

/// The most profile bytes a link carries (as stored: gzip when the file
/// was gzip). Base64 makes the link a third longer.
pub const LINK_LIMIT: usize = 64 * 1024;

/// The most a carried profile may inflate to: gzip can grow 64 KB a
/// thousandfold, and a link should not be able to fill a tab's memory.
pub const LINK_MAX_INFLATED: u64 = 16 << 20;

/// The fragment parameters that hold a carried profile.
const NAME_PARAM: &str = "name";
const PROFILE_PARAM: &str = "profile";

/// What a link carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CarriedProfile {
    /// The file name.
    pub name: String,
    /// The profile's bytes, as the file had them.
    pub bytes: Vec<u8>,
}

/// Why `what`, `len` bytes, cannot go in a link.
pub fn too_big(what: &str, len: usize) -> String {
    let kb = len.div_ceil(1024);
    format!(
        "{what} is {kb} KB; a link carries at most {} KB of profile. Share or open the file itself \
         (drop it on this page, or run proflens top FILE).",
        LINK_LIMIT / 1024
    )
}

/// The parameters that carry `name` and `bytes` ("name=…&profile=…"), or
/// why they cannot be carried.
pub fn params_for(name: &str, bytes: &[u8]) -> Result<String, String> {
    if bytes.len() > LINK_LIMIT {
        return Err(too_big(name, bytes.len()));
    }
    Ok(format!("{NAME_PARAM}={}&{PROFILE_PARAM}={}", percent_encode(name), base64url_encode(bytes)))
}

/// The profile `fragment` carries: None when it carries none, else the
/// profile or why it cannot be opened (too big for a link, or damaged).
pub fn carried_profile(fragment: &str) -> Option<Result<CarriedProfile, String>> {
    let params = fragment.split_once('?')?.1;
    let encoded = pairs(params).find(|(k, _)| *k == PROFILE_PARAM)?.1;
    let name = pairs(params)
        .find(|(k, _)| *k == NAME_PARAM)
        .map(|(_, v)| percent_decode(v))
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "shared.pb.gz".into());
    // Checked before decoding: an oversized link costs no memory.
    let decoded_len = encoded.len() / 4 * 3 + (encoded.len() % 4).saturating_sub(1);
    if decoded_len > LINK_LIMIT {
        return Some(Err(too_big("The profile in this link", decoded_len)));
    }
    Some(
        base64url_decode(encoded)
            .map(|bytes| CarriedProfile { name, bytes })
            .map_err(|why| format!("The profile in this link is damaged ({why}); ask for the link again.")),
    )
}

/// The carried-profile parameters of `fragment` ("&name=…&profile=…"), so
/// that view changes keep them and a reload still has the profile.
pub fn carried_params(fragment: &str) -> String {
    let Some((_, params)) = fragment.split_once('?') else { return String::new() };
    pairs(params)
        .filter(|(k, _)| *k == NAME_PARAM || *k == PROFILE_PARAM)
        .map(|(k, v)| format!("&{k}={v}"))
        .collect()
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Base64url without padding (RFC 4648 §5): safe in a fragment as is.
pub fn base64url_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], chunk.get(1).copied().unwrap_or(0), chunk.get(2).copied().unwrap_or(0)];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
        }
    }
    out
}

/// Decodes base64url (standard base64's '+' and '/' are taken too, and
/// '=' padding is ignored at the end); the error names the first bad
/// character.
pub fn base64url_decode(text: &str) -> Result<Vec<u8>, String> {
    let text = text.trim_end_matches('=');
    let mut out = Vec::with_capacity(text.len() / 4 * 3 + 2);
    let (mut acc, mut bits) = (0u32, 0u32);
    for (at, c) in text.bytes().enumerate() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            _ => return Err(format!("byte {at} is not base64")),
        };
        acc = (acc << 6 | u32::from(v)) & 0xff_ffff;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    if bits >= 6 {
        return Err("the base64 text stops in the middle of a byte".into());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64url_matches_rfc_4648() {
        for (plain, encoded) in
            [("", ""), ("f", "Zg"), ("fo", "Zm8"), ("foo", "Zm9v"), ("foobar", "Zm9vYmFy")]
        {
            assert_eq!(base64url_encode(plain.as_bytes()), encoded);
            assert_eq!(base64url_decode(encoded).unwrap(), plain.as_bytes());
        }
        assert_eq!(base64url_encode(&[0xfb, 0xff]), "-_8");
        assert_eq!(base64url_decode("+/8=").unwrap(), [0xfb, 0xff]);
        assert!(base64url_decode("Zm9v!").unwrap_err().contains("byte 4"));
        assert!(base64url_decode("Z").is_err(), "one character is not a byte");
    }

    #[test]
    fn links_carry_small_profiles_only() {
        let params = params_for("heap 2.pb.gz", &[1, 2, 3, 250]).unwrap();
        let fragment = format!("top?si=alloc_space&{params}");
        let carried = carried_profile(&fragment).unwrap().unwrap();
        assert_eq!(carried, CarriedProfile { name: "heap 2.pb.gz".into(), bytes: vec![1, 2, 3, 250] });
        assert_eq!(carried_params(&fragment), format!("&{params}"));
        assert_eq!(carried_profile("top?si=x"), None);

        let big = vec![7u8; LINK_LIMIT + 1];
        assert!(params_for("big.pb.gz", &big).unwrap_err().contains("at most 64 KB"));
        let fragment = format!("top?profile={}", base64url_encode(&big));
        let refused = carried_profile(&fragment).unwrap().unwrap_err();
        assert!(
            refused.starts_with("The profile in this link is 65 KB; a link carries at most 64 KB"),
            "{refused}"
        );
        // Exactly at the limit is fine.
        let fragment = format!("top?profile={}", base64url_encode(&big[1..]));
        assert_eq!(carried_profile(&fragment).unwrap().unwrap().bytes.len(), LINK_LIMIT);
        assert!(carried_profile("top?profile=a%b").unwrap().unwrap_err().contains("damaged"));
    }
}
