//! The decoded profile: interned, index-based tables built once per file.
//!
//! Ids from the file are replaced by dense indices (`FunctionIndex`, ...), all
//! strings are interned ([`Str`]), inline frames live in one line arena, and
//! stacks are stored once in a [`StackTree`]. Every report is derived from
//! this model; nothing here depends on report options.

mod labels;
mod stacks;
mod strings;

pub use labels::{Label, LabelSet, LabelSets, LabelValue};
pub(crate) use stacks::{ArenaFull, StackTreeBuilder};
pub use stacks::{Run, StackNode, StackTree, ROOT};

pub use strings::{Str, Strings};

use std::ops::Range;

/// Index of a [`Mapping`] in [`Profile::mappings`].
pub type MappingIndex = usize;
/// Index of a [`Function`] in [`Profile::functions`].
pub type FunctionIndex = usize;
/// Index of a [`Location`] in [`Profile::locations`].
pub type LocationIndex = usize;
/// Index of a [`Line`] in [`Profile::lines`].
pub type LineIndex = usize;

/// What a sample value measures, e.g. `alloc_space` in `bytes`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ValueType {
    /// The measurement, e.g. "inuse_space".
    pub kind: Str,
    /// Its unit, e.g. "bytes".
    pub unit: Str,
}

/// A binary or library mapped into the profiled process.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mapping {
    /// The id the file gave it.
    pub id: u64,
    /// Start address of the mapping.
    pub start: u64,
    /// End address of the mapping.
    pub limit: u64,
    /// Offset in the file where the mapping starts.
    pub offset: u64,
    /// The mapped file's path.
    pub file: Str,
    /// The file's build id.
    pub build_id: Str,
    /// Whether locations in it have function names.
    pub has_functions: bool,
    /// Whether locations in it have file names.
    pub has_filenames: bool,
    /// Whether locations in it have line numbers.
    pub has_line_numbers: bool,
    /// Whether locations in it have inline frames.
    pub has_inline_frames: bool,
}

/// A function of the profiled program.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Function {
    /// The id the file gave it.
    pub id: u64,
    /// Human-readable name, e.g. "context.WithValue".
    pub name: Str,
    /// Name as the system knows it, e.g. a mangled symbol.
    pub system_name: Str,
    /// Source file path.
    pub filename: Str,
    /// Line where the function starts.
    pub start_line: i64,
}

/// One frame of a location: a function and a position in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Line {
    /// The function.
    pub function: FunctionIndex,
    /// Source line, 0 when unknown.
    pub line: i64,
    /// Source column, 0 when unknown.
    pub column: i64,
}

/// A program counter, with the inline frames it stands for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    /// The id the file gave it.
    pub id: u64,
    /// The mapping that holds the address, if any.
    pub mapping: Option<MappingIndex>,
    /// The instruction address, 0 when unknown.
    pub address: u64,
    /// Its frames in [`Profile::lines`], innermost (callee) first.
    pub lines: Range<u32>,
    /// Whether the frames were folded by a producer.
    pub is_folded: bool,
}

/// The samples of a profile, column by column.
#[derive(Clone, Debug, Default)]
pub struct Samples {
    /// Each sample's stack.
    pub stack: Vec<StackNode>,
    /// Each sample's labels.
    pub labels: Vec<LabelSet>,
    /// Values, `value_count` per sample, sample after sample.
    pub values: Vec<i64>,
    /// How many values each sample has (the number of sample types).
    pub value_count: usize,
}

impl Samples {
    /// How many samples.
    pub fn len(&self) -> usize {
        self.stack.len()
    }

    /// True when there are no samples.
    pub fn is_empty(&self) -> bool {
        self.stack.is_empty()
    }

    /// The values of sample `i`.
    pub fn values(&self, i: usize) -> &[i64] {
        &self.values[i * self.value_count..(i + 1) * self.value_count]
    }

    /// Value `index` of sample `i`.
    pub fn value(&self, i: usize, index: usize) -> i64 {
        self.values[i * self.value_count + index]
    }
}

/// A decoded, validated profile.
#[derive(Clone, Debug)]
pub struct Profile {
    /// Every string of the profile.
    pub strings: Strings,
    /// What each sample value measures.
    pub sample_types: Vec<ValueType>,
    /// The sample type to show by default, if the profile names one.
    pub default_sample_type: Str,
    /// The event that was sampled.
    pub period_type: Option<ValueType>,
    /// How often it was sampled, in `period_type` units.
    pub period: i64,
    /// When the profile was taken, in nanoseconds since the Unix epoch.
    pub time_nanos: i64,
    /// How long the profile covers, in nanoseconds.
    pub duration_nanos: i64,
    /// Free-form comments.
    pub comments: Vec<Str>,
    /// Regexp of frames dropped at load time.
    pub drop_frames: Str,
    /// Exceptions to `drop_frames`.
    pub keep_frames: Str,
    /// A link to documentation about the profile.
    pub doc_url: Str,
    /// Mapped binaries, in file order.
    pub mappings: Vec<Mapping>,
    /// Functions, in file order.
    pub functions: Vec<Function>,
    /// Locations, in file order.
    pub locations: Vec<Location>,
    /// The inline frames of all locations.
    pub lines: Vec<Line>,
    /// Every stack, once.
    pub stacks: StackTree,
    /// The samples.
    pub samples: Samples,
    /// Every distinct set of sample labels.
    pub label_sets: LabelSets,
}

impl Profile {
    /// The text of an interned string.
    pub fn str(&self, s: Str) -> &str {
        self.strings.get(s)
    }

    /// The frames of a location, innermost first.
    pub fn location_lines(&self, loc: LocationIndex) -> &[Line] {
        let r = &self.locations[loc].lines;
        &self.lines[r.start as usize..r.end as usize]
    }

    /// The file of a location's mapping, or "".
    pub fn mapping_file(&self, loc: LocationIndex) -> &str {
        match self.locations[loc].mapping {
            Some(m) => self.str(self.mappings[m].file),
            None => "",
        }
    }

    /// The names of the sample types, in order.
    pub fn sample_type_names(&self) -> Vec<String> {
        self.sample_types.iter().map(|t| self.str(t.kind).to_string()).collect()
    }
}
