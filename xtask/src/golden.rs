//! `cargo xtask golden`: regenerates tests/golden from go tool pprof.

use std::path::Path;

/// Regenerates the golden files.
pub fn run(_root: &Path, _args: &[String]) -> Result<(), String> {
    Err("not written yet".into())
}
