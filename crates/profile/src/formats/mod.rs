//! Formats read into the model besides profile.proto: Go goroutine dumps,
//! Go's `?debug=1` goroutine and threadcreate text, collapsed stacks,
//! `perf script` output, and pprof's legacy forms (Go's `?debug=1` heap,
//! mutex and block text, gperftools' heap text and binary CPU profiles;
//! see legacy/). Each is recognised by its content,
//! parsed into a profile.proto message, and then decoded like any profile,
//! so everything downstream (limits, validation, reports) is the same.

mod build;
mod collapsed;
mod go_comments;
mod go_count_text;
mod goroutine_dump;
pub(crate) mod legacy;
mod perf_script;
mod rust_names;

use crate::encode::ProfileWriter;
use crate::error::Error;

/// A text format proflens reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TextFormat {
    /// `goroutine profile: total N` / `threadcreate profile: total N`.
    GoCountText,
    /// `goroutine N [state]:` blocks (?debug=2, panics).
    GoroutineDump,
    /// `perf script` output.
    PerfScript,
    /// `a;b;c 12` lines.
    Collapsed,
    /// `heap profile: ...`: Go's `?debug=1` heap text or gperftools'.
    LegacyHeap,
    /// `--- mutex:` / `--- contention:`: Go's `?debug=1` mutex and block text.
    LegacyContention,
    /// gperftools' binary CPU profile (not text: recognised by its header words).
    LegacyCpu,
}

/// The text formats, for messages about text that is none of them.
pub(crate) const TRIED: &str = "Go goroutine dumps (?debug=2 or a panic), Go ?debug=1 goroutine or \
     threadcreate text, Go ?debug=1 heap, mutex and block text, gperftools heap text, `perf script` \
     output, collapsed stacks (`a;b;c 12`)";

/// How much of the input's start decides its format: the same for a slice
/// and a stream (whose buffer holds at least this much), and no scan of a
/// whole large file.
const SNIFF_BYTES: usize = 64 << 10;

/// Which text format the first bytes of the input are, if any.
pub(crate) fn sniff(head: &[u8]) -> Option<TextFormat> {
    if legacy::cpu::is_cpu(head) {
        return Some(TextFormat::LegacyCpu);
    }
    let text = as_text(&head[..head.len().min(SNIFF_BYTES)])?;
    // pprof decides the legacy text forms on the very first line.
    let first_line = text.lines().next().unwrap_or_default();
    if legacy::heap::is_header(first_line) {
        return Some(TextFormat::LegacyHeap);
    }
    if legacy::contention::is_header(first_line) {
        return Some(TextFormat::LegacyContention);
    }
    // The last line may be cut where the buffer ends.
    let complete = match text.rfind('\n') {
        Some(end) if end + 1 < text.len() => &text[..end + 1],
        _ => text,
    };
    let mut meaningful =
        complete.lines().filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'));
    let first = meaningful.clone().next()?;
    if go_count_text::profile_type(first).is_some() {
        return Some(TextFormat::GoCountText);
    }
    if complete.lines().any(goroutine_dump::is_header) {
        return Some(TextFormat::GoroutineDump);
    }
    if looks_like_perf_script(complete) {
        return Some(TextFormat::PerfScript);
    }
    if meaningful.all(collapsed::looks_collapsed) {
        return Some(TextFormat::Collapsed);
    }
    None
}

/// The first event line parses and a stack line follows (or sits on it).
fn looks_like_perf_script(text: &str) -> bool {
    let mut lines = text.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty());
    let Some(event) = lines.next().and_then(perf_script::event_line) else { return false };
    if event_has_frame(&event) {
        return true;
    }
    lines.next().is_some_and(|l| l.starts_with([' ', '\t']) && perf_script::stack_line(l).is_some())
}

fn event_has_frame(e: &perf_script::Event<'_>) -> bool {
    e.inline_frame.is_some_and(|f| perf_script::stack_line(f).is_some())
}

/// UTF-8 (a character cut at the end is fine) without control characters
/// other than tabs and line ends: protobuf never looks like this.
fn as_text(head: &[u8]) -> Option<&str> {
    let text = match std::str::from_utf8(head) {
        Ok(s) => s,
        Err(e) if e.error_len().is_none() => std::str::from_utf8(&head[..e.valid_up_to()]).ok()?,
        Err(_) => return None,
    };
    let clean = text.chars().all(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t'));
    (clean && !text.trim().is_empty()).then_some(text)
}

/// Whether frames of address-only text (Go's `?debug=1` forms) are named
/// from the text's `#` comment lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Naming {
    /// Name frames from the comments (no binary to symbolize with).
    FromComments,
    /// Keep addresses only, as pprof reads the text, for a symbolizer.
    AddressesOnly,
}

/// Parses a whole input of the given format into a profile message whose
/// tables take about `budget` bytes at most.
pub(crate) fn parse(
    format: TextFormat,
    bytes: &[u8],
    budget: u64,
    naming: Naming,
) -> Result<ProfileWriter, Error> {
    let text = || String::from_utf8_lossy(bytes);
    match format {
        TextFormat::GoCountText => Ok(go_count_text::parse(&text(), budget, naming)?.finish()),
        TextFormat::GoroutineDump => Ok(goroutine_dump::parse(&text(), budget)?.finish()),
        TextFormat::PerfScript => Ok(perf_script::parse(&text(), budget)?.finish()),
        TextFormat::Collapsed => Ok(collapsed::parse(&text(), budget)?.finish()),
        TextFormat::LegacyHeap => legacy::heap::parse(&text(), budget, naming),
        TextFormat::LegacyContention => legacy::contention::parse(&text(), budget, naming),
        TextFormat::LegacyCpu => legacy::cpu::parse(bytes, budget),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_each_format() {
        let sniffed = |s: &str| sniff(s.as_bytes());
        assert_eq!(sniffed("goroutine profile: total 3\n3 @ 0x1 0x2\n"), Some(TextFormat::GoCountText));
        assert_eq!(
            sniffed("panic: boom\n\ngoroutine 1 [running]:\nmain.main()\n"),
            Some(TextFormat::GoroutineDump)
        );
        assert_eq!(
            sniffed("# header\napp 12/13 [000] 1.5: 10 cycles:\n\t1234 main+0x1 (/bin/app)\n"),
            Some(TextFormat::PerfScript)
        );
        assert_eq!(sniffed("# folded\nmain;a;b 3\nmain;c 1\n"), Some(TextFormat::Collapsed));
        assert_eq!(sniffed("Apache License\nVersion 2.0, January 2004\n"), None);
        assert_eq!(sniffed("heap profile: 1: 2 [3: 4] @ heap/1048576\n"), Some(TextFormat::LegacyHeap));
        assert_eq!(sniffed("--- mutex:\ncycles/second=1\n"), Some(TextFormat::LegacyContention));
        assert_eq!(
            sniff(&[0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0]),
            Some(TextFormat::LegacyCpu)
        );
        assert_eq!(sniff(b"\n\x12\x08\x01"), None);
        assert_eq!(sniffed(""), None);
    }
}
