//! Collects a profile's fields as they stream in.
//!
//! Fields may come in any order (Go writes samples before the locations and
//! strings they refer to), so ids and string indices are kept raw here and
//! resolved once the stream ends (see `resolve.rs`). Stacks go straight into
//! the stack tree. Samples and locations are read field by field
//! (`fields.rs`) into the tables, not through generated structs, and
//! elements that cannot matter (labels with nothing in them) are not kept:
//! memory stays within a fixed multiple of the bytes read (see
//! `Limits::MEMORY_FACTOR`), however the file repeats its smallest elements.

use std::hash::{BuildHasher, RandomState};
use std::io::BufRead;

use hashbrown::HashTable;
use prost::Message;

use super::fields::{fields, repeated_varints, varint, RepeatedError, Value};
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

impl RawLabel {
    /// A label with no key, value or unit resolves to nothing (string 0 is
    /// always "", and pprof drops labels with neither a string nor a
    /// number), so it is not kept.
    fn is_empty(&self) -> bool {
        self.key == 0 && self.str == 0 && self.num == 0 && self.unit == 0
    }
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

/// The string table as read: all texts in one buffer.
#[derive(Default)]
pub(crate) struct RawStrings {
    pub text: String,
    /// Where each string ends in `text`.
    pub ends: Vec<u32>,
}

impl RawStrings {
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The text of entry `i`.
    pub fn get(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.text[start..self.ends[i] as usize]
    }
}

/// The distinct label sets of the samples, stored one after another.
pub(crate) struct RawLabelSets {
    pub labels: Vec<RawLabel>,
    /// Where each set ends in `labels`; set 0 is the empty set.
    pub ends: Vec<u32>,
    index: HashTable<u32>,
    hasher: RandomState,
}

impl Default for RawLabelSets {
    fn default() -> Self {
        let mut sets = RawLabelSets {
            labels: Vec::new(),
            ends: Vec::new(),
            index: HashTable::new(),
            hasher: RandomState::new(),
        };
        sets.seal_tail();
        sets
    }
}

fn raw_set<'a>(labels: &'a [RawLabel], ends: &[u32], i: u32) -> &'a [RawLabel] {
    let i = i as usize;
    let start = if i == 0 { 0 } else { ends[i - 1] as usize };
    &labels[start..ends[i] as usize]
}

impl RawLabelSets {
    /// How many sets.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// The labels of set `i`.
    pub fn get(&self, i: usize) -> &[RawLabel] {
        raw_set(&self.labels, &self.ends, i as u32)
    }

    /// Where the labels not yet in a set start (the tail a sample is
    /// filling).
    fn tail_start(&self) -> usize {
        self.ends.last().map_or(0, |&e| e as usize)
    }

    /// Makes the tail a set of its own, or drops it when an equal set
    /// exists; returns the set's id. The labels are read straight into the
    /// tail, so a new set is never copied.
    fn seal_tail(&mut self) -> u32 {
        let start = self.tail_start();
        if start == self.labels.len() && !self.ends.is_empty() {
            // Most samples have no labels: the empty set, set 0.
            return 0;
        }
        let tail = &self.labels[start..];
        let hash = self.hasher.hash_one(tail);
        let (labels, ends) = (&self.labels, &self.ends);
        if let Some(&id) = self.index.find(hash, |&id| raw_set(labels, ends, id) == tail) {
            self.labels.truncate(start);
            return id;
        }
        let id = self.ends.len() as u32;
        self.ends.push(self.labels.len() as u32);
        let (labels, ends, hasher) = (&self.labels, &self.ends, &self.hasher);
        self.index.insert_unique(hash, id, |&id| hasher.hash_one(raw_set(labels, ends, id)));
        id
    }
}

/// Everything read from the stream, not yet validated.
#[derive(Default)]
pub(crate) struct RawProfile {
    pub strings: RawStrings,
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
    pub label_sets: RawLabelSets,
    pub values: Vec<i64>,
    /// Values per sample, set by the first sample.
    pub value_count: Option<usize>,
    /// The first sample whose value count differs from the first sample's.
    pub value_mismatch: Option<(usize, usize)>,
    /// The first location id defined twice. Reported once the stream ends,
    /// so that concatenated profiles (whose second half redefines every
    /// location before its time_nanos) are reported as such.
    pub duplicate_location: Option<u64>,
    /// The first line naming function id 0, which no function can have:
    /// (location id, line number in the location). Such lines are not kept.
    pub zero_function: Option<(u64, usize)>,
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
        stack: Vec::new(),
    };
    let mut checked_at = 0;
    while let Some((field, wire)) = reader.read_key()? {
        state.field(reader, field, wire)?;
        // Every 64 KiB of input: tables grow by at most MEMORY_FACTOR
        // times what was read, so the limit is never passed by much.
        if reader.offset() - checked_at >= 64 << 10 {
            state.check_budget()?;
            checked_at = reader.offset();
        }
    }
    state.check_budget()?;
    if let Some(id) = state.raw.duplicate_location {
        return Err(Error::DuplicateId { kind: "location", id });
    }
    Ok(state.raw)
}

struct Builder<'l> {
    raw: RawProfile,
    limits: &'l Limits,
    buf: Vec<u8>,
    /// Scratch space for one sample's stack, root first.
    stack: Vec<u32>,
}

/// The most bytes the string table may hold: string positions are u32,
/// with room to spare for the simplified names interned later.
const MAX_STRING_BYTES: u64 = (u32::MAX / 2) as u64;

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
        let len = r.read_len()?;
        // The field is read whole before it is decoded: count it first.
        self.check_budget_with(usize::try_from(len).unwrap_or(usize::MAX))?;
        r.read_bytes(len, &mut self.buf)?;
        let at = r.offset();
        let bad = |e: prost::DecodeError| Error::Protobuf {
            offset: at,
            detail: format!("the {} field before this offset does not decode: {e}", field_name(field)),
        };
        match field {
            1 => {
                let t = proto::ValueType::decode(&self.buf[..]).map_err(bad)?;
                self.check_growth(&self.raw.sample_types)?;
                push(&mut self.raw.sample_types, t);
            }
            2 => {
                let message = std::mem::take(&mut self.buf);
                let added = self.add_sample(&message, at);
                self.buf = message;
                added?;
            }
            3 => {
                let m = proto::Mapping::decode(&self.buf[..]).map_err(bad)?;
                // Id 0 can never be valid: say so now rather than keep a
                // flood of empty mappings until the end.
                if m.id == 0 {
                    return Err(Error::ZeroId { kind: "mapping", index: self.raw.mappings.len() });
                }
                self.check_rows("mappings", self.raw.mappings.len())?;
                self.check_growth(&self.raw.mappings)?;
                push(&mut self.raw.mappings, m);
            }
            4 => {
                let message = std::mem::take(&mut self.buf);
                let added = self.add_location(&message, at);
                self.buf = message;
                added?;
            }
            5 => {
                let f = proto::Function::decode(&self.buf[..]).map_err(bad)?;
                if f.id == 0 {
                    return Err(Error::ZeroId { kind: "function", index: self.raw.functions.len() });
                }
                self.check_rows("functions", self.raw.functions.len())?;
                self.check_growth(&self.raw.functions)?;
                push(&mut self.raw.functions, f);
            }
            6 => {
                if self.raw.strings.text.capacity() - self.raw.strings.text.len() < self.buf.len() {
                    self.check_budget_with(self.raw.strings.text.capacity().max(self.buf.len()))?;
                }
                self.check_growth(&self.raw.strings.ends)?;
                let strings = &mut self.raw.strings;
                if strings.len() as u64 >= self.limits.max_strings {
                    return Err(Error::TooMany { what: "strings", limit: self.limits.max_strings });
                }
                match std::str::from_utf8(&self.buf) {
                    Ok(s) => strings.text.push_str(s),
                    Err(_) => strings.text.push_str(&String::from_utf8_lossy(&self.buf)),
                }
                if strings.text.len() as u64 > MAX_STRING_BYTES {
                    return Err(Error::TooMany { what: "bytes of strings", limit: MAX_STRING_BYTES });
                }
                strings.ends.push(strings.text.len() as u32);
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
                    self.check_growth(&self.raw.comments)?;
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

    /// Heap bytes of everything decoded so far, scratch space included.
    fn table_bytes(&self) -> u64 {
        fn bytes<T>(v: &Vec<T>) -> usize {
            v.capacity() * std::mem::size_of::<T>()
        }
        let r = &self.raw;
        let sets = &r.label_sets;
        let total = r.strings.text.capacity()
            + bytes(&r.strings.ends)
            + bytes(&r.sample_types)
            + bytes(&r.comments)
            + bytes(&r.mappings)
            + bytes(&r.functions)
            + bytes(&r.locations)
            + bytes(&r.lines)
            + r.location_ids.heap_bytes()
            + r.stacks.as_ref().map_or(0, StackTreeBuilder::heap_bytes)
            + bytes(&r.sample_stacks)
            + bytes(&r.sample_label_sets)
            + bytes(&sets.labels)
            + bytes(&sets.ends)
            + 5 * sets.index.capacity()
            + bytes(&r.values)
            + bytes(&self.buf)
            + bytes(&self.stack);
        total as u64
    }

    /// Refuses the profile once its tables take more than the limit.
    fn check_budget(&self) -> Result<(), Error> {
        self.check_budget_with(0)
    }

    /// [`Builder::check_budget`], counting `extra` bytes held elsewhere.
    fn check_budget_with(&self, extra: usize) -> Result<(), Error> {
        let limit = self.limits.max_decoded_bytes;
        if self.table_bytes().saturating_add(extra as u64) > limit {
            return Err(Error::TooMany { what: "bytes of decoded tables", limit });
        }
        Ok(())
    }

    /// [`Builder::check_budget`] when `table` is about to grow, counting
    /// the growth (at most doubling): elements read inside one field (a
    /// sample's values, a location's lines) are checked as they come, not
    /// only once the field ends.
    fn check_growth<T>(&self, table: &Vec<T>) -> Result<(), Error> {
        if table.len() == table.capacity() {
            self.check_budget_with(table.capacity().max(16) * std::mem::size_of::<T>())?;
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
    #[inline]
    fn location_slot(&mut self, id: u64, user: u32) -> Result<u32, Error> {
        if let Some(slot) = self.raw.location_ids.get(id) {
            return Ok(slot);
        }
        self.check_rows("locations", self.raw.locations.len())?;
        let slot = self.raw.locations.len() as u32;
        self.check_growth(&self.raw.locations)?;
        push(&mut self.raw.locations, RawLocation { id, first_user: user, ..RawLocation::default() });
        self.raw.location_ids.insert(id, slot);
        Ok(slot)
    }

    /// Reads one sample message (`message` ends at byte `at` of the
    /// stream): its stack goes into the stack tree, its values into the
    /// value table and its labels into the label sets.
    fn add_sample(&mut self, message: &[u8], at: u64) -> Result<(), Error> {
        let index = self.raw.sample_stacks.len();
        if index as u64 >= self.limits.max_samples {
            return Err(Error::TooMany { what: "samples", limit: self.limits.max_samples });
        }
        let malformed = |detail: String| Error::Protobuf {
            offset: at,
            detail: format!("the sample field before this offset does not decode: {detail}"),
        };
        let mut stack = std::mem::take(&mut self.stack);
        stack.clear();
        let values_start = self.raw.values.len();
        for f in fields(message) {
            let (field, value) = f.map_err(malformed)?;
            let read = match field {
                1 => repeated_varints(value, "location_id", |id| {
                    if stack.len() == stack.capacity() {
                        // The stack is out of `self` while the sample is read.
                        self.check_budget_with(4 * 2 * stack.capacity().max(16))?;
                    }
                    stack.push(self.location_slot(id, index as u32)?);
                    Ok(())
                }),
                2 => repeated_varints(value, "value", |v| {
                    self.check_growth(&self.raw.values)?;
                    self.raw.values.push(v as i64);
                    Ok(())
                }),
                3 => {
                    let Value::Bytes(label) = value else {
                        return Err(malformed("label has the wrong wire type".into()));
                    };
                    let label = read_label(label).map_err(malformed)?;
                    if !label.is_empty() {
                        self.check_growth(&self.raw.label_sets.labels)?;
                        self.raw.label_sets.labels.push(label);
                    }
                    Ok(())
                }
                _ => Ok(()),
            };
            match read {
                Ok(()) => {}
                Err(RepeatedError::Malformed(detail)) => return Err(malformed(detail)),
                Err(RepeatedError::Stop(e)) => return Err(e),
            }
        }
        // The file lists the leaf first; the tree wants the root first.
        stack.reverse();
        let stacks = self.raw.stacks.as_mut().expect("stack builder lives until resolve");
        let node = stacks.insert(&stack)?;
        self.stack = stack;
        let nodes = self.raw.stacks.as_ref().map_or(0, |s| s.len());
        // Node numbers are u32, whatever the limit says.
        let limit = self.limits.max_stack_nodes.min(u64::from(u32::MAX - 1));
        if nodes as u64 > limit {
            return Err(Error::TooMany { what: "distinct stacks", limit });
        }
        self.raw.sample_stacks.push(node);
        let labels = self.raw.label_sets.seal_tail();
        self.raw.sample_label_sets.push(labels);
        let count = self.raw.values.len() - values_start;
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
        if self.raw.value_mismatch.is_some() {
            self.raw.values.truncate(values_start);
        }
        Ok(())
    }

    /// Reads one location message (ending at byte `at`): its lines go
    /// straight into the line table.
    fn add_location(&mut self, message: &[u8], at: u64) -> Result<(), Error> {
        let malformed = |detail: String| Error::Protobuf {
            offset: at,
            detail: format!("the location field before this offset does not decode: {detail}"),
        };
        let mut location = RawLocation::default();
        let lines_start = self.raw.lines.len();
        let mut zero_function = None;
        let mut line_number = 0usize;
        for f in fields(message) {
            let (field, value) = f.map_err(malformed)?;
            match field {
                1 => location.id = varint(value, "id").map_err(malformed)?,
                2 => location.mapping_id = varint(value, "mapping_id").map_err(malformed)?,
                3 => location.address = varint(value, "address").map_err(malformed)?,
                4 => {
                    let Value::Bytes(line) = value else {
                        return Err(malformed("line has the wrong wire type".into()));
                    };
                    let line = read_line(line).map_err(malformed)?;
                    if line.function_id == 0 {
                        // No function has id 0: the profile will be refused,
                        // so the line is not kept.
                        zero_function.get_or_insert(line_number);
                    } else {
                        self.check_growth(&self.raw.lines)?;
                        push(&mut self.raw.lines, line);
                    }
                    line_number += 1;
                }
                5 => location.is_folded = varint(value, "is_folded").map_err(malformed)? != 0,
                _ => {}
            }
        }
        let id = location.id;
        if id == 0 {
            self.raw.lines.truncate(lines_start);
            let index = self.raw.locations.iter().filter(|l| l.defined).count();
            return Err(Error::ZeroId { kind: "location", index });
        }
        if let Some(line) = zero_function {
            self.raw.zero_function.get_or_insert((id, line));
        }
        let slot = self.location_slot(id, u32::MAX)? as usize;
        if self.raw.locations[slot].defined {
            // Keep the first definition; the duplicate is reported at the end.
            self.raw.lines.truncate(lines_start);
            self.raw.duplicate_location.get_or_insert(id);
            return Ok(());
        }
        if self.raw.lines.len() > u32::MAX as usize {
            return Err(Error::TooMany { what: "lines", limit: u32::MAX.into() });
        }
        let slot = &mut self.raw.locations[slot];
        slot.defined = true;
        slot.mapping_id = location.mapping_id;
        slot.address = location.address;
        slot.is_folded = location.is_folded;
        slot.lines = lines_start as u32..self.raw.lines.len() as u32;
        Ok(())
    }
}

/// Appends to a table of the raw profile, growing it by half when full:
/// growing copies the table (in wasm, and natively for small ones), and a
/// smaller step keeps the old and new copies together smaller than
/// doubling does, for tables whose entries are many times larger than
/// their bytes in the file.
fn push<T>(table: &mut Vec<T>, item: T) {
    if table.len() == table.capacity() {
        table.reserve_exact((table.len() / 2).max(16));
    }
    table.push(item);
}

/// Reads a Label message; the last value of a repeated scalar wins, as in
/// protobuf.
fn read_label(message: &[u8]) -> Result<RawLabel, String> {
    let mut label = RawLabel { key: 0, str: 0, num: 0, unit: 0 };
    for f in fields(message) {
        let (field, value) = f?;
        match field {
            1 => label.key = varint(value, "label key")? as i64,
            2 => label.str = varint(value, "label str")? as i64,
            3 => label.num = varint(value, "label num")? as i64,
            4 => label.unit = varint(value, "label num_unit")? as i64,
            _ => {}
        }
    }
    Ok(label)
}

/// Reads a Line message.
fn read_line(message: &[u8]) -> Result<RawLine, String> {
    let mut line = RawLine { function_id: 0, line: 0, column: 0 };
    for f in fields(message) {
        let (field, value) = f?;
        match field {
            1 => line.function_id = varint(value, "line function_id")?,
            2 => line.line = varint(value, "line line")? as i64,
            3 => line.column = varint(value, "line column")? as i64,
            _ => {}
        }
    }
    Ok(line)
}
