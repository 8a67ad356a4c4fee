//! docs/ARCHITECTURE.md's dependency rules, checked: a crate that gains a
//! dependency the doc forbids, core or the profile crate doing I/O, or the
//! page's UI thread calling core's analysis fails this test.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// Normal (non-dev, non-build) dependencies each crate must not have.
/// Keep in step with the "Dependency rules" table of docs/ARCHITECTURE.md.
const FORBIDDEN: &[(&str, &[&str])] = &[
    (
        "proflens-profile",
        &[
            "proflens-core",
            "proflens-web",
            "proflens-cli",
            "proflens-agent",
            "proflens-http",
            "jiff",
            "web-sys",
            "js-sys",
            "wasm-bindgen",
            "tokio",
            "hyper",
            "axum",
        ],
    ),
    (
        "proflens-core",
        &[
            "proflens-web",
            "proflens-cli",
            "proflens-agent",
            "proflens-http",
            "web-sys",
            "js-sys",
            "wasm-bindgen",
            "tokio",
            "hyper",
            "axum",
        ],
    ),
    ("proflens-agent", &["proflens-core", "proflens-web", "proflens-cli", "regex", "jiff"]),
    (
        "proflens-layout",
        &["proflens-profile", "proflens-core", "proflens-web", "web-sys", "js-sys", "wasm-bindgen"],
    ),
    (
        "proflens-http",
        &["proflens-profile", "proflens-core", "proflens-web", "proflens-agent", "proflens-cli"],
    ),
    ("proflens-cli", &["proflens-web", "proflens-agent", "web-sys", "js-sys", "wasm-bindgen"]),
];

/// What the page's main thread (crates/web/src/ui) may name from core: value
/// types and formatting, not the analysis, which runs in the worker.
const UI_MAY_USE: &[&str] = &["proflens_core::units", "proflens_core::graph::Granularity"];

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ is in the workspace").to_path_buf()
}

/// Each workspace crate's normal dependencies, from `cargo metadata`.
fn normal_dependencies() -> BTreeMap<String, Vec<String>> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(["metadata", "--no-deps", "--format-version", "1", "--offline"])
        .current_dir(workspace_root())
        .output()
        .expect("running cargo metadata");
    assert!(out.status.success(), "cargo metadata failed: {}", String::from_utf8_lossy(&out.stderr));
    let meta: Value = serde_json::from_slice(&out.stdout).expect("cargo metadata prints JSON");
    let mut deps = BTreeMap::new();
    for package in meta["packages"].as_array().expect("packages") {
        let names = package["dependencies"]
            .as_array()
            .expect("dependencies")
            .iter()
            .filter(|d| d["kind"].is_null())
            .map(|d| d["name"].as_str().unwrap_or_default().to_string())
            .collect();
        deps.insert(package["name"].as_str().unwrap_or_default().to_string(), names);
    }
    deps
}

#[test]
fn crates_keep_to_their_dependency_rules() {
    let deps = normal_dependencies();
    let mut broken = Vec::new();
    for (krate, forbidden) in FORBIDDEN {
        let have = deps.get(*krate).unwrap_or_else(|| panic!("{krate} is not in the workspace"));
        for bad in forbidden.iter().filter(|f| have.iter().any(|h| h == *f)) {
            broken.push(format!("{krate} depends on {bad}"));
        }
    }
    assert!(broken.is_empty(), "docs/ARCHITECTURE.md forbids:\n  {}", broken.join("\n  "));
    // The rule table itself must not rot: the agent writes profiles through
    // proflens-profile, and core's analysis sits on it.
    assert!(deps["proflens-agent"].iter().any(|d| d == "proflens-profile"));
    assert!(deps["proflens-core"].iter().any(|d| d == "proflens-profile"));
}

/// Every `.rs` file under `dir`.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Lines of the crate sources under `dirs` that contain any of `needles`.
fn lines_with(dirs: &[&str], needles: &[&str], allowed: impl Fn(&str) -> bool) -> Vec<String> {
    let mut files = Vec::new();
    for dir in dirs {
        rust_files(&workspace_root().join(dir), &mut files);
    }
    let mut hits = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("reading a source file");
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            if needles.iter().any(|needle| code.contains(needle)) && !allowed(code) {
                hits.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
            }
        }
    }
    hits
}

#[test]
fn profile_and_core_do_no_io() {
    let io = ["std::fs", "std::net", "std::process", "std::env", "File::open"];
    let hits = lines_with(&["crates/profile/src", "crates/core/src"], &io, |_| false);
    assert!(hits.is_empty(), "I/O in proflens-profile or proflens-core:\n  {}", hits.join("\n  "));
}

#[test]
fn the_ui_thread_calls_no_analysis() {
    let allowed = |code: &str| {
        let mut rest = code;
        while let Some(i) = rest.find("proflens_core::") {
            let path = &rest[i..];
            if !UI_MAY_USE.iter().any(|ok| path.starts_with(ok)) {
                return false;
            }
            rest = &path["proflens_core::".len()..];
        }
        true
    };
    let hits = lines_with(&["crates/web/src/ui"], &["proflens_core::"], allowed);
    assert!(
        hits.is_empty(),
        "the page's main thread names core's analysis (it belongs in the worker):\n  {}",
        hits.join("\n  ")
    );
}

#[test]
fn only_the_pattern_module_names_the_regex_crate() {
    // The page builds with `small-regex` (regex-lite): any other use of the
    // regex crate links its engine back into the worker (about 90 kB gzipped).
    let hits: Vec<String> = lines_with(
        &["crates/profile/src", "crates/core/src", "crates/symbolize/src", "crates/web/src"],
        &["regex::", "use regex"],
        |code| {
            let code = code.replace("js_regex::", "");
            !code.contains("regex::") && !code.contains("use regex")
        },
    )
    .into_iter()
    .filter(|hit| !hit.contains("crates/profile/src/pattern.rs:"))
    .collect();
    assert!(
        hits.is_empty(),
        "the regex crate named outside proflens_profile::pattern (use pattern::Regex):\n  {}",
        hits.join("\n  ")
    );
}
