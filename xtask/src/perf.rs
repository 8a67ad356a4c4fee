//! `cargo xtask perf`: times proflens against go tool pprof.

use std::path::Path;

/// Runs the comparison and writes docs/PERFORMANCE.md.
pub fn run(_root: &Path, _args: &[String]) -> Result<(), String> {
    Err("not written yet".into())
}
