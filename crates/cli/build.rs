//! Embeds the single-file analyzer page (dist/proflens.html, built by
//! `cargo xtask dist --single-file`) for `proflens serve` and `proflens
//! export`. Without it the binary still builds: those commands then explain
//! how to get the page.

use std::path::PathBuf;
use std::{env, fs};

fn main() {
    let manifest = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let page = env::var_os("PROFLENS_PAGE")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest.join("../../dist/proflens.html"));
    println!("cargo:rerun-if-env-changed=PROFLENS_PAGE");
    println!("cargo:rerun-if-changed={}", page.display());
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR")).join("page.rs");
    let code = match fs::canonicalize(&page) {
        Ok(path) if path.is_file() => format!(
            "/// The single-file analyzer page.\npub(crate) const PAGE: Option<&str> = Some(include_str!({:?}));\n",
            path.display().to_string()
        ),
        _ => "/// The single-file analyzer page (not built into this binary).\npub(crate) const PAGE: Option<&str> = None;\n"
            .to_string(),
    };
    fs::write(out, code).expect("OUT_DIR is writable");
}
