//! A profile writer that turns captured addresses into locations, with or
//! without symbols.
//!
//! Every location carries its absolute address (the program counter: the
//! interrupted instruction for the leaf of a CPU or thread stack, the
//! return address minus one, inside the call instruction, for callers) and
//! the mapping it falls in. Symbolized, it also carries its functions
//! (inlined calls expanded, innermost first), files and lines; address-only
//! ([`crate::Config::symbolize`]`(false)`), it carries nothing else, and
//! its mapping says so (`has_functions` false), so that `go tool pprof` or
//! proflens symbolize it later from the mapping's file, checked against its
//! build ID.

use std::collections::HashMap;
use std::rc::Rc;

use proflens_profile::encode::ProfileWriter;

use super::maps::{mappings, Mapping};
use super::resolve::{Frame, Symbolizer};

/// What the locations of one mapping turned out to carry.
#[derive(Clone, Copy, Debug, Default)]
struct Carried {
    functions: bool,
    files: bool,
    lines: bool,
}

/// A function's (displayed name, system name, file).
type FunctionKey = (Rc<str>, Rc<str>, Rc<str>);

/// A [`ProfileWriter`] plus the tables that turn addresses into locations.
pub(crate) struct StackWriter {
    pub w: ProfileWriter,
    pub symbols: Symbolizer,
    symbolize: bool,
    mappings: Vec<(Mapping, u64, Carried)>,
    functions: HashMap<FunctionKey, u64>,
    locations: HashMap<(usize, usize), u64>,
    symbolic: HashMap<(usize, Vec<(u64, i64)>), u64>,
}

impl StackWriter {
    /// A writer for samples of `sample_types`; `symbolize`: whether
    /// locations get functions and lines.
    pub(crate) fn new(sample_types: &[(&str, &str)], symbolize: bool) -> Self {
        let mut w = ProfileWriter::new(sample_types);
        let mut mapped = Vec::new();
        for m in mappings() {
            let id = w.add_mapping(&m.file, &m.build_id, m.start, m.limit);
            w.set_mapping_offset(id, m.offset);
            mapped.push((m, id, Carried::default()));
        }
        StackWriter {
            w,
            symbols: Symbolizer::new(),
            symbolize,
            mappings: mapped,
            functions: HashMap::new(),
            locations: HashMap::new(),
            symbolic: HashMap::new(),
        }
    }

    /// Whether locations get functions and lines.
    pub(crate) fn symbolizes(&self) -> bool {
        self.symbolize
    }

    fn function(&mut self, f: &Frame) -> u64 {
        let key = (f.name.clone(), f.system_name.clone(), f.file.clone());
        if let Some(&id) = self.functions.get(&key) {
            return id;
        }
        let id = self.w.add_function_with_system_name(&f.name, &f.system_name, &f.file, 0);
        self.functions.insert(key, id);
        id
    }

    fn mapping_of(&self, addr: usize) -> Option<usize> {
        let a = addr as u64;
        self.mappings.iter().position(|(m, _, _)| m.start <= a && a < m.limit)
    }

    /// Adds a location at `addr` with `frames` (innermost first) and
    /// notes what its mapping carries.
    fn add_location(&mut self, addr: usize, frames: &[Frame]) -> u64 {
        let lines: Vec<(u64, i64)> = frames.iter().map(|f| (self.function(f), i64::from(f.line))).collect();
        let mapping = self.mapping_of(addr);
        if let Some((_, _, carried)) = mapping.and_then(|i| self.mappings.get_mut(i)) {
            carried.functions |= frames.iter().any(|f| !f.name.is_empty());
            carried.files |= frames.iter().any(|f| !f.file.is_empty());
            carried.lines |= frames.iter().any(|f| f.line > 0);
        }
        let id = mapping.and_then(|i| self.mappings.get(i)).map(|(_, id, _)| *id);
        self.w.add_location(id, addr as u64, &lines)
    }

    /// The location for `addr`, leaving out its `skip` innermost frames.
    /// Cached by (address, skip).
    pub(crate) fn location(&mut self, addr: usize, skip: usize) -> u64 {
        let key = (addr, if self.symbolize { skip } else { 0 });
        if let Some(&id) = self.locations.get(&key) {
            return id;
        }
        let frames = if self.symbolize { self.symbols.resolve(addr) } else { Rc::from(Vec::new()) };
        let id = self.add_location(addr, frames.get(skip.min(frames.len())..).unwrap_or(&[]));
        self.locations.insert(key, id);
        id
    }

    /// Location ids for a stack of location addresses (leaf first), from
    /// `first` on: (index of the first address kept, inlined frames of it
    /// to leave out).
    pub(crate) fn stack(&mut self, addrs: &[usize], first: (usize, usize)) -> Vec<u64> {
        let mut out = Vec::with_capacity(addrs.len());
        for (i, &a) in addrs.iter().enumerate().skip(first.0) {
            out.push(self.location(a, if i == first.0 { first.1 } else { 0 }));
        }
        out
    }

    /// A location known by its frames, symbolized elsewhere (task dumps):
    /// (demangled name, file, line), innermost first. One per address and
    /// list of lines.
    pub(crate) fn symbolic_location(&mut self, lines: &[(String, String, u32)], addr: usize) -> u64 {
        let frames: Vec<Frame> =
            lines.iter().map(|(name, file, line)| self.symbols.frame(name, file, *line, 0)).collect();
        let ids: Vec<(u64, i64)> = frames.iter().map(|f| (self.function(f), i64::from(f.line))).collect();
        if let Some(&id) = self.symbolic.get(&(addr, ids.clone())) {
            return id;
        }
        let id = self.add_location(addr, &frames);
        self.symbolic.insert((addr, ids), id);
        id
    }

    /// The profile, gzipped, with each mapping saying truthfully what its
    /// locations carry.
    pub(crate) fn finish(mut self) -> Vec<u8> {
        for (_, id, c) in &self.mappings {
            // The symbolizer expands inlined calls wherever it finds a function.
            self.w.set_mapping_flags(*id, c.functions, c.files, c.lines, c.functions);
        }
        self.w.encode_gzip()
    }
}

/// Where a stack's addresses came from, which decides how each is looked up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Pcs {
    /// Every address is a return address (heap stacks).
    ReturnAddresses,
    /// The first is an interrupted program counter, the rest return
    /// addresses (CPU and thread stacks).
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

#[cfg(test)]
mod tests {
    use super::*;

    #[inline(never)]
    fn stack_here() -> Vec<usize> {
        let mut ips = Vec::new();
        backtrace::trace(|f| {
            ips.push(f.ip() as usize);
            true
        });
        location_addresses(&ips, Pcs::ReturnAddresses)
    }

    fn decode(gz: &[u8]) -> proflens_core::Profile {
        proflens_core::decode(gz, &Default::default()).expect("a valid profile")
    }

    #[test]
    fn symbolized_and_address_only_profiles_say_what_they_carry() {
        let addrs = stack_here();
        for symbolize in [true, false] {
            let mut sw = StackWriter::new(&[("samples", "count")], symbolize);
            let locs = sw.stack(&addrs, (0, 0));
            sw.w.add_sample(&locs, &[1], &[]);
            let p = decode(&sw.finish());
            let main = &p.mappings[0];
            assert_eq!(main.has_functions, symbolize);
            assert_eq!(main.has_line_numbers, symbolize);
            assert!(!p.str(main.build_id).is_empty(), "no build ID for {}", p.str(main.file));
            // Absolute addresses inside their mapping, as captured.
            assert_eq!(p.locations.len(), addrs.len());
            for l in &p.locations {
                assert!(addrs.contains(&(l.address as usize)), "{:#x}", l.address);
                if let Some(m) = l.mapping {
                    let m = &p.mappings[m];
                    assert!(m.start <= l.address && l.address < m.limit);
                }
            }
            let named =
                p.locations.iter().enumerate().filter(|(i, _)| !p.location_lines(*i).is_empty()).count();
            assert_eq!(named > 0, symbolize, "{named} locations with lines");
            if symbolize {
                let f = p
                    .functions
                    .iter()
                    .find(|f| {
                        p.str(f.name).ends_with("symbolized_and_address_only_profiles_say_what_they_carry")
                    })
                    .expect("this test's function");
                assert!(p.str(f.system_name).contains("writer::tests::"));
            }
        }
    }
}
