//! The regexps of pprof's options (focus, ignore, hide, show, show_from,
//! peek, list, a flame graph pivot, drop_frames).
//!
//! Builds without the `unicode` feature (the page, to keep its wasm small)
//! have no Unicode tables, so `(?i)`, `\w`, `\d`, `\s` and `\b` cannot be
//! compiled the Unicode way there. Such a pattern is then compiled without
//! Unicode mode, matching bytes: case folds in ASCII, and the Perl classes
//! and word boundaries are ASCII, as they are in Go's regexp anyway.

use regex::bytes;
use regex::Regex;

/// A compiled option regexp.
#[derive(Clone, Debug)]
pub enum Pattern {
    /// The usual form.
    Unicode(Regex),
    /// A pattern that needs Unicode tables, in a build without them.
    Ascii(bytes::Regex),
}

impl Pattern {
    /// Compiles `pattern`; the error is the regex crate's message.
    pub fn new(pattern: &str) -> Result<Pattern, String> {
        match Regex::new(pattern) {
            Ok(re) => Ok(Pattern::Unicode(re)),
            // Without Unicode tables: "Unicode-aware case insensitivity
            // matching is not available", "Unicode-aware Perl class not
            // found", a Unicode word boundary the NFA cannot build. Only a
            // pattern that is fine in ASCII gets here; a bad one keeps its
            // first error.
            Err(e) => bytes::RegexBuilder::new(pattern)
                .unicode(false)
                .build()
                .map(Pattern::Ascii)
                .map_err(|_| e.to_string()),
        }
    }

    /// Whether the pattern matches somewhere in `text`.
    pub fn is_match(&self, text: &str) -> bool {
        match self {
            Pattern::Unicode(re) => re.is_match(text),
            Pattern::Ascii(re) => re.is_match(text.as_bytes()),
        }
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        match self {
            Pattern::Unicode(re) => re.as_str(),
            Pattern::Ascii(re) => re.as_str(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_insensitive_patterns_match_either_way() {
        let p = Pattern::new("(?i)handler").unwrap();
        assert!(p.is_match("net/http.HandlerFunc.ServeHTTP"));
        assert!(!p.is_match("main.main"));
        let w = Pattern::new(r"^main\.\w+$").unwrap();
        assert!(w.is_match("main.flushEvent") && !w.is_match("main.(*T).m"));
        assert!(Pattern::new(r"\bWithValue\b").unwrap().is_match("context.WithValue"));
        assert!(Pattern::new("main\\.(").is_err());
        assert_eq!(Pattern::new("a|b").unwrap().as_str(), "a|b");
    }
}
