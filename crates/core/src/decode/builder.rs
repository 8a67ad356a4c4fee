//! Collects a profile's fields as they stream in.
//!
//! Fields may come in any order (Go writes samples before the locations and
//! strings they refer to), so ids and string indices are kept raw here and
//! resolved once the stream ends (see `resolve.rs`). Stacks go straight into
//! the stack tree, and the prost messages are reused from one field to the
//! next, so decoding allocates almost nothing per sample.

use std::collections::HashMap;
use std::io::BufRead;

use prost::Message;

use super::ids::IdMap;
use super::limits::Limits;
use super::wire::{WireReader, WireType};
use crate::error::Error;
use crate::model::{StackNode, StackTreeBuilder};
use crate::proto;

/// A label as the file gives it: string indices and a number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct RawLabel {
    pub key: i64,
    pub str: i64,
    pub num: i64,
    pub unit: i64,
}

/// A location slot. Samples may name a location before it is defined, so a
/// slot exists from its first mention and is filled when defined.
#[derive(Clone, Debug, Default)]
pub(crate) struct RawLocation {
    pub id: u64,
    pub defined: bool,
    pub mapping_id: u64,
    pub address: u64,
    pub is_folded: bool,
    pub lines: std::ops::Range<u32>,
    /// The first sample that named this location, for error messages.
    pub first_user: u32,
}

/// A frame as the file gives it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RawLine {
    pub function_id: u64,
    pub line: i64,
    pub column: i64,
}

/// Everything read from the stream, not yet validated.
#[derive(Default)]
pub(crate) struct RawProfile {
    pub strings: Vec<String>,
    pub sample_types: Vec<proto::ValueType>,
    pub default_sample_type: i64,
    pub drop_frames: i64,
    pub keep_frames: i64,
    pub time_nanos: i64,
    pub duration_nanos: i64,
    pub period_type: Option<proto::ValueType>,
    pub period: i64,
    pub comments: Vec<i64>,
    pub doc_url: i64,
    pub mappings: Vec<proto::Mapping>,
    pub functions: Vec<proto::Function>,
    pub locations: Vec<RawLocation>,
    pub lines: Vec<RawLine>,
    pub location_ids: IdMap,
    pub stacks: Option<StackTreeBuilder>,
    pub sample_stacks: Vec<StackNode>,
    pub sample_label_sets: Vec<u32>,
    pub label_sets: Vec<Vec<RawLabel>>,
    pub values: Vec<i64>,
    /// Values per sample, set by the first sample.
    pub value_count: Option<usize>,
    /// The first sample whose value count differs from the first sample's.
    pub value_mismatch: Option<(usize, usize)>,
    /// The first location id defined twice. Reported once the stream ends,
    /// so that concatenated profiles (whose second half redefines every
    /// location before its time_nanos) are reported as such.
    pub duplicate_location: Option<u64>,
}

/// Reads a whole profile message from `reader`.
pub(crate) fn read_profile<R: BufRead>(
    reader: &mut WireReader<'_, R>,
    limits: &Limits,
) -> Result<RawProfile, Error> {
    let mut state = Builder {
        raw: RawProfile { stacks: Some(StackTreeBuilder::new()), ..RawProfile::default() },
        limits,
        buf: Vec::new(),
        sample: proto::Sample::default(),
        location: proto::Location::default(),
        label_index: HashMap::new(),
        stack: Vec::new(),
    };
    state.raw.label_sets.push(Vec::new());
    state.label_index.insert(Vec::new(), 0);
    while let Some((field, wire)) = reader.read_key()? {
        state.field(reader, field, wire)?;
    }
    if let Some(id) = state.raw.duplicate_location {
        return Err(Error::DuplicateId { kind: "location", id });
    }
    Ok(state.raw)
}

struct Builder<'l> {
    raw: RawProfile,
    limits: &'l Limits,
    buf: Vec<u8>,
    sample: proto::Sample,
    location: proto::Location,
    label_index: HashMap<Vec<RawLabel>, u32>,
    /// Scratch space for one sample's stack, root first.
    stack: Vec<u32>,
}

/// The name of a top-level field, for messages.
fn field_name(field: u64) -> &'static str {
    match field {
        1 => "sample_type",
        2 => "sample",
        3 => "mapping",
        4 => "location",
        5 => "function",
        6 => "string_table",
        7 => "drop_frames",
        8 => "keep_frames",
        9 => "time_nanos",
        10 => "duration_nanos",
        11 => "period_type",
        12 => "period",
        13 => "comment",
        14 => "default_sample_type",
        15 => "doc_url",
        _ => "unknown",
    }
}

impl Builder<'_> {
    fn field<R: BufRead>(
        &mut self,
        r: &mut WireReader<'_, R>,
        field: u64,
        wire: WireType,
    ) -> Result<(), Error> {
        let expected = match field {
            1..=6 | 11 => WireType::Len,
            7..=10 | 12 | 14 | 15 => WireType::Varint,
            13 if wire == WireType::Len => WireType::Len,
            13 => WireType::Varint,
            _ => return r.skip(wire),
        };
        if wire != expected {
            return Err(r.malformed(format!(
                "field {} ({}) has the wrong wire type {wire:?}",
                field,
                field_name(field)
            )));
        }
        if wire == WireType::Varint {
            let v = r.read_varint()? as i64;
            return self.scalar(field, v);
        }
        r.read_len_delimited(&mut self.buf)?;
        let at = r.offset();
        let bad = |e: prost::DecodeError| Error::Protobuf {
            offset: at,
            detail: format!("the {} field before this offset does not decode: {e}", field_name(field)),
        };
        match field {
            1 => {
                let t = proto::ValueType::decode(&self.buf[..]).map_err(bad)?;
                self.raw.sample_types.push(t);
            }
            2 => {
                self.sample.clear();
                self.sample.merge(&self.buf[..]).map_err(bad)?;
                self.add_sample()?;
            }
            3 => {
                let m = proto::Mapping::decode(&self.buf[..]).map_err(bad)?;
                self.check_rows("mappings", self.raw.mappings.len())?;
                self.raw.mappings.push(m);
            }
            4 => {
                self.location.clear();
                self.location.merge(&self.buf[..]).map_err(bad)?;
                self.add_location()?;
            }
            5 => {
                let f = proto::Function::decode(&self.buf[..]).map_err(bad)?;
                self.check_rows("functions", self.raw.functions.len())?;
                self.raw.functions.push(f);
            }
            6 => {
                if self.raw.strings.len() as u64 >= self.limits.max_strings {
                    return Err(Error::TooMany { what: "strings", limit: self.limits.max_strings });
                }
                let s = match std::str::from_utf8(&self.buf) {
                    Ok(s) => s.to_owned(),
                    Err(_) => String::from_utf8_lossy(&self.buf).into_owned(),
                };
                self.raw.strings.push(s);
            }
            11 => {
                let t = proto::ValueType::decode(&self.buf[..]).map_err(bad)?;
                self.raw.period_type = Some(t);
            }
            13 => {
                // Packed comments.
                let mut rest = &self.buf[..];
                while !rest.is_empty() {
                    let v = prost::encoding::decode_varint(&mut rest).map_err(bad)?;
                    self.raw.comments.push(v as i64);
                }
            }
            _ => unreachable!("length-delimited fields are listed above"),
        }
        Ok(())
    }

    fn scalar(&mut self, field: u64, v: i64) -> Result<(), Error> {
        let raw = &mut self.raw;
        match field {
            7 => raw.drop_frames = v,
            8 => raw.keep_frames = v,
            9 => {
                // A second time_nanos means a second profile follows the first.
                if raw.time_nanos != 0 {
                    return Err(Error::ConcatenatedProfiles);
                }
                raw.time_nanos = v;
            }
            10 => raw.duration_nanos = v,
            12 => raw.period = v,
            13 => raw.comments.push(v),
            14 => raw.default_sample_type = v,
            15 => raw.doc_url = v,
            _ => unreachable!("varint fields are listed above"),
        }
        Ok(())
    }

    fn check_rows(&self, what: &'static str, len: usize) -> Result<(), Error> {
        if len as u64 >= self.limits.max_table_rows {
            return Err(Error::TooMany { what, limit: self.limits.max_table_rows });
        }
        Ok(())
    }

    /// The slot of a location id, created on first mention.
    fn location_slot(&mut self, id: u64, user: u32) -> Result<u32, Error> {
        if let Some(slot) = self.raw.location_ids.get(id) {
            return Ok(slot);
        }
        self.check_rows("locations", self.raw.locations.len())?;
        let slot = self.raw.locations.len() as u32;
        self.raw.locations.push(RawLocation { id, first_user: user, ..RawLocation::default() });
        self.raw.location_ids.insert(id, slot);
        Ok(slot)
    }

    fn add_sample(&mut self) -> Result<(), Error> {
        let index = self.raw.sample_stacks.len();
        if index as u64 >= self.limits.max_samples {
            return Err(Error::TooMany { what: "samples", limit: self.limits.max_samples });
        }
        let sample = std::mem::take(&mut self.sample);
        let mut stack = std::mem::take(&mut self.stack);
        stack.clear();
        for &id in sample.location_id.iter().rev() {
            stack.push(self.location_slot(id, index as u32)?);
        }
        let stacks = self.raw.stacks.as_mut().expect("stack builder lives until resolve");
        let node = stacks.insert(&stack)?;
        self.stack = stack;
        let nodes = self.raw.stacks.as_ref().map_or(0, |s| s.len());
        if nodes as u64 > self.limits.max_stack_nodes {
            return Err(Error::TooMany { what: "distinct stacks", limit: self.limits.max_stack_nodes });
        }
        self.raw.sample_stacks.push(node);
        let labels = self.label_set(&sample.label);
        self.raw.sample_label_sets.push(labels);
        let count = sample.value.len();
        match self.raw.value_count {
            None => self.raw.value_count = Some(count),
            Some(expected) if expected != count && self.raw.value_mismatch.is_none() => {
                self.raw.value_mismatch = Some((index, count));
            }
            Some(_) => {}
        }
        // Once two samples disagree the profile is refused (at the end of
        // the stream, when the sample types are known), so their values
        // are no longer kept: padding short samples to the first one's
        // count could take far more memory than the file.
        if self.raw.value_mismatch.is_none() {
            self.raw.values.extend_from_slice(&sample.value);
        }
        self.sample = sample;
        Ok(())
    }

    fn label_set(&mut self, labels: &[proto::Label]) -> u32 {
        if labels.is_empty() {
            return 0;
        }
        let raw: Vec<RawLabel> = labels
            .iter()
            .map(|l| RawLabel { key: l.key, str: l.str, num: l.num, unit: l.num_unit })
            .collect();
        if let Some(&set) = self.label_index.get(&raw) {
            return set;
        }
        let set = self.raw.label_sets.len() as u32;
        self.raw.label_sets.push(raw.clone());
        self.label_index.insert(raw, set);
        set
    }

    fn add_location(&mut self) -> Result<(), Error> {
        let id = self.location.id;
        if id == 0 {
            let index = self.raw.locations.iter().filter(|l| l.defined).count();
            return Err(Error::ZeroId { kind: "location", index });
        }
        let slot = self.location_slot(id, u32::MAX)? as usize;
        if self.raw.locations[slot].defined {
            // Keep the first definition; the duplicate is reported at the end.
            self.raw.duplicate_location.get_or_insert(id);
            return Ok(());
        }
        let loc = &self.location;
        let start = self.raw.lines.len() as u32;
        self.raw.lines.extend(loc.line.iter().map(|l| RawLine {
            function_id: l.function_id,
            line: l.line,
            column: l.column,
        }));
        let end = self.raw.lines.len() as u32;
        let slot = &mut self.raw.locations[slot];
        slot.defined = true;
        slot.mapping_id = loc.mapping_id;
        slot.address = loc.address;
        slot.is_folded = loc.is_folded;
        slot.lines = start..end;
        Ok(())
    }
}
