//! Building, serving and testing the page: `serve`, `dist` and `test`.

use std::path::{Path, PathBuf};

use crate::setup::{self, chromedriver_path};
use crate::static_server;
use crate::util::{path_str, run, run_env, Steps};

/// Where cargo puts build output: $CARGO_TARGET_DIR, else target/.
pub fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root.join("target"))
}

/// `trunk build` of www/index.html into dist/. A release build uses the
/// the cargo profile wasm-small (index.html says so) and runs wasm-opt (from .tools/, on PATH).
pub fn trunk_build(root: &Path, release: bool) -> Result<(), String> {
    let mut args = vec!["build"];
    if release {
        args.push("--release");
    }
    run(root, "trunk", &args)
}

/// `cargo xtask serve [--debug] [--port N]`: builds the page (release
/// unless --debug) and serves dist/ on http://127.0.0.1:8080.
///
/// Release is the default: on a clean checkout it builds in about the time
/// a debug build takes (1m20s against 1m05s on 2 cores), shares its
/// artifacts with `cargo xtask test` and `dist`, and the page is what users
/// get: 1.4 MB of wasm instead of 6.5 MB, and loads several times faster.
pub fn serve(root: &Path, args: &[String]) -> Result<(), String> {
    let mut release = true;
    let mut port = 8080u16;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--debug" => release = false,
            "--release" => release = true,
            "--port" => {
                port = it.next().and_then(|p| p.parse().ok()).ok_or("--port needs a port number")?;
            }
            other => {
                return Err(format!("unknown option {other}; usage: cargo xtask serve [--debug] [--port N]"))
            }
        }
    }
    // Bind first: a busy port fails before the build, not after.
    let address = format!("127.0.0.1:{port}");
    let listener = static_server::bind(&address)?;
    setup::setup(root, setup::BUILD)?;
    println!("\nbuilding the page ({}) with trunk into dist/", if release { "release" } else { "debug" });
    trunk_build(root, release)?;
    let url = format!("http://{address}/");
    println!("\nproflens is served on {url}");
    println!("  with the sample profile loaded: {url}?url=samples/heap2.pb.gz");
    println!("  (dist/ is served as built; after changing the code, stop with Ctrl-C and run this again)");
    static_server::serve(listener, &root.join("dist"))
}

/// `cargo xtask dist [--single-file]`: a release build of the page into
/// dist/, ready for any static host (relative paths; .wasm must be served
/// as application/wasm). With --single-file, also dist/proflens.html: the
/// whole page in one file that works from file://.
pub fn dist(root: &Path, args: &[String]) -> Result<(), String> {
    let single_file = match args {
        [] => false,
        [flag] if flag == "--single-file" => true,
        _ => return Err("usage: cargo xtask dist [--single-file]".into()),
    };
    setup::setup(root, setup::BUILD)?;
    trunk_build(root, true)?;
    let dist = root.join("dist");
    if single_file {
        let page = crate::single_file::write(&dist)?;
        println!("wrote {}: the page in one file; open it from disk, no server needed", page.display());
    }
    let mut files: Vec<(String, u64)> = Vec::new();
    collect_files(&dist, &dist, &mut files).map_err(|e| format!("{}: {e}", dist.display()))?;
    files.sort();
    println!("\n{}:", dist.display());
    for (name, len) in &files {
        println!("  {len:>10}  {name}");
    }
    Ok(())
}

fn collect_files(base: &Path, dir: &Path, out: &mut Vec<(String, u64)>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        if path.is_dir() {
            collect_files(base, &path, out)?;
        } else {
            let name = path.strip_prefix(base).unwrap_or(&path).display().to_string();
            out.push((name, entry.metadata()?.len()));
        }
    }
    Ok(())
}

/// `cargo xtask test`: every check CI runs, native, wasm and in the browser,
/// in order of how fast they fail.
pub fn test(root: &Path) -> Result<(), String> {
    let mut steps = Steps::new();
    let result = all_tests(root, &mut steps);
    steps.summary();
    if result.is_ok() {
        println!("\nall checks passed");
    }
    result
}

fn all_tests(root: &Path, steps: &mut Steps) -> Result<(), String> {
    steps.step("rustfmt", || run(root, "cargo", &["fmt", "--all", "--check"]))?;
    steps.step("setup", || setup::setup(root, setup::ALL))?;
    steps.step("clippy (native)", || {
        run(root, "cargo", &["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"])
    })?;
    steps.step("clippy (wasm32, proflens-web)", || {
        run(
            root,
            "cargo",
            &[
                "clippy",
                "-p",
                "proflens-web",
                "--target",
                "wasm32-unknown-unknown",
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ],
        )
    })?;
    // The fuzz targets and the wasm benchmark are crates of their own,
    // outside the workspace: check that they still compile, so they cannot
    // rot (fuzzing itself is `fuzz/run.sh`; checking skips libFuzzer's C++).
    steps.step("crates outside the workspace (fuzz, tools/wasm-bench)", || {
        run(root, "cargo", &["fmt", "--check", "--manifest-path", "fuzz/Cargo.toml"])?;
        run(
            root,
            "cargo",
            &["check", "--manifest-path", "fuzz/Cargo.toml", "--no-default-features", "--bins"],
        )?;
        for backend in ["zlib-rs", "miniz"] {
            run(
                root,
                "cargo",
                &[
                    "check",
                    "--manifest-path",
                    "tools/wasm-bench/Cargo.toml",
                    "--target",
                    "wasm32-unknown-unknown",
                    "--features",
                    backend,
                ],
            )?;
        }
        Ok(())
    })?;
    steps.step("unit, golden and property tests", || run(root, "cargo", &["test", "--workspace"]))?;
    // The page compiles option and format patterns with regex-lite: the
    // goldens must hold with it too.
    steps.step("golden tests with the page's regex engine (small-regex)", || {
        run(
            root,
            "cargo",
            &[
                "test",
                "-p",
                "proflens-tests",
                "--features",
                "proflens-core/small-regex",
                "--test",
                "golden",
                "--test",
                "legacy_formats",
                "--test",
                "text_formats",
                "--test",
                "crafted_golden",
            ],
        )
    })?;
    steps.step("component tests (wasm32 in headless Chromium)", || {
        let driver = chromedriver_path();
        run_env(
            root,
            "cargo",
            &["test", "-p", "proflens-web", "--target", "wasm32-unknown-unknown"],
            &[
                ("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER", "wasm-bindgen-test-runner"),
                ("CHROMEDRIVER", path_str(&driver)?),
            ],
        )
    })?;
    steps.step("release build of the page (trunk, and the single file)", || {
        trunk_build(root, true)?;
        crate::single_file::write(&root.join("dist")).map(|_| ())
    })?;
    // The npm package from the page just built; a browser test installs it.
    steps.step("npm package (target/npm)", || crate::package::npm(root).map(|_| ()))?;
    // After the page: the CLI embeds dist/proflens.html for serve and export.
    steps.step("release build of the CLI (reference output for the browser tests)", || {
        run(root, "cargo", &["build", "--release", "-p", "proflens-cli"])
    })?;
    steps.step("browser tests (tests/e2e)", || {
        let cli = target_dir(root).join("release/proflens");
        run_env(
            root,
            "node",
            &["tests/e2e/run.mjs", "--dist", "dist"],
            &[
                ("PROFLENS_CLI", path_str(&cli)?),
                ("PROFLENS_NPM", path_str(&crate::package::npm_tarball(root))?),
                ("CHROMIUM", path_str(&setup::chromium_path())?),
            ],
        )
    })
}
