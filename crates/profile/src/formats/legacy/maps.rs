//! The memory map section of legacy profiles (`/proc/self/maps` lines and
//! pprof's brief `START-END FILE (@OFFSET) BUILDID` form), and how pprof
//! turns it into mappings and assigns every address one: its
//! `ParseMemoryMap`, `massageMappings` and `remapMappingIDs`, rule for rule,
//! so that a symbolizer later finds the same binary and load address as
//! `go tool pprof BINARY FILE` does.

use std::sync::OnceLock;

use crate::pattern::Regex;

/// One executable mapping of the profiled process.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Mapping {
    pub start: u64,
    pub limit: u64,
    pub offset: u64,
    pub file: String,
    pub build_id: String,
}

/// Go's `\s` (ASCII only) and `\S`, spelled out: the regex crate is built
/// without its Unicode tables.
const SPACE: &str = r"[\t\n\f\r ]";
const NON_SPACE: &str = r"[^\t\n\f\r ]";

fn proc_maps_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        // START-END [PERM] [OFFSET] DEV INODE [FILE]
        let pattern = format!(
            r"^{s}*(?:0x)?([[:xdigit:]]+)(?:{s}|-)?{s}*(?:0x)?([[:xdigit:]]+):?(?:{s}+([-rwxp]+))?(?:{s}+([[:xdigit:]]+))?{s}+[[:xdigit:]]+:[[:xdigit:]]+{s}+[[:digit:]]+(?:{s}+({n}+))?",
            s = SPACE,
            n = NON_SPACE
        );
        Regex::new(&pattern).expect("the /proc/maps pattern compiles")
    })
}

fn brief_maps_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        // START-END [PERM] [FILE] [(@OFFSET)] [BUILDID]
        let pattern = format!(
            r"^{s}*(?:0x)?([[:xdigit:]]+)(?:{s}|-)?{s}*(?:0x)?([[:xdigit:]]+):?(?:{s}+([-rwxp]+))?(?:{s}+({n}+))?(?:{s}+\(@([[:xdigit:]]+)\))?(?:{s}+([[:xdigit:]]+))?",
            s = SPACE,
            n = NON_SPACE
        );
        Regex::new(&pattern).expect("the brief maps pattern compiles")
    })
}

fn log_prefix_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(&format!(r"^[^\[\]]+:[0-9]+\]{SPACE}")).expect("the log prefix pattern compiles")
    })
}

/// Whether a line starts the memory map section.
pub(crate) fn is_sentinel(line: &str) -> bool {
    line.contains("--- Memory map: ---") || line.contains("MAPPED_LIBRARIES:")
}

/// The mappings of the lines after the first memory map sentinel (none
/// without one), as pprof's `parseAdditionalSections` finds them.
pub(crate) fn after_sentinel<'a>(mut lines: impl Iterator<Item = &'a str>) -> Vec<Mapping> {
    if !lines.by_ref().any(is_sentinel) {
        return Vec::new();
    }
    parse(lines)
}

/// Parses memory map lines; lines that are none are skipped, except
/// `name=value` lines, whose `$name` later lines have replaced (pprof's
/// variables for long paths).
pub(crate) fn parse<'a>(lines: impl Iterator<Item = &'a str>) -> Vec<Mapping> {
    let mut mappings = Vec::new();
    let mut variables: Vec<(String, String)> = Vec::new();
    for raw in lines {
        let line = replace_variables(strip_log_prefix(raw), &variables);
        match entry(&line) {
            Entry::Mapping(m) => mappings.push(m),
            Entry::NotExecutable => {}
            Entry::Unrecognized => {
                if let Some((name, value)) = line.split_once('=') {
                    variables.push((format!("${}", name.trim()), value.trim().to_string()));
                }
            }
        }
    }
    mappings
}

/// A glog prefix (`I0102 15:04:05.000 file.cc:12] `) is not part of the line.
fn strip_log_prefix(line: &str) -> &str {
    match log_prefix_re().find(line) {
        Some(m) => &line[m.end()..],
        None => line,
    }
}

/// Replaces `$name`s left to right; at each position the first variable
/// defined wins, as Go's strings.Replacer does.
fn replace_variables(line: &str, variables: &[(String, String)]) -> String {
    if variables.is_empty() {
        return line.to_string();
    }
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    'outer: while !rest.is_empty() {
        for (name, value) in variables {
            if !name.is_empty() && rest.starts_with(name.as_str()) {
                out.push_str(value);
                rest = &rest[name.len()..];
                continue 'outer;
            }
        }
        let c = rest.chars().next().unwrap_or_default();
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

enum Entry {
    Mapping(Mapping),
    NotExecutable,
    Unrecognized,
}

fn entry(line: &str) -> Entry {
    let group = |c: &crate::pattern::Captures<'_>, i: usize| c.get(i).map_or("", |m| m.as_str()).to_string();
    let (start, end, perm, offset, file, build_id) = if let Some(c) = proc_maps_re().captures(line) {
        (group(&c, 1), group(&c, 2), group(&c, 3), group(&c, 4), group(&c, 5), String::new())
    } else if let Some(c) = brief_maps_re().captures(line) {
        (group(&c, 1), group(&c, 2), group(&c, 3), group(&c, 5), group(&c, 4), group(&c, 6))
    } else {
        return Entry::Unrecognized;
    };
    if !perm.is_empty() && !perm.contains('x') {
        return Entry::NotExecutable;
    }
    let hex = |s: &str| u64::from_str_radix(s, 16).ok();
    let (Some(start), Some(limit)) = (hex(&start), hex(&end)) else { return Entry::Unrecognized };
    let offset = if offset.is_empty() {
        0
    } else {
        match hex(&offset) {
            Some(o) => o,
            None => return Entry::Unrecognized,
        }
    };
    Entry::Mapping(Mapping { start, limit, offset, file, build_id })
}

/// pprof's `massageMappings`: merges a mapping split into adjacent pieces
/// and moves the main binary (the first file that is no shared library and
/// no `[vdso]`-like pseudo file) to the front.
pub(crate) fn massage(mappings: Vec<Mapping>) -> Vec<Mapping> {
    let mut merged: Vec<Mapping> = Vec::with_capacity(mappings.len());
    for m in mappings {
        match merged.last_mut() {
            Some(last) if adjacent(last, &m) => {
                last.limit = m.limit;
                if !m.file.is_empty() {
                    last.file = m.file;
                }
                if !m.build_id.is_empty() {
                    last.build_id = m.build_id;
                }
            }
            _ => merged.push(m),
        }
    }
    let main = merged.iter().position(|m| {
        let file = m.file.replace("(deleted)", "");
        let file = file.trim();
        !file.is_empty() && !is_shared_library(file) && !file.starts_with('[')
    });
    if let Some(i) = main {
        merged.swap(0, i);
    }
    merged
}

/// pprof's `([.]so$|[.]so[._][0-9]+)`.
fn is_shared_library(file: &str) -> bool {
    if file.ends_with(".so") {
        return true;
    }
    file.match_indices(".so").any(|(i, _)| {
        let after = &file.as_bytes()[i + 3..];
        after.len() >= 2 && matches!(after[0], b'.' | b'_') && after[1].is_ascii_digit()
    })
}

fn adjacent(a: &Mapping, b: &Mapping) -> bool {
    if !a.file.is_empty() && !b.file.is_empty() && a.file != b.file {
        return false;
    }
    if !a.build_id.is_empty() && !b.build_id.is_empty() && a.build_id != b.build_id {
        return false;
    }
    if a.limit != b.start {
        return false;
    }
    if a.offset != 0 && b.offset != 0 {
        let expected = a.offset.wrapping_add(a.limit.wrapping_sub(a.start));
        if expected != b.offset {
            return false;
        }
    }
    true
}

/// Which mapping each address belongs to, by index into the returned
/// mappings (None for address 0), after pprof's `remapMappingIDs`
/// heuristics; a fake mapping covering everything is appended when some
/// address has none (Go's legacy texts carry no memory map at all).
pub(crate) fn assign(mut mappings: Vec<Mapping>, addresses: &[u64]) -> (Vec<Mapping>, Vec<Option<usize>>) {
    // A leading /anon_hugepage region right before the next one is the
    // main binary's text remapped: drop it.
    if mappings.len() > 1
        && mappings[0].file.starts_with("/anon_hugepage")
        && mappings[0].limit == mappings[1].start
    {
        mappings.remove(0);
    }
    // The main binary loaded at the usual address with its offset folded in.
    const EXPECTED_START: u64 = 0x400000;
    if let Some(m) = mappings.first_mut() {
        if m.start.wrapping_sub(m.offset) == EXPECTED_START {
            m.start = EXPECTED_START;
            m.offset = 0;
        }
    }
    let mut fake: Option<usize> = None;
    let mut assigned = Vec::with_capacity(addresses.len());
    for &a in addresses {
        if a == 0 {
            assigned.push(None);
            continue;
        }
        if let Some(i) = mappings.iter().position(|m| m.start <= a && a < m.limit) {
            assigned.push(Some(i));
            continue;
        }
        // The first piece of a split mapping left out: extend the mapping
        // down to where its file offset says it starts.
        let extended =
            mappings.iter().position(|m| m.offset != 0 && m.start.wrapping_sub(m.offset) <= a && a < m.start);
        if let Some(i) = extended {
            let m = &mut mappings[i];
            m.start = m.start.wrapping_sub(m.offset);
            m.offset = 0;
            assigned.push(Some(i));
            continue;
        }
        let i = *fake.get_or_insert_with(|| {
            mappings.push(Mapping { limit: u64::MAX, ..Mapping::default() });
            mappings.len() - 1
        });
        assigned.push(Some(i));
    }
    (mappings, assigned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proc_maps_lines() {
        let maps = parse(
            [
                "00400000-00c3a000 r-xp 00000000 08:01 1234   /usr/bin/server",
                "00c3a000-00c3b000 rw-p 0083a000 08:01 1234   /usr/bin/server",
                "7f5e54799000-7f5e547bd000 r-xp 00000000 00:00 7482        /lib64/ld-2.15.so",
                "7ffffb56b000-7ffffb56d000 r-xp 00000000 00:00 0           [vdso]",
                "not a mapping",
            ]
            .into_iter(),
        );
        assert_eq!(maps.len(), 3, "{maps:?}");
        assert_eq!(
            maps[0],
            Mapping {
                start: 0x400000,
                limit: 0xc3a000,
                offset: 0,
                file: "/usr/bin/server".into(),
                build_id: String::new()
            }
        );
        assert_eq!(maps[2].file, "[vdso]");
    }

    #[test]
    fn brief_lines_and_variables() {
        let maps = parse(
            [
                "root=/export/bin",
                "0x1000-0x2000 $root/app (@200) abc123",
                "I0102 12:00:00.1 x.cc:12] 3000-4000 /lib/libc.so.6",
            ]
            .into_iter(),
        );
        assert_eq!(
            maps[0],
            Mapping {
                start: 0x1000,
                limit: 0x2000,
                offset: 0x200,
                file: "/export/bin/app".into(),
                build_id: "abc123".into()
            }
        );
        assert_eq!(maps[1].file, "/lib/libc.so.6");
    }

    #[test]
    fn main_binary_first_and_fake_mapping() {
        let lib =
            Mapping { start: 0x7000, limit: 0x8000, file: "/lib/libc.so.6".into(), ..Mapping::default() };
        let main = Mapping { start: 0x1000, limit: 0x2000, file: "/bin/app".into(), ..Mapping::default() };
        let main2 = Mapping { start: 0x2000, limit: 0x3000, file: "/bin/app".into(), ..Mapping::default() };
        let massaged = massage(vec![lib.clone(), main, main2]);
        assert_eq!(massaged[0].file, "/bin/app");
        assert_eq!(massaged[0].limit, 0x3000, "adjacent pieces merged");
        let (maps, assigned) = assign(massaged, &[0x1500, 0x7001, 0, 0x9999]);
        assert_eq!(assigned, [Some(0), Some(1), None, Some(2)]);
        assert_eq!(maps[2].limit, u64::MAX);
        assert!(
            is_shared_library("libc-2.15.so")
                && is_shared_library("/x/libfoo.so.1")
                && !is_shared_library("/bin/a.sox")
        );
    }
}
