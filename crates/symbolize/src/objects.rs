//! What an object file offers a symbolizer: its build ID, load address,
//! Go line table, DWARF and symbols, read from its bytes with `object`.

use object::{
    Object as _, ObjectSection as _, ObjectSegment as _, ObjectSymbol as _, SectionKind, SegmentFlags,
};

use crate::ObjectFile;

/// An object file parsed once, with the facts matching needs.
pub(crate) struct Parsed<'a> {
    pub name: &'a str,
    pub file: object::File<'a>,
    /// The GNU build ID, lower-case hex (as pprof writes it).
    pub build_id: Option<String>,
    /// The file name `.gnu_debuglink` points at (a separate debug file).
    pub debuglink: Option<String>,
    /// Where the first executable segment starts, aligned down as
    /// cmd/internal/objfile does; pprof subtracts it from the mapping start.
    pub load_address: Option<u64>,
    /// `.gopclntab` or `runtime.pclntab`: a Go binary.
    pub go_table: Option<(&'a [u8], u64)>,
    /// A non-empty `.debug_info` with contents in the file.
    pub has_dwarf: bool,
    /// Any defined function symbol.
    pub has_symbols: bool,
    /// Code in the file (a separate debug file has none: NOBITS .text).
    pub has_code: bool,
}

/// The object formats recognised by content, readable or not.
pub(crate) fn format_of(bytes: &[u8]) -> Option<&'static str> {
    let magic = bytes.get(..4)?;
    match magic {
        b"\x7fELF" => Some("ELF"),
        [0xfe, 0xed, 0xfa, 0xce | 0xcf] | [0xce | 0xcf, 0xfa, 0xed, 0xfe] | [0xca, 0xfe, 0xba, 0xbe] => {
            Some("Mach-O")
        }
        [b'M', b'Z', _, _] => Some("PE"),
        _ => None,
    }
}

/// Parses `obj`, or says why it cannot be used.
pub(crate) fn parse<'a>(obj: &ObjectFile<'a>) -> Result<Parsed<'a>, String> {
    match format_of(obj.bytes) {
        Some("ELF") => {}
        Some(other) => {
            return Err(format!(
                "{}: {other} object files are not supported yet; give the ELF binary or its ELF debug file",
                obj.name
            ))
        }
        None => return Err(format!("{}: not an object file (ELF expected)", obj.name)),
    }
    let file =
        object::File::parse(obj.bytes).map_err(|e| format!("{}: unreadable ELF file: {e}", obj.name))?;
    let build_id = file.build_id().ok().flatten().map(hex);
    let debuglink =
        file.gnu_debuglink().ok().flatten().map(|(name, _crc)| String::from_utf8_lossy(name).into_owned());
    let load_address = file.segments().find_map(|seg| match seg.flags() {
        SegmentFlags::Elf { p_flags, .. } if p_flags.contains(object::elf::PF_X) => {
            let align = seg.align().max(1);
            Some(seg.address() - seg.address() % align)
        }
        _ => None,
    });
    let has_code = file.sections().any(|s| s.kind() == SectionKind::Text && s.file_range().is_some());
    let go_table = go_table(&file);
    let has_dwarf =
        file.section_by_name(".debug_info").is_some_and(|s| s.file_range().is_some_and(|(_, n)| n > 0));
    let has_symbols = file.symbols().any(|s| s.kind() == object::SymbolKind::Text && s.is_definition());
    Ok(Parsed {
        name: obj.name,
        file,
        build_id,
        debuglink,
        load_address,
        go_table,
        has_dwarf,
        has_symbols,
        has_code,
    })
}

/// The Go line table and the text start its entries are relative to
/// (`runtime.text`, else `.text`), as cmd/internal/objfile finds them.
fn go_table<'a>(file: &object::File<'a>) -> Option<(&'a [u8], u64)> {
    let data = match file.section_by_name(".gopclntab").and_then(|s| s.data().ok()) {
        Some(d) if !d.is_empty() => d,
        _ => return None,
    };
    let text = file
        .symbols()
        .find(|s| s.name() == Ok("runtime.text"))
        .map(|s| s.address())
        .or_else(|| file.section_by_name(".text").map(|s| s.address()))?;
    Some((data, text))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A file's base name (after the last `/` or `\`).
pub(crate) fn base_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}
