//! Symbolization with a cache, the process's mappings, and a profile writer
//! that turns addresses into locations and functions.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use proflens_profile::encode::ProfileWriter;

/// One function at an address (several when calls were inlined there).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Frame {
    /// Demangled, without the hash suffix.
    pub name: String,
    pub file: String,
    pub line: u32,
    /// The function's entry address, 0 if unknown.
    pub entry: usize,
}

type Cache = HashMap<usize, Arc<[Frame]>>;

fn cache() -> &'static Mutex<Cache> {
    static CACHE: OnceLock<Mutex<Cache>> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(HashMap::new()))
}

/// The frames at `addr` (an address inside the instruction: a return
/// address minus one, or an interrupted program counter), innermost first.
/// Empty when nothing is known.
pub(crate) fn resolve(addr: usize) -> Arc<[Frame]> {
    let mut cache = cache().lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(f) = cache.get(&addr) {
        return f.clone();
    }
    let mut frames = Vec::new();
    // backtrace::resolve looks up `addr - 1` (it expects return addresses).
    crate::heap::unsampled(|| {
        backtrace::resolve(addr.wrapping_add(1) as *mut std::ffi::c_void, |sym| {
            let name = match sym.name() {
                Some(n) => clean_name(&format!("{n:#}")),
                None => return,
            };
            frames.push(Frame {
                name,
                file: sym.filename().map(|p| p.display().to_string()).unwrap_or_default(),
                line: sym.lineno().unwrap_or(0),
                entry: plausible_entry(addr, sym.addr().map_or(0, |a| a as usize)),
            });
        })
    });
    let frames: Arc<[Frame]> = frames.into();
    cache.insert(addr, frames.clone());
    frames
}

/// The symbol's entry address if it is one for `addr`. Some symbolizers
/// report it without the load bias of a position-independent executable;
/// an "entry" more than 16 MiB below the address is not trusted.
fn plausible_entry(addr: usize, entry: usize) -> usize {
    match addr.checked_sub(entry) {
        Some(off) if entry != 0 && off < 16 << 20 => entry,
        _ => 0,
    }
}

/// Drops a trailing `::h0123456789abcdef` (legacy mangling's hash).
pub(crate) fn clean_name(name: &str) -> String {
    if let Some(i) = name.rfind("::h") {
        let hash = &name[i + 3..];
        if hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            return name[..i].to_string();
        }
    }
    name.to_string()
}

/// An executable mapping of the process.
#[derive(Clone, Debug)]
pub(crate) struct Mapping {
    pub start: u64,
    pub limit: u64,
    pub offset: u64,
    pub file: String,
}

/// The executable file mappings, the main program first (pprof names a
/// profile after its first mapping).
pub(crate) fn mappings() -> Vec<Mapping> {
    let Ok(maps) = std::fs::read_to_string("/proc/self/maps") else { return Vec::new() };
    let exe = std::fs::read_link("/proc/self/exe").map(|p| p.display().to_string()).unwrap_or_default();
    let mut out: Vec<Mapping> = Vec::new();
    for line in maps.lines() {
        let mut f = line.split_whitespace();
        let (Some(range), Some(perms), Some(offset)) = (f.next(), f.next(), f.next()) else { continue };
        let file = f.nth(2).unwrap_or("");
        if !perms.contains('x') || !file.starts_with('/') {
            continue;
        }
        let Some((a, b)) = range.split_once('-') else { continue };
        let (Ok(start), Ok(limit), Ok(offset)) =
            (u64::from_str_radix(a, 16), u64::from_str_radix(b, 16), u64::from_str_radix(offset, 16))
        else {
            continue;
        };
        out.push(Mapping { start, limit, offset, file: file.to_string() });
    }
    out.sort_by_key(|m| (m.file != exe, m.start));
    out
}

/// Where a stack's addresses came from, which decides how each is looked up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Pcs {
    /// Every address is a return address (heap stacks).
    ReturnAddresses,
    /// The first is an interrupted program counter, the rest return
    /// addresses (thread stacks).
    LeafExact,
}

/// Converts a captured stack to location addresses (inside the instruction).
/// Addresses 0 and 1 (the unwinder's end-of-stack marker) are left out.
pub(crate) fn location_addresses(stack: &[usize], pcs: Pcs) -> Vec<usize> {
    stack
        .iter()
        .enumerate()
        .filter(|&(_, &a)| a > 1)
        .map(|(i, &a)| if i == 0 && pcs == Pcs::LeafExact { a } else { a - 1 })
        .collect()
}

/// A [`ProfileWriter`] plus the tables that turn addresses into locations.
pub(crate) struct StackWriter {
    pub w: ProfileWriter,
    functions: HashMap<(String, String), u64>,
    locations: HashMap<(usize, usize), u64>,
    symbolic: HashMap<Vec<(u64, i64)>, u64>,
    mappings: Vec<(Mapping, u64)>,
}

impl StackWriter {
    pub(crate) fn new(sample_types: &[(&str, &str)]) -> Self {
        let mut w = ProfileWriter::new(sample_types);
        let mut mappings = Vec::new();
        for m in self::mappings() {
            let id = w.add_mapping(&m.file, "", m.start, m.limit);
            if let Some(pm) = w.proto_mut().mapping.last_mut() {
                pm.file_offset = m.offset;
            }
            mappings.push((m, id));
        }
        StackWriter {
            w,
            functions: HashMap::new(),
            locations: HashMap::new(),
            symbolic: HashMap::new(),
            mappings,
        }
    }

    pub(crate) fn function(&mut self, name: &str, file: &str) -> u64 {
        if let Some(&id) = self.functions.get(&(name.to_string(), file.to_string())) {
            return id;
        }
        let id = self.w.add_function(name, file, 0);
        self.functions.insert((name.to_string(), file.to_string()), id);
        id
    }

    fn mapping_of(&self, addr: usize) -> Option<u64> {
        let a = addr as u64;
        self.mappings.iter().find(|(m, _)| m.start <= a && a < m.limit).map(|&(_, id)| id)
    }

    /// The location for `addr` with `frames` (innermost first), of which the
    /// first `skip` are left out. Cached by (address, skip).
    pub(crate) fn location(&mut self, addr: usize, frames: &[Frame], skip: usize) -> u64 {
        if let Some(&id) = self.locations.get(&(addr, skip)) {
            return id;
        }
        let lines: Vec<(u64, i64)> =
            frames.iter().skip(skip).map(|f| (self.function(&f.name, &f.file), i64::from(f.line))).collect();
        let mapping = self.mapping_of(addr);
        let id = self.w.add_location(mapping, addr as u64, &lines);
        self.locations.insert((addr, skip), id);
        id
    }

    /// A location known only by its frames (CPU profiles from pprof-rs,
    /// task dumps): one per distinct list of (function, line).
    pub(crate) fn symbolic_location(&mut self, frames: &[(String, String, u32)], addr: usize) -> u64 {
        let lines: Vec<(u64, i64)> =
            frames.iter().map(|(name, file, line)| (self.function(name, file), i64::from(*line))).collect();
        if let Some(&id) = self.symbolic.get(&lines) {
            return id;
        }
        let mapping = if addr == 0 { None } else { self.mapping_of(addr) };
        let id = self.w.add_location(mapping, addr as u64, &lines);
        self.symbolic.insert(lines, id);
        id
    }

    /// Location ids for a stack of location addresses (leaf first), from
    /// `cut` on (see [`cut_point`]).
    pub(crate) fn stack(&mut self, addrs: &[usize], cut: (usize, usize)) -> Vec<u64> {
        let mut out = Vec::with_capacity(addrs.len());
        for (i, &a) in addrs.iter().enumerate().skip(cut.0) {
            let frames = resolve(a);
            let skip = if i == cut.0 { cut.1 } else { 0 };
            out.push(self.location(a, &frames, skip));
        }
        out
    }
}

/// Where a heap stack's own frames begin: (index of the first address kept,
/// inlined frames of it to leave out). Everything up to the allocator's
/// entry point (`__rust_alloc`, `GlobalAlloc::alloc`, ...) is the sampler
/// itself, and the `alloc::alloc` plumbing right after it is left out too,
/// so stacks start where the program asked for memory (`Box::new`,
/// `RawVec::grow`, ...).
pub(crate) fn heap_cut(addrs: &[usize]) -> (usize, usize) {
    cut_point(addrs, &is_alloc_entry, &is_alloc_plumbing)
}

/// Where a stack's own frames begin, given which frames mark the end of the
/// machinery (`entry`, the last one found counts) and which frames right
/// after it still belong to it (`plumbing`). Without an entry frame, only
/// leading `plumbing` frames are left out.
pub(crate) fn cut_point(
    addrs: &[usize],
    entry: &dyn Fn(&str) -> bool,
    plumbing: &dyn Fn(&str) -> bool,
) -> (usize, usize) {
    // (address index, line index, name), innermost first.
    let mut lines: Vec<(usize, usize, String)> = Vec::new();
    for (i, &a) in addrs.iter().enumerate() {
        let frames = resolve(a);
        if frames.is_empty() {
            lines.push((i, 0, String::new()));
        }
        for (k, f) in frames.iter().enumerate() {
            lines.push((i, k, f.name.clone()));
        }
    }
    let mut c = lines.iter().rposition(|(_, _, n)| entry(n)).map_or(0, |p| p + 1);
    while lines.get(c).is_some_and(|(_, _, n)| plumbing(n)) {
        c += 1;
    }
    match lines.get(c) {
        Some(&(i, k, _)) => (i, k),
        None => (addrs.len(), 0),
    }
}

/// The global allocator's entry points.
pub(crate) fn is_alloc_entry(name: &str) -> bool {
    name.contains(" as core::alloc::global::GlobalAlloc>::")
        || name.starts_with("__rustc::__rust_")
        || name.starts_with("__rust_alloc")
        || name.starts_with("__rust_realloc")
        || name.starts_with("__rg_")
        || name.starts_with("__rdl_")
}

/// The allocator's and the unwinder's frames, and std's allocation plumbing.
pub(crate) fn is_alloc_plumbing(name: &str) -> bool {
    const PREFIXES: &[&str] = &[
        "backtrace::",
        "proflens_agent::heap::",
        "<proflens_agent::heap::",
        "__rustc::",
        "__rust_",
        "__rg_",
        "__rdl_",
        "alloc::alloc::",
        "<alloc::alloc::Global",
        "std::alloc::",
        "<std::alloc::System",
        "core::alloc::",
        "_Unwind_",
    ];
    PREFIXES.iter().any(|p| name.starts_with(p))
}

/// Frames of the CPU profiler's signal handler that pprof-rs leaves at the
/// leaf end of its stacks.
pub(crate) fn is_profiler_plumbing(name: &str) -> bool {
    const PREFIXES: &[&str] = &["backtrace::", "pprof::", "<pprof::", "__restore_rt", "_Unwind_"];
    PREFIXES.iter().any(|p| name.starts_with(p)) || name.contains("perf_signal_handler")
}

/// Frames of the signal handler that thread stacks start with.
pub(crate) fn is_signal_plumbing(name: &str) -> bool {
    const PREFIXES: &[&str] = &[
        "backtrace::",
        "proflens_agent::threads::",
        "<proflens_agent::threads::",
        "__restore_rt",
        "_Unwind_",
    ];
    PREFIXES.iter().any(|p| name.starts_with(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_lose_their_hash() {
        assert_eq!(clean_name("foo::bar::h0123456789abcdef"), "foo::bar");
        assert_eq!(clean_name("foo::bar::hello"), "foo::bar::hello");
    }

    #[inline(never)]
    fn here() -> usize {
        let mut ip = 0;
        backtrace::trace(|f| {
            ip = f.ip() as usize;
            false
        });
        ip
    }

    #[test]
    fn resolves_a_function_of_this_crate() {
        let _ = here();
        let mut ips = Vec::new();
        backtrace::trace(|f| {
            ips.push(f.ip() as usize);
            true
        });
        let names: Vec<String> = location_addresses(&ips, Pcs::ReturnAddresses)
            .iter()
            .flat_map(|&a| resolve(a).iter().map(|f| f.name.clone()).collect::<Vec<_>>())
            .collect();
        assert!(names.iter().any(|n| n.contains("resolves_a_function_of_this_crate")), "{names:?}");
        assert!(!mappings().is_empty());
    }
}
