//! Sample labels, interned by set: samples with equal labels share one
//! [`LabelSet`], so labels cost one index per sample.

use std::collections::HashMap;

use super::Str;

/// A set of labels, as an index into [`LabelSets`]. `LabelSet::NONE` is the
/// empty set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct LabelSet(pub(crate) u32);

impl LabelSet {
    /// The empty label set.
    pub const NONE: LabelSet = LabelSet(0);
}

/// The value of a label.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LabelValue {
    /// A string label, e.g. `handler=/items`.
    Str(Str),
    /// A numeric label with an optional unit, e.g. `bytes=48`.
    Num {
        /// The number.
        value: i64,
        /// Its unit, `Str::EMPTY` when the profile gives none.
        unit: Str,
    },
}

/// One label of a sample.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Label {
    /// The key.
    pub key: Str,
    /// The value.
    pub value: LabelValue,
}

/// Every distinct label set of a profile.
#[derive(Clone, Debug)]
pub struct LabelSets {
    labels: Vec<Label>,
    ends: Vec<u32>,
    index: HashMap<Vec<Label>, LabelSet>,
}

impl Default for LabelSets {
    fn default() -> Self {
        let mut sets = LabelSets { labels: Vec::new(), ends: Vec::new(), index: HashMap::new() };
        sets.intern(&[]);
        sets
    }
}

impl LabelSets {
    /// The labels of `set`, in the order the profile gave them.
    pub fn get(&self, set: LabelSet) -> &[Label] {
        let i = set.0 as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.labels[start..self.ends[i] as usize]
    }

    /// Returns the set holding exactly `labels`, adding it if new.
    pub fn intern(&mut self, labels: &[Label]) -> LabelSet {
        if let Some(&set) = self.index.get(labels) {
            return set;
        }
        let set = LabelSet(self.ends.len() as u32);
        self.labels.extend_from_slice(labels);
        self.ends.push(self.labels.len() as u32);
        self.index.insert(labels.to_vec(), set);
        set
    }

    /// How many distinct sets, the empty one included.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// True when only the empty set exists.
    pub fn is_empty(&self) -> bool {
        self.ends.len() <= 1
    }
}
