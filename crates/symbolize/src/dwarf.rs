//! Names addresses from DWARF with addr2line (inlined calls expanded,
//! innermost first, as pprof stores them in a location's lines), falling
//! back to the symbol table where DWARF says nothing.

use std::borrow::Cow;
use std::collections::HashMap;

use addr2line::gimli;
use object::{Object as _, ObjectSection as _};

use crate::demangle::demangle;

/// One frame of an address: function (display and system name), file, line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Frame {
    pub name: String,
    pub system_name: String,
    pub file: String,
    pub line: i64,
}

/// Calls `each(address, frames)` for every address, naming them from
/// `debug`'s DWARF and `symbols`' symbol table (`symbols` may be the same
/// file). Units are parsed lazily, only those the addresses fall in.
pub(crate) fn resolve_all(
    debug: Option<&object::File<'_>>,
    symbols: &object::File<'_>,
    addresses: &[u64],
    each: &mut dyn FnMut(u64, Vec<Frame>),
) -> Result<(), String> {
    let sections = match debug {
        Some(file) => load_sections(file)?,
        None => HashMap::new(),
    };
    let endian =
        if symbols.is_little_endian() { gimli::RunTimeEndian::Little } else { gimli::RunTimeEndian::Big };
    let context = if sections.is_empty() {
        None
    } else {
        let dwarf = gimli::Dwarf::load(|id| -> Result<_, gimli::Error> {
            let data = sections.get(id.name()).map_or(&[][..], |c| &**c);
            Ok(gimli::EndianSlice::new(data, endian))
        })
        .map_err(|e| format!("reading DWARF: {e}"))?;
        Some(addr2line::Context::from_dwarf(dwarf).map_err(|e| format!("reading DWARF: {e}"))?)
    };
    let symbol_map = symbols.symbol_map();
    for &addr in addresses {
        let mut frames = Vec::new();
        // addr2line looks up [addr, addr + 1), which overflows at the top.
        if let Some(ctx) = context.as_ref().filter(|_| addr != u64::MAX) {
            if let Ok(mut iter) = ctx.find_frames(addr).skip_all_loads() {
                while let Ok(Some(frame)) = iter.next() {
                    let raw = frame
                        .function
                        .as_ref()
                        .and_then(|f| f.raw_name().ok().map(|n| (n.into_owned(), f.language)));
                    let (name, system_name) = match raw {
                        Some((raw, lang)) => (demangle(&raw, lang), raw),
                        None => (String::new(), String::new()),
                    };
                    let (file, line) = frame
                        .location
                        .as_ref()
                        .map(|l| (l.file.unwrap_or("").to_string(), l.line.map_or(0, i64::from)))
                        .unwrap_or_default();
                    frames.push(Frame { name, system_name, file, line });
                }
            }
        }
        // The outermost frame is the physical function: the symbol table
        // names it in full where DWARF has no name or only a bare one
        // (line-tables-only DWARF carries no linkage names).
        let symbol = symbol_map
            .before(addr)
            .filter(|s| s.size() > 0 && addr.wrapping_sub(s.address()) < s.size())
            .map(|s| s.name().to_string());
        if let Some(raw) = symbol {
            match frames.last_mut() {
                Some(f) if f.name == f.system_name => {
                    f.name = demangle(&raw, None);
                    f.system_name = raw;
                }
                Some(_) => {}
                None => frames.push(Frame {
                    name: demangle(&raw, None),
                    system_name: raw,
                    file: String::new(),
                    line: 0,
                }),
            }
        }
        frames.retain(|f| !f.name.is_empty() || !f.file.is_empty());
        each(addr, frames);
    }
    Ok(())
}

/// The DWARF sections of `file`, decompressed where they are compressed
/// (SHF_COMPRESSED or `.zdebug_`); borrowed otherwise.
fn load_sections<'a>(file: &object::File<'a>) -> Result<HashMap<&'static str, Cow<'a, [u8]>>, String> {
    let mut out = HashMap::new();
    for id in [
        gimli::SectionId::DebugAbbrev,
        gimli::SectionId::DebugAddr,
        gimli::SectionId::DebugAranges,
        gimli::SectionId::DebugInfo,
        gimli::SectionId::DebugLine,
        gimli::SectionId::DebugLineStr,
        gimli::SectionId::DebugRanges,
        gimli::SectionId::DebugRngLists,
        gimli::SectionId::DebugStr,
        gimli::SectionId::DebugStrOffsets,
    ] {
        // Variable locations (.debug_loc, .debug_loclists) are left out:
        // naming addresses never reads them, and inflating them is wasted.
        if let Some(section) = file.section_by_name(id.name()) {
            let data = section.uncompressed_data().map_err(|e| format!("section {}: {e}", id.name()))?;
            out.insert(id.name(), data);
        }
    }
    Ok(out)
}
