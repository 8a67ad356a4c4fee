//! Helpers shared by the cross-crate tests in `tests/tests/`, and the
//! golden case format that `cargo xtask golden` writes.

#![forbid(unsafe_code)]

pub mod cases;

use std::path::PathBuf;

/// The workspace's `tests/` directory (fixtures and golden files live here).
pub fn tests_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Reads a fixture by its path under `tests/fixtures/`.
pub fn fixture(path: &str) -> Vec<u8> {
    let full = tests_dir().join("fixtures").join(path);
    std::fs::read(&full).unwrap_or_else(|e| panic!("reading fixture {}: {e}", full.display()))
}

pub mod crafted;
pub mod spec;
