//! `cargo xtask capture-go [--go PATH]`: builds the Go fixtures service
//! (tests/fixtures/go/src, standard library only), runs it until its parked
//! goroutines have waited over a minute, and captures every net/http/pprof
//! endpoint it serves into tests/fixtures/go/capture/: profile.proto forms,
//! the `?debug=1` and `?debug=2` texts, a panic traceback (GOTRACEBACK=all),
//! and the binary itself (gzipped), for symbolization tests.
//!
//! The captured files are committed; tests never run Go. Rerunning this
//! replaces them (addresses, counts and times change), so goldens made from
//! them must be regenerated after (`cargo xtask golden`).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::golden::{default_go, go_version};

/// Where the capture goes, relative to the workspace root.
const CAPTURE_DIR: &str = "tests/fixtures/go/capture";
/// How long the service runs before capturing: over a minute, so Go prints
/// the parked goroutines' wait times ("1 minutes").
const RUN_FOR: &str = "75s";

/// Runs the capture.
pub fn run(root: &Path, args: &[String]) -> Result<(), String> {
    let go = match args {
        [] => default_go(),
        [flag, path] if flag == "--go" => path.clone(),
        _ => return Err("usage: cargo xtask capture-go [--go PATH]".into()),
    };
    let version = go_version(&go)?;
    let work = std::env::temp_dir().join(format!("proflens-capture-{}", std::process::id()));
    let result = capture(root, &go, &work);
    let _ = std::fs::remove_dir_all(&work);
    let captured = result?;
    write_readme(&root.join(CAPTURE_DIR), &version, &captured)?;
    println!("captured {} files into {CAPTURE_DIR} with {version}", captured.len());
    Ok(())
}

/// Builds, runs and captures; returns the captured files' names.
fn capture(root: &Path, go: &str, work: &Path) -> Result<Vec<String>, String> {
    std::fs::create_dir_all(work.join("home")).map_err(|e| format!("{}: {e}", work.display()))?;
    let binary = work.join("leak");
    let mut build = go_command(go, work);
    build
        .args(["build", "-trimpath", "-o"])
        .arg(&binary)
        .arg("./leak")
        .current_dir(root.join("tests/fixtures/go/src/gen"));
    check(build.status(), "go build")?;

    let out_dir = root.join(CAPTURE_DIR);
    let _ = std::fs::remove_dir_all(&out_dir);
    let addr_file = work.join("addr");
    println!("running the service for {RUN_FOR}, then capturing its endpoints");
    let run = Command::new(&binary)
        .arg("-addrfile")
        .arg(&addr_file)
        .arg("-capture")
        .arg(&out_dir)
        .args(["-capture-after", RUN_FOR, "-capture-panic"])
        .env("GOTRACEBACK", "all")
        .output()
        .map_err(|e| format!("running the service: {e}"))?;
    // It panics on purpose after capturing: the traceback is a fixture too.
    let stderr = String::from_utf8_lossy(&run.stderr);
    let traceback = stderr.find("panic: capture-panic").map(|i| &stderr[i..]).ok_or_else(|| {
        format!("the service did not capture and panic as asked; its stderr ends:\n{}", tail(&stderr))
    })?;
    write(&out_dir.join("panic.txt"), traceback.as_bytes())?;

    let bytes = std::fs::read(&binary).map_err(|e| format!("{}: {e}", binary.display()))?;
    write(&out_dir.join("leak.gz"), &proflens_core::encode::gzip(&bytes))?;

    let mut names: Vec<String> = std::fs::read_dir(&out_dir)
        .map_err(|e| format!("{}: {e}", out_dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect();
    names.sort();
    Ok(names)
}

/// `go` with a clean environment of its own (no module proxy is needed:
/// the service uses the standard library only).
fn go_command(go: &str, work: &Path) -> Command {
    let mut cmd = Command::new(go);
    cmd.env_clear()
        .env("PATH", "/usr/local/bin:/usr/bin:/bin")
        .env("HOME", work.join("home"))
        .env("GOPATH", work.join("gopath"))
        .env("GOCACHE", work.join("gocache"))
        .env("GOTOOLCHAIN", "local")
        .env("GOFLAGS", "")
        .env("CGO_ENABLED", "0");
    cmd
}

fn check(status: std::io::Result<std::process::ExitStatus>, what: &str) -> Result<(), String> {
    match status {
        Ok(s) if s.success() => Ok(()),
        Ok(s) => Err(format!("{what} failed ({s})")),
        Err(e) => Err(format!("{what}: {e}")),
    }
}

fn write(path: &PathBuf, bytes: &[u8]) -> Result<(), String> {
    std::fs::write(path, bytes).map_err(|e| format!("writing {}: {e}", path.display()))
}

fn tail(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(20)..].join("\n")
}

fn write_readme(dir: &Path, go_version: &str, files: &[String]) -> Result<(), String> {
    let date = jiff::Timestamp::now().strftime("%Y-%m-%d").to_string();
    let mut text = format!(
        "# Captured from the Go fixtures service

Written by `cargo xtask capture-go` (xtask/src/capture_go.rs) on {date} with
`{go_version}`; do not edit. The service is `../src/gen/leak` (built with
`go build -trimpath`, CGO off); with `-capture` it parks a known set of
goroutines (leak/capture.go), runs for {RUN_FOR}, fetches its own
`/debug/pprof` endpoints and panics with `GOTRACEBACK=all`.

Known goroutines in every goroutine dump (`goroutine.*`, `panic.txt`):

| function | state | how many | labels |
|---|---|---|---|
| `main.waitForever` | chan receive, 1 minutes | 7 | parked=receiver |
| `main.pollNothing` | select, 1 minutes | 3 | |
| `main.lockHeld` | sync.Mutex.Lock, 1 minutes | 2 | |
| `main.lockedWaiter` | chan receive, 1 minutes, locked to thread | 1 | |
| `main.idleWorker` | chan receive, 1 minutes | 32 | |

Files:

"
    );
    for f in files {
        text.push_str(&format!("- `{f}`{}\n", describe(f)));
    }
    text.push_str(
        "
`leak.gz` is the service's binary, gzipped (its DWARF sections are zlib-compressed,
SHF_COMPRESSED, as Go writes them), for `go tool pprof BINARY PROFILE`.
",
    );
    write(&dir.join("README.md"), text.as_bytes())
}

fn describe(file: &str) -> &'static str {
    match file {
        f if f.ends_with(".debug2.txt") => ": `?debug=2`, every goroutine's stack as in a panic",
        f if f.ends_with(".debug1.txt") => ": `?debug=1`, legacy text with addresses and `#` comment lines",
        "cpu.pb.gz" => ": `profile?seconds=3`, CPU with pprof.Do labels (worker, id)",
        "panic.txt" => ": the panic traceback of every goroutine (GOTRACEBACK=all)",
        "leak.gz" => ": the binary",
        f if f.ends_with(".pb.gz") => ": profile.proto, as served",
        _ => "",
    }
}
