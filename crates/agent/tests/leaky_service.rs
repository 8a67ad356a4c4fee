//! End to end, as a new user would try it: runs examples/leaky_service,
//! fetches its heap profile twice, seconds apart, and a CPU profile, and
//! reads them with proflens (the same code as the `proflens` command):
//!
//! - `top` on inuse_space names `leaky_service::with_value` first: flat
//!   lands on the code that allocates, not on `Box::new` or the allocator;
//! - `leaks` ranks it first;
//! - the agent's own frames hold under 1% of inuse_space;
//! - no displayed name starts with `::` or contains `::::`, in the heap and
//!   the CPU profile, and `peek` of the hashing function shows its callees
//!   under their std names.
//!
//! (`go tool pprof` prints the same `top` and `peek` for these files; see
//! scripts/go-pprof-check.sh. Tests never need Go.)
//!
//! The example is sampled at 4 KiB (`--sample-rate 4096`) rather than the
//! default 512 KiB so that a few seconds are plenty: `flush_event` adds
//! thousands of 64-byte nodes a second, about 1.5% of which are sampled,
//! so the leak grows by hundreds of samples between the two profiles.

mod common;

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::{get, stack_names, sum_where, type_index};
use proflens_cli::Outcome;
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
/// binaries (target/<profile>/examples), but not with `--test NAME`: a
/// missing example, or one older than this test (built before the library
/// changed), is built here.
fn example_binary() -> PathBuf {
    let exe = std::env::current_exe().expect("the test's own path");
    let profile_dir = exe.parent().and_then(|deps| deps.parent()).expect("target/<profile>/deps/<test>");
    let bin = profile_dir.join("examples").join(format!("leaky_service{}", std::env::consts::EXE_SUFFIX));
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    if modified(&bin) < modified(&exe) {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let mut build = Command::new(cargo);
        build.args(["build", "-p", "proflens-agent", "--example", "leaky_service"]);
        if profile_dir.ends_with("release") {
            build.arg("--release");
        }
        let status = build.status().expect("run cargo build");
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

/// Runs `proflens ARGS` and returns what it prints.
fn proflens(args: &[&str]) -> String {
    let argv: Vec<&str> = std::iter::once("proflens").chain(args.iter().copied()).collect();
    match proflens_cli::run_args(argv) {
        Outcome::Output(text) => text,
        other => panic!("proflens {args:?}: {other:?}"),
    }
}

/// The function name of each row of a `top` report, in order.
fn top_names(report: &str) -> Vec<String> {
    report
        .lines()
        .skip_while(|l| !l.trim_start().starts_with("flat"))
        .skip(1)
        .filter_map(|l| {
            // flat flat% sum% cum cum% name...
            let fields: Vec<&str> = l.split_whitespace().collect();
            (fields.len() > 5).then(|| fields[5..].join(" "))
        })
        .collect()
}

/// The callees `peek` lists under the row of the function matched.
fn peek_callees(report: &str, function: &str) -> Vec<String> {
    let mut lines = report.lines().skip_while(|l| !l.ends_with(&format!("| {function}")));
    assert!(lines.next().is_some(), "no row for {function} in\n{report}");
    lines
        .take_while(|l| !l.starts_with('-'))
        .filter_map(|l| l.split_once("|   ").map(|(_, name)| name.trim().to_string()))
        .collect()
}

/// Every displayed function name of a profile.
fn function_names(p: &Profile) -> Vec<&str> {
    p.functions.iter().map(|f| p.str(f.name)).collect()
}

fn assert_readable(p: &Profile, what: &str) {
    let bad: Vec<&str> =
        function_names(p).into_iter().filter(|n| n.starts_with("::") || n.contains("::::")).collect();
    assert!(bad.is_empty(), "{what}: unreadable names {bad:?}");
}

fn save(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write a profile");
    path.display().to_string()
}

#[test]
fn the_leak_tops_the_heap_profile_and_every_name_reads_well() {
    let (_running, addr) = start();
    let dir = std::env::temp_dir().join(format!("proflens-agent-leaky-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary directory");

    // Let the leak run for a moment, then two snapshots 4 s apart, and a
    // CPU profile meanwhile.
    std::thread::sleep(Duration::from_secs(1));
    let first = get(addr, "/debug/pprof/heap");
    let cpu = std::thread::spawn(move || get(addr, "/debug/pprof/profile?seconds=2"));
    std::thread::sleep(Duration::from_secs(4));
    let second = get(addr, "/debug/pprof/heap");
    let cpu = cpu.join().expect("the CPU profile request");
    let heap1 = save(&dir, "heap1.pb.gz", &first.body);
    let heap2 = save(&dir, "heap2.pb.gz", &second.body);
    let cpu_file = save(&dir, "cpu.pb.gz", &cpu.body);

    // The leak grows, along its whole chain.
    let (p1, p2) = (first.profile(), second.profile());
    let before = sum_where(&p1, "inuse_space", "leaky_service::with_value");
    let after = sum_where(&p2, "inuse_space", "leaky_service::with_value");
    assert!(after > before, "with_value's in-use bytes did not grow: {before} then {after}");
    assert!(has_chain(&p2), "no stack with flush_event → reset_log_id → set_ctx_value → with_value");

    // Flat lands on with_value, as go tool pprof -top shows it.
    let top = proflens(&["top", "--sample-index", "inuse_space", &heap2]);
    let names = top_names(&top);
    assert_eq!(names.first().map(String::as_str), Some("leaky_service::with_value"), "{top}");
    // ...and the leak report ranks it first.
    let leaks = proflens(&["leaks", &heap1, &heap2]);
    let first_suspect = leaks.lines().find(|l| l.starts_with("#1 ")).unwrap_or("");
    assert_eq!(first_suspect, "#1 leaky_service::with_value", "{leaks}");

    // The agent's own memory stays out: under 1% of inuse_space.
    let t = type_index(&p2, "inuse_space");
    let total: i64 = (0..p2.samples.len()).map(|i| p2.samples.value(i, t)).sum();
    let agent: i64 = (0..p2.samples.len())
        .filter(|&i| {
            stack_names(&p2, i)
                .iter()
                .any(|n| n.starts_with("proflens_agent::") || n.starts_with("<proflens_agent::"))
        })
        .map(|i| p2.samples.value(i, t))
        .sum();
    assert!(agent * 100 < total, "the agent holds {agent} of {total} bytes in use");
    // Its sampler is there when asked for (--all-frames), at the leaf.
    let all = proflens(&["top", "--all-frames", "--sample-index", "inuse_space", &heap2]);
    assert!(
        top_names(&all)
            .first()
            .is_some_and(|n| n.starts_with("<proflens_agent::heap::SamplingAllocator as GlobalAlloc>::")),
        "{all}"
    );

    // Names: readable everywhere, and the real std names in peek.
    assert_readable(&p2, "heap");
    let cpu_profile = cpu.profile();
    assert_readable(&cpu_profile, "cpu");
    assert!(
        top_names(&proflens(&["top", &cpu_file])).iter().all(|n| !n.starts_with("::") && !n.contains("::::")),
        "cpu top"
    );
    let peek = proflens(&["peek", "leaky_service::hash_chunks$", &cpu_file]);
    let callees = peek_callees(&peek, "leaky_service::hash_chunks");
    assert!(callees.iter().any(|c| c == "leaky_service::mix"), "{peek}");
    assert!(callees.iter().any(|c| c == "<core::slice::iter::Chunks as Iterator>::next"), "{peek}");
    // The profiler's signal handler never shows. (The heap sampler's own
    // unwinding may: it is CPU time the program spends allocating, as
    // Go's profiles show runtime.mProf_Malloc.)
    for n in function_names(&cpu_profile) {
        assert!(!n.contains("perf_signal_handler") && !n.contains("pprof::"), "{n}");
    }
    for i in 0..cpu_profile.samples.len() {
        let stack = stack_names(&cpu_profile, i);
        if stack.iter().any(|n| n.starts_with("backtrace::") || n.starts_with("_Unwind_")) {
            assert!(stack.iter().any(|n| n == "proflens_agent::heap::capture"), "{stack:?}");
        }
    }

    // The index lists the profiles; the page is one click away.
    let index = get(addr, "/debug/pprof/").text();
    assert!(index.contains(">heap</a>") && index.contains("ui/?url=../heap"), "{index}");
    let _ = std::fs::remove_dir_all(&dir);
}
