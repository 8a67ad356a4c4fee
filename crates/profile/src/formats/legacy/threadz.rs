//! Thread stack dumps (`--- threadz N ---`, then `--- Thread ID (name:
//! NAME/TID) stack: ---` blocks of addresses), read as pprof's
//! `parseThread` reads them: one `thread`/`count` sample per thread, a
//! "same as previous thread" block counted on the previous sample, every
//! address but the leaf moved back one byte, a duplicated leaf dropped.

use std::sync::OnceLock;

use crate::pattern::Regex;

use super::{hex_addresses, malformed, maps, LegacyProfile, Sample};
use crate::encode::ProfileWriter;
use crate::error::Error;

const WHAT: &str = "threadz text";

fn threadz_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"--- threadz [0-9]+ ---").expect("the threadz pattern compiles"))
}

fn thread_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"--- Thread [[:xdigit:]]+ \(name: .*/[0-9]+\) stack: ---")
            .expect("the thread pattern compiles")
    })
}

/// Whether the first line that is neither blank nor a comment starts a
/// threadz profile.
pub(crate) fn is_header(first_meaningful_line: &str) -> bool {
    threadz_re().is_match(first_meaningful_line) || thread_re().is_match(first_meaningful_line)
}

/// Parses the whole text; an error names the line.
pub(crate) fn parse(text: &str, budget: u64) -> Result<ProfileWriter, Error> {
    let lines: Vec<&str> = text.lines().collect();
    let mut at = lines.iter().position(|l| !is_space_or_comment(l)).unwrap_or(lines.len());
    let mut line = lines.get(at).copied().unwrap_or_default();
    if threadz_re().is_match(line) {
        // Up to the first thread (or the memory map).
        while at + 1 < lines.len() {
            at += 1;
            line = lines[at];
            if maps::is_sentinel(line) || line.starts_with('-') {
                break;
            }
        }
    } else if !thread_re().is_match(line) {
        return Err(malformed(WHAT, at + 1, "expected `--- threadz N ---` or `--- Thread ...`"));
    }
    let types = vec![("thread", "count")];
    let mut profile = LegacyProfile::new(types, ("thread", "count"), budget);
    profile.period = 1;
    profile.drop_duplicate_leaf = true;
    // `at` is the line `line` came from; a block's lines follow it.
    while !maps::is_sentinel(line) {
        if line.starts_with("---- no stack trace for") {
            break;
        }
        if !thread_re().is_match(line) {
            return Err(malformed(WHAT, at + 1, "expected `--- Thread ID (name: NAME/TID) stack: ---`"));
        }
        let mut addresses = Vec::new();
        let mut same_as_previous = false;
        // pprof's next line is the last one it read: blank when none was.
        line = "";
        while at + 1 < lines.len() {
            at += 1;
            line = lines[at].trim();
            if line.is_empty() {
                continue;
            }
            if line.starts_with("---") {
                break;
            }
            if line.contains("same as previous thread") {
                same_as_previous = true;
                continue;
            }
            let more = hex_addresses(line)
                .ok_or_else(|| malformed(WHAT, at + 1, "an address does not fit in 64 bits"))?;
            addresses.extend(more);
        }
        if same_as_previous || addresses.is_empty() {
            profile.samples.count_again_last();
            continue;
        }
        for a in addresses.iter_mut().skip(1) {
            *a = a.wrapping_sub(1);
        }
        profile.add(Sample { addresses, values: vec![1], block_size: None })?;
    }
    // The map follows the sentinel line, wherever the threads stopped.
    profile.mappings = maps::after_sentinel(lines[at.min(lines.len())..].iter().copied());
    profile.finish(None)
}

fn is_space_or_comment(line: &str) -> bool {
    let t = line.trim();
    t.is_empty() || t.starts_with('#')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers() {
        assert!(is_header("--- threadz 12 ---"));
        assert!(is_header("--- Thread 7f0a (name: main/1) stack: ---"));
        assert!(!is_header("--- threadz ---"));
    }

    #[test]
    fn a_dump_must_end_with_a_section_line() {
        // pprof refuses a dump whose last thread runs to the end of the input.
        let e = parse("--- threadz 1 ---\n--- Thread 1 (name: a/1) stack: ---\n0x10 0x20\n", u64::MAX);
        assert!(e.is_err());
        let ok = parse(
            "--- threadz 1 ---\n--- Thread 1 (name: a/1) stack: ---\n0x10 0x20\n--- Memory map: ---\n",
            u64::MAX,
        );
        assert_eq!(ok.map(|mut w| w.proto_mut().sample.len()).ok(), Some(1));
    }
}
