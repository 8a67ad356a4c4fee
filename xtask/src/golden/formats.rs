//! Golden files for the text formats (issue 17), in tests/golden/formats:
//! what inferno's `inferno-collapse-perf` makes of the perf script samples,
//! and what go tool pprof prints for the Go texts it reads (`?debug=1`) and
//! for the protobuf goroutine profile captured with the dumps. The test
//! tests/tests/text_formats.rs compares proflens against them; it needs
//! neither inferno nor Go.

use std::path::Path;
use std::process::Command;

use super::{put, Sandbox};

/// The perf script samples and the inferno options each is collapsed with.
const PERF: &[(&str, &[&str], &str)] = &[
    ("text/perf-cycles.perf", &[], "perf-cycles.folded"),
    ("text/perf-cycles.perf", &["--event-filter=instructions"], "perf-cycles.instructions.folded"),
    ("text/perf-cpu-clock.perf", &[], "perf-cpu-clock.folded"),
];

/// go tool pprof runs: fixture, report flag, golden file.
const PPROF: &[(&str, &str, &str)] = &[
    ("go/capture/goroutine.pb.gz", "-top", "goroutine.pb.top.txt"),
    ("go/capture/goroutine.debug1.txt", "-traces", "goroutine.debug1.traces.txt"),
    ("go/capture/goroutine.debug1.txt", "-top", "goroutine.debug1.top.txt"),
    ("go/capture/threadcreate.debug1.txt", "-traces", "threadcreate.debug1.traces.txt"),
    ("pprof/go.godoc.thread", "-traces", "go.godoc.thread.traces.txt"),
];

/// Writes (or with `check`, compares) tests/golden/formats.
pub fn generate(go: &str, tests: &Path, check: bool, stale: &mut Vec<String>) -> Result<(), String> {
    let dir = tests.join("golden/formats");
    let fixtures = tests.join("fixtures");
    let inferno = inferno_version()?;
    let mut readme = String::from(
        "# Golden files for the text formats\n\nWritten by `cargo xtask golden` (xtask/src/golden/formats.rs); \
         do not edit. tests/tests/text_formats.rs compares proflens against them.\n\n",
    );
    readme.push_str(&format!(
        "With {inferno} (`cargo install inferno`), fixture paths under tests/fixtures:\n\n"
    ));
    for (fixture, options, golden) in PERF {
        let mut cmd = Command::new("inferno-collapse-perf");
        cmd.args(*options).arg(fixtures.join(fixture)).env("LANG", "C");
        let out = output(cmd, golden)?;
        put(&dir.join(golden), &out, check, stale)?;
        let shown: Vec<&str> = options.iter().copied().chain([*fixture]).collect();
        readme.push_str(&format!("- `{golden}`: `inferno-collapse-perf {}`\n", shown.join(" ")));
    }
    let version = super::go_version(go)?;
    readme.push_str(&format!("\nWith {version} (TZ=UTC, no binaries found):\n\n"));
    let sandbox = Sandbox::new()?;
    for (fixture, flag, golden) in PPROF {
        let args = vec![
            "tool".to_string(),
            "pprof".into(),
            flag.to_string(),
            fixtures.join(fixture).display().to_string(),
        ];
        let result = output(sandbox.command(go, &args), golden);
        let out = match result {
            Ok(out) => out,
            Err(e) => {
                sandbox.remove();
                return Err(e);
            }
        };
        put(&dir.join(golden), &out, check, stale)?;
        readme.push_str(&format!("- `{golden}`: `go tool pprof {flag} {fixture}`\n"));
    }
    sandbox.remove();
    put(&dir.join("README.md"), readme.as_bytes(), check, stale)
}

fn output(mut cmd: Command, what: &str) -> Result<Vec<u8>, String> {
    let out = cmd.output().map_err(|e| format!("{what}: cannot run {cmd:?}: {e}"))?;
    if !out.status.success() {
        return Err(format!("{what}: {cmd:?} failed: {}", String::from_utf8_lossy(&out.stderr)));
    }
    Ok(out.stdout)
}

/// The inferno release the golden files come from.
const INFERNO_VERSION: &str = "0.12.8";

/// The installed inferno, as `cargo install --list` names it; installs the
/// pinned release first when it is missing (about a minute, once).
fn inferno_version() -> Result<String, String> {
    let installed = || {
        let list = Command::new("cargo").args(["install", "--list"]).output().ok()?;
        let list = String::from_utf8_lossy(&list.stdout).into_owned();
        let line = list.lines().find(|l| l.starts_with("inferno v"))?.trim_end_matches(':').to_string();
        Command::new("inferno-collapse-perf").arg("--help").output().ok()?;
        Some(line)
    };
    if let Some(line) = installed().filter(|l| l.ends_with(INFERNO_VERSION)) {
        return Ok(line);
    }
    println!("installing inferno {INFERNO_VERSION} (cargo install) for the perf script golden files");
    let status = Command::new("cargo")
        .args(["install", "inferno", "--locked", "--version", INFERNO_VERSION])
        .status()
        .map_err(|e| format!("cannot run cargo install inferno: {e}"))?;
    if !status.success() {
        return Err(format!("`cargo install inferno --version {INFERNO_VERSION}` failed"));
    }
    installed().ok_or_else(|| "inferno-collapse-perf is still missing after cargo install".to_string())
}
