//! Golden files for symbolization (issue 16), in tests/golden/symbolize:
//! what `go tool pprof -REPORT BINARY PROFILE` prints for Go's `?debug=1`
//! texts with the Go fixtures service's binary, and for the Rust fixture
//! service's address-only profile. tests/tests/symbolize.rs replays
//! `cases.tsv` through `proflens REPORT BINARY PROFILE`; it never runs Go.
//!
//! For the Rust binary, go tool pprof (Go 1.23's cmd/pprof) names addresses
//! from DWARF with bare `DW_AT_name`s and no inlined frames, while proflens
//! gives demangled paths and inlined frames (what addr2line and
//! llvm-symbolizer print). So the Rust golden is `go tool pprof -top` of
//! the profile `proflens symbolize` writes: pprof reading proflens's
//! symbolized profile, the check of the page's "Download symbolized
//! profile" too. go tool pprof's own naming is kept beside it for
//! reference (`*_gotool.txt`, not compared).
//!
//! The inlined frames themselves are checked against the standalone pprof
//! with llvm-symbolizer (Debian's golang-github-google-pprof-dev, built
//! here GOPATH-style; `llvm` from apt): `rust_heap_traces_standalone.txt`
//! is its `-traces -addresses`, and the test compares, address by address,
//! every frame's file:line and inline mark with proflens's (names differ:
//! that pprof predates Rust v0 demangling).

use std::io::Read as _;
use std::path::Path;

use super::{put, Sandbox};

/// One case: profile and binary (gzipped) under tests/fixtures, go tool
/// pprof's report flags, the proflens report arguments.
struct Case {
    name: &'static str,
    profile: &'static str,
    binary: &'static str,
    go: &'static [&'static str],
    proflens: &'static [&'static str],
}

const LEAK: &str = "go/capture/leak.gz";
const RUST: &str = "rust/capture/leaky_service.gz";

const CASES: &[Case] = &[
    Case {
        name: "goroutine_top",
        profile: "go/capture/goroutine.debug1.txt",
        binary: LEAK,
        go: &["-top"],
        proflens: &["top"],
    },
    Case {
        name: "goroutine_traces",
        profile: "go/capture/goroutine.debug1.txt",
        binary: LEAK,
        go: &["-traces"],
        proflens: &["traces"],
    },
    Case {
        name: "goroutine_peek",
        profile: "go/capture/goroutine.debug1.txt",
        binary: LEAK,
        go: &["-peek", "main\\."],
        proflens: &["peek", "main\\."],
    },
    Case {
        name: "heap_top",
        profile: "go/capture/heap.debug1.txt",
        binary: LEAK,
        go: &["-top"],
        proflens: &["top"],
    },
    Case {
        name: "heap_traces",
        profile: "go/capture/heap.debug1.txt",
        binary: LEAK,
        go: &["-traces"],
        proflens: &["traces"],
    },
    Case {
        name: "heap_peek",
        profile: "go/capture/heap.debug1.txt",
        binary: LEAK,
        go: &["-peek", "main\\."],
        proflens: &["peek", "main\\."],
    },
    Case {
        name: "heap_alloc_space_top",
        profile: "go/capture/heap.debug1.txt",
        binary: LEAK,
        go: &["-top", "-sample_index=alloc_space"],
        proflens: &["top", "--sample-index=alloc_space"],
    },
    Case {
        name: "threadcreate_traces",
        profile: "go/capture/threadcreate.debug1.txt",
        binary: LEAK,
        go: &["-traces"],
        proflens: &["traces"],
    },
    Case {
        name: "mutex_top",
        profile: "go/capture/mutex.debug1.txt",
        binary: LEAK,
        go: &["-top"],
        proflens: &["top"],
    },
    Case {
        name: "block_traces",
        profile: "go/capture/block.debug1.txt",
        binary: LEAK,
        go: &["-traces"],
        proflens: &["traces"],
    },
];

/// The Rust fixture's profiles: (golden base name, profile).
const RUST_PROFILES: &[(&str, &str)] =
    &[("rust_heap", "rust/capture/heap.pb.gz"), ("rust_cpu", "rust/capture/cpu.pb.gz")];

/// Debian's packaged pprof source and llvm-symbolizer, installed with apt
/// when missing, and pprof built GOPATH-style into the sandbox.
fn standalone_pprof(go: &str, sandbox: &Sandbox) -> Result<std::path::PathBuf, String> {
    const PACKAGES: [&str; 2] = ["golang-github-google-pprof-dev", "llvm"];
    let installed = std::process::Command::new("dpkg")
        .arg("-s")
        .args(PACKAGES)
        .output()
        .is_ok_and(|o| o.status.success());
    if !installed {
        println!("installing {} with apt-get (the standalone pprof reference)", PACKAGES.join(" "));
        let status = std::process::Command::new("apt-get")
            .args(["install", "-y", "--no-install-recommends"])
            .args(PACKAGES)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .status()
            .map_err(|e| format!("apt-get: {e}"))?;
        if !status.success() {
            return Err(format!("apt-get install {} failed ({status})", PACKAGES.join(" ")));
        }
    }
    let out = sandbox.dir.join("pprof");
    let status = std::process::Command::new(go)
        .args(["build", "-o"])
        .arg(&out)
        .arg("github.com/google/pprof")
        .env("GO111MODULE", "off")
        .env("GOPATH", "/usr/share/gocode")
        .env("GOCACHE", sandbox.dir.join("gocache"))
        .env("HOME", sandbox.dir.join("home"))
        .env("GOFLAGS", "")
        .env("GOTOOLCHAIN", "local")
        .status()
        .map_err(|e| format!("go build of the standalone pprof: {e}"))?;
    if !status.success() {
        return Err(format!("go build of the standalone pprof failed ({status})"));
    }
    Ok(out)
}

fn gunzip(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes).read_to_end(&mut out).map_err(|e| e.to_string())?;
    Ok(out)
}

/// Writes (or with `check`, compares) tests/golden/symbolize.
pub fn generate(go: &str, tests: &Path, check: bool, stale: &mut Vec<String>) -> Result<(), String> {
    let dir = tests.join("golden/symbolize");
    let fixtures = tests.join("fixtures");
    let version = super::go_version(go)?;
    let sandbox = Sandbox::new()?;
    let result = (|| -> Result<String, String> {
        let work = sandbox.dir.join("work");
        // The binaries, gunzipped, under their own names.
        for gz in [LEAK, RUST] {
            let bytes = std::fs::read(fixtures.join(gz)).map_err(|e| format!("{gz}: {e}"))?;
            let name = gz.rsplit('/').next().unwrap_or(gz).trim_end_matches(".gz");
            std::fs::write(work.join(name), gunzip(&bytes).map_err(|e| format!("{gz}: {e}"))?)
                .map_err(|e| e.to_string())?;
        }
        let run = |args: Vec<String>| -> Result<Vec<u8>, String> {
            let mut full = vec!["tool".to_string(), "pprof".into()];
            full.extend(args);
            let out = sandbox.command(go, &full).output().map_err(|e| format!("cannot run go: {e}"))?;
            if !out.status.success() {
                return Err(format!("go {full:?} failed: {}", String::from_utf8_lossy(&out.stderr)));
            }
            Ok(out.stdout)
        };
        let mut tsv =
            String::from("# golden\tprofile\tbinary (gzipped)\tgo command\tproflens arguments...\n");
        for c in CASES {
            let binary = c.binary.rsplit('/').next().unwrap_or(c.binary).trim_end_matches(".gz");
            let mut args: Vec<String> = c.go.iter().map(|s| s.to_string()).collect();
            args.push(binary.to_string());
            args.push(fixtures.join(c.profile).display().to_string());
            let out = run(args)?;
            put(&dir.join(format!("{}.txt", c.name)), &out, check, stale)?;
            tsv.push_str(&format!(
                "{}.txt\t{}\t{}\tgo tool pprof {} {binary} fixtures/{}\t{}\n",
                c.name,
                c.profile,
                c.binary,
                c.go.join(" "),
                c.profile,
                c.proflens.join("\t")
            ));
        }
        let binary_bytes = std::fs::read(work.join("leaky_service")).map_err(|e| e.to_string())?;
        for (name, profile) in RUST_PROFILES {
            let bytes = std::fs::read(fixtures.join(profile)).map_err(|e| format!("{profile}: {e}"))?;
            let objects = [proflens_symbolize::ObjectFile { name: "leaky_service", bytes: &binary_bytes }];
            let symbolized = proflens_symbolize::symbolize(&bytes, &objects, &Default::default())
                .map_err(|e| format!("{profile}: {e}"))?;
            let out_path = work.join(format!("{name}.symbolized.pb.gz"));
            std::fs::write(&out_path, &symbolized.profile).map_err(|e| e.to_string())?;
            let out = run(vec!["-top".into(), out_path.display().to_string()])?;
            put(&dir.join(format!("{name}_top.txt")), &out, check, stale)?;
            tsv.push_str(&format!(
                "{name}_top.txt\t{profile}\t{RUST}\tproflens symbolize leaky_service fixtures/{profile} -o S.pb.gz; \
                 go tool pprof -top S.pb.gz\ttop\n"
            ));
            let reference = run(vec![
                "-top".into(),
                "leaky_service".into(),
                fixtures.join(profile).display().to_string(),
            ])?;
            put(&dir.join(format!("{name}_top_gotool.txt")), &reference, check, stale)?;
        }
        let pprof = standalone_pprof(go, &sandbox)?;
        let out = sandbox
            .command(&pprof.display().to_string(), &[])
            .args(["-traces", "-addresses", "leaky_service"])
            .arg(fixtures.join("rust/capture/heap.pb.gz"))
            .output()
            .map_err(|e| format!("running the standalone pprof: {e}"))?;
        if !out.status.success() {
            return Err(format!("standalone pprof failed: {}", String::from_utf8_lossy(&out.stderr)));
        }
        put(&dir.join("rust_heap_traces_standalone.txt"), &out.stdout, check, stale)?;
        Ok(tsv)
    })();
    sandbox.remove();
    let tsv = result?;
    put(&dir.join("cases.tsv"), tsv.as_bytes(), check, stale)?;
    let readme = format!(
        "# Golden files for symbolization\n\n\
         Written by `cargo xtask golden` (xtask/src/golden/symbolize.rs) with {version}; do not edit.\n\
         tests/tests/symbolize.rs replays `cases.tsv`: `proflens ARGS BINARY PROFILE` (the binary\n\
         gunzipped) must print the golden's bytes.\n\n\
         - Go's `?debug=1` texts with the Go service's binary (tests/fixtures/go/capture/leak.gz):\n\
           the stdout of `go tool pprof -REPORT leak FILE`, which names addresses from the Go line\n\
           table (physical function; file and line of the innermost inlined position).\n\
         - `rust_*_top.txt`: the Rust service's address-only profiles\n\
           (tests/fixtures/rust/capture, `cargo xtask capture-rust`). Go 1.23's go tool pprof\n\
           does not use binutils or llvm-symbolizer: for a non-Go ELF it takes the bare\n\
           `DW_AT_name` of the enclosing subprogram and no inlined frames (`*_top_gotool.txt`\n\
           keeps that output, for reference only). proflens names them as addr2line and\n\
           llvm-symbolizer do: demangled paths, inlined frames expanded. So the golden is\n\
           `go tool pprof -top` of the profile `proflens symbolize` writes: pprof reading\n\
           proflens's symbolized profile, which the proflens CLI with the binary must match,\n\
           and which the page's downloaded symbolized profile must match too.\n\n\
         `rust_heap_traces_standalone.txt` is `pprof -traces -addresses leaky_service heap.pb.gz`\n\
         of the standalone pprof (Debian's golang-github-google-pprof-dev, 2021, built with\n\
         GO111MODULE=off GOPATH=/usr/share/gocode; it names addresses with llvm-symbolizer from\n\
         apt's `llvm`, expanding inlined calls). The test compares, for every address it prints,\n\
         the file:line and inline mark of each frame with proflens's\n\
         (`traces --granularity=addresses --all-frames`); names are not compared, as that pprof\n\
         leaves Rust v0 symbols (the standard library's) mangled.\n"
    );
    put(&dir.join("README.md"), readme.as_bytes(), check, stale)
}
