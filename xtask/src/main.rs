//! `cargo xtask`: the project's chores as one Rust program (no shell scripts).
//!
//! - `setup`: install what is missing (wasm target, wasm-bindgen-cli, trunk,
//!   wasm-opt, Chromium) — idempotent.
//! - `serve`: build the analyzer page and serve it on http://127.0.0.1:8080.
//! - `dist`: a release build of the page into dist/.
//! - `test`: every check CI runs: rustfmt, clippy, all tests.
//! - `proto`: regenerate the prost code from proto/profile.proto.
//! - `golden`: regenerate the go tool pprof golden files (needs Go).
//! - `perf`: time proflens against go tool pprof and write docs/PERFORMANCE.md.

mod golden;
mod perf;
mod util;

#[cfg(feature = "codegen")]
mod codegen;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = util::workspace_root();
    let result = match args.first().map(String::as_str) {
        Some("test") => util::test(&root),
        Some("serve") => {
            println!("The analyzer page comes with the next issue; for now use the CLI:");
            println!("  cargo run -p proflens-cli -- top tests/fixtures/go/heap2.pb.gz");
            Ok(())
        }
        Some("proto") => proto(&root),
        Some("golden") => golden::run(&root, &args[1..]),
        Some("perf") => perf::run(&root, &args[1..]),
        _ => {
            eprintln!("usage: cargo xtask <test|serve|proto|golden|perf>");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(feature = "codegen")]
fn proto(root: &std::path::Path) -> Result<(), String> {
    codegen::regenerate(root)
}

#[cfg(not(feature = "codegen"))]
fn proto(root: &std::path::Path) -> Result<(), String> {
    // The code generator's dependencies are heavy: build them only here.
    util::run(
        root,
        "cargo",
        &["run", "--quiet", "--package", "xtask", "--features", "codegen", "--", "proto"],
    )
}
