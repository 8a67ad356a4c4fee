//! proflens-symbolize: names the addresses of a pprof profile from the
//! object files it came from, as `go tool pprof BINARY PROFILE` does, in
//! pure Rust (native and wasm32, no I/O: the caller passes the bytes).
//!
//! The profile is read with [`proflens_profile::decode::to_message`] (any
//! format proflens reads, Go's `?debug=1` text with addresses only), its
//! mappings are matched to the object files (build ID, then file name),
//! every location of a matched mapping gets its functions and lines, and the
//! result is written back as a gzip-compressed profile.proto.

#![warn(missing_docs)]
#![forbid(unsafe_code)]

use proflens_profile::DecodeOptions;
use prost::Message as _;

mod demangle;
mod dwarf;
mod golines;
mod objects;
mod rewrite;

/// An object file offered for symbolization: an executable, a shared
/// library or a separate debug file, with the name the user gave it.
#[derive(Clone, Copy, Debug)]
pub struct ObjectFile<'a> {
    /// The file's name (its base name is matched against mapping files).
    pub name: &'a str,
    /// The whole file.
    pub bytes: &'a [u8],
}

/// A symbolized profile and what happened to each mapping.
#[derive(Clone, Debug, Default)]
pub struct Symbolized {
    /// The symbolized profile, gzip-compressed profile.proto.
    pub profile: Vec<u8>,
    /// One line per mapping with addresses: which object file named it and
    /// how it was matched, or why none did.
    pub report: Vec<String>,
    /// Locations that got names.
    pub symbolized_locations: usize,
}

/// Why a profile could not be symbolized.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Error {
    /// The profile itself did not read.
    Profile(String),
    /// Nothing could be symbolized; the message says why.
    Unmatched(String),
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Profile(m) | Error::Unmatched(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for Error {}

/// True when `bytes` look like an object file (ELF, Mach-O or PE), so
/// front ends can tell binaries from profiles by content. Only ELF is read;
/// the others are recognised to be refused with a clear message.
pub fn is_object_file(bytes: &[u8]) -> bool {
    objects::format_of(bytes).is_some()
}

/// Symbolizes `profile` (any format proflens reads) with `objects`.
///
/// Each mapping with addresses and no names yet is matched to an object
/// file: by build ID, then by file base name, then (pprof's convention for
/// `go tool pprof BINARY PROFILE`) the main mapping to the first
/// executable given. Go binaries are read through their line table, as
/// `go tool pprof` reads them; other ELF files through DWARF (inlined calls
/// expanded) and their symbol table, with a separate debug file among
/// `objects` found by build ID or `.gnu_debuglink`.
pub fn symbolize(
    profile: &[u8],
    objects: &[ObjectFile<'_>],
    options: &DecodeOptions,
) -> Result<Symbolized, Error> {
    let message =
        proflens_profile::decode::to_message(profile, options).map_err(|e| Error::Profile(e.to_string()))?;
    let mut message = proflens_profile::proto::Profile::decode(message.as_slice())
        .map_err(|e| Error::Profile(format!("the profile's protobuf does not decode: {e}")))?;
    let mut parsed = Vec::new();
    let mut report = Vec::new();
    for obj in objects {
        match objects::parse(obj) {
            Ok(p) => parsed.push(p),
            Err(e) => report.push(e),
        }
    }
    let outcome = rewrite::symbolize_message(&mut message, &parsed, &mut report);
    if outcome == 0 {
        let why = if report.is_empty() {
            "the profile has no addresses to name".to_string()
        } else {
            report.join("; ")
        };
        return Err(Error::Unmatched(format!("nothing was symbolized: {why}")));
    }
    let profile = proflens_profile::encode::gzip(&message.encode_to_vec());
    Ok(Symbolized { profile, report, symbolized_locations: outcome })
}
