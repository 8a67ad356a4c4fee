//! Embeds the single-file analyzer page for `proflens serve` and `proflens
//! export`: `$PROFLENS_PAGE` if set, else the repository's
//! dist/proflens.html (built by `cargo xtask dist --single-file`), else the
//! copy the crate's package carries in page/ (put there by `cargo xtask
//! package`). Without any, the binary still builds: those commands then
//! explain how to get the page.

use std::path::PathBuf;
use std::{env, fs};

fn main() {
    let manifest = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let repository_page = manifest.join("../../dist/proflens.html");
    let packaged_page = manifest.join("page/proflens.html");
    let page = match env::var_os("PROFLENS_PAGE") {
        Some(page) => PathBuf::from(page),
        None if repository_page.is_file() || !packaged_page.is_file() => repository_page,
        None => packaged_page.clone(),
    };
    println!("cargo:rerun-if-env-changed=PROFLENS_PAGE");
    println!("cargo:rerun-if-changed={}", page.display());
    println!("cargo:rerun-if-changed={}", packaged_page.display());
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
