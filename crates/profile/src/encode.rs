//! Writing profiles: a builder for new profiles (agents, tests, generators)
//! and an encoder from the model back to profile.proto.

use std::collections::HashMap;
use std::io::Write;

use prost::Message;

#[cfg(feature = "read")]
use crate::model::{LabelValue, Profile, Str};
use crate::proto;

/// A label to attach to a sample with [`ProfileWriter::add_sample`].
#[derive(Clone, Debug, PartialEq)]
pub enum LabelSpec<'a> {
    /// A string label.
    Str(&'a str, &'a str),
    /// A numeric label with a unit ("" for none).
    Num(&'a str, i64, &'a str),
}

/// Builds a profile.proto message field by field. Ids are assigned densely
/// from 1 in the order things are added.
#[derive(Clone, Debug, Default)]
pub struct ProfileWriter {
    msg: proto::Profile,
    strings: HashMap<String, i64>,
}

impl ProfileWriter {
    /// A profile whose samples carry one value per `(type, unit)`.
    pub fn new(sample_types: &[(&str, &str)]) -> Self {
        let mut w = ProfileWriter::default();
        w.string("");
        for (kind, unit) in sample_types {
            let t = proto::ValueType { r#type: w.string(kind), unit: w.string(unit) };
            w.msg.sample_type.push(t);
        }
        w
    }

    /// The string table index of `s`, added if new.
    pub fn string(&mut self, s: &str) -> i64 {
        if let Some(&i) = self.strings.get(s) {
            return i;
        }
        let i = self.msg.string_table.len() as i64;
        self.msg.string_table.push(s.to_string());
        self.strings.insert(s.to_string(), i);
        i
    }

    /// Sets the sampled event and its period.
    pub fn set_period(&mut self, kind: &str, unit: &str, period: i64) {
        self.msg.period_type = Some(proto::ValueType { r#type: self.string(kind), unit: self.string(unit) });
        self.msg.period = period;
    }

    /// Sets when the profile was taken (Unix nanoseconds) and how long it covers.
    pub fn set_time(&mut self, time_nanos: i64, duration_nanos: i64) {
        self.msg.time_nanos = time_nanos;
        self.msg.duration_nanos = duration_nanos;
    }

    /// Names the sample type viewers should show first.
    pub fn set_default_sample_type(&mut self, kind: &str) {
        self.msg.default_sample_type = self.string(kind);
    }

    /// Sets the drop_frames and keep_frames regexps.
    pub fn set_drop_frames(&mut self, drop: &str, keep: &str) {
        self.msg.drop_frames = self.string(drop);
        self.msg.keep_frames = self.string(keep);
    }

    /// Adds a comment.
    pub fn add_comment(&mut self, comment: &str) {
        let c = self.string(comment);
        self.msg.comment.push(c);
    }

    /// Adds a mapping of `file` over `[start, limit)`; returns its id.
    pub fn add_mapping(&mut self, file: &str, build_id: &str, start: u64, limit: u64) -> u64 {
        let id = self.msg.mapping.len() as u64 + 1;
        let m = proto::Mapping {
            id,
            memory_start: start,
            memory_limit: limit,
            file_offset: 0,
            filename: self.string(file),
            build_id: self.string(build_id),
            has_functions: true,
            has_filenames: true,
            has_line_numbers: true,
            has_inline_frames: true,
        };
        self.msg.mapping.push(m);
        id
    }

    /// Sets where in its file mapping `id` starts (`file_offset`).
    pub fn set_mapping_offset(&mut self, id: u64, offset: u64) {
        if let Some(m) = self.msg.mapping.iter_mut().find(|m| m.id == id) {
            m.file_offset = offset;
        }
    }

    /// Says what mapping `id`'s locations carry (all true by default). A
    /// mapping without functions is one pprof symbolizes from its file.
    pub fn set_mapping_flags(
        &mut self,
        id: u64,
        functions: bool,
        filenames: bool,
        lines: bool,
        inline: bool,
    ) {
        if let Some(m) = self.msg.mapping.iter_mut().find(|m| m.id == id) {
            m.has_functions = functions;
            m.has_filenames = filenames;
            m.has_line_numbers = lines;
            m.has_inline_frames = inline;
        }
    }

    /// Adds a function; returns its id.
    pub fn add_function(&mut self, name: &str, filename: &str, start_line: i64) -> u64 {
        self.add_function_with_system_name(name, name, filename, start_line)
    }

    /// Adds a function whose system name (e.g. the full demangled name)
    /// differs from the name shown; returns its id.
    pub fn add_function_with_system_name(
        &mut self,
        name: &str,
        system_name: &str,
        filename: &str,
        start_line: i64,
    ) -> u64 {
        let id = self.msg.function.len() as u64 + 1;
        let f = proto::Function {
            id,
            name: self.string(name),
            system_name: self.string(system_name),
            filename: self.string(filename),
            start_line,
        };
        self.msg.function.push(f);
        id
    }

    /// Adds a location; `lines` are (function id, line), innermost first.
    /// Returns its id.
    pub fn add_location(&mut self, mapping: Option<u64>, address: u64, lines: &[(u64, i64)]) -> u64 {
        let id = self.msg.location.len() as u64 + 1;
        self.msg.location.push(proto::Location {
            id,
            mapping_id: mapping.unwrap_or(0),
            address,
            line: lines
                .iter()
                .map(|&(function_id, line)| proto::Line { function_id, line, column: 0 })
                .collect(),
            is_folded: false,
        });
        id
    }

    /// Adds a sample over `locations` (leaf first) with one value per sample type.
    pub fn add_sample(&mut self, locations: &[u64], values: &[i64], labels: &[LabelSpec<'_>]) {
        let label = labels
            .iter()
            .map(|l| match *l {
                LabelSpec::Str(k, v) => {
                    proto::Label { key: self.string(k), str: self.string(v), num: 0, num_unit: 0 }
                }
                LabelSpec::Num(k, n, u) => {
                    let num_unit = if u.is_empty() { 0 } else { self.string(u) };
                    proto::Label { key: self.string(k), str: 0, num: n, num_unit }
                }
            })
            .collect();
        self.msg.sample.push(proto::Sample {
            location_id: locations.to_vec(),
            value: values.to_vec(),
            label,
        });
    }

    /// The message built so far, for tests that need to bend the rules.
    pub fn proto_mut(&mut self) -> &mut proto::Profile {
        &mut self.msg
    }

    /// The profile as raw protobuf bytes.
    pub fn encode(&self) -> Vec<u8> {
        self.msg.encode_to_vec()
    }

    /// The profile as gzip-compressed protobuf, as servers send it.
    pub fn encode_gzip(&self) -> Vec<u8> {
        gzip(&self.encode())
    }
}

/// Gzip-compresses `bytes`.
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(bytes).expect("writing to a Vec cannot fail");
    enc.finish().expect("writing to a Vec cannot fail")
}

/// Standard base64 (RFC 4648, with padding), for carrying profiles inside
/// HTML pages (`proflens export`, the single-file page).
pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(feature = "read")]
/// Encodes a decoded profile back into profile.proto. Ids are renumbered
/// densely from 1 unless `id_of` maps them (tests use it to renumber).
pub fn encode_profile(p: &Profile, id_of: &dyn Fn(&'static str, usize) -> u64) -> proto::Profile {
    let s = |x: Str| i64::from(x.0);
    let mut msg = proto::Profile {
        sample_type: p
            .sample_types
            .iter()
            .map(|t| proto::ValueType { r#type: s(t.kind), unit: s(t.unit) })
            .collect(),
        string_table: (0..p.strings.len()).map(|i| p.strings.get(Str(i as u32)).to_string()).collect(),
        drop_frames: s(p.drop_frames),
        keep_frames: s(p.keep_frames),
        time_nanos: p.time_nanos,
        duration_nanos: p.duration_nanos,
        period_type: p.period_type.map(|t| proto::ValueType { r#type: s(t.kind), unit: s(t.unit) }),
        period: p.period,
        comment: p.comments.iter().map(|&c| s(c)).collect(),
        default_sample_type: s(p.default_sample_type),
        doc_url: s(p.doc_url),
        ..Default::default()
    };
    msg.mapping = p
        .mappings
        .iter()
        .enumerate()
        .map(|(i, m)| proto::Mapping {
            id: id_of("mapping", i),
            memory_start: m.start,
            memory_limit: m.limit,
            file_offset: m.offset,
            filename: s(m.file),
            build_id: s(m.build_id),
            has_functions: m.has_functions,
            has_filenames: m.has_filenames,
            has_line_numbers: m.has_line_numbers,
            has_inline_frames: m.has_inline_frames,
        })
        .collect();
    msg.function = p
        .functions
        .iter()
        .enumerate()
        .map(|(i, f)| proto::Function {
            id: id_of("function", i),
            name: s(f.name),
            system_name: s(f.system_name),
            filename: s(f.filename),
            start_line: f.start_line,
        })
        .collect();
    msg.location = p
        .locations
        .iter()
        .enumerate()
        .map(|(i, l)| proto::Location {
            id: id_of("location", i),
            mapping_id: l.mapping.map_or(0, |m| id_of("mapping", m)),
            address: l.address,
            line: p
                .location_lines(i)
                .iter()
                .map(|ln| proto::Line {
                    function_id: id_of("function", ln.function),
                    line: ln.line,
                    column: ln.column,
                })
                .collect(),
            is_folded: l.is_folded,
        })
        .collect();
    msg.sample = (0..p.samples.len())
        .map(|i| proto::Sample {
            location_id: p.stacks.frames(p.samples.stack[i]).map(|l| id_of("location", l)).collect(),
            value: p.samples.values(i).to_vec(),
            label: p
                .label_sets
                .get(p.samples.labels[i])
                .iter()
                .map(|l| match l.value {
                    LabelValue::Str(v) => proto::Label { key: s(l.key), str: s(v), num: 0, num_unit: 0 },
                    LabelValue::Num { value, unit } => {
                        proto::Label { key: s(l.key), str: 0, num: value, num_unit: s(unit) }
                    }
                })
                .collect(),
        })
        .collect();
    msg
}

#[cfg(feature = "read")]
/// Dense ids from 1, the default for [`encode_profile`].
pub fn dense_ids(_kind: &'static str, index: usize) -> u64 {
    index as u64 + 1
}

#[cfg(all(test, feature = "read"))]
mod tests {
    use super::*;
    use crate::{decode, DecodeOptions};

    #[test]
    fn base64_matches_rfc_4648() {
        let cases = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
        ];
        for (plain, encoded) in cases {
            assert_eq!(base64(plain.as_bytes()), encoded);
        }
        assert_eq!(base64(&[0xfb, 0xff]), "+/8=");
    }

    #[test]
    fn written_profiles_decode() {
        let mut w = ProfileWriter::new(&[("samples", "count"), ("cpu", "nanoseconds")]);
        let f = w.add_function("main.work", "main.go", 10);
        let g = w.add_function("main.main", "main.go", 3);
        let a = w.add_location(None, 0x10, &[(f, 12)]);
        let b = w.add_location(None, 0x20, &[(g, 5)]);
        w.add_sample(&[a, b], &[1, 10_000_000], &[LabelSpec::Str("worker", "sort")]);
        let p = decode(&w.encode_gzip(), &DecodeOptions::default()).unwrap();
        assert_eq!(p.samples.len(), 1);
        assert_eq!(p.sample_type_names(), vec!["samples", "cpu"]);
        let again = encode_profile(&p, &dense_ids).encode_to_vec();
        let q = decode(&again, &DecodeOptions::default()).unwrap();
        assert_eq!(q.samples.values(0), &[1, 10_000_000]);
        assert_eq!(q.stacks.depth(q.samples.stack[0]), 2);
    }

    #[test]
    fn mappings_and_system_names_are_written_as_set() {
        let mut w = ProfileWriter::new(&[("samples", "count")]);
        let m = w.add_mapping("/bin/app", "abc123", 0x1000, 0x2000);
        w.set_mapping_offset(m, 0x400);
        w.set_mapping_flags(m, true, false, true, false);
        let f = w.add_function_with_system_name("a::B::f", "a::B<T>::f", "a.rs", 0);
        let l = w.add_location(Some(m), 0x1234, &[(f, 3)]);
        w.add_sample(&[l], &[1], &[]);
        let msg = w.proto_mut().clone();
        let pm = &msg.mapping[0];
        assert_eq!((pm.file_offset, pm.has_functions, pm.has_filenames), (0x400, true, false));
        assert_eq!((pm.has_line_numbers, pm.has_inline_frames), (true, false));
        let pf = &msg.function[0];
        let s = |i: i64| msg.string_table[i as usize].as_str();
        assert_eq!((s(pf.name), s(pf.system_name)), ("a::B::f", "a::B<T>::f"));
        // A name that differs from its system name is shown as written.
        let p = decode(&w.encode(), &DecodeOptions::default()).unwrap();
        assert_eq!(p.str(p.functions[0].name), "a::B::f");
    }
}
