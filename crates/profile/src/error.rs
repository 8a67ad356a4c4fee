//! The one error type of proflens-core. Every message names what is wrong,
//! where (which sample, which id, which byte), and what the user can do.

use std::fmt;

/// What went wrong while decoding a profile or computing a report.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The input holds no bytes at all.
    Empty,
    /// The gzip stream is damaged or cut short.
    Gzip {
        /// What the decompressor reported.
        detail: String,
        /// True when the stream simply ended early (a truncated download).
        truncated: bool,
    },
    /// The gzip stream is valid but decompresses to nothing.
    EmptyGzip,
    /// The decompressed profile is larger than the configured cap.
    TooLarge {
        /// The cap, in bytes.
        limit: u64,
    },
    /// A table of the profile is larger than the configured cap.
    TooMany {
        /// Which table, e.g. "samples".
        what: &'static str,
        /// The cap.
        limit: u64,
    },
    /// The bytes are not valid protobuf.
    Protobuf {
        /// Byte offset in the (decompressed) profile where decoding failed.
        offset: u64,
        /// What is wrong there.
        detail: String,
    },
    /// The input is a format proflens recognises but does not read.
    UnsupportedFormat {
        /// A description of the format and how to convert it.
        hint: String,
    },
    /// The input is not a pprof profile.
    NotAProfile {
        /// Why we think so.
        hint: String,
    },
    /// Several profiles were concatenated into one stream.
    ConcatenatedProfiles,
    /// Entry 0 of the string table must be "".
    StringTableStart {
        /// What entry 0 holds instead.
        found: String,
    },
    /// A string index is outside the string table.
    StringIndex {
        /// Which field holds the index, e.g. "function 5 name".
        field: String,
        /// The index found.
        index: i64,
        /// How many strings the table holds.
        len: usize,
    },
    /// An object refers to an id that no object of the named kind has.
    UnknownReference {
        /// Who refers, e.g. "sample 1234".
        from: String,
        /// The kind of object referred to, e.g. "location".
        kind: &'static str,
        /// The id referred to.
        id: u64,
    },
    /// An object uses the reserved id 0.
    ZeroId {
        /// The kind of object, e.g. "mapping".
        kind: &'static str,
        /// Its position in its table (0-based).
        index: usize,
    },
    /// Two objects of one kind share an id.
    DuplicateId {
        /// The kind of object, e.g. "function".
        kind: &'static str,
        /// The shared id.
        id: u64,
    },
    /// A sample's value count differs from the number of sample types.
    ValueCount {
        /// The sample's position (0-based).
        sample: usize,
        /// How many values it has.
        found: usize,
        /// How many sample types the profile declares.
        expected: usize,
    },
    /// The profile declares no sample types, so no report can be made.
    NoSampleTypes,
    /// A sample index option names no sample type of the profile.
    SampleIndex {
        /// What was asked for.
        requested: String,
        /// The sample types the profile has.
        available: Vec<String>,
    },
    /// A regular expression given as an option does not compile.
    Regex {
        /// The option, e.g. "focus".
        option: &'static str,
        /// The compiler's message.
        detail: String,
    },
    /// The profile's own drop_frames or keep_frames regexp is too large to
    /// compile safely.
    FrameRegexp {
        /// "drop_frames" or "keep_frames".
        field: &'static str,
        /// Why, with the limit.
        detail: String,
    },
    /// A report option is out of range or unknown.
    InvalidOption {
        /// The option's name.
        option: &'static str,
        /// Why it was refused.
        detail: String,
    },
    /// A report found nothing to show for its regexp (peek, list).
    NoMatches {
        /// The regexp.
        regex: String,
    },
    /// Profiles to compare or merge do not fit together.
    Incompatible {
        /// Why.
        detail: String,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Empty => write!(f, "the input is empty: there is no profile to read"),
            Error::Gzip { detail, truncated: true } => write!(
                f,
                "the gzip data ends before the profile is complete ({detail}); the file is probably truncated, fetch it again"
            ),
            Error::Gzip { detail, truncated: false } => {
                write!(f, "the gzip data is corrupt ({detail}); fetch the profile again")
            }
            Error::EmptyGzip => write!(f, "the gzip data decompresses to nothing: there is no profile inside"),
            Error::TooLarge { limit } => write!(
                f,
                "the profile is larger than {} once decompressed, the configured limit; raise the limit to load it",
                human_bytes(*limit)
            ),
            Error::TooMany { what, limit } => write!(
                f,
                "the profile has more than {limit} {what}, the configured limit; raise the limit to load it"
            ),
            Error::Protobuf { offset, detail } => write!(
                f,
                "not a valid pprof profile: the protobuf data is malformed at byte {offset} ({detail})"
            ),
            Error::UnsupportedFormat { hint } => write!(f, "{hint}"),
            Error::NotAProfile { hint } => write!(f, "not a pprof profile: {hint}"),
            Error::ConcatenatedProfiles => write!(
                f,
                "the input holds several profiles concatenated together (time_nanos appears twice); load each profile on its own"
            ),
            Error::StringTableStart { found } => write!(
                f,
                "malformed profile: string_table[0] must be the empty string, but it is {found:?}"
            ),
            Error::StringIndex { field, index, len } => write!(
                f,
                "malformed profile: {field} refers to string {index}, but the string table has {len} entries"
            ),
            Error::UnknownReference { from, kind, id } => write!(
                f,
                "malformed profile: {from} refers to {kind} {id}, which the profile does not define"
            ),
            Error::ZeroId { kind, index } => write!(
                f,
                "malformed profile: {kind} number {index} has id 0, which is reserved; ids must be non-zero"
            ),
            Error::DuplicateId { kind, id } => {
                write!(f, "malformed profile: two {kind}s share the id {id}")
            }
            Error::ValueCount { sample, found, expected } => write!(
                f,
                "malformed profile: sample {sample} has {found} values, but the profile declares {expected} sample types"
            ),
            Error::NoSampleTypes => write!(
                f,
                "the profile declares no sample types, so it holds nothing to report"
            ),
            Error::SampleIndex { requested, available } => write!(
                f,
                "sample index {requested:?} is not in this profile; it has: {}",
                available.join(", ")
            ),
            Error::Regex { option, detail } => {
                write!(f, "the {option} regexp does not compile: {detail}")
            }
            Error::FrameRegexp { field, detail } => write!(
                f,
                "the profile's {field} regexp cannot be used: {detail}; load it with all frames (proflens --all-frames) to ignore it"
            ),
            Error::InvalidOption { option, detail } => write!(f, "invalid {option}: {detail}"),
            Error::NoMatches { regex } => write!(f, "no matches found for regexp: {regex}"),
            Error::Incompatible { detail } => write!(f, "the profiles cannot be combined: {detail}"),
        }
    }
}

impl std::error::Error for Error {}

/// Formats a byte count for messages, e.g. 2 GiB.
fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = n as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if value.fract() == 0.0 {
        format!("{value} {}", UNITS[unit])
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_place_and_the_fix() {
        let e = Error::UnknownReference { from: "sample 1234".into(), kind: "location", id: 99 };
        assert_eq!(
            e.to_string(),
            "malformed profile: sample 1234 refers to location 99, which the profile does not define"
        );
        assert!(Error::TooLarge { limit: 2 << 30 }.to_string().contains("2 GiB"));
    }
}
