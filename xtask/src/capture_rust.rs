//! `cargo xtask capture-rust`: builds the agent's example `leaky_service`
//! (release, limited debug info, so inlined frames are described by their
//! full paths), runs
//! it with `--address-only`, and captures address-only profiles from its
//! /debug/pprof endpoints into tests/fixtures/rust/capture/, with the binary
//! itself (gzipped), for symbolization tests.
//!
//! The captured files are committed; tests never build or run the service.
//! Rerunning this replaces them (addresses and build ID change), so goldens
//! made from them must be regenerated after (`cargo xtask golden`).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

/// Where the capture goes, relative to the workspace root.
const CAPTURE_DIR: &str = "tests/fixtures/rust/capture";
/// The binary's name in the capture (and the mapping's base name).
const BINARY: &str = "leaky_service";
/// How long the service runs before the heap profile is taken.
const WARM_UP: Duration = Duration::from_secs(6);
/// Debug info of the build: line tables and inlined calls with their
/// linkage names, no types. `line-tables-only` would keep the fixture 2 MB
/// smaller but names inlined frames by their bare names (`alloc`), which no
/// drop_frames pattern matches, so allocator frames topped the heap profile.
const DEBUG_INFO: &str = "limited";

/// Runs the capture.
pub fn run(root: &Path, args: &[String]) -> Result<(), String> {
    if !args.is_empty() {
        return Err("usage: cargo xtask capture-rust".into());
    }
    let work = std::env::temp_dir().join(format!("proflens-capture-rust-{}", std::process::id()));
    std::fs::create_dir_all(&work).map_err(|e| format!("{}: {e}", work.display()))?;
    let result = capture(root, &work);
    let _ = std::fs::remove_dir_all(&work);
    let captured = result?;
    write_readme(&root.join(CAPTURE_DIR), &captured)?;
    println!("captured {} files into {CAPTURE_DIR}", captured.len());
    Ok(())
}

/// Builds, runs and captures; returns the captured files' names.
fn capture(root: &Path, work: &Path) -> Result<Vec<String>, String> {
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["build", "--release", "-p", "proflens-agent", "--example", BINARY])
        .env("CARGO_PROFILE_RELEASE_DEBUG", DEBUG_INFO)
        .current_dir(root)
        .status()
        .map_err(|e| format!("cargo build: {e}"))?;
    if !status.success() {
        return Err(format!("cargo build of the example failed ({status})"));
    }
    // Run a copy from the work directory, so the mapping names a path that
    // says where it came from and the build output can change under it.
    let built = root.join("target/release/examples").join(BINARY);
    let binary = work.join(BINARY);
    std::fs::copy(&built, &binary).map_err(|e| format!("copying {}: {e}", built.display()))?;

    let mut child = Command::new(&binary)
        .args(["--addr", "127.0.0.1:0", "--address-only"])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("running {}: {e}", binary.display()))?;
    let result = fetch_all(&mut child, root);
    let _ = child.kill();
    let _ = child.wait();
    let mut names = result?;

    let bytes = std::fs::read(&binary).map_err(|e| format!("{}: {e}", binary.display()))?;
    let out_dir = root.join(CAPTURE_DIR);
    write(&out_dir.join(format!("{BINARY}.gz")), &proflens_core::encode::gzip(&bytes))?;
    names.push(format!("{BINARY}.gz"));
    names.sort();
    Ok(names)
}

/// Waits for the service's address, lets it leak, and fetches the profiles.
fn fetch_all(child: &mut std::process::Child, root: &Path) -> Result<Vec<String>, String> {
    let stdout = child.stdout.take().ok_or("no stdout from the service")?;
    let mut first = String::new();
    BufReader::new(stdout)
        .read_line(&mut first)
        .map_err(|e| format!("reading the service's address: {e}"))?;
    let addr = first
        .trim()
        .strip_prefix("listening on http://")
        .and_then(|rest| rest.split('/').next())
        .ok_or_else(|| format!("the service did not say where it listens: {first:?}"))?
        .to_string();
    println!("service on {addr}; letting it run {WARM_UP:?}");
    std::thread::sleep(WARM_UP);

    let out_dir = root.join(CAPTURE_DIR);
    let _ = std::fs::remove_dir_all(&out_dir);
    std::fs::create_dir_all(&out_dir).map_err(|e| format!("{}: {e}", out_dir.display()))?;
    let mut names = Vec::new();
    for (file, path) in [("heap.pb.gz", "/debug/pprof/heap"), ("cpu.pb.gz", "/debug/pprof/profile?seconds=3")]
    {
        let body = get(&addr, path)?;
        write(&out_dir.join(file), &body)?;
        names.push(file.to_string());
    }
    Ok(names)
}

/// One HTTP/1.0 GET; the body of a 200 answer.
fn get(addr: &str, path: &str) -> Result<Vec<u8>, String> {
    let mut stream = TcpStream::connect(addr).map_err(|e| format!("connecting to {addr}: {e}"))?;
    stream.set_read_timeout(Some(Duration::from_secs(60))).map_err(|e| e.to_string())?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n").map_err(|e| format!("GET {path}: {e}"))?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).map_err(|e| format!("GET {path}: {e}"))?;
    let split =
        answer.windows(4).position(|w| w == b"\r\n\r\n").ok_or(format!("GET {path}: no header end"))?;
    let head = String::from_utf8_lossy(&answer[..split]);
    if !head.starts_with("HTTP/1.0 200") && !head.starts_with("HTTP/1.1 200") {
        return Err(format!("GET {path}: {}", head.lines().next().unwrap_or("")));
    }
    Ok(answer[split + 4..].to_vec())
}

fn write(path: &PathBuf, bytes: &[u8]) -> Result<(), String> {
    std::fs::write(path, bytes).map_err(|e| format!("writing {}: {e}", path.display()))
}

fn write_readme(dir: &Path, files: &[String]) -> Result<(), String> {
    let date = jiff::Timestamp::now().strftime("%Y-%m-%d").to_string();
    let rustc =
        crate::util::output("rustc", &["--version"]).unwrap_or_else(|| "rustc (version unknown)".into());
    let mut text = format!(
        "# Address-only profiles of a Rust service, and its binary

Written by `cargo xtask capture-rust` (xtask/src/capture_rust.rs) on {date}
with {rustc}: the agent's example `{BINARY}` (crates/agent/examples) built
with `cargo build --release -p proflens-agent --example {BINARY}` and
`CARGO_PROFILE_RELEASE_DEBUG={DEBUG_INFO}` (functions with linkage names, line tables and inlined calls in
DWARF, no types), run as `{BINARY} --addr 127.0.0.1:0 --address-only`, and
after {secs} s its heap profile (`/debug/pprof/heap`) and a 3 s CPU profile
(`/debug/pprof/profile?seconds=3`) fetched. The profiles carry addresses and
mappings (with the binary's GNU build ID) and no function names: a
symbolizer names them from `{BINARY}.gz` (the binary, gzipped; gunzip it
first for `go tool pprof`).

Rerunning the capture replaces every file here; regenerate the goldens
after (`cargo xtask golden`).

Files:
",
        secs = WARM_UP.as_secs()
    );
    for f in files {
        text.push_str(&format!("- {f}\n"));
    }
    write(&dir.join("README.md"), text.as_bytes())
}
