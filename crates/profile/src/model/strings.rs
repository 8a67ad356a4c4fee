//! Interned strings: every distinct string of a profile is stored once, so
//! two references are equal exactly when their texts are equal.

use std::hash::BuildHasher;

use hashbrown::HashTable;

/// A string of the profile, as an index into its [`Strings`].
/// `Str::EMPTY` is always "".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Str(pub(crate) u32);

impl Str {
    /// The empty string.
    pub const EMPTY: Str = Str(0);

    /// True for the empty string.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Its index in the string table, for tables indexed by string.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// The deduplicated string table of a profile.
#[derive(Clone, Debug)]
pub struct Strings {
    text: String,
    ends: Vec<u32>,
    /// Ids by the hash of their text; the text itself is only in `text`.
    index: HashTable<u32>,
    /// Keyed per process, so crafted strings cannot collide on purpose.
    hasher: std::hash::RandomState,
}

impl Default for Strings {
    fn default() -> Self {
        let mut strings = Strings {
            text: String::new(),
            ends: Vec::new(),
            index: HashTable::new(),
            hasher: std::hash::RandomState::new(),
        };
        strings.intern("");
        strings
    }
}

/// The text of string `i` in a table's `text` and `ends`.
fn text_of<'a>(text: &'a str, ends: &[u32], i: u32) -> &'a str {
    let i = i as usize;
    let start = if i == 0 { 0 } else { ends[i - 1] as usize };
    &text[start..ends[i] as usize]
}

impl Strings {
    /// The text of `s`.
    pub fn get(&self, s: Str) -> &str {
        text_of(&self.text, &self.ends, s.0)
    }

    /// Returns the id of `text`, adding it if it is new.
    pub fn intern(&mut self, text: &str) -> Str {
        let hash = self.hasher.hash_one(text);
        let (all, ends) = (&self.text, &self.ends);
        if let Some(&id) = self.index.find(hash, |&id| text_of(all, ends, id) == text) {
            return Str(id);
        }
        let id = self.ends.len() as u32;
        self.text.push_str(text);
        self.ends.push(self.text.len() as u32);
        let (all, ends, hasher) = (&self.text, &self.ends, &self.hasher);
        self.index.insert_unique(hash, id, |&id| hasher.hash_one(text_of(all, ends, id)));
        Str(id)
    }

    /// The id of `text` if the table holds it.
    pub fn find(&self, text: &str) -> Option<Str> {
        let hash = self.hasher.hash_one(text);
        self.index.find(hash, |&id| self.get(Str(id)) == text).map(|&id| Str(id))
    }

    /// How many distinct strings the table holds.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// True when the table holds only "".
    pub fn is_empty(&self) -> bool {
        self.ends.len() <= 1
    }

    /// Makes room for `strings` more strings of `bytes` bytes in all.
    pub(crate) fn reserve(&mut self, strings: usize, bytes: usize) {
        self.text.reserve(bytes);
        self.ends.reserve(strings);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interning_dedupes() {
        let mut t = Strings::default();
        let a = t.intern("main.f");
        let b = t.intern("main.g");
        assert_eq!(t.intern("main.f"), a);
        assert_ne!(a, b);
        assert_eq!(t.get(a), "main.f");
        assert_eq!(t.get(Str::EMPTY), "");
        assert_eq!(t.len(), 3);
        assert_eq!(t.find("main.g"), Some(b));
        assert_eq!(t.find("main.h"), None);
        // Through the index's growth.
        let ids: Vec<Str> = (0..10_000).map(|i| t.intern(&format!("s{i}"))).collect();
        for (i, &id) in ids.iter().enumerate() {
            assert_eq!(t.intern(&format!("s{i}")), id);
            assert_eq!(t.get(id), format!("s{i}"));
        }
    }
}
