//! proflens-web: the analyzer page.
//!
//! Two threads share this crate. The page (Yew, main thread, [`ui`])
//! renders what the worker (proflens-core in a Web Worker, [`worker`])
//! computes, so decoding and aggregation never freeze the tab. What both
//! sides speak: the typed [`query`] (the view state), the [`protocol`]
//! (the messages between them), the URL [`fragment`] codec and the
//! [`share_link`] codec. Everything but the browser glue is plain Rust and
//! tested natively.

#![warn(missing_docs)]
#![forbid(unsafe_code)]

pub mod file_bytes;
pub mod fragment;
pub mod protocol;
pub mod query;
pub mod share_link;
pub mod symbolizer;
pub mod ui;
pub mod worker;

pub use ui::embed::{mount_analyzer, Analyzer, AnalyzerProps};
pub use ui::App;
