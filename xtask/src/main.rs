//! `cargo xtask`: the project's chores as one Rust program (no shell scripts).
//!
//! - `setup`: install what is missing (wasm target, wasm-bindgen-cli, trunk,
//!   wasm-opt, Chromium, playwright-core) — idempotent.
//! - `serve [--debug] [--port N]`: build the analyzer page and serve it on
//!   http://127.0.0.1:8080.
//! - `dist [--single-file]`: a release build of the page into dist/, and
//!   with --single-file also dist/proflens.html, the page in one file.
//! - `package [--no-crates]`: everything that ships: the page for the
//!   CLI's package, the npm tarball (target/npm/) and `cargo package` of
//!   the published crates (target/package/).
//! - `test`: every check CI runs: rustfmt, clippy (native and wasm32), all
//!   native tests, the wasm component tests and the browser tests.
//! - `proto`: regenerate the prost code from proto/profile.proto.
//! - `golden`: regenerate the go tool pprof golden files (needs Go).
//! - `capture-go`: capture the Go fixtures service's pprof endpoints into
//!   tests/fixtures/go/capture (needs Go).
//! - `capture-rust`: capture address-only profiles of the agent's example
//!   service, and its binary, into tests/fixtures/rust/capture.
//! - `perf`: time proflens against go tool pprof and write docs/PERFORMANCE.md.
//! - `perf-web`: time the page in Chromium and write docs/PERFORMANCE.md.

#![forbid(unsafe_code)]

mod capture_go;
mod capture_rust;
mod golden;
mod package;
mod perf;
mod perf_web;
mod setup;
mod single_file;
mod static_server;
mod util;
mod web;

#[cfg(feature = "codegen")]
mod codegen;

use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask <command>

  setup                      install what is missing (wasm target, wasm-bindgen, trunk,
                             wasm-opt, Chromium, playwright-core)
  serve [--debug] [--port N] build the page and serve it on http://127.0.0.1:8080
  dist [--single-file]       release build of the page into dist/ (and dist/proflens.html,
                             one file that works offline)
  test                       every check: fmt, clippy, native, wasm and browser tests
  package [--no-crates]      what ships: the CLI's page, the npm tarball, the crates' packages
  perf [RUNS]                time the CLI against go tool pprof (needs Go)
  perf-web [RUNS] [--sizes MB,MB]
                             time the page in Chromium, against speedscope and
                             go tool pprof -http (when Go is installed)
  perf-web --render          rewrite its section from the last run's JSON
  golden                     regenerate the golden files (needs Go)
  capture-go [--go PATH]     capture the Go fixtures service's endpoints (needs Go)
  capture-rust               capture address-only profiles of the agent's example service
  proto                      regenerate the prost code";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = util::workspace_root();
    util::extend_path(&root);
    let rest = args.get(1..).unwrap_or(&[]);
    let result = match args.first().map(String::as_str) {
        Some("setup") => setup::setup(&root, setup::ALL).map(|()| println!("setup: everything is in place")),
        Some("serve") => web::serve(&root, rest),
        Some("dist") => web::dist(&root, rest),
        Some("test") => web::test(&root),
        Some("package") => package::run_package(&root, rest),
        Some("proto") => proto(&root),
        Some("golden") => golden::run(&root, rest),
        Some("capture-go") => capture_go::run(&root, rest),
        Some("capture-rust") => capture_rust::run(&root, rest),
        Some("perf") => perf::run(&root, rest),
        Some("perf-web") => perf_web::run_perf(&root, rest),
        Some("help" | "--help" | "-h") => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        _ => {
            eprintln!("{USAGE}");
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
