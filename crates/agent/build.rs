//! With feature `ui`, embeds the analyzer page (the repository's built
//! `dist/`, or the folder named by `PROFLENS_UI_DIST`) into the library.
//! Without a built page, the agent serves a short note on how to build it.

use std::path::{Path, PathBuf};
use std::{env, fs};

fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, PathBuf)>) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let path = e.path();
        if path.is_dir() {
            walk(root, &path, out);
        } else if let (Ok(rel), Ok(abs)) = (path.strip_prefix(root), fs::canonicalize(&path)) {
            if let (Some(rel), Some(_)) = (rel.to_str(), abs.to_str()) {
                out.push((rel.replace('\\', "/"), abs));
            }
        }
    }
}

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=PROFLENS_UI_DIST");
    let out_dir = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let mut code = String::from("/// The analyzer page's files: (path below ui/, bytes).\n");
    code.push_str("pub(crate) static ASSETS: &[(&str, &[u8])] = &[\n");
    let mut built = false;
    if env::var_os("CARGO_FEATURE_UI").is_some() {
        let manifest =
            PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
        let dist =
            env::var_os("PROFLENS_UI_DIST").map(PathBuf::from).unwrap_or_else(|| manifest.join("../../dist"));
        // While dist/ is missing cargo treats this as changed and reruns the
        // script on every build (a recompile of this crate): the price of
        // picking the page up as soon as `cargo xtask dist` has built it.
        println!("cargo:rerun-if-changed={}", dist.display());
        if dist.join("index.html").is_file() {
            let mut files = Vec::new();
            walk(&dist, &dist, &mut files);
            files.sort();
            for (rel, abs) in files {
                code.push_str(&format!("    ({rel:?}, include_bytes!({:?})),\n", abs.to_str().unwrap_or("")));
            }
            built = true;
        } else {
            println!(
                "cargo:warning=proflens-agent: feature ui without a built page ({} has no index.html); \
                 run `cargo xtask dist` at the repository root (or set PROFLENS_UI_DIST), then rebuild",
                dist.display()
            );
        }
    }
    code.push_str("];\n");
    code.push_str(&format!("/// Whether a built page was found.\npub(crate) const BUILT: bool = {built};\n"));
    fs::write(out_dir.join("ui_assets.rs"), code).expect("OUT_DIR is writable");
}
