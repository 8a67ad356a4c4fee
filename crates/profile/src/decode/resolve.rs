//! Turns the raw fields of a profile into the validated [`Profile`] model:
//! every id and string index is resolved, with a message naming the first
//! reference that does not resolve.

use foldhash::{HashMap, HashMapExt};

use super::builder::{RawLabelSets, RawProfile, RawStrings};
use super::ids::IdMap;
use crate::error::Error;
use crate::model::{
    Function, Label, LabelSet, LabelSets, LabelValue, Line, Location, Mapping, Profile, Samples, Str,
    Strings, ValueType,
};
use crate::prune;

/// The string table, with each file index mapped to its interned string.
struct StringMap {
    strings: Strings,
    by_index: Vec<Str>,
}

impl StringMap {
    fn new(raw: RawStrings) -> Result<Self, Error> {
        if !raw.is_empty() && !raw.get(0).is_empty() {
            return Err(Error::StringTableStart { found: raw.get(0).to_string() });
        }
        let mut strings = Strings::default();
        strings.reserve(raw.len(), raw.text.len());
        let by_index = (0..raw.len()).map(|i| strings.intern(raw.get(i))).collect();
        Ok(StringMap { strings, by_index })
    }

    /// Resolves index `i`; `field` describes who holds it, for the message.
    fn get(&self, i: i64, field: impl FnOnce() -> String) -> Result<Str, Error> {
        usize::try_from(i)
            .ok()
            .and_then(|i| self.by_index.get(i).copied())
            .ok_or_else(|| Error::StringIndex { field: field(), index: i, len: self.by_index.len() })
    }

    fn value_type(&self, t: &crate::proto::ValueType, what: impl Fn() -> String) -> Result<ValueType, Error> {
        Ok(ValueType {
            kind: self.get(t.r#type, || format!("{} type", what()))?,
            unit: self.get(t.unit, || format!("{} unit", what()))?,
        })
    }
}

/// Builds a dense id map, refusing id 0 and duplicates.
fn index_ids(kind: &'static str, ids: impl Iterator<Item = u64>) -> Result<IdMap, Error> {
    let mut map = IdMap::default();
    for (index, id) in ids.enumerate() {
        if id == 0 {
            return Err(Error::ZeroId { kind, index });
        }
        if map.insert(id, index as u32).is_some() {
            return Err(Error::DuplicateId { kind, id });
        }
    }
    Ok(map)
}

/// Validates `raw` and builds the profile model. `all_frames` keeps the
/// frames that the profile's drop_frames would remove.
pub(crate) fn resolve(mut raw: RawProfile, all_frames: bool, compact_stacks: bool) -> Result<Profile, Error> {
    let mut builder = raw.stacks.take().expect("the reader always creates a stack builder");
    let mut strings = StringMap::new(std::mem::take(&mut raw.strings))?;
    let drop_frames = strings.get(raw.drop_frames, || "drop_frames".into())?;
    let prune_rules = if all_frames || drop_frames.is_empty() {
        None
    } else {
        let keep_frames = strings.get(raw.keep_frames, || "keep_frames".into())?;
        prune::DropRules::compile(strings.strings.get(drop_frames), strings.strings.get(keep_frames))?
    };
    if prune_rules.is_none() {
        // No stack will be inserted again: free the lookup table early.
        builder.seal();
    }

    let mapping_ids = index_ids("mapping", raw.mappings.iter().map(|m| m.id))?;
    // Consuming the raw table lets the model reuse its memory.
    let mappings = std::mem::take(&mut raw.mappings)
        .into_iter()
        .map(|m| {
            Ok(Mapping {
                id: m.id,
                start: m.memory_start,
                limit: m.memory_limit,
                offset: m.file_offset,
                file: strings.get(m.filename, || format!("mapping {} filename", m.id))?,
                build_id: strings.get(m.build_id, || format!("mapping {} build_id", m.id))?,
                has_functions: m.has_functions,
                has_filenames: m.has_filenames,
                has_line_numbers: m.has_line_numbers,
                has_inline_frames: m.has_inline_frames,
            })
        })
        .collect::<Result<Vec<_>, Error>>()?;

    let function_ids = index_ids("function", raw.functions.iter().map(|f| f.id))?;
    let mut functions = std::mem::take(&mut raw.functions)
        .into_iter()
        .map(|f| {
            Ok(Function {
                id: f.id,
                name: strings.get(f.name, || format!("function {} name", f.id))?,
                system_name: strings.get(f.system_name, || format!("function {} system_name", f.id))?,
                filename: strings.get(f.filename, || format!("function {} filename", f.id))?,
                start_line: f.start_line,
            })
        })
        .collect::<Result<Vec<_>, Error>>()?;
    // Before drop_frames: pprof prunes by the simplified names.
    simplify_demangled_names(&mut functions, &mut strings.strings);

    if let Some((location, line)) = raw.zero_function {
        return Err(Error::UnknownReference {
            from: format!("location {location} line {line}"),
            kind: "function",
            id: 0,
        });
    }
    let mut lines = Vec::with_capacity(raw.lines.len());
    let mut locations = Vec::with_capacity(raw.locations.len());
    for slot in &raw.locations {
        if !slot.defined {
            return Err(Error::UnknownReference {
                from: format!("sample {}", slot.first_user),
                kind: "location",
                id: slot.id,
            });
        }
        let mapping = match slot.mapping_id {
            0 => None,
            id => Some(mapping_ids.get(id).ok_or_else(|| Error::UnknownReference {
                from: format!("location {}", slot.id),
                kind: "mapping",
                id,
            })? as usize),
        };
        let start = lines.len() as u32;
        for (k, line) in raw.lines[slot.lines.start as usize..slot.lines.end as usize].iter().enumerate() {
            let function = function_ids.get(line.function_id).ok_or_else(|| Error::UnknownReference {
                from: format!("location {} line {k}", slot.id),
                kind: "function",
                id: line.function_id,
            })? as usize;
            lines.push(Line { function, line: line.line, column: line.column });
        }
        locations.push(Location {
            id: slot.id,
            mapping,
            address: slot.address,
            lines: start..lines.len() as u32,
            is_folded: slot.is_folded,
        });
    }
    drop(std::mem::take(&mut raw.lines));
    drop(std::mem::take(&mut raw.locations));

    let sample_types = std::mem::take(&mut raw.sample_types)
        .into_iter()
        .enumerate()
        .map(|(i, t)| strings.value_type(&t, || format!("sample_type {i}")))
        .collect::<Result<Vec<_>, Error>>()?;
    let sample_count = raw.sample_stacks.len();
    if sample_types.is_empty() {
        return Err(Error::NoSampleTypes);
    }
    if sample_count > 0 {
        let first = raw.value_count.unwrap_or(0);
        if first != sample_types.len() {
            return Err(Error::ValueCount { sample: 0, found: first, expected: sample_types.len() });
        }
        if let Some((sample, found)) = raw.value_mismatch {
            return Err(Error::ValueCount { sample, found, expected: sample_types.len() });
        }
    }

    let (by_raw_id, label_sets) = resolve_label_sets(std::mem::take(&mut raw.label_sets), &strings)?;
    let sample_labels: Vec<LabelSet> = std::mem::take(&mut raw.sample_label_sets)
        .into_iter()
        .map(|raw_id| by_raw_id[raw_id as usize])
        .collect();
    drop(by_raw_id);

    let keep_frames = strings.get(raw.keep_frames, || "keep_frames".into())?;
    let period_type = match &raw.period_type {
        Some(t) => Some(strings.value_type(t, || "period_type".into())?),
        None => None,
    };
    let comments = raw
        .comments
        .iter()
        .enumerate()
        .map(|(i, &c)| strings.get(c, || format!("comment {i}")))
        .collect::<Result<Vec<_>, Error>>()?;
    let default_sample_type = strings.get(raw.default_sample_type, || "default_sample_type".into())?;
    let doc_url = strings.get(raw.doc_url, || "doc_url".into())?;

    let mut sample_nodes = std::mem::take(&mut raw.sample_stacks);
    if let Some(rules) = prune_rules {
        prune::apply(
            &rules,
            &strings.strings,
            &functions,
            &mut locations,
            &lines,
            &mut builder,
            &mut sample_nodes,
        )?;
    }
    let mut used = vec![false; builder.len()];
    for &node in &sample_nodes {
        used[node as usize] = true;
    }
    let (stacks, renumber) = builder.finish(&used, compact_stacks)?;
    drop(used);
    for node in &mut sample_nodes {
        *node = renumber[*node as usize];
    }
    drop(renumber);

    Ok(Profile {
        strings: strings.strings,
        sample_types,
        default_sample_type,
        period_type,
        period: raw.period,
        time_nanos: raw.time_nanos,
        duration_nanos: raw.duration_nanos,
        comments,
        drop_frames,
        keep_frames,
        doc_url,
        mappings,
        functions,
        locations,
        lines,
        stacks,
        samples: Samples {
            stack: sample_nodes,
            labels: sample_labels,
            values: std::mem::take(&mut raw.values),
            value_count: raw.value_count.unwrap_or(0),
        },
        label_sets,
    })
}

/// What go tool pprof's symbolizer does to function names by default
/// (`-symbolize` unset): a function whose name is empty or equal to its
/// system name gets the system name, and when that looks like already
/// demangled C++ its parameter lists and then its template arguments are
/// removed (pprof's NoParams and NoTemplateParams heuristics).
///
/// pprof also demangles mangled symbols (`_Z...`, `_R...`); that is not done
/// here, such names are kept as they are.
fn simplify_demangled_names(functions: &mut [Function], strings: &mut Strings) {
    // Functions often share a system name, and a hostile one can be huge:
    // simplify each distinct name once.
    let mut simplified: HashMap<Str, Str> = HashMap::new();
    for f in functions {
        if !f.name.is_empty() && f.name != f.system_name {
            continue;
        }
        f.name = *simplified.entry(f.system_name).or_insert_with(|| {
            let system = strings.get(f.system_name);
            if looks_like_demangled_cpp(system) {
                let simple = remove_matching(&remove_matching(system, b'(', b')'), b'<', b'>');
                strings.intern(&simple)
            } else {
                f.system_name
            }
        });
    }
}

/// pprof's looksLikeDemangledCPlusPlus.
fn looks_like_demangled_cpp(name: &str) -> bool {
    if name.contains(".<") || name.contains("]).") {
        // Java's "Class.<init>", Go's "pkg.(*T[...]).Method".
        return false;
    }
    // Bytes, not chars: the brackets are ASCII, and a char scan is slow.
    name.bytes().any(|b| matches!(b, b'<' | b'>' | b'[' | b']')) || name.contains("::")
}

/// pprof's removeMatching: removes each outermost `open ... close` span;
/// an unmatched `close` stops the scan and keeps the rest as it is. One
/// pass, copying the kept bytes (pprof cuts the string at each span, which
/// is quadratic in the number of spans).
fn remove_matching(name: &str, open: u8, close: u8) -> String {
    let bytes = name.as_bytes();
    let mut out = String::with_capacity(name.len());
    // Bytes before `kept` are decided: copied to `out` or removed.
    let (mut nesting, mut kept) = (0usize, 0usize);
    for (i, &b) in bytes.iter().enumerate() {
        if b == open {
            nesting += 1;
            if nesting == 1 {
                out.push_str(&name[kept..i]);
                kept = i;
            }
        } else if b == close {
            if nesting == 0 {
                break;
            }
            nesting -= 1;
            if nesting == 0 {
                kept = i + 1;
            }
        }
    }
    // Both brackets are ASCII, so every cut is on a char boundary.
    out.push_str(&name[kept..]);
    out
}

/// Resolves the raw label sets, following pprof: a label with a string value
/// is a string label, one with a number or unit is numeric, and one with
/// neither is dropped.
fn resolve_label_sets(raw: RawLabelSets, strings: &StringMap) -> Result<(Vec<LabelSet>, LabelSets), Error> {
    let mut sets = LabelSets::default();
    sets.reserve(raw.len(), raw.labels.len());
    let mut by_raw = Vec::with_capacity(raw.len());
    let mut labels = Vec::new();
    for i in 0..raw.len() {
        labels.clear();
        for l in raw.get(i) {
            let key = strings.get(l.key, || format!("label set {i} key"))?;
            let value = if l.str != 0 {
                LabelValue::Str(strings.get(l.str, || format!("label set {i} string value"))?)
            } else if l.num != 0 || l.unit != 0 {
                LabelValue::Num { value: l.num, unit: strings.get(l.unit, || format!("label set {i} unit"))? }
            } else {
                continue;
            };
            labels.push(Label { key, value });
        }
        by_raw.push(sets.intern(&labels));
    }
    Ok((by_raw, sets))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demangled_cpp_names_lose_parameters_and_templates() {
        let simplify = |s: &str| {
            if looks_like_demangled_cpp(s) {
                remove_matching(&remove_matching(s, b'(', b')'), b'<', b'>')
            } else {
                s.to_string()
            }
        };
        assert_eq!(
            simplify("std::vector<int, std::allocator<int> >::push_back(int const&)"),
            "std::vector::push_back"
        );
        assert_eq!(simplify("(anonymous namespace)::helper(int)"), "::helper");
        assert_eq!(simplify("Cache::Insert(std::string const&, Entry*)"), "Cache::Insert");
        // Not C++-looking: left alone.
        assert_eq!(simplify("operator new(unsigned long)"), "operator new(unsigned long)");
        assert_eq!(simplify("main.(*conn).serve"), "main.(*conn).serve");
        assert_eq!(simplify("pkg.(*List[go.shape.int]).Push"), "pkg.(*List[go.shape.int]).Push");
        assert_eq!(simplify("java.util.HashMap.<init>(int)"), "java.util.HashMap.<init>(int)");
        // An unmatched closer stops the scan.
        assert_eq!(remove_matching("a::b)c(d)", b'(', b')'), "a::b)c(d)");
        assert_eq!(remove_matching("f(a(b)c)g(h)", b'(', b')'), "fg");
        assert_eq!(remove_matching("x::operator<<(int)", b'<', b'>'), "x::operator<<(int)");
        // Unclosed spans stay; a closer after removed spans stops the scan.
        assert_eq!(remove_matching("a(b)c(d", b'(', b')'), "ac(d");
        assert_eq!(remove_matching("a(b)c)d(e)", b'(', b')'), "ac)d(e)");
        assert_eq!(remove_matching("((x))(y)z", b'(', b')'), "z");
        assert_eq!(remove_matching("é(ü)ö", b'(', b')'), "éö");
    }
}
