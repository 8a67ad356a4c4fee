//! Turns parsed stacks into a profile.proto message: functions and
//! locations interned, identical (stack, labels) samples grouped.

use std::collections::HashMap;

use crate::encode::{LabelSpec, ProfileWriter};
use crate::error::Error;
use crate::gomath;

/// One frame of a stack: function name, source file, line (0 if unknown).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Frame {
    pub name: String,
    pub file: String,
    pub line: i64,
}

impl Frame {
    /// A frame known only by name.
    pub fn named(name: &str) -> Frame {
        Frame { name: name.to_string(), file: String::new(), line: 0 }
    }
}

/// A sample label, owned so samples can be grouped by their labels.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Label {
    Str(String, String),
    Num(String, i64, String),
}

type SampleKey = (Vec<u64>, Vec<Label>);

/// Approximate heap bytes per entry beyond its strings (map slots, proto
/// structs, vector headers), for the memory budget.
const ENTRY_OVERHEAD: usize = 160;

/// Collects the samples of a text profile.
pub(crate) struct StackProfile {
    writer: ProfileWriter,
    /// Approximate bytes held so far, and the most allowed.
    used: usize,
    budget: usize,
    types: usize,
    functions: HashMap<(String, String), u64>,
    locations: HashMap<(u64, Vec<Frame>), u64>,
    named: HashMap<String, u64>,
    sample_index: HashMap<SampleKey, usize>,
    samples: Vec<(SampleKey, Vec<i64>)>,
}

impl StackProfile {
    /// A profile with the given sample types; more may be added later.
    pub fn new(sample_types: &[(&str, &str)]) -> StackProfile {
        StackProfile {
            writer: ProfileWriter::new(sample_types),
            used: 0,
            budget: usize::MAX,
            types: sample_types.len(),
            functions: HashMap::new(),
            locations: HashMap::new(),
            named: HashMap::new(),
            sample_index: HashMap::new(),
            samples: Vec::new(),
        }
    }

    /// Bounds the tables at about `bytes` (see [`StackProfile::check`]).
    pub fn set_budget(&mut self, bytes: u64) {
        self.budget = usize::try_from(bytes).unwrap_or(usize::MAX);
    }

    /// Refuses the input once its tables outgrow the budget: a text
    /// profile is much denser than protobuf (a frame can be two bytes), so
    /// parsers call this once per line.
    pub fn check(&self) -> Result<(), Error> {
        if self.used > self.budget {
            return Err(Error::TooMany {
                what: "bytes of tables built from the text",
                limit: self.budget as u64,
            });
        }
        Ok(())
    }

    /// The writer, for the period, comments and the default sample type.
    pub fn writer(&mut self) -> &mut ProfileWriter {
        &mut self.writer
    }

    /// Adds a sample type and returns its index.
    pub fn add_sample_type(&mut self, kind: &str, unit: &str) -> usize {
        let t = crate::proto::ValueType { r#type: self.writer.string(kind), unit: self.writer.string(unit) };
        self.writer.proto_mut().sample_type.push(t);
        self.types += 1;
        self.types - 1
    }

    /// How many samples (after grouping) so far.
    pub fn sample_count(&self) -> usize {
        self.samples.len()
    }

    /// The location of `address` standing for `frames` (innermost first);
    /// no frames makes an address-only location, as pprof's legacy parser does.
    pub fn location(&mut self, address: u64, frames: &[Frame]) -> u64 {
        if let Some(&id) = self.locations.get(&(address, frames.to_vec())) {
            return id;
        }
        let lines: Vec<(u64, i64)> =
            frames.iter().map(|f| (self.function(&f.name, &f.file), f.line)).collect();
        let id = self.writer.add_location(None, address, &lines);
        self.locations.insert((address, frames.to_vec()), id);
        id
    }

    /// The location of one frame without an address.
    pub fn frame(&mut self, frame: &Frame) -> u64 {
        if frame.file.is_empty() && frame.line == 0 {
            return self.named(&frame.name);
        }
        self.location(0, std::slice::from_ref(frame))
    }

    /// The location of a frame known only by name (collapsed and perf
    /// stacks): looked up without building a key, as this runs per frame
    /// of every stack.
    pub fn named(&mut self, name: &str) -> u64 {
        if let Some(&id) = self.named.get(name) {
            return id;
        }
        let id = self.location(0, &[Frame::named(name)]);
        self.named.insert(name.to_string(), id);
        self.used += name.len() + 32;
        id
    }

    fn function(&mut self, name: &str, file: &str) -> u64 {
        let key = (name.to_string(), file.to_string());
        if let Some(&id) = self.functions.get(&key) {
            return id;
        }
        // No system name: the names are final as the text wrote them, not
        // symbols for pprof's C++ simplification (which would turn
        // `Vec<T>::push` into `Vec::push` before any report runs).
        let id = self.writer.add_function_with_system_name(name, "", file, 0);
        // The key here, and the writer's table and index of each string.
        self.used += ENTRY_OVERHEAD + 3 * (name.len() + file.len());
        self.functions.insert(key, id);
        id
    }

    /// Adds `value` to sample type `index` of the sample with this stack
    /// (location ids, leaf first) and labels, creating it if new.
    pub fn add(&mut self, stack: Vec<u64>, labels: Vec<Label>, index: usize, value: i64) {
        let key = (stack, labels);
        let i = match self.sample_index.get(&key) {
            Some(&i) => i,
            None => {
                let labels: usize = key.1.iter().map(|l| label_bytes(l) + 32).sum();
                self.used += ENTRY_OVERHEAD + 2 * (key.0.len() * 8 + labels);
                self.sample_index.insert(key.clone(), self.samples.len());
                self.samples.push((key, Vec::new()));
                self.samples.len() - 1
            }
        };
        let values = &mut self.samples[i].1;
        if values.len() <= index {
            values.resize(index + 1, 0);
        }
        values[index] = gomath::add(values[index], value);
    }

    /// Adds a sample of its own, never grouped with an equal one.
    pub fn add_separate(&mut self, stack: Vec<u64>, labels: Vec<Label>, values: &[i64]) {
        self.used +=
            ENTRY_OVERHEAD + stack.len() * 8 + labels.iter().map(|l| label_bytes(l) + 32).sum::<usize>();
        self.samples.push(((stack, labels), values.to_vec()));
    }

    /// The finished message, samples in the order first seen.
    pub fn finish(mut self) -> ProfileWriter {
        let samples = std::mem::take(&mut self.samples);
        for ((stack, labels), mut values) in samples {
            values.resize(self.types, 0);
            let specs: Vec<LabelSpec<'_>> = labels
                .iter()
                .map(|l| match l {
                    Label::Str(k, v) => LabelSpec::Str(k, v),
                    Label::Num(k, n, u) => LabelSpec::Num(k, *n, u),
                })
                .collect();
            self.writer.add_sample(&stack, &values, &specs);
        }
        self.writer
    }
}

/// The string bytes of a label.
fn label_bytes(l: &Label) -> usize {
    match l {
        Label::Str(k, v) => k.len() + v.len(),
        Label::Num(k, _, u) => k.len() + u.len(),
    }
}
