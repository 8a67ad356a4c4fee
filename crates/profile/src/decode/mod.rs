//! Decoding: bytes (gzip or raw protobuf) to a validated [`Profile`].
//!
//! The input is streamed: gzip is inflated on the fly and the protobuf is read
//! one top-level field at a time, so memory holds the model, not the
//! decompressed file. Every failure is an [`Error`] naming what is wrong.

mod builder;
mod fields;
mod ids;
mod limits;
mod resolve;
mod sniff;
mod wire;

pub use limits::{DecodeOptions, Limits};

use std::cell::Cell;
use std::io::{self, BufRead, BufReader, Read};

use crate::error::Error;
use crate::model::Profile;
use wire::WireReader;

/// What the decoder is doing, for progress bars.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// Inflating and reading the protobuf stream.
    Decode,
    /// Resolving ids and building the model.
    Resolve,
}

/// A progress report: `done` of `total` input bytes at `stage`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    /// The current stage.
    pub stage: Stage,
    /// Input bytes consumed (compressed bytes for gzip input).
    pub done: u64,
    /// Input bytes in all, when known.
    pub total: Option<u64>,
}

/// True when `bytes` start with the gzip magic number.
pub fn is_gzip(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0x1f, 0x8b])
}

/// Decodes a profile from gzip-compressed or raw protobuf bytes.
pub fn decode(bytes: &[u8], options: &DecodeOptions) -> Result<Profile, Error> {
    decode_with_progress(bytes, options, &mut |_| {})
}

/// Like [`decode`], calling `progress` as input is consumed.
pub fn decode_with_progress(
    bytes: &[u8],
    options: &DecodeOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<Profile, Error> {
    decode_reader_with_progress(bytes, Some(bytes.len() as u64), options, progress)
}

/// Like [`decode_reader`], calling `progress` as input is consumed, with
/// the input's length when known: a caller holding the file elsewhere (a
/// browser's ArrayBuffer, a file) streams it in chunks instead of copying it
/// whole first.
pub fn decode_reader_with_progress<R: BufRead>(
    reader: R,
    total: Option<u64>,
    options: &DecodeOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<Profile, Error> {
    let consumed = Cell::new(0u64);
    let reader = Counting { inner: reader, consumed: &consumed };
    let mut on_offset = |_decompressed: u64| {
        progress(Progress { stage: Stage::Decode, done: consumed.get(), total });
    };
    let raw = read_raw(reader, options, &mut on_offset)?;
    progress(Progress { stage: Stage::Resolve, done: consumed.get(), total });
    resolve::resolve(raw, options.all_frames, options.compact_stacks)
}

/// Decodes a profile from a stream (a file, a socket), gzip or raw.
pub fn decode_reader<R: BufRead>(reader: R, options: &DecodeOptions) -> Result<Profile, Error> {
    let raw = read_raw(reader, options, &mut |_| {})?;
    resolve::resolve(raw, options.all_frames, options.compact_stacks)
}

fn read_raw<R: BufRead>(
    mut reader: R,
    options: &DecodeOptions,
    on_offset: &mut dyn FnMut(u64),
) -> Result<builder::RawProfile, Error> {
    let head = reader
        .fill_buf()
        .map_err(|e| Error::NotAProfile { hint: format!("reading the input failed: {e}") })?;
    if head.is_empty() {
        return Err(Error::Empty);
    }
    if is_gzip(head) {
        let inflated = BufReader::with_capacity(64 << 10, flate2::bufread::MultiGzDecoder::new(reader));
        read_protobuf(inflated, true, options, on_offset)
    } else {
        read_protobuf(reader, false, options, on_offset)
    }
}

fn read_protobuf<R: BufRead>(
    reader: R,
    is_gzip: bool,
    options: &DecodeOptions,
    on_offset: &mut dyn FnMut(u64),
) -> Result<builder::RawProfile, Error> {
    let limit = options.limits.max_decompressed_bytes;
    let mut wire = WireReader::new(reader, limit, is_gzip, on_offset);
    if let Some(format) = crate::formats::sniff(wire.head()?) {
        // A text format: parsed whole into a profile message, then decoded
        // like a file, so it is validated and bounded the same way.
        let text = wire.read_to_end()?;
        let naming = crate::formats::Naming::FromComments;
        let writer = crate::formats::parse(format, &text, options.limits.max_decoded_bytes, naming)?;
        drop(text);
        let message = writer.encode();
        drop(writer);
        let mut no_progress = |_| {};
        let mut inner = WireReader::new(&message[..], limit, false, &mut no_progress);
        return builder::read_profile(&mut inner, &options.limits);
    }
    match builder::read_profile(&mut wire, &options.limits) {
        Ok(raw) if wire.offset() == 0 && is_gzip => {
            drop(raw);
            Err(Error::EmptyGzip)
        }
        Ok(raw) if raw.sample_types.is_empty() && raw.sample_stacks.is_empty() => {
            // Decodable bytes with nothing in them: say what they look like.
            let nothing_read = raw.strings.is_empty() && raw.locations.is_empty() && raw.functions.is_empty();
            let fallback = if nothing_read {
                Error::NotAProfile {
                    hint: "the bytes hold none of a profile's tables (no strings, functions or locations)"
                        .into(),
                }
            } else {
                Error::NoSampleTypes
            };
            Err(sniff::explain(wire.sniffed()).unwrap_or(fallback))
        }
        Ok(raw) => Ok(raw),
        Err(e @ Error::Protobuf { .. }) => Err(sniff::explain(wire.sniffed()).unwrap_or(e)),
        Err(e) => Err(e),
    }
}

/// Reads any input proflens reads (gzip or raw protobuf, or one of the text
/// formats) into its raw profile.proto message, without building the model:
/// what a symbolizer rewrites before the result is decoded like a file. Text
/// with addresses and `#` comment lines (Go's `?debug=1` forms) keeps the
/// addresses only, as pprof reads it, so the binary names every frame.
/// Protobuf input is returned decompressed, unvalidated.
pub fn to_message(bytes: &[u8], options: &DecodeOptions) -> Result<Vec<u8>, Error> {
    if bytes.is_empty() {
        return Err(Error::Empty);
    }
    let limit = options.limits.max_decompressed_bytes;
    let mut no_progress = |_| {};
    let reader: Box<dyn BufRead + '_> = if is_gzip(bytes) {
        Box::new(BufReader::with_capacity(64 << 10, flate2::bufread::MultiGzDecoder::new(bytes)))
    } else {
        Box::new(bytes)
    };
    let mut wire = WireReader::new(reader, limit, is_gzip(bytes), &mut no_progress);
    let format = crate::formats::sniff(wire.head()?);
    let content = wire.read_to_end()?;
    match format {
        Some(format) => {
            let naming = crate::formats::Naming::AddressesOnly;
            let writer = crate::formats::parse(format, &content, options.limits.max_decoded_bytes, naming)?;
            Ok(writer.encode())
        }
        None => Ok(content),
    }
}

/// A `BufRead` that counts what was consumed, for progress.
struct Counting<'a, R> {
    inner: R,
    consumed: &'a Cell<u64>,
}

impl<R: BufRead> Read for Counting<'_, R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(out)?;
        self.consumed.set(self.consumed.get() + n as u64);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Counting<'_, R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.inner.fill_buf()
    }
    fn consume(&mut self, n: usize) {
        self.inner.consume(n);
        self.consumed.set(self.consumed.get() + n as u64);
    }
}
