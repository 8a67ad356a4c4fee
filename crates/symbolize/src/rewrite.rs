//! Rewrites a profile.proto message in place: matches its mappings to
//! object files and gives their locations functions and lines, with
//! pprof's rules (internal/symbolizer's doLocalSymbolize, and fetch.go's
//! fake mapping and main-binary override).

use std::collections::HashMap;

use proflens_profile::proto::{Function, Line, Mapping, Profile};

use crate::dwarf::{resolve_all, Frame};
use crate::golines::GoLineTable;
use crate::objects::{base_name, Parsed};

/// Interns strings into the profile's string table.
struct Strings {
    index: HashMap<String, i64>,
}

impl Strings {
    fn new(p: &Profile) -> Self {
        let mut index = HashMap::with_capacity(p.string_table.len());
        for (i, s) in p.string_table.iter().enumerate() {
            index.entry(s.clone()).or_insert(i as i64);
        }
        Strings { index }
    }

    fn get(p: &Profile, i: i64) -> &str {
        usize::try_from(i).ok().and_then(|i| p.string_table.get(i)).map_or("", String::as_str)
    }

    fn intern(&mut self, p: &mut Profile, s: &str) -> i64 {
        if let Some(&i) = self.index.get(s) {
            return i;
        }
        let i = p.string_table.len() as i64;
        p.string_table.push(s.to_string());
        self.index.insert(s.to_string(), i);
        i
    }
}

/// How a mapping found its object file.
#[derive(Clone, Copy)]
enum MatchedBy {
    BuildId,
    FileName,
    MainBinary,
}

impl MatchedBy {
    fn describe(self) -> &'static str {
        match self {
            MatchedBy::BuildId => "matched by build ID",
            MatchedBy::FileName => "matched by file name",
            MatchedBy::MainBinary => "the main binary given",
        }
    }
}

/// pprof's system mappings that are never symbolized.
fn unsymbolizable(file: &str) -> bool {
    let base = base_name(file);
    base.starts_with('[')
        || base.starts_with("linux-vdso")
        || file.starts_with("/dev/dri/")
        || file == "//anon"
}

/// Symbolizes `p` with `objects`; appends one line per mapping with
/// addresses to `report`; returns how many locations got names.
pub(crate) fn symbolize_message(p: &mut Profile, objects: &[Parsed<'_>], report: &mut Vec<String>) -> usize {
    let mut strings = Strings::new(p);
    if p.mapping.is_empty() && !p.location.is_empty() {
        // fetch.go: profiles without mappings (some Go runtime forms) get a
        // fake one at address 0, which names a non-PIE binary's addresses.
        p.mapping.push(Mapping { id: 1, ..Default::default() });
        for l in &mut p.location {
            l.mapping_id = 1;
        }
    }
    let mut by_mapping: HashMap<u64, Vec<usize>> = HashMap::new();
    for (i, l) in p.location.iter().enumerate() {
        if l.mapping_id != 0 {
            by_mapping.entry(l.mapping_id).or_default().push(i);
        }
    }
    let mut functions: HashMap<(i64, i64, i64), u64> = HashMap::new();
    for f in &p.function {
        functions.entry((f.name, f.system_name, f.filename)).or_insert(f.id);
    }
    let mut next_function = p.function.iter().map(|f| f.id).max().unwrap_or(0) + 1;
    let mut named = 0;

    for midx in 0..p.mapping.len() {
        let m = p.mapping[midx];
        let Some(locs) = by_mapping.get(&m.id) else { continue };
        let file = Strings::get(p, m.filename).to_string();
        let build_id = Strings::get(p, m.build_id).to_string();
        let label = mapping_label(&file, &build_id, midx);
        if m.has_functions || m.has_filenames || m.has_line_numbers {
            report.push(format!("{label}: already symbolized, kept"));
            continue;
        }
        if !file.is_empty() && unsymbolizable(&file) {
            continue;
        }
        let (obj, how) = match find_object(objects, &file, &build_id, midx) {
            Ok(found) => found,
            Err(why) => {
                report.push(format!("{label}: {why}"));
                continue;
            }
        };
        let debug = debug_file_for(obj, objects);
        if obj.go_table.is_none() && debug.is_none() && !obj.has_symbols {
            report.push(format!(
                "{label}: {} is stripped (no Go line table, DWARF or symbols); give its debug file too \
                 (the one its build ID or .gnu_debuglink names)",
                obj.name
            ));
            continue;
        }
        // pprof (cmd/pprof objTool): object address = address - (mapping
        // start - load address), for a mapping that starts anywhere but 0.
        let load = obj.load_address.or_else(|| debug.and_then(|d| d.load_address));
        let offset = match load {
            Some(load) if m.memory_start != 0 => m.memory_start.wrapping_sub(load),
            _ => 0,
        };
        let mut addresses: Vec<u64> = locs.iter().map(|&i| p.location[i].address).collect();
        addresses.sort_unstable();
        addresses.dedup();
        let frames = match resolve(obj, debug, &addresses, offset) {
            Ok(f) => f,
            Err(why) => {
                report.push(format!("{label}: {}: {why}", obj.name));
                continue;
            }
        };

        let mut flags = (false, false, false, false);
        let mut count = 0;
        for &li in locs {
            let Some(stack) = frames.get(&p.location[li].address) else { continue };
            if stack.is_empty() {
                continue;
            }
            let mut lines = Vec::with_capacity(stack.len());
            for frame in stack {
                flags.0 |= !frame.name.is_empty();
                flags.1 |= !frame.file.is_empty();
                flags.2 |= frame.line != 0;
                let key = (
                    strings.intern(p, &frame.name),
                    strings.intern(p, &frame.system_name),
                    strings.intern(p, &frame.file),
                );
                let id = *functions.entry(key).or_insert_with(|| {
                    let id = next_function;
                    next_function += 1;
                    p.function.push(Function {
                        id,
                        name: key.0,
                        system_name: key.1,
                        filename: key.2,
                        start_line: 0,
                    });
                    id
                });
                lines.push(Line { function_id: id, line: frame.line, column: 0 });
            }
            let loc = &mut p.location[li];
            loc.line = lines;
            loc.is_folded = false;
            flags.3 = true;
            count += 1;
        }
        let main_name = matches!(how, MatchedBy::MainBinary).then(|| strings.intern(p, obj.name));
        let mapping = &mut p.mapping[midx];
        mapping.has_functions |= flags.0;
        mapping.has_filenames |= flags.1;
        mapping.has_line_numbers |= flags.2;
        mapping.has_inline_frames |= flags.3;
        if let Some(name) = main_name {
            // fetch.go: the binary given names the main mapping.
            mapping.filename = name;
        }
        let debug_note = match debug {
            Some(d) if d.name != obj.name => format!(", debug info from {}", d.name),
            _ => String::new(),
        };
        report.push(format!(
            "{label}: {count} of {} locations named from {} ({}{debug_note})",
            locs.len(),
            obj.name,
            how.describe()
        ));
        named += count;
    }
    named
}

fn mapping_label(file: &str, build_id: &str, index: usize) -> String {
    let name =
        if file.is_empty() { format!("mapping {} (no file name)", index + 1) } else { file.to_string() };
    if build_id.is_empty() {
        name
    } else {
        format!("{name} (build ID {build_id})")
    }
}

/// The object file for a mapping, or why there is none.
fn find_object<'o, 'a>(
    objects: &'o [Parsed<'a>],
    file: &str,
    build_id: &str,
    index: usize,
) -> Result<(&'o Parsed<'a>, MatchedBy), String> {
    if !build_id.is_empty() {
        let same: Vec<&Parsed<'a>> =
            objects.iter().filter(|o| o.build_id.as_deref() == Some(build_id)).collect();
        // Prefer the file with code (the binary) over a debug file.
        if let Some(o) = same.iter().find(|o| o.has_code).or(same.first()) {
            return Ok((o, MatchedBy::BuildId));
        }
    }
    let mismatch = |o: &Parsed<'_>| match &o.build_id {
        Some(id) if !build_id.is_empty() && id != build_id => Some(format!(
            "build ID mismatch: the profile's mapping has build ID {build_id}, {} has build ID {id}",
            o.name
        )),
        _ => None,
    };
    if !file.is_empty() {
        if let Some(o) = objects.iter().find(|o| base_name(o.name) == base_name(file)) {
            return match mismatch(o) {
                Some(e) => Err(e),
                None => Ok((o, MatchedBy::FileName)),
            };
        }
    }
    if index == 0 {
        if let Some(o) = objects.iter().find(|o| o.has_code) {
            if let Some(e) = mismatch(o) {
                return Err(e);
            }
            // Neither name nor build ID says it is this binary: a mapping
            // with a build ID is not given to a file without one.
            if !build_id.is_empty() && o.build_id.is_none() {
                return Err(format!(
                    "the profile's main mapping has build ID {build_id} and {} has none and another \
                     file name; give the binary the profile came from",
                    o.name
                ));
            }
            return Ok((o, MatchedBy::MainBinary));
        }
    }
    if objects.is_empty() {
        return Err("no object files given".into());
    }
    let names: Vec<&str> = objects.iter().map(|o| o.name).collect();
    Err(format!("no object file matches (by build ID or file name) among {}", names.join(", ")))
}

/// Where `obj`'s DWARF is: itself, or a separate debug file among
/// `objects` with its build ID or named by its `.gnu_debuglink`.
fn debug_file_for<'o, 'a>(obj: &'o Parsed<'a>, objects: &'o [Parsed<'a>]) -> Option<&'o Parsed<'a>> {
    if obj.has_dwarf {
        return Some(obj);
    }
    objects.iter().find(|d| {
        d.has_dwarf
            && ((obj.build_id.is_some() && d.build_id == obj.build_id)
                || obj.debuglink.as_deref().is_some_and(|link| base_name(d.name) == link))
    })
}

/// Frames for every address (object addresses are `address - offset`).
fn resolve(
    obj: &Parsed<'_>,
    debug: Option<&Parsed<'_>>,
    addresses: &[u64],
    offset: u64,
) -> Result<HashMap<u64, Vec<Frame>>, String> {
    let mut out = HashMap::with_capacity(addresses.len());
    let mut rest = Vec::new();
    if let Some(table) = obj.go_table.and_then(|(data, text)| GoLineTable::parse(data, text)) {
        // go tool pprof: the physical function, the innermost file:line.
        for &a in addresses {
            match table.lookup(a.wrapping_sub(offset)) {
                Some(f) => {
                    out.insert(
                        a,
                        vec![Frame {
                            name: f.function.clone(),
                            system_name: f.function,
                            file: f.file,
                            line: f.line,
                        }],
                    );
                }
                None => rest.push(a),
            }
        }
    } else {
        rest.extend_from_slice(addresses);
    }
    if !rest.is_empty() {
        let object_addrs: Vec<u64> = rest.iter().map(|a| a.wrapping_sub(offset)).collect();
        let mut k = 0;
        // A separate debug file keeps the symbol table strip removed.
        let symbols = match debug {
            Some(d) if !obj.has_symbols && d.has_symbols => &d.file,
            _ => &obj.file,
        };
        resolve_all(debug.map(|d| &d.file), symbols, &object_addrs, &mut |_, frames| {
            out.insert(rest[k], frames);
            k += 1;
        })?;
    }
    Ok(out)
}
