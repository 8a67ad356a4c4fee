//! Symbolization in the page: proflens-symbolize in a Web Worker of its
//! own (the `proflens-symbolizer` binary, loaded only once binaries are
//! added, so the page's first download stays small). This module is the
//! protocol between the page and that worker and the one call the worker
//! makes; [`worker`] is its message loop (wasm32 only).
//!
//! A request names its files; the files themselves travel beside it as
//! `Blob`s (a dropped `File` is a `Blob`), which the browser passes by
//! reference, so a 50 MB binary is never copied on the page's thread. The
//! worker reads them into its memory, symbolizes, answers, and is then
//! terminated by the page, which gives that memory back (wasm memory
//! never shrinks while its worker lives).

pub mod worker;

use proflens_core::DecodeOptions;
use proflens_symbolize::{symbolize, ObjectFile};
use serde::{Deserialize, Serialize};

/// What the page asks the symbolizer worker. The message carries the files
/// as Blobs in the same order: `profiles`, then `binaries`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SymbolizeRequest {
    /// Answers carry it back.
    pub id: u32,
    /// The profiles' names.
    pub profiles: Vec<String>,
    /// The binaries' names.
    pub binaries: Vec<String>,
}

/// One profile, symbolized.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SymbolizedFile {
    /// The profile's name, as given.
    pub name: String,
    /// The symbolized profile, gzip-compressed profile.proto. Between the
    /// threads it is empty: the bytes travel beside the message as a
    /// transferred ArrayBuffer (one per file, in order), never copied.
    pub bytes: Vec<u8>,
    /// One line per mapping: what named it, or why nothing did.
    pub report: Vec<String>,
    /// How many locations got names.
    pub symbolized_locations: usize,
}

/// What the symbolizer worker tells the page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SymbolizeResponse {
    /// The worker started and takes requests.
    Ready,
    /// Request `id` symbolized every profile (their bytes beside the
    /// message, see [`SymbolizedFile::bytes`]).
    Done {
        /// The request.
        id: u32,
        /// The profiles, in the request's order.
        files: Vec<SymbolizedFile>,
    },
    /// Request `id` failed; the message says why and what to do.
    Failed {
        /// The request.
        id: u32,
        /// Why.
        message: String,
    },
    /// The worker panicked (a bug) and stops.
    Panicked(String),
}

/// Messages travel as the analysis worker's do.
pub use crate::protocol::encode;

/// Decodes a message, or says why not.
pub fn decode<T: for<'de> Deserialize<'de>>(bytes: &[u8]) -> Result<T, String> {
    crate::protocol::decode(bytes).map_err(|e| format!("an unreadable symbolizer message ({e})"))
}

/// Symbolizes each profile with all the binaries; the first failure is the
/// answer, naming the profile and the binaries.
pub fn symbolize_all(
    profiles: &[(String, Vec<u8>)],
    binaries: &[(String, Vec<u8>)],
) -> Result<Vec<SymbolizedFile>, String> {
    let objects: Vec<ObjectFile<'_>> =
        binaries.iter().map(|(name, bytes)| ObjectFile { name, bytes }).collect();
    let names = binaries.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>().join(", ");
    profiles
        .iter()
        .map(|(name, bytes)| {
            let done = symbolize(bytes, &objects, &DecodeOptions::default())
                .map_err(|e| format!("Cannot symbolize {name} with {names}: {e}"))?;
            Ok(SymbolizedFile {
                name: name.clone(),
                bytes: done.profile,
                report: done.report,
                symbolized_locations: done.symbolized_locations,
            })
        })
        .collect()
}

/// `name` for a symbolized download: its profile suffix replaced by
/// `.symbolized.pb.gz` (heap.pb.gz → heap.symbolized.pb.gz).
pub fn symbolized_file_name(name: &str) -> String {
    let stem = [".pb.gz", ".pb", ".gz", ".prof", ".pprof", ".txt"]
        .iter()
        .find_map(|s| name.strip_suffix(s))
        .filter(|stem| !stem.is_empty())
        .unwrap_or(name);
    format!("{stem}.symbolized.pb.gz")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_round_trip() {
        let request =
            SymbolizeRequest { id: 3, profiles: vec!["heap.pb.gz".into()], binaries: vec!["leak".into()] };
        assert_eq!(decode::<SymbolizeRequest>(&encode(&request)).unwrap(), request);
        let response = SymbolizeResponse::Done {
            id: 3,
            files: vec![SymbolizedFile {
                name: "heap.pb.gz".into(),
                bytes: vec![0x1f, 0x8b, 0],
                report: vec!["mapping 1: leak".into()],
                symbolized_locations: 7,
            }],
        };
        assert_eq!(decode::<SymbolizeResponse>(&encode(&response)).unwrap(), response);
        assert!(decode::<SymbolizeResponse>(&[0xff, 0xff]).is_err());
    }

    #[test]
    fn download_names_say_symbolized() {
        assert_eq!(symbolized_file_name("heap.pb.gz"), "heap.symbolized.pb.gz");
        assert_eq!(symbolized_file_name("heap.debug1.txt"), "heap.debug1.symbolized.pb.gz");
        assert_eq!(symbolized_file_name("cpu"), "cpu.symbolized.pb.gz");
        assert_eq!(symbolized_file_name(".pb.gz"), ".pb.gz.symbolized.pb.gz");
    }

    #[test]
    fn a_profile_that_does_not_read_names_itself_and_the_binaries() {
        let profiles = vec![("junk.pb.gz".to_string(), b"not a profile".to_vec())];
        let binaries = vec![("app".to_string(), b"\x7fELF".to_vec())];
        let message = symbolize_all(&profiles, &binaries).unwrap_err();
        assert!(message.starts_with("Cannot symbolize junk.pb.gz with app: "), "{message}");
    }
}
