//! The process's executable mappings, as the kernel mapped them, with the
//! GNU build ID of each file.
//!
//! A profile's mappings are what lets a symbolizer find the code again
//! later: `go tool pprof` (and proflens) turn a location's absolute address
//! into an offset in `file` with `address - start + offset`, and check the
//! file they open against `build_id`.

/// An executable file mapping of the process.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Mapping {
    pub start: u64,
    pub limit: u64,
    pub offset: u64,
    pub file: String,
    /// The GNU build ID note of the file, lower-case hex; empty if none.
    pub build_id: String,
}

/// The executable file mappings, the main program first (pprof names a
/// profile after its first mapping).
pub(crate) fn mappings() -> Vec<Mapping> {
    let Ok(maps) = std::fs::read_to_string("/proc/self/maps") else { return Vec::new() };
    let exe = std::fs::read_link("/proc/self/exe").map(|p| p.display().to_string()).unwrap_or_default();
    let mut out = parse_maps(&maps);
    let ids = build_ids();
    for m in &mut out {
        // Segments need not start on a page: the mapping's pages overlap them.
        m.build_id = ids
            .iter()
            .find(|(start, end, _)| *start < m.limit && m.start < *end)
            .map(|(_, _, id)| id.clone())
            .unwrap_or_default();
    }
    out.sort_by_key(|m| (m.file != exe, m.start));
    out
}

/// The executable mappings of files in /proc/self/maps text.
fn parse_maps(maps: &str) -> Vec<Mapping> {
    let mut out = Vec::new();
    for line in maps.lines() {
        let mut f = line.split_whitespace();
        let (Some(range), Some(perms), Some(offset)) = (f.next(), f.next(), f.next()) else { continue };
        // Device and inode, then the path (which may contain spaces).
        let file = f.skip(2).collect::<Vec<_>>().join(" ");
        if !perms.contains('x') || !file.starts_with('/') {
            continue;
        }
        let Some((a, b)) = range.split_once('-') else { continue };
        let (Ok(start), Ok(limit), Ok(offset)) =
            (u64::from_str_radix(a, 16), u64::from_str_radix(b, 16), u64::from_str_radix(offset, 16))
        else {
            continue;
        };
        out.push(Mapping { start, limit, offset, file, build_id: String::new() });
    }
    out
}

/// (start, end, build ID) of each loaded object's segments, from the
/// program headers the dynamic loader keeps (the note is read from memory,
/// not from the file, so it is the build ID of the code that runs).
#[cfg(target_os = "linux")]
fn build_ids() -> Vec<(u64, u64, String)> {
    use findshlibs::{Segment, SharedLibrary, SharedLibraryId, TargetSharedLibrary};
    let mut out = Vec::new();
    TargetSharedLibrary::each(|lib| {
        let Some(SharedLibraryId::GnuBuildId(id)) = lib.id() else { return };
        let hex: String = id.iter().map(|b| format!("{b:02x}")).collect();
        for seg in lib.segments() {
            let start = seg.actual_virtual_memory_address(lib).0 as u64;
            out.push((start, start.saturating_add(seg.len() as u64), hex.clone()));
        }
    });
    out
}

#[cfg(not(target_os = "linux"))]
fn build_ids() -> Vec<(u64, u64, String)> {
    Vec::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_lines_parse_as_the_kernel_writes_them() {
        let text = "\
55d0c0a00000-55d0c0a4e000 r--p 00000000 08:01 123 /usr/bin/my service
55d0c0a4e000-55d0c0b80000 r-xp 0004e000 08:01 123 /usr/bin/my service
7f2a1c000000-7f2a1c021000 rw-p 00000000 00:00 0
7f2a1c400000-7f2a1c428000 r-xp 00028000 08:01 77 /usr/lib/x86_64-linux-gnu/libc.so.6
7ffd5e1f0000-7ffd5e1f2000 r-xp 00000000 00:00 0 [vdso]
bad line
";
        let m = parse_maps(text);
        assert_eq!(m.len(), 2);
        assert_eq!(
            m[0],
            Mapping {
                start: 0x55d0c0a4e000,
                limit: 0x55d0c0b80000,
                offset: 0x4e000,
                file: "/usr/bin/my service".into(),
                build_id: String::new()
            }
        );
        assert_eq!(m[1].file, "/usr/lib/x86_64-linux-gnu/libc.so.6");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn this_test_binary_comes_first_with_its_build_id() {
        let m = mappings();
        let exe = std::fs::read_link("/proc/self/exe").unwrap().display().to_string();
        assert_eq!(m[0].file, exe);
        // rustc asks the linker for a build ID on Linux; check it against
        // the note in the file (the readelf output's "Build ID: <hex>").
        let out = std::process::Command::new("readelf").args(["-n", &exe]).output();
        if let Ok(out) = out {
            let text = String::from_utf8_lossy(&out.stdout);
            if let Some(id) = text.split("Build ID: ").nth(1).and_then(|r| r.split_whitespace().next()) {
                assert_eq!(m[0].build_id, id);
            }
        }
        // The code that runs this test is inside the first mapping.
        let pc = this_test_binary_comes_first_with_its_build_id as *const () as u64;
        assert!(m[0].start <= pc && pc < m[0].limit, "{pc:#x} not in {:?}", m[0]);
        // libc has one too (Debian and most distributions link with --build-id).
        assert!(m.iter().any(|x| x.file.contains("libc.so") && !x.build_id.is_empty()), "{m:?}");
    }
}
