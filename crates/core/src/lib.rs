//! proflens-core: decode pprof profiles and compute `go tool pprof`'s reports.
//!
//! The pipeline has one stage per module, each taking the previous stage's
//! output and nothing more:
//!
//! 1. [`decode`](mod@decode): bytes (gzip or raw protobuf) to a validated [`Profile`];
//!    drop_frames is applied here (see `prune`).
//! 2. [`model`]: the interned, index-based profile every report reads.
//! 3. [`filter`]: focus / ignore / hide / show / show_from and the sample
//!    type, resolved into a per-location frame view.
//! 4. [`graph`]: nodes and edges at a granularity, with pprof's pruning.
//! 5. [`report`]: the reports (top, traces, tree, peek, dot, list, flame,
//!    leaks) as rows and as pprof's exact text, formatted with [`units`].
//!
//! Beside the pipeline: [`compare`] merges and subtracts profiles (pprof's
//! `-base`, `-diff_base`, `-normalize`) into one profile the pipeline reads;
//! [`tags`] reads sample labels (pprof's tag options);
//! [`encode`] writes profiles; [`synth`] generates test profiles.
//!
//! Invariant: this crate does no I/O and never panics on any input; every
//! failure is an [`Error`].

#![warn(missing_docs)]
#![forbid(unsafe_code)]

// The profile model and its codec live in proflens-profile; they are
// re-exported so that `proflens_core::model::Profile` and friends stay the
// one path front ends use.
use proflens_profile::fastmap;
pub use proflens_profile::{decode, encode, error, gomath, model, pattern, proto};
pub use proflens_profile::{decode_reader, DecodeOptions, Error, Limits, Profile};

pub mod compare;
pub mod filter;
pub mod graph;
pub mod report;
pub mod synth;
pub mod tags;
pub mod units;
