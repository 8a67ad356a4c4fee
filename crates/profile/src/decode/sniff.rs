//! Recognises what a non-profile input is, so the error can say so.

use crate::error::Error;

/// Explains what `head` (the first bytes of the decompressed input) looks
/// like when it did not decode as a profile. None when it looks like nothing
/// in particular (then the decoding error itself is the best message).
pub(crate) fn explain(head: &[u8]) -> Option<Error> {
    let text = std::str::from_utf8(head).ok().map(str::trim_start);
    let starts = |prefix: &str| text.is_some_and(|t| t.starts_with(prefix));
    let unsupported = |hint: &str| Some(Error::UnsupportedFormat { hint: hint.to_string() });
    let not_profile = |hint: &str| Some(Error::NotAProfile { hint: hint.to_string() });

    if crate::formats::legacy::cpu::is_java(head) {
        return unsupported(
            "this is a legacy binary CPU profile of a Java program, which proflens does not read; \
             convert it with `go tool pprof -proto FILE > FILE.pb.gz`",
        );
    }
    if starts("heap profile:") || starts("heap_v2/") {
        return not_profile(
            "this looks like a text heap profile, but its first line is not pprof's header \
             `heap profile: A: B [C: D] @ heap/RATE` (or `@ heapprofile`, `@ heap_v2/RATE`)",
        );
    }
    if starts("--- threadz") {
        return unsupported(
            "this is a legacy threadz text profile, which proflens does not read; convert it with \
             `go tool pprof -proto FILE > FILE.pb.gz`",
        );
    }
    if head.starts_with(b"\x7fELF") {
        return not_profile("this is an executable (ELF) file, not a profile");
    }
    if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        return not_profile("this is zstd-compressed data; decompress it first (proflens reads gzip or raw)");
    }
    if head.starts_with(b"BZh") || head.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0]) {
        return not_profile("this is bzip2 or xz data; decompress it first (proflens reads gzip or raw)");
    }
    if starts("<!DOCTYPE") || starts("<html") || starts("<HTML") {
        return not_profile(
            "this is an HTML page; the URL probably returned an error or login page instead of a profile",
        );
    }
    if starts("{") || starts("[") {
        return not_profile("this is JSON (or similar text), not a protobuf profile");
    }
    if looks_like_text(head) {
        return not_profile(&format!(
            "this is a text file in none of the text formats proflens reads (tried: {}); pprof \
             profiles are protobuf (usually gzip-compressed)",
            crate::formats::TRIED
        ));
    }
    None
}

/// Mostly printable UTF-8, as source, logs and configs are.
fn looks_like_text(head: &[u8]) -> bool {
    if head.len() < 4 {
        return false;
    }
    let valid = match std::str::from_utf8(head) {
        Ok(s) => s,
        // A cut in the middle of a character at the end is fine.
        Err(e) if e.error_len().is_none() && e.valid_up_to() > 0 => {
            std::str::from_utf8(&head[..e.valid_up_to()]).unwrap_or_default()
        }
        Err(_) => return false,
    };
    let printable = valid.chars().filter(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t')).count();
    printable * 100 >= valid.chars().count() * 95
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_common_wrong_inputs() {
        let hint = |b: &[u8]| explain(b).map(|e| e.to_string()).unwrap_or_default();
        assert!(hint(b"<!DOCTYPE html><html>").contains("HTML"));
        assert!(hint(b"hello, this is a readme file\n").contains("text file"));
        assert!(hint(b"hello, this is a readme file\n").contains("perf script"));
        assert!(hint(b"\x7fELF\x02\x01").contains("ELF"));
        assert!(hint(&[0, 0, 0, 0, 3, 0, 0, 0, 1, 0, 0, 0, 16, 0, 0, 0, 0, 0, 0, 0]).contains("Java"));
        assert!(hint(b"--- threadz 1 ---\n").contains("threadz"));
        assert!(hint(b"heap_v2/524288\n").contains("text heap profile"));
        assert_eq!(explain(&[0x91, 0x02, 0xff, 0x10]), None);
    }
}
