//! Interned strings: every distinct string of a profile is stored once, so
//! two references are equal exactly when their texts are equal.

use std::collections::HashMap;

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
}

/// The deduplicated string table of a profile.
#[derive(Clone, Debug)]
pub struct Strings {
    text: String,
    ends: Vec<u32>,
    index: HashMap<Box<str>, Str>,
}

impl Default for Strings {
    fn default() -> Self {
        let mut strings = Strings { text: String::new(), ends: Vec::new(), index: HashMap::new() };
        strings.intern("");
        strings
    }
}

impl Strings {
    /// The text of `s`.
    pub fn get(&self, s: Str) -> &str {
        let i = s.0 as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.text[start..self.ends[i] as usize]
    }

    /// Returns the id of `text`, adding it if it is new.
    pub fn intern(&mut self, text: &str) -> Str {
        if let Some(&s) = self.index.get(text) {
            return s;
        }
        let s = Str(self.ends.len() as u32);
        self.text.push_str(text);
        self.ends.push(self.text.len() as u32);
        self.index.insert(text.into(), s);
        s
    }

    /// The id of `text` if the table holds it.
    pub fn find(&self, text: &str) -> Option<Str> {
        self.index.get(text).copied()
    }

    /// How many distinct strings the table holds.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// True when the table holds only "".
    pub fn is_empty(&self) -> bool {
        self.ends.len() <= 1
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
    }
}
