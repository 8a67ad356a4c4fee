//! tagshow and taghide, as pprof's `FilterTagsByName`: a label key is shown
//! when it matches tagshow (if set) and does not match taghide. Hidden keys
//! are left out of the traces, tags and graph label reports; they still
//! count for tagfocus, tagignore, tagroot and tagleaf, which pprof applies
//! first.

use std::collections::HashSet;

use crate::error::Error;
use crate::filter::compile_option;
use crate::model::{Profile, Str};
use crate::pattern::Pattern;

/// Which label keys reports show.
#[derive(Clone, Debug, Default)]
pub struct KeyFilter {
    show: Option<Pattern>,
    hide: Option<Pattern>,
    /// Keys of the profile that are hidden, resolved once.
    hidden: HashSet<Str>,
    /// Whether some key matched tagshow / taghide (pprof warns otherwise).
    pub show_matched: bool,
    /// Whether some key matched taghide.
    pub hide_matched: bool,
}

impl KeyFilter {
    /// Compiles tagshow and taghide ("" is unset) and resolves every label
    /// key of `profile`.
    pub fn new(profile: &Profile, tagshow: &str, taghide: &str) -> Result<KeyFilter, Error> {
        let mut filter = KeyFilter {
            show: compile_option("tagshow", tagshow)?,
            hide: compile_option("taghide", taghide)?,
            ..KeyFilter::default()
        };
        if filter.show.is_none() && filter.hide.is_none() {
            return Ok(filter);
        }
        let mut seen = HashSet::new();
        for set in profile.label_sets.ids() {
            for l in profile.label_sets.get(set) {
                if !seen.insert(l.key) {
                    continue;
                }
                let key = profile.str(l.key);
                let shown = filter.show.as_ref().is_none_or(|re| re.is_match(key));
                let hidden = filter.hide.as_ref().is_some_and(|re| re.is_match(key));
                filter.show_matched |= shown;
                filter.hide_matched |= hidden;
                if !shown || hidden {
                    filter.hidden.insert(l.key);
                }
            }
        }
        Ok(filter)
    }

    /// Whether the key is shown.
    pub fn shows(&self, key: Str) -> bool {
        !self.hidden.contains(&key)
    }
}
