//! Address → frames, with a cache that lives as long as one profile.
//!
//! There is no process-wide cache of resolved frames: the agent's memory
//! between profiles is the unwinder's debug-information cache (kept by the
//! `backtrace` crate, allocated outside the sampler) and nothing else. A
//! profile resolves each distinct address once; names and file names are
//! shared between frames.

use std::collections::HashMap;
use std::rc::Rc;

use super::names::display_name;

/// One function at an address (several when calls were inlined there).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Frame {
    /// The displayed name ([`display_name`]).
    pub name: Rc<str>,
    /// The full demangled name, without the legacy hash.
    pub system_name: Rc<str>,
    pub file: Rc<str>,
    pub line: u32,
    /// The function's entry address, 0 if unknown.
    pub entry: usize,
}

/// Resolves addresses for one profile.
#[derive(Default)]
pub(crate) struct Symbolizer {
    cache: HashMap<usize, Rc<[Frame]>>,
    strings: HashMap<String, Rc<str>>,
    /// Displayed names by full name.
    shown: HashMap<Rc<str>, Rc<str>>,
}

impl Symbolizer {
    pub(crate) fn new() -> Self {
        Symbolizer::default()
    }

    fn intern(&mut self, s: &str) -> Rc<str> {
        if let Some(r) = self.strings.get(s) {
            return r.clone();
        }
        let r: Rc<str> = Rc::from(s);
        self.strings.insert(s.to_string(), r.clone());
        r
    }

    /// The (displayed, full) names for a demangled name without its hash.
    pub(crate) fn names(&mut self, full: &str) -> (Rc<str>, Rc<str>) {
        let system = self.intern(full);
        if let Some(shown) = self.shown.get(&system) {
            return (shown.clone(), system);
        }
        let shown = self.intern(&display_name(full));
        self.shown.insert(system.clone(), shown.clone());
        (shown, system)
    }

    /// A frame from a symbolizer's answer.
    pub(crate) fn frame(&mut self, full: &str, file: &str, line: u32, entry: usize) -> Frame {
        let (name, system_name) = self.names(full);
        Frame { name, system_name, file: self.intern(file), line, entry }
    }

    /// The frames at `addr` (an address inside the instruction: a return
    /// address minus one, or an interrupted program counter), innermost
    /// first. Empty when nothing is known.
    pub(crate) fn resolve(&mut self, addr: usize) -> Rc<[Frame]> {
        if let Some(f) = self.cache.get(&addr) {
            return f.clone();
        }
        let mut found: Vec<(String, String, u32, usize)> = Vec::new();
        // backtrace::resolve looks up `addr - 1` (it expects return
        // addresses). Its debug-information cache is the agent's own
        // memory: not sampled.
        crate::heap::unsampled(|| {
            backtrace::resolve(addr.wrapping_add(1) as *mut std::ffi::c_void, |sym| {
                let Some(n) = sym.name() else { return };
                found.push((
                    strip_hash(&format!("{n:#}")).to_string(),
                    sym.filename().map(|p| p.display().to_string()).unwrap_or_default(),
                    sym.lineno().unwrap_or(0),
                    plausible_entry(addr, sym.addr().map_or(0, |a| a as usize)),
                ));
            })
        });
        let frames: Rc<[Frame]> =
            found.iter().map(|(name, file, line, entry)| self.frame(name, file, *line, *entry)).collect();
        self.cache.insert(addr, frames.clone());
        frames
    }
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

/// Drops a trailing `::h0123456789abcdef` (legacy mangling's hash), which
/// `{:#}` demangling leaves on names demangled from other sources.
pub(crate) fn strip_hash(name: &str) -> &str {
    if let Some(i) = name.rfind("::h") {
        let hash = &name[i + 3..];
        if hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            return &name[..i];
        }
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_lose_their_hash() {
        assert_eq!(strip_hash("foo::bar::h0123456789abcdef"), "foo::bar");
        assert_eq!(strip_hash("foo::bar::hello"), "foo::bar::hello");
    }

    #[inline(never)]
    fn here() -> Vec<usize> {
        let mut ips = Vec::new();
        backtrace::trace(|f| {
            ips.push(f.ip() as usize);
            true
        });
        ips
    }

    #[test]
    fn resolves_a_function_of_this_crate_with_both_names() {
        let mut s = Symbolizer::new();
        let addrs = crate::symbols::location_addresses(&here(), crate::symbols::Pcs::ReturnAddresses);
        let frames: Vec<Frame> =
            addrs.iter().flat_map(|&a| s.resolve(a).iter().cloned().collect::<Vec<_>>()).collect();
        let mine = frames
            .iter()
            .find(|f| f.name.ends_with("resolves_a_function_of_this_crate_with_both_names"))
            .unwrap_or_else(|| panic!("{frames:?}"));
        assert!(mine.file.ends_with("resolve.rs"), "{mine:?}");
        assert!(mine.line > 0);
        // Shared, not copied: the same name is one allocation.
        let again = s.frame(&mine.system_name, "", 0, 0);
        assert!(Rc::ptr_eq(&again.name, &mine.name));
        // Every displayed name is usable in pprof.
        for f in &frames {
            assert!(!f.name.starts_with("::") && !f.name.contains("::::"), "{f:?}");
        }
    }
}
