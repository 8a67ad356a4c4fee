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
    case("legacy/maps.heap", false, &["-top", "-addresses"], &["top", "--granularity=addresses"]),
    case("legacy/maps.heap", false, &["-traces"], &["traces"]),
    case("legacy/brief.contention", false, &["-top", "-addresses"], &["top", "--granularity=addresses"]),
    case("legacy/brief.contention", false, &["-traces"], &["traces"]),
    case("legacy/be32.cpu", false, &["-top", "-addresses"], &["top", "--granularity=addresses"]),
    case("legacy/be32.cpu", false, &["-traces"], &["traces"]),
];

/// Synthetic legacy profiles for pprof's memory map and frame rules, in
/// tests/fixtures/legacy: (file, bytes, what it covers).
fn synthetic() -> Vec<(&'static str, Vec<u8>, &'static str)> {
    let heap = "heap profile: 3: 3072 [6: 6144] @ heap_v2/524288
1: 1024 [2: 2048] @ 0x555555600101 0x7f0000000201 0x555555700301
1: 1024 [2: 2048] @ 0x7f100000f001 0x555555600101 0x7f0000000201
1: 1024 [2: 2048] @ 0x1 0x9000000000000001 0x555555600101
0: 0 [0: 0] @ 0x555555600101

MAPPED_LIBRARIES:
555555400000-555555600000 r-xp 00000000 00:00 0          /anon_hugepage
555555600000-555555700000 r-xp 00200000 08:01 42         /usr/bin/app
555555700000-555555800000 r-xp 00300000 08:01 42         /usr/bin/app
555555800000-555555900000 rw-p 00400000 08:01 42         /usr/bin/app
7f0000000000-7f0000100000 r-xp 00000000 08:01 7          /lib/x86_64-linux-gnu/libc.so.6
7f0000100000-7f0000200000 rw-p 00100000 08:01 7          /lib/x86_64-linux-gnu/libc.so.6
7f1000010000-7f1000020000 r-xp 00010000 08:01 9          /usr/lib/libsplit.so
7ffff7ff0000-7ffff7ff2000 r-xp 00000000 00:00 0          [vdso]
";
    let contention = "--- contention:
cycles/second=2000000000
sampling period=100
# a comment between the attributes and the samples
4000000 3 @ 0x401101 0x402201 0x7f0000001001
1000 1 @ 0x402201 0x7f0000001001
--- Memory map: ---
root=/opt/app
401000-500000 $root/bin/server (@1000) 0123abcdef
I0102 12:00:00.000000 1234 maps.cc:12] 7f0000000000-7f0000100000 /lib/libfoo.so.1
";
    (vec![
        ("legacy/maps.heap", heap.as_bytes().to_vec(), "gperftools heap_v2 text with allocations; a MAPPED_LIBRARIES map with a leading /anon_hugepage, a PIE main binary split in two adjacent pieces, non-executable pieces, a library whose first piece is missing (offset workaround), [vdso]; an address of 0, an address no mapping covers, a sample of zeros"),
        ("legacy/brief.contention", contention.as_bytes().to_vec(), "Go contention text with a sampling period and a comment; pprof's brief memory map form with a variable, an offset, a build ID, a glog prefix, and the main binary at 0x400000 once its offset is folded in"),
        ("legacy/be32.cpu", be32_cpu(), "32-bit big-endian gperftools CPU profile: a signal-handler frame shared by all samples but one (stripped twice), a leaf the unwinder duplicated (dropped), the end marker, a /proc/self/maps trailer"),
    ])
    .into_iter()
    .collect()
}

/// The 32-bit big-endian CPU profile of [`synthetic`].
fn be32_cpu() -> Vec<u8> {
    let mut words: Vec<u32> = vec![0, 3, 0, 10_000, 0];
    let (handler1, handler2) = (0x0040_9001, 0x0040_9101);
    for i in 0..40u32 {
        let leaf = 0x0040_1000 + 0x10 * (i % 7);
        let caller = 0x0040_2001 + 0x20 * (i % 3);
        if i == 39 {
            // The one sample without the handler frames.
            words.extend([1, 3, leaf, caller, 0x0040_3001]);
        } else if i % 5 == 0 {
            // The leaf twice: once as is, once unwound (moved back a byte).
            words.extend([i + 1, 6, leaf, handler1, handler2, leaf, caller, 0x0040_3001]);
        } else {
            words.extend([i + 1, 5, leaf, handler1, handler2, caller, 0x0040_3001]);
        }
    }
    words.extend([0, 1, 0]);
    let mut bytes: Vec<u8> = words.iter().flat_map(|w| w.to_be_bytes()).collect();
    bytes.extend_from_slice(
        b"00400000-00500000 r-xp 00000000 08:01 42 /usr/local/bin/server\n\
          00500000-00600000 rw-p 00100000 08:01 42 /usr/local/bin/server\n",
    );
    bytes
}

/// Fixtures whose whole parsed profile (`go tool pprof -raw`: samples,
/// locations, mappings) the test compares with proflens's message.
const RAW: &[&str] = &[
    "pprof/cppbench.cpu",
    "pprof/go.crc32.cpu",
    "pprof/cppbench.heap",
    "pprof/gobench.heap",
    "go/capture/heap.debug1.txt",
    "go/capture/mutex.debug1.txt",
    "go/capture/block.debug1.txt",
    "legacy/maps.heap",
    "legacy/brief.contention",
    "legacy/be32.cpu",
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
    let mut fixture_list = String::new();
    for (file, bytes, about) in synthetic() {
        put(&fixtures.join(file), &bytes, check, stale)?;
        fixture_list.push_str(&format!("- `fixtures/{file}`: {about}\n"));
    }
    let fixtures_readme = format!(
        "# Synthetic legacy profiles\n\nWritten by `cargo xtask golden` (xtask/src/golden/legacy.rs); do not \
         edit. go tool pprof's output for them is in tests/golden/legacy.\n\n{fixture_list}"
    );
    put(&fixtures.join("legacy/README.md"), fixtures_readme.as_bytes(), check, stale)?;
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
        for fixture in RAW {
            let args = vec![
                "tool".to_string(),
                "pprof".into(),
                "-raw".into(),
                fixtures.join(fixture).display().to_string(),
            ];
            let out =
                sandbox.command(go, &args).output().map_err(|e| format!("{fixture}: cannot run go: {e}"))?;
            if !out.status.success() {
                return Err(format!(
                    "{fixture}: go tool pprof -raw failed: {}",
                    String::from_utf8_lossy(&out.stderr)
                ));
            }
            let base = fixture.rsplit('/').next().unwrap_or(fixture).replace('.', "_");
            put(&dir.join(format!("{base}.raw.txt")), &out.stdout, check, stale)?;
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
           in tests/tests/legacy_formats.rs.\n\n\
         `NAME.raw.txt` is `go tool pprof -raw` of the fixture (the parsed\n\
         profile: samples, locations, mappings) for {raw}; the test prints\n\
         the message `to_message` returns in the same form and compares them\n\
         (numeric label lines without units: proflens writes the `bytes`\n\
         unit out so that a block size of 0 survives a round trip).\n",
        raw = RAW.join(", ")
    ) + &format!("\nThe synthetic fixtures, written by the same generator:\n\n{fixture_list}");
    put(&dir.join("README.md"), readme.as_bytes(), check, stale)
}
