//! `cargo xtask package`: builds everything that ships.
//!
//! 1. The page, as dist/ and as one file (dist/proflens.html), copied to
//!    crates/cli/page/ (git-ignored) where the CLI's build script and its
//!    package find it: an installed `proflens serve` always has its page.
//! 2. The npm package for portals: target/npm/proflens-VERSION.tgz, `npm
//!    pack` of target/npm/proflens/ (dist's page assets, the ES module entry
//!    and the TypeScript declarations of www/npm/, a README).
//! 3. `cargo package` of the published crates, each verified by building it
//!    from its .crate (target/package/*.crate).
//!
//! `cargo xtask test` runs steps 1 and 2 (the browser tests install the
//! tarball into a scratch front-end); step 3 compiles every crate again from
//! its package, so it belongs to the release check (README, "Releasing").

use std::fs;
use std::path::{Path, PathBuf};

use crate::util::{output, path_str, run};
use crate::web::{target_dir, trunk_build};

/// The crates published to crates.io, in dependency order.
pub const CRATES: [&str; 5] =
    ["proflens-profile", "proflens-core", "proflens-http", "proflens-agent", "proflens-cli"];

/// The files of dist/ the npm package carries: the embedding script, the
/// page module, the worker and the symbolizer with their wasm, and the stylesheet.
const NPM_ASSETS: [&str; 8] = [
    "proflens.js",
    "proflens-web.js",
    "proflens-web_bg.wasm",
    "proflens-worker.js",
    "proflens-worker_bg.wasm",
    "proflens-symbolizer.js",
    "proflens-symbolizer_bg.wasm",
    "styles.css",
];

/// `cargo xtask package [--no-crates] [--allow-dirty]`.
pub fn run_package(root: &Path, args: &[String]) -> Result<(), String> {
    let mut crates = true;
    let mut allow_dirty = false;
    for arg in args {
        match arg.as_str() {
            "--no-crates" => crates = false,
            "--allow-dirty" => allow_dirty = true,
            _ => return Err("usage: cargo xtask package [--no-crates] [--allow-dirty]".into()),
        }
    }
    crate::setup::setup(root, crate::setup::BUILD)?;
    trunk_build(root, true)?;
    let page = crate::single_file::write(&root.join("dist"))?;
    let cli_page = cli_page(root, &page)?;
    println!("page for the CLI's package: {}", cli_page.display());
    let tarball = npm(root)?;
    println!("npm package: {}", tarball.display());
    if crates {
        cargo_package(root, allow_dirty)?;
    }
    Ok(())
}

/// Copies the single-file page to crates/cli/page/proflens.html.
pub fn cli_page(root: &Path, page: &Path) -> Result<PathBuf, String> {
    let dir = root.join("crates/cli/page");
    fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let dest = dir.join("proflens.html");
    fs::copy(page, &dest).map_err(|e| format!("copying {} to {}: {e}", page.display(), dest.display()))?;
    Ok(dest)
}

/// Builds target/npm/proflens/ from dist/ and www/npm/, and packs it.
pub fn npm(root: &Path) -> Result<PathBuf, String> {
    let version = VERSION;
    let out = target_dir(root).join("npm");
    let folder = out.join("proflens");
    if folder.exists() {
        fs::remove_dir_all(&folder).map_err(|e| format!("{}: {e}", folder.display()))?;
    }
    fs::create_dir_all(&folder).map_err(|e| format!("{}: {e}", folder.display()))?;
    let dist = root.join("dist");
    for name in NPM_ASSETS {
        copy(&dist.join(name), &folder.join(name))?;
    }
    let npm_src = root.join("www/npm");
    for name in ["index.js", "index.d.ts", "README.md"] {
        copy(&npm_src.join(name), &folder.join(name))?;
    }
    copy(&root.join("LICENSE"), &folder.join("LICENSE"))?;
    let manifest = package_json(version);
    fs::write(folder.join("package.json"), manifest).map_err(|e| format!("package.json: {e}"))?;
    let tarball = npm_tarball(root);
    let _ = fs::remove_file(&tarball);
    run(&folder, "npm", &["pack", "--pack-destination", path_str(&out)?])?;
    if !tarball.is_file() {
        return Err(format!("npm pack did not write {}", tarball.display()));
    }
    Ok(tarball)
}

/// Where [`npm`] writes the tarball.
pub fn npm_tarball(root: &Path) -> PathBuf {
    target_dir(root).join("npm").join(format!("proflens-{VERSION}.tgz"))
}

/// The npm manifest: an ES module package whose entry registers the element.
fn package_json(version: &str) -> String {
    let files: Vec<&str> = NPM_ASSETS.iter().copied().chain(["index.js", "index.d.ts"]).collect();
    let manifest = serde_json::json!({
        "name": "proflens",
        "version": version,
        "description": "A pprof profile analyzer for the browser: the <proflens-analyzer> custom element and proflens.mount(), in WebAssembly; nothing is uploaded.",
        "license": "Apache-2.0",
        "repository": { "type": "git", "url": "git+https://github.com/proflens/proflens.git" },
        "keywords": ["pprof", "profiler", "flamegraph", "webassembly", "custom-element"],
        "type": "module",
        "main": "./index.js",
        "types": "./index.d.ts",
        "exports": {
            ".": { "types": "./index.d.ts", "import": "./index.js" },
            "./proflens.js": "./proflens.js",
            "./styles.css": "./styles.css"
        },
        "sideEffects": true,
        "files": files,
    });
    format!("{manifest:#}\n")
}

/// `cargo package` of every published crate (verified: each is built from
/// its .crate, with the others taken from their packages).
fn cargo_package(root: &Path, allow_dirty: bool) -> Result<(), String> {
    // cargo counts the CLI's page, a git-ignored build product, as an
    // uncommitted change: check the tracked files here instead.
    let changed = output("git", &["-C", path_str(root)?, "status", "--porcelain", "--untracked-files=no"])
        .ok_or("git status failed")?;
    if !changed.trim().is_empty() && !allow_dirty {
        return Err(format!(
            "uncommitted changes would go into the packages (commit them, or pass --allow-dirty):\n{changed}"
        ));
    }
    let mut args = vec!["package", "--locked", "--allow-dirty"];
    for name in CRATES {
        args.extend(["-p", name]);
    }
    run(root, "cargo", &args)?;
    let dir = target_dir(root).join("package");
    for name in CRATES {
        let file = dir.join(format!("{name}-{VERSION}.crate"));
        let size = fs::metadata(&file).map_err(|e| format!("{}: {e}", file.display()))?.len();
        println!("  {size:>10}  {}", file.display());
    }
    Ok(())
}

/// The version every crate and the npm package share (the workspace's,
/// which xtask inherits).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

fn copy(from: &Path, to: &Path) -> Result<(), String> {
    fs::copy(from, to).map(|_| ()).map_err(|e| format!("copying {} to {}: {e}", from.display(), to.display()))
}
