//! End to end: runs examples/leaky_service, fetches its heap profile twice,
//! seconds apart, decodes both with proflens-core, and finds the leak:
//! `with_value`'s allocations grow, under flush_event → reset_log_id →
//! set_ctx_value → with_value.
//!
//! The example is sampled at 4 KiB (`--sample-rate 4096`) rather than the
//! default 512 KiB so that a few seconds are plenty: `flush_event` adds
//! thousands of 64-byte nodes a second, about 1.5% of which are sampled,
//! so the site grows by hundreds of samples between the two profiles
//! (the test needs it to grow at all).

mod common;

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::{get, stack_names, sum_where};
use proflens_core::Profile;

/// Kills the example when the test ends, passed or not.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The example's binary: `cargo test` builds examples next to the test
/// binaries (target/<profile>/examples); when run alone, build it.
fn example_binary() -> PathBuf {
    let exe = std::env::current_exe().expect("the test's own path");
    let profile_dir = exe.parent().and_then(|deps| deps.parent()).expect("target/<profile>/deps/<test>");
    let bin = profile_dir.join("examples").join(format!("leaky_service{}", std::env::consts::EXE_SUFFIX));
    if !bin.is_file() {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = Command::new(cargo)
            .args(["build", "-p", "proflens-agent", "--example", "leaky_service"])
            .status()
            .expect("run cargo build");
        assert!(status.success(), "building the example failed");
    }
    assert!(bin.is_file(), "no example binary at {}", bin.display());
    bin
}

fn start() -> (Running, SocketAddr) {
    let mut child = Command::new(example_binary())
        .args(["--addr", "127.0.0.1:0", "--sample-rate", "4096"])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start leaky_service");
    let stdout = child.stdout.take().expect("piped stdout");
    let running = Running(child);
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).expect("read the example's first line");
    // "listening on http://127.0.0.1:PORT/debug/pprof/"
    let addr = line
        .trim()
        .strip_prefix("listening on http://")
        .and_then(|rest| rest.split('/').next())
        .and_then(|a| a.parse().ok())
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"));
    (running, addr)
}

/// The leak's chain, leaf first, as it must appear on a stack.
const CHAIN: [&str; 4] = [
    "leaky_service::with_value",
    "leaky_service::set_ctx_value",
    "leaky_service::reset_log_id",
    "leaky_service::flush_event",
];

/// Whether some sample's stack has the chain in order (leaf first).
fn has_chain(p: &Profile) -> bool {
    (0..p.samples.len()).any(|i| {
        let names = stack_names(p, i);
        let mut from = 0;
        CHAIN.iter().all(|want| match names.iter().skip(from).position(|n| n == want) {
            Some(at) => {
                from += at + 1;
                true
            }
            None => false,
        })
    })
}

#[test]
fn the_leak_grows_and_its_chain_is_there() {
    let (_running, addr) = start();
    // Let the leak run for a moment.
    std::thread::sleep(Duration::from_millis(500));
    let first = get(addr, "/debug/pprof/heap").profile();
    std::thread::sleep(Duration::from_secs(3));
    let second = get(addr, "/debug/pprof/heap").profile();

    let before = sum_where(&first, "inuse_space", "leaky_service::with_value");
    let after = sum_where(&second, "inuse_space", "leaky_service::with_value");
    assert!(after > before, "with_value's in-use bytes did not grow: {before} then {after}");
    let objects = sum_where(&second, "inuse_objects", "leaky_service::with_value");
    assert!(objects > sum_where(&first, "inuse_objects", "leaky_service::with_value"));
    assert!(has_chain(&second), "no stack with flush_event → reset_log_id → set_ctx_value → with_value");

    // The index lists the profiles; the page is one click away.
    let index = get(addr, "/debug/pprof/").text();
    assert!(index.contains(">heap</a>") && index.contains("ui/?url=../heap"), "{index}");
}
