//! pprof's Refine menu: name filters from the selection or the search.

use crate::query::{Filters, Query};

/// The refine actions of pprof's Refine menu.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Refine {
    /// Keep samples through a match.
    Focus,
    /// Drop samples through a match.
    Ignore,
    /// Remove matching frames.
    Hide,
    /// Keep only matching frames.
    Show,
    /// Drop frames above the first match.
    ShowFrom,
    /// Clear the filters, the pivot and the selection.
    Reset,
}

impl Refine {
    /// Every action, in the menu's order.
    pub const ALL: [Refine; 6] =
        [Refine::Focus, Refine::Ignore, Refine::Hide, Refine::Show, Refine::ShowFrom, Refine::Reset];

    /// The menu label.
    pub fn label(self) -> &'static str {
        match self {
            Refine::Focus => "Focus",
            Refine::Ignore => "Ignore",
            Refine::Hide => "Hide",
            Refine::Show => "Show",
            Refine::ShowFrom => "Show from",
            Refine::Reset => "Reset",
        }
    }

    /// Applies the action with `regex` to the state, as pprof does: focus,
    /// show and show from replace; ignore and hide add an alternative.
    pub fn apply(self, query: &mut Query, regex: &str) {
        let or_append = |old: &str| if old.is_empty() { regex.to_string() } else { format!("{old}|{regex}") };
        let f = &mut query.report.filters;
        match self {
            Refine::Focus => f.focus = regex.to_string(),
            Refine::Ignore => f.ignore = or_append(&f.ignore),
            Refine::Hide => f.hide = or_append(&f.hide),
            Refine::Show => f.show = regex.to_string(),
            Refine::ShowFrom => f.show_from = regex.to_string(),
            Refine::Reset => {
                *f = Filters::default();
                query.pivot.clear();
                query.selection.clear();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refining_replaces_or_adds_like_pprof() {
        let mut q = Query::default();
        Refine::Focus.apply(&mut q, "a");
        Refine::Focus.apply(&mut q, "b");
        Refine::Ignore.apply(&mut q, "c");
        Refine::Ignore.apply(&mut q, "d");
        assert_eq!((q.report.filters.focus.as_str(), q.report.filters.ignore.as_str()), ("b", "c|d"));
        q.pivot = "p".into();
        q.selection = "s".into();
        Refine::Reset.apply(&mut q, "");
        assert_eq!(q, Query::default());
    }
}
