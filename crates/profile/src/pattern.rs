//! The regexps of pprof's options (focus, ignore, hide, show, show_from,
//! peek, list, a flame graph pivot, drop_frames).
//!
//! Two engines, one behaviour where it matters. Native builds use the
//! regex crate. Builds without its `unicode` feature (the page, to keep its
//! wasm small) have no Unicode tables, so `(?i)`, `\w`, `\d`, `\s` and `\b`
//! cannot be compiled the Unicode way there: such a pattern is compiled
//! without Unicode mode, matching bytes (case folds in ASCII; the Perl
//! classes and word boundaries are ASCII, as they are in Go's regexp). With
//! the `small-regex` feature (the page's worker) patterns are compiled by
//! regex-lite instead, which has exactly those ASCII semantics, in a
//! fraction of the regex crate's code size.

#[cfg(not(feature = "small-regex"))]
use regex::bytes;
#[cfg(not(feature = "small-regex"))]
use regex::RegexBuilder;
#[cfg(feature = "small-regex")]
use regex_lite::RegexBuilder;

/// The capture groups of a [`Regex`] match.
#[cfg(not(feature = "small-regex"))]
pub use regex::Captures;
/// The regex type option patterns and pprof's fixed patterns (name
/// shortening) compile to in this build.
#[cfg(not(feature = "small-regex"))]
pub use regex::Regex;
/// The capture groups of a [`Regex`] match.
#[cfg(feature = "small-regex")]
pub use regex_lite::Captures;
/// The regex type option patterns and pprof's fixed patterns (name
/// shortening) compile to in this build.
#[cfg(feature = "small-regex")]
pub use regex_lite::Regex;

/// The longest option regexp [`Pattern::new`] compiles, in bytes: parsing
/// costs time and memory in proportion, and no real filter comes close.
pub const MAX_PATTERN_LEN: usize = 1 << 20;

/// Why a pattern did not compile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PatternError {
    /// Longer than allowed (its length, the limit).
    TooLong(usize, usize),
    /// It compiles to a program larger than the size limit.
    TooBig(String),
    /// It is not a valid regexp: the regex crate's message.
    Invalid(String),
}

impl std::fmt::Display for PatternError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PatternError::TooLong(len, limit) => {
                write!(f, "it is too large: {len} bytes long, and the limit is {limit}")
            }
            PatternError::TooBig(detail) | PatternError::Invalid(detail) => write!(f, "{detail}"),
        }
    }
}

/// A compiled option regexp.
#[derive(Clone, Debug)]
pub struct Pattern(Compiled);

#[derive(Clone, Debug)]
enum Compiled {
    /// The usual form.
    Unicode(Regex),
    /// A pattern that needs Unicode tables, in a build without them.
    #[cfg(not(feature = "small-regex"))]
    Ascii(bytes::Regex),
}

impl Pattern {
    /// Compiles `pattern` (at most [`MAX_PATTERN_LEN`] bytes, with the
    /// regex engine's default program size limit); the error says why not.
    pub fn new(pattern: &str) -> Result<Pattern, String> {
        Self::bounded(pattern, MAX_PATTERN_LEN, None).map_err(|e| e.to_string())
    }

    /// Compiles `pattern` if it is at most `max_len` bytes long and, given a
    /// `size_limit`, compiles to a program of at most that many bytes.
    pub fn bounded(
        pattern: &str,
        max_len: usize,
        size_limit: Option<usize>,
    ) -> Result<Pattern, PatternError> {
        if pattern.len() > max_len {
            return Err(PatternError::TooLong(pattern.len(), max_len));
        }
        compile(pattern, size_limit).map(Pattern)
    }

    /// Whether the pattern matches somewhere in `text`.
    pub fn is_match(&self, text: &str) -> bool {
        match &self.0 {
            Compiled::Unicode(re) => re.is_match(text),
            #[cfg(not(feature = "small-regex"))]
            Compiled::Ascii(re) => re.is_match(text.as_bytes()),
        }
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        match &self.0 {
            Compiled::Unicode(re) => re.as_str(),
            #[cfg(not(feature = "small-regex"))]
            Compiled::Ascii(re) => re.as_str(),
        }
    }
}

#[cfg(not(feature = "small-regex"))]
fn compile(pattern: &str, size_limit: Option<usize>) -> Result<Compiled, PatternError> {
    let mut unicode = RegexBuilder::new(pattern);
    let mut ascii = bytes::RegexBuilder::new(pattern);
    ascii.unicode(false);
    if let Some(limit) = size_limit {
        unicode.size_limit(limit);
        ascii.size_limit(limit);
    }
    let classify = |e: regex::Error| match e {
        regex::Error::CompiledTooBig(_) => PatternError::TooBig(e.to_string()),
        e => PatternError::Invalid(e.to_string()),
    };
    match unicode.build() {
        Ok(re) => Ok(Compiled::Unicode(re)),
        // Without Unicode tables: "Unicode-aware case insensitivity
        // matching is not available", "Unicode-aware Perl class not
        // found", a Unicode word boundary the NFA cannot build. Only a
        // pattern that is fine in ASCII gets here; a bad one keeps its
        // first error.
        Err(e) => ascii.build().map(Compiled::Ascii).map_err(|_| classify(e)),
    }
}

#[cfg(feature = "small-regex")]
fn compile(pattern: &str, size_limit: Option<usize>) -> Result<Compiled, PatternError> {
    let mut builder = RegexBuilder::new(pattern);
    // regex-lite has no limit by default; the regex crate's default keeps
    // a hostile pattern from compiling to gigabytes.
    builder.size_limit(size_limit.unwrap_or(DEFAULT_SIZE_LIMIT));
    builder.build().map(Compiled::Unicode).map_err(|e| {
        let message = e.to_string();
        if message.contains("size limit") {
            PatternError::TooBig(message)
        } else {
            PatternError::Invalid(message)
        }
    })
}

/// The regex crate's default program size limit, for regex-lite.
#[cfg(feature = "small-regex")]
const DEFAULT_SIZE_LIMIT: usize = 10 << 20;

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

    #[test]
    fn oversized_patterns_are_refused_and_say_why() {
        let long = "a".repeat(100);
        assert_eq!(Pattern::bounded(&long, 99, None).unwrap_err(), PatternError::TooLong(100, 99));
        let big = Pattern::bounded("(a{100}){100}", 1000, Some(1 << 16)).unwrap_err();
        assert!(matches!(big, PatternError::TooBig(_)), "{big:?}");
        assert!(matches!(Pattern::bounded("a(", 1000, None), Err(PatternError::Invalid(_))));
        assert!(Pattern::new(&"a".repeat(MAX_PATTERN_LEN + 1)).unwrap_err().contains("too large"));
    }
}
