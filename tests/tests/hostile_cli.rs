//! The real `proflens` binary against hostile files (`proflens_tests::
//! crafted`: every class of issue 11 and a few classics), for every report,
//! under an address-space cap of 3 GB and a time limit. Each run must end in
//! a report (exit status 0) or a clear error (status 1, one line on stderr,
//! naming the file when the file is at fault), never a signal, an abort or
//! a timeout.
//!
//! The binary is the one cargo builds for the workspace
//! (target/release/proflens; the test builds it). Time is capped in CPU
//! seconds (RLIMIT_CPU), so that a loaded machine does not fail the test;
//! a generous wall-clock timeout catches a process that blocks without
//! computing.

#![cfg(target_os = "linux")]

use std::io::Read;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use proflens_core::encode::gzip;
use proflens_tests::crafted::{self, Crafted};

/// The address-space cap of every run.
const ADDRESS_SPACE: u64 = 3 << 30;
/// CPU seconds a run may use.
const CPU_SECONDS: u64 = 5;
/// Wall-clock time a run may take, however loaded the machine.
const TIMEOUT: Duration = Duration::from_secs(600);

/// The release proflens binary of this workspace (target/release/proflens).
///
/// Release, whatever profile the test runs in: the many runs here take
/// seconds in release and over ten minutes in debug, and `cargo xtask test`
/// builds the release CLI anyway (this build is then a no-op there).
fn binary() -> &'static Path {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| {
        // target/<profile>/deps/hostile_cli-<hash> -> target/release/proflens
        let exe = std::env::current_exe().expect("the test's own path");
        let target = exe.ancestors().nth(3).expect("the target directory");
        let bin = target.join("release").join("proflens");
        let mut build = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
        build.args(["build", "-q", "--release", "-p", "proflens-cli", "--bin", "proflens"]);
        // Built every time: cargo does nothing when it is up to date, and an
        // old binary would test old code.
        let status = build.status().expect("running cargo build");
        assert!(status.success(), "cargo build --release -p proflens-cli failed");
        assert!(bin.exists(), "{} is missing after the build", bin.display());
        bin
    })
}

/// What a run did.
struct Run {
    status: ExitStatus,
    stdout: Vec<u8>,
    stderr: String,
    took: Duration,
}

/// Runs proflens with `args` under the caps; None on timeout (killed).
fn run(args: &[String]) -> Option<Run> {
    let started = Instant::now();
    let mut command = Command::new(binary());
    command.args(args).stdout(Stdio::piped()).stderr(Stdio::piped()).env("TZ", "UTC");
    // SAFETY: setrlimit is async-signal-safe and touches no memory of the
    // parent; it runs in the child between fork and exec.
    unsafe {
        command.pre_exec(|| {
            for (resource, value) in [(libc::RLIMIT_AS, ADDRESS_SPACE), (libc::RLIMIT_CPU, CPU_SECONDS)] {
                let limit = libc::rlimit { rlim_cur: value, rlim_max: value };
                if libc::setrlimit(resource, &limit) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
            }
            Ok(())
        });
    }
    let mut child = command.spawn().expect("starting proflens");
    // Drain both pipes while waiting, so a big report cannot block it.
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let out_reader = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = out.read_to_end(&mut v);
        v
    });
    let err_reader = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = err.read_to_end(&mut v);
        v
    });
    let status = loop {
        if let Some(status) = child.try_wait().expect("waiting for proflens") {
            break status;
        }
        if started.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Some(Run {
        status,
        stdout: out_reader.join().unwrap(),
        stderr: String::from_utf8_lossy(&err_reader.join().unwrap()).into_owned(),
        took: started.elapsed(),
    })
}

/// What a run must produce.
#[derive(Clone, Copy)]
enum Expect {
    /// A report containing this.
    Report(&'static str),
    /// An error message containing this.
    Error(&'static str),
    /// Either, as long as it is clean.
    Clean,
}

/// Checks one run; returns what went wrong.
fn check(args: &[String], file: &Path, expect: Expect) -> Result<Duration, String> {
    let shown = args.join(" ");
    let Some(r) = run(args) else {
        return Err(format!("`proflens {shown}` ran longer than {TIMEOUT:?}"));
    };
    let stdout = String::from_utf8_lossy(&r.stdout);
    match r.status.code() {
        Some(0) => match expect {
            Expect::Error(want) => {
                Err(format!("`proflens {shown}` succeeded; expected an error saying {want:?}"))
            }
            Expect::Report(want) if !stdout.contains(want) => {
                Err(format!("`proflens {shown}` printed no {want:?}: {}", &stdout[..stdout.len().min(300)]))
            }
            _ if stdout.is_empty() => Err(format!("`proflens {shown}` printed nothing")),
            _ => Ok(r.took),
        },
        Some(1) => {
            let message = r.stderr.trim_end();
            if message.contains('\n') || !message.starts_with("proflens: ") {
                return Err(format!("`proflens {shown}`: not a one-line message: {message:?}"));
            }
            // What is wrong with the file names it (by path, or by name in
            // the leak report); a refused combination names no file.
            let name = file.file_name().map_or(String::new(), |n| n.to_string_lossy().into_owned());
            if !message.contains(&name) && !message.contains("cannot be combined") {
                return Err(format!("`proflens {shown}`: {message:?} does not name the file"));
            }
            match expect {
                Expect::Report(want) => {
                    Err(format!("`proflens {shown}` failed ({message}); expected {want:?}"))
                }
                Expect::Error(want) if !message.contains(want) => {
                    Err(format!("`proflens {shown}`: {message:?} does not say {want:?}"))
                }
                _ => Ok(r.took),
            }
        }
        _ if r.status.signal() == Some(libc::SIGXCPU) || r.status.signal() == Some(libc::SIGKILL) => {
            Err(format!("`proflens {shown}` used more than {CPU_SECONDS} s of CPU"))
        }
        _ => Err(format!(
            "`proflens {shown}` ended with {} (a crash, abort or signal): {}",
            r.status,
            r.stderr.lines().take(3).collect::<Vec<_>>().join(" / ")
        )),
    }
}

/// Writes `bytes` under a scratch directory.
fn scratch(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("hostile_cli");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// A small valid profile to compare the hostile ones with.
fn plain_profile() -> PathBuf {
    let mut w = proflens_core::encode::ProfileWriter::new(&[("samples", "count")]);
    let f = w.add_function("main.main", "main.go", 1);
    let l = w.add_location(None, 0x10, &[(f, 2)]);
    w.add_sample(&[l], &[1], &[]);
    scratch("plain.pb.gz", &w.encode_gzip())
}

/// Every report the CLI has, on `file`.
fn every_report(file: &Path) -> Vec<Vec<String>> {
    let f = file.display().to_string();
    let plain = plain_profile().display().to_string();
    let s = |v: &[&str]| v.iter().map(|a| a.to_string()).collect::<Vec<_>>();
    vec![
        s(&["top", &f]),
        s(&["traces", &f]),
        s(&["tree", &f]),
        s(&["peek", "main|ns", &f]),
        s(&["dot", &f]),
        s(&["list", "main|ns", &f]),
        s(&["top", "--granularity=addresses", "--focus=main", &f]),
        s(&["top", "--diff-base", &f, &f]),
        s(&["tree", "--base", &plain, "--normalize", &f]),
        s(&["leaks", &f, &f]),
    ]
}

/// Runs `runs` on `file`, collecting failures.
fn check_all(
    file: &Path,
    runs: Vec<Vec<String>>,
    expect: impl Fn(&[String]) -> Expect,
    failures: &mut Vec<String>,
) {
    for args in runs {
        match check(&args, file, expect(&args)) {
            Ok(took) => println!("{took:>10.2?}  proflens {}", args.join(" ")),
            Err(e) => failures.push(e),
        }
    }
}

/// What every report of a crafted file must give.
fn expectation(c: &Crafted, args: &[String]) -> Expect {
    let report = args[0].as_str();
    match c.name {
        // Leaks needs heap profiles; these are CPU-like.
        _ if report == "leaks" => Expect::Clean,
        "value-count-flood.pb.gz" => Expect::Error("sample 0 has 1000000 values"),
        "huge-drop-frames.pb.gz" | "exploding-drop-frames.pb.gz" => Expect::Error("drop_frames regexp"),
        "gzip-bomb.pb.gz" => Expect::Error("field number 0"),
        "long-repeated-stack.pb.gz" if report == "top" && args.len() == 2 => Expect::Report("main.recurse"),
        "extreme-values.pb.gz" if report == "top" && args.len() == 2 => Expect::Report("-8192PB total"),
        "deep-stack.pb.gz" if report == "top" && args.len() == 2 => Expect::Report("main.f99999"),
        _ => Expect::Clean,
    }
}

#[test]
fn every_class_of_hostile_file_gets_a_report_or_a_clear_error() {
    let mut failures = Vec::new();
    for c in crafted::all().into_iter().filter(|c| !c.about.starts_with("class 4")) {
        let file = scratch(c.name, &c.bytes);
        println!("{}: {} ({} bytes)", c.name, c.about, c.bytes.len());
        check_all(&file, every_report(&file), |args| expectation(&c, args), &mut failures);
    }
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}

/// The class 4 floods: every repeated field flooded (1 MB each here), and
/// one 8 MB flood of empty sample types in a 16 KB gzip file, whose tables
/// would take about 180 MB.
#[test]
fn floods_of_every_repeated_field_are_handled() {
    let mut failures = Vec::new();
    let mut floods = crafted::floods(1 << 20);
    let mut types = crafted::profile_head();
    types.repeat(&[0x0a, 0x00], 4 << 20);
    floods.push(("sample-types-8mb", types.0));
    for (name, raw) in floods {
        let file = scratch(&format!("{name}.pb.gz"), &gzip(&raw));
        let f = file.display().to_string();
        let runs = vec![
            vec!["top".to_string(), f.clone()],
            vec!["traces".to_string(), f.clone()],
            vec!["top".to_string(), "--diff-base".to_string(), f.clone(), f.clone()],
        ];
        check_all(&file, runs, |_| Expect::Clean, &mut failures);
    }
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn max_memory_caps_the_decoded_tables_and_says_how_to_raise_it() {
    let plain = plain_profile();
    let f = plain.display().to_string();
    let args = |cap: &str| vec!["top".to_string(), format!("--max-memory={cap}"), f.clone()];
    let refused = check(&args("64B"), &plain, Expect::Error("--max-memory=SIZE"));
    assert!(refused.is_ok(), "{refused:?}");
    let loaded = check(&args("1GB"), &plain, Expect::Report("main.main"));
    assert!(loaded.is_ok(), "{loaded:?}");
    let bad = run(&args("lots")).expect("a quick refusal");
    assert_eq!(bad.status.code(), Some(2), "clap's usage error for a bad size: {}", bad.stderr);
    assert!(bad.stderr.contains("not a size"), "{}", bad.stderr);
}
