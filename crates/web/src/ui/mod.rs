//! The page's side, on the main thread: the [`App`] as a few hooks (the
//! URL fragment, the worker's requests, loading, keyboard) over a
//! [`model`], and a thin view of [`components`]. No analysis happens here:
//! the worker computes, the page renders.

mod actions;
mod app;
pub mod client;
pub mod compare;
pub mod components;
pub mod crash;
pub mod embed;
mod embed_bridge;
pub mod fetch;
pub mod flame_layout;
mod fragment_sync;
mod header;
pub mod js_regex;
pub mod keyboard;
pub mod loading;
pub mod model;
mod refine;
mod requests;
pub mod share;
mod shortcuts;
pub mod symbolize;
pub mod theme;
mod view_body;

pub use app::App;
