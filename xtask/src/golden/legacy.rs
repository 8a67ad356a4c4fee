//! Golden files for pprof's legacy forms (issue 16), in tests/golden/legacy:
//! what go tool pprof prints, without any binary, for gperftools' binary
//! CPU and heap profiles, Go's legacy heap text, and Go's `?debug=1` heap,
//! mutex and block text. tests/tests/legacy_formats.rs replays
//! `cases.tsv` through the proflens CLI; it never runs Go.
//!
//! Go's `?debug=1` texts carry `#` comment lines naming the frames, which
//! pprof ignores and proflens uses by default. Their cases are marked
//! `addresses`: the test first reads the file with
//! `proflens_profile::decode::to_message` (addresses only, as pprof reads
//! it, the symbolizer's input) and reports on that message.

use std::path::Path;

use super::{put, Sandbox};

/// One case: fixture under tests/fixtures, whether proflens reads it
/// addresses only, go tool pprof's flags, the proflens report and options.
struct Case {
    fixture: &'static str,
    addresses_only: bool,
    go: &'static [&'static str],
    proflens: &'static [&'static str],
}

const fn case(
    fixture: &'static str,
    addresses_only: bool,
    go: &'static [&'static str],
    proflens: &'static [&'static str],
) -> Case {
    Case { fixture, addresses_only, go, proflens }
}

const CASES: &[Case] = &[
    case("pprof/cppbench.cpu", false, &["-top"], &["top"]),
    case("pprof/cppbench.cpu", false, &["-traces"], &["traces"]),
    case("pprof/cppbench.cpu", false, &["-top", "-addresses"], &["top", "--granularity=addresses"]),
    case("pprof/cppbench.cpu", false, &["-top", "-sample_index=samples"], &["top", "--sample-index=samples"]),
    case("pprof/go.crc32.cpu", false, &["-top", "-addresses"], &["top", "--granularity=addresses"]),
    case("pprof/go.crc32.cpu", false, &["-traces"], &["traces"]),
    case("pprof/cppbench.heap", false, &["-top"], &["top"]),
    case("pprof/cppbench.heap", false, &["-traces"], &["traces"]),
    case("pprof/cppbench.heap", false, &["-top", "-addresses"], &["top", "--granularity=addresses"]),
    case(
        "pprof/cppbench.heap",
        false,
        &["-top", "-sample_index=objects"],
        &["top", "--sample-index=objects"],
    ),
    case("pprof/gobench.heap", false, &["-top"], &["top"]),
    case("pprof/gobench.heap", false, &["-traces"], &["traces"]),
    case("pprof/gobench.heap", false, &["-top", "-addresses"], &["top", "--granularity=addresses"]),
    case(
        "pprof/gobench.heap",
        false,
        &["-top", "-sample_index=alloc_space"],
        &["top", "--sample-index=alloc_space"],
    ),
    case("pprof/gobench.heap", false, &["-top", "-inuse_objects"], &["top", "--sample-index=inuse_objects"]),
    case(
        "pprof/gobench.heap",
        false,
        &["-traces", "-alloc_objects", "-addresses"],
        &["traces", "--sample-index=alloc_objects", "--granularity=addresses"],
    ),
    case("go/capture/heap.debug1.txt", true, &["-top"], &["top"]),
    case("go/capture/heap.debug1.txt", true, &["-traces"], &["traces"]),
    case("go/capture/heap.debug1.txt", true, &["-top", "-addresses"], &["top", "--granularity=addresses"]),
    case(
        "go/capture/heap.debug1.txt",
        true,
        &["-top", "-addresses", "-sample_index=alloc_space"],
        &["top", "--granularity=addresses", "--sample-index=alloc_space"],
    ),
    case(
        "go/capture/heap.debug1.txt",
        true,
        &["-top", "-addresses", "-inuse_objects"],
        &["top", "--granularity=addresses", "--sample-index=inuse_objects"],
    ),
    case("go/capture/mutex.debug1.txt", true, &["-top", "-addresses"], &["top", "--granularity=addresses"]),
    case("go/capture/mutex.debug1.txt", true, &["-traces"], &["traces"]),
    case(
        "go/capture/mutex.debug1.txt",
        true,
        &["-top", "-addresses", "-sample_index=contentions"],
        &["top", "--granularity=addresses", "--sample-index=contentions"],
    ),
    case("go/capture/block.debug1.txt", true, &["-top", "-addresses"], &["top", "--granularity=addresses"]),
    case("go/capture/block.debug1.txt", true, &["-traces"], &["traces"]),
    case(
        "go/capture/block.debug1.txt",
        true,
        &["-top", "-addresses", "-sample_index=contentions"],
        &["top", "--granularity=addresses", "--sample-index=contentions"],
    ),
];

/// The golden file name of a case: fixture and flags, made file-safe.
fn golden_name(c: &Case) -> String {
    let base = c.fixture.rsplit('/').next().unwrap_or(c.fixture);
    let mut name = base.replace('.', "_");
    for flag in c.go {
        name.push('_');
        name.push_str(&flag.trim_start_matches('-').replace('=', "-"));
    }
    name + ".txt"
}

/// Writes (or with `check`, compares) tests/golden/legacy.
pub fn generate(go: &str, tests: &Path, check: bool, stale: &mut Vec<String>) -> Result<(), String> {
    let dir = tests.join("golden/legacy");
    let fixtures = tests.join("fixtures");
    let version = super::go_version(go)?;
    let mut tsv =
        String::from("# golden\tfixture\treading\tgo command (from tests/)\tproflens arguments...\n");
    let sandbox = Sandbox::new()?;
    let result = (|| {
        for c in CASES {
            let mut args = vec!["tool".to_string(), "pprof".into()];
            args.extend(c.go.iter().map(|f| f.to_string()));
            args.push(fixtures.join(c.fixture).display().to_string());
            let out = sandbox
                .command(go, &args)
                .output()
                .map_err(|e| format!("{}: cannot run go: {e}", c.fixture))?;
            if !out.status.success() {
                return Err(format!(
                    "{}: go tool pprof {:?} failed: {}",
                    c.fixture,
                    c.go,
                    String::from_utf8_lossy(&out.stderr)
                ));
            }
            let name = golden_name(c);
            put(&dir.join(&name), &out.stdout, check, stale)?;
            let reading = if c.addresses_only { "addresses" } else { "file" };
            tsv.push_str(&format!(
                "{name}\t{}\t{reading}\tgo tool pprof {} fixtures/{}\t{}\n",
                c.fixture,
                c.go.join(" "),
                c.fixture,
                c.proflens.join("\t")
            ));
        }
        Ok(())
    })();
    sandbox.remove();
    result?;
    put(&dir.join("cases.tsv"), tsv.as_bytes(), check, stale)?;
    let readme = format!(
        "# Golden files for pprof's legacy forms\n\n\
         Written by `cargo xtask golden` (xtask/src/golden/legacy.rs); do not edit.\n\
         tests/tests/legacy_formats.rs replays `cases.tsv` through the proflens CLI.\n\n\
         Each `.txt` is the stdout of `go tool pprof` ({version}, TZ=UTC, in the sandbox\n\
         of ../README.md where no binary is ever found) for the command in column 4 of\n\
         `cases.tsv`; columns 5 and on are the proflens report and options that must\n\
         print the same bytes.\n\n\
         Column 3 says how proflens reads the fixture:\n\n\
         - `file`: the file itself, as the CLI reads it.\n\
         - `addresses`: Go's `?debug=1` texts, whose `#` comment lines name the\n\
           frames. pprof ignores them; proflens names frames from them by default\n\
           (and says so in a header comment), which pprof cannot match. So the test\n\
           first reads the file with `proflens_profile::decode::to_message`, which\n\
           keeps addresses only as pprof does (the symbolizer's input), writes that\n\
           message to a temporary file and runs the proflens CLI on it. The\n\
           comment-named default is checked frame by frame against the `#` lines\n\
           in tests/tests/legacy_formats.rs.\n"
    );
    put(&dir.join("README.md"), readme.as_bytes(), check, stale)
}
