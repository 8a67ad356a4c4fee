//! Sample labels, interned by set: samples with equal labels share one
//! [`LabelSet`], so labels cost one index per sample.

use std::hash::{BuildHasher, RandomState};

use hashbrown::HashTable;

use super::Str;

/// A set of labels, as an index into [`LabelSets`]. `LabelSet::NONE` is the
/// empty set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct LabelSet(pub(crate) u32);

impl LabelSet {
    /// The empty label set.
    pub const NONE: LabelSet = LabelSet(0);

    /// Its index in [`LabelSets`], for tables indexed by label set.
    pub fn index(self) -> usize {
        self.0 as usize
    }
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
    /// Set ids by the hash of their labels (held only in `labels`).
    index: HashTable<u32>,
    /// Keyed per process, so crafted labels cannot collide on purpose.
    hasher: RandomState,
}

impl Default for LabelSets {
    fn default() -> Self {
        let mut sets = LabelSets {
            labels: Vec::new(),
            ends: Vec::new(),
            index: HashTable::new(),
            hasher: RandomState::new(),
        };
        sets.intern(&[]);
        sets
    }
}

/// Set `i` in a table's `labels` and `ends`.
fn set_of<'a>(labels: &'a [Label], ends: &[u32], i: u32) -> &'a [Label] {
    let i = i as usize;
    let start = if i == 0 { 0 } else { ends[i - 1] as usize };
    &labels[start..ends[i] as usize]
}

impl LabelSets {
    /// Every label set, in index order (the empty set first).
    pub fn ids(&self) -> impl Iterator<Item = LabelSet> {
        (0..self.len() as u32).map(LabelSet)
    }

    /// The labels of `set`, in the order the profile gave them.
    pub fn get(&self, set: LabelSet) -> &[Label] {
        set_of(&self.labels, &self.ends, set.0)
    }

    /// Returns the set holding exactly `labels`, adding it if new.
    pub fn intern(&mut self, labels: &[Label]) -> LabelSet {
        let hash = self.hasher.hash_one(labels);
        let (all, ends) = (&self.labels, &self.ends);
        if let Some(&id) = self.index.find(hash, |&id| set_of(all, ends, id) == labels) {
            return LabelSet(id);
        }
        let id = self.ends.len() as u32;
        self.labels.extend_from_slice(labels);
        self.ends.push(self.labels.len() as u32);
        let (all, ends, hasher) = (&self.labels, &self.ends, &self.hasher);
        self.index.insert_unique(hash, id, |&id| hasher.hash_one(set_of(all, ends, id)));
        LabelSet(id)
    }

    /// How many distinct sets, the empty one included.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// True when only the empty set exists.
    pub fn is_empty(&self) -> bool {
        self.ends.len() <= 1
    }

    /// Makes room for `sets` more sets of `labels` labels in all.
    pub(crate) fn reserve(&mut self, sets: usize, labels: usize) {
        self.labels.reserve(labels);
        self.ends.reserve(sets);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_are_interned_by_content() {
        let mut sets = LabelSets::default();
        let label =
            |k: u32, v: i64| Label { key: Str(k), value: LabelValue::Num { value: v, unit: Str::EMPTY } };
        let a = sets.intern(&[label(1, 2), label(3, 4)]);
        let b = sets.intern(&[label(3, 4), label(1, 2)]);
        assert_ne!(a, b, "order matters, as in the profile");
        assert_eq!(sets.intern(&[label(1, 2), label(3, 4)]), a);
        assert_eq!(sets.intern(&[]), LabelSet::NONE);
        assert_eq!(sets.get(b), &[label(3, 4), label(1, 2)]);
        let many: Vec<LabelSet> = (0..5000).map(|i| sets.intern(&[label(9, i)])).collect();
        for (i, &s) in many.iter().enumerate() {
            assert_eq!(sets.intern(&[label(9, i as i64)]), s);
        }
        assert_eq!(sets.len(), 5003);
    }
}
