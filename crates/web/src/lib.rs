//! proflens-web: the analyzer page.
//!
//! The page (Yew, main thread) renders what the worker (proflens-core in a
//! Web Worker) computes, so decoding and aggregation never freeze the tab.
//! `protocol`, `state` and `engine` are plain Rust and tested natively; the
//! browser glue is compiled for wasm32 only.

#![warn(missing_docs)]

pub mod app;
pub mod client;
pub mod components;
pub mod embed;
pub mod engine;
pub mod flame_layout;
pub mod js_regex;
pub mod keyboard;
pub mod leaks;
pub mod placement;
pub mod protocol;
pub mod session;
pub mod share;
pub mod state;
pub mod theme;
pub mod worker;

pub use app::App;
pub use embed::{mount_analyzer, Analyzer, AnalyzerProps};
