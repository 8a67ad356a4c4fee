//! Merging decoded profiles into one, with pprof's identity rules: equal
//! mappings, functions, locations and samples become one, and the values
//! of equal samples add up.
//!
//! Keys follow pprof's `profile/merge.go`:
//! - a mapping is its size rounded up to 4 KiB, its file offset, and its
//!   build id (else its file), so the same binary loaded at another
//!   address is the same mapping;
//! - a function is its name, system name, file and start line;
//! - a location is its address relative to its mapping, the merged mapping,
//!   its frames (merged function, line, column) and `is_folded`;
//! - a sample is its merged locations and its sorted labels.
//!
//! The output is a profile.proto message; the caller decodes it, so a
//! merged profile goes through the same validation as a file.

use std::collections::HashMap;

use crate::gomath;
use crate::model::{LabelValue, Profile, Str};
use crate::proto;

/// Builds one profile.proto message from several profiles.
pub(crate) struct Merger {
    out: proto::Profile,
    strings: HashMap<String, i64>,
    /// By (size, file offset, output string of the build id or file).
    mappings: HashMap<(u64, u64, i64), u64>,
    /// By (start line, output strings of name, system name and file).
    functions: HashMap<(i64, i64, i64, i64), u64>,
    locations: HashMap<LocationKey, u64>,
    samples: HashMap<SampleKey, usize>,
}

#[derive(Hash, PartialEq, Eq)]
struct LocationKey {
    relative_address: u64,
    mapping: u64,
    lines: Vec<(u64, i64, i64)>,
    folded: bool,
}

#[derive(Hash, PartialEq, Eq)]
struct SampleKey {
    locations: Vec<u64>,
    labels: Vec<(i64, i64)>,
    numbers: Vec<(i64, i64, i64)>,
}

/// One input profile's strings and tables, as the output's ids: each is
/// looked up once, however many samples or functions share it (a shared
/// name can be huge).
struct Ids {
    strings: Vec<Option<i64>>,
    mappings: Vec<Option<(u64, i64)>>,
    functions: Vec<Option<u64>>,
    locations: Vec<Option<u64>>,
}

/// How one input profile enters the merge.
pub(crate) struct Input<'a> {
    /// The profile.
    pub profile: &'a Profile,
    /// Its sample columns to keep, in output order.
    pub columns: &'a [usize],
    /// A factor per output column (1.0 leaves values as they are). As
    /// pprof's `ScaleN`, scaled values are rounded, and when any factor is
    /// not 1, a sample whose scaled values are all zero is dropped.
    pub scale: &'a [f64],
    /// Adds the label `pprof::base=true` to every sample.
    pub mark_base: bool,
}

/// The label pprof puts on the samples of a `-diff_base` profile.
pub const BASE_LABEL: &str = "pprof::base";

impl Merger {
    /// An empty merger; its string table starts with "".
    pub(crate) fn new() -> Merger {
        let mut m = Merger {
            out: proto::Profile::default(),
            strings: HashMap::new(),
            mappings: HashMap::new(),
            functions: HashMap::new(),
            locations: HashMap::new(),
            samples: HashMap::new(),
        };
        m.string("");
        m
    }

    /// Sets the output's header fields (types, times, comments...), whose
    /// strings must come from [`Merger::string`]; the tables stay.
    pub(crate) fn set_header(&mut self, header: proto::Profile) {
        let tables = std::mem::take(&mut self.out);
        self.out = proto::Profile {
            string_table: tables.string_table,
            mapping: tables.mapping,
            function: tables.function,
            location: tables.location,
            sample: tables.sample,
            ..header
        };
    }

    /// The output's index of `s`.
    pub(crate) fn string(&mut self, s: &str) -> i64 {
        if let Some(&i) = self.strings.get(s) {
            return i;
        }
        let i = self.out.string_table.len() as i64;
        self.out.string_table.push(s.to_string());
        self.strings.insert(s.to_string(), i);
        i
    }

    /// Adds every sample of `input`.
    pub(crate) fn add(&mut self, input: &Input<'_>) {
        let p = input.profile;
        let mut ids = Ids {
            strings: vec![None; p.strings.len()],
            mappings: vec![None; p.mappings.len()],
            functions: vec![None; p.functions.len()],
            locations: vec![None; p.locations.len()],
        };
        // pprof takes the first mapping first, so the main binary stays first.
        if !p.mappings.is_empty() {
            self.mapping(p, 0, &mut ids);
        }
        let base_key = self.string(BASE_LABEL);
        let base_value = self.string("true");
        let scaled = input.scale.iter().any(|&r| r != 1.0);
        for s in 0..p.samples.len() {
            let mut values: Vec<i64> = input.columns.iter().map(|&c| p.samples.value(s, c)).collect();
            if scaled {
                let mut keep = false;
                for (v, &r) in values.iter_mut().zip(input.scale) {
                    if r != 1.0 {
                        // pprof's int64(math.Round(float64(v) * r)): out of
                        // range (as MaxInt64 * -1 rounds to) gives MinInt64.
                        *v = gomath::f64_to_i64((*v as f64 * r).round());
                        keep |= *v != 0;
                    }
                }
                if !keep {
                    continue;
                }
            }
            if values.iter().all(|&v| v == 0) {
                continue;
            }
            let locations: Vec<u64> =
                p.stacks.frames(p.samples.stack[s]).map(|l| self.location(p, l, &mut ids)).collect();
            let mut labels = Vec::new();
            let mut numbers = Vec::new();
            for l in p.label_sets.get(p.samples.labels[s]) {
                let key = self.string_of(p, l.key, &mut ids);
                if input.mark_base && key == base_key {
                    continue;
                }
                match l.value {
                    LabelValue::Str(v) => labels.push((key, self.string_of(p, v, &mut ids))),
                    LabelValue::Num { value, unit } => {
                        numbers.push((key, value, self.string_of(p, unit, &mut ids)))
                    }
                }
            }
            if input.mark_base {
                labels.push((base_key, base_value));
            }
            self.sample(locations, labels, numbers, values);
        }
    }

    fn sample(
        &mut self,
        locations: Vec<u64>,
        labels: Vec<(i64, i64)>,
        numbers: Vec<(i64, i64, i64)>,
        values: Vec<i64>,
    ) {
        let mut key = SampleKey { locations, labels, numbers };
        // Label order does not make samples different.
        let text = |i: i64| self.out.string_table[i as usize].as_str();
        key.labels.sort_by(|a, b| (text(a.0), text(a.1)).cmp(&(text(b.0), text(b.1))));
        key.numbers.sort_by(|a, b| (text(a.0), a.1, text(a.2)).cmp(&(text(b.0), b.1, text(b.2))));
        if let Some(&i) = self.samples.get(&key) {
            for (sum, v) in self.out.sample[i].value.iter_mut().zip(values) {
                *sum = gomath::add(*sum, v);
            }
            return;
        }
        let label = key
            .labels
            .iter()
            .map(|&(k, v)| proto::Label { key: k, str: v, num: 0, num_unit: 0 })
            .chain(key.numbers.iter().map(|&(k, n, u)| proto::Label { key: k, str: 0, num: n, num_unit: u }))
            .collect();
        self.out.sample.push(proto::Sample { location_id: key.locations.clone(), value: values, label });
        self.samples.insert(key, self.out.sample.len() - 1);
    }

    /// The output's index of string `s` of `p`.
    fn string_of(&mut self, p: &Profile, s: Str, ids: &mut Ids) -> i64 {
        if let Some(i) = ids.strings[s.index()] {
            return i;
        }
        let i = self.string(p.str(s));
        ids.strings[s.index()] = Some(i);
        i
    }

    fn mapping(&mut self, p: &Profile, m: usize, ids: &mut Ids) -> (u64, i64) {
        if let Some(known) = ids.mappings[m] {
            return known;
        }
        let src = &p.mappings[m];
        let size = src.limit.wrapping_sub(src.start).wrapping_add(0xfff) & !0xfff;
        let (file, build_id) = (self.string_of(p, src.file, ids), self.string_of(p, src.build_id, ids));
        let identity = if src.build_id.is_empty() { file } else { build_id };
        let key = (size, src.offset, identity);
        let mapped = match self.mappings.get(&key) {
            Some(&id) => {
                let start = self.out.mapping[id as usize - 1].memory_start;
                (id, start.wrapping_sub(src.start) as i64)
            }
            None => {
                let id = self.out.mapping.len() as u64 + 1;
                self.out.mapping.push(proto::Mapping {
                    id,
                    memory_start: src.start,
                    memory_limit: src.limit,
                    file_offset: src.offset,
                    filename: file,
                    build_id,
                    has_functions: src.has_functions,
                    has_filenames: src.has_filenames,
                    has_line_numbers: src.has_line_numbers,
                    has_inline_frames: src.has_inline_frames,
                });
                self.mappings.insert(key, id);
                (id, 0)
            }
        };
        ids.mappings[m] = Some(mapped);
        mapped
    }

    fn function(&mut self, p: &Profile, f: usize, ids: &mut Ids) -> u64 {
        if let Some(id) = ids.functions[f] {
            return id;
        }
        let src = &p.functions[f];
        let name = self.string_of(p, src.name, ids);
        let system_name = self.string_of(p, src.system_name, ids);
        let filename = self.string_of(p, src.filename, ids);
        let key = (src.start_line, name, system_name, filename);
        let id = match self.functions.get(&key) {
            Some(&id) => id,
            None => {
                let id = self.out.function.len() as u64 + 1;
                self.out.function.push(proto::Function {
                    id,
                    name,
                    system_name,
                    filename,
                    start_line: src.start_line,
                });
                self.functions.insert(key, id);
                id
            }
        };
        ids.functions[f] = Some(id);
        id
    }

    fn location(&mut self, p: &Profile, l: usize, ids: &mut Ids) -> u64 {
        if let Some(id) = ids.locations[l] {
            return id;
        }
        let src = &p.locations[l];
        let (mapping, shift, start) = match src.mapping {
            Some(m) => {
                let (id, shift) = self.mapping(p, m, ids);
                (id, shift, self.out.mapping[id as usize - 1].memory_start)
            }
            None => (0, 0, 0),
        };
        let address = src.address.wrapping_add(shift as u64);
        let lines: Vec<(u64, i64, i64)> = p
            .location_lines(l)
            .iter()
            .map(|ln| (self.function(p, ln.function, ids), ln.line, ln.column))
            .collect();
        let key = LocationKey {
            relative_address: address.wrapping_sub(start),
            mapping,
            lines,
            folded: src.is_folded,
        };
        let id = match self.locations.get(&key) {
            Some(&id) => id,
            None => {
                let id = self.out.location.len() as u64 + 1;
                self.out.location.push(proto::Location {
                    id,
                    mapping_id: mapping,
                    address,
                    line: key
                        .lines
                        .iter()
                        .map(|&(function_id, line, column)| proto::Line { function_id, line, column })
                        .collect(),
                    is_folded: src.is_folded,
                });
                self.locations.insert(key, id);
                id
            }
        };
        ids.locations[l] = Some(id);
        id
    }

    /// The merged message. Samples that summed to zero are left out, as
    /// pprof's merge does.
    pub(crate) fn finish(mut self) -> proto::Profile {
        self.out.sample.retain(|s| s.value.iter().any(|&v| v != 0));
        self.out
    }
}
