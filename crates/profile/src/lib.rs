//! proflens-profile: the pprof profile itself, like pprof's own `profile`
//! package: the profile.proto types ([`proto`]), a writer for new profiles
//! ([`encode::ProfileWriter`]), and, with the default feature `read`, a
//! streaming decoder that validates everything it reads ([`decode`]) into
//! an interned, index-based model ([`model`]), with the profile's
//! drop_frames applied.
//!
//! Analysis (filters, graphs, reports) lives in proflens-core, which
//! depends on this crate; producers such as proflens-agent depend on this
//! crate alone, without the `read` feature.
//!
//! Invariants: no I/O beyond the reader a caller passes, no panic on any
//! input (every failure is an [`Error`]), memory bounded by [`Limits`], and
//! sample values combined with Go's int64 semantics ([`gomath`]).
//!
//! # Features
//!
//! - `read` (default): the decoder and the model (adds hashbrown and regex).
//! - `zlib-rs` (default) or `miniz`: flate2's pure-Rust deflate backend,
//!   for reading gzip and writing `encode_gzip`; one is needed.

#![warn(missing_docs)]
#![forbid(unsafe_code)]

pub mod encode;
pub mod error;
pub mod gomath;
pub mod proto;

#[cfg(feature = "read")]
pub mod decode;
#[cfg(feature = "read")]
pub mod fastmap;
#[cfg(feature = "read")]
mod formats;
#[cfg(feature = "read")]
pub mod model;
#[cfg(feature = "read")]
pub mod pattern;
#[cfg(feature = "read")]
mod prune;

#[cfg(feature = "read")]
pub use decode::{decode, decode_reader, DecodeOptions, Limits};
pub use error::Error;
#[cfg(feature = "read")]
pub use model::Profile;
