//! Symbolization (issue 16), end to end through the CLI: `proflens REPORT
//! BINARY PROFILE` against the golden files of tests/golden/symbolize (go
//! tool pprof's output, `cargo xtask golden`, xtask/src/golden/symbolize.rs),
//! `proflens symbolize`, and the messages for what cannot be symbolized.

use std::io::Read as _;
use std::path::{Path, PathBuf};

use proflens_cli::{run_args, Outcome};
use proflens_symbolize::{is_object_file, symbolize, ObjectFile};
use proflens_tests::{fixture, tests_dir};

/// A scratch directory of this test process.
fn scratch() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("proflens-symbolize-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes).read_to_end(&mut out).unwrap();
    out
}

/// A gzipped binary fixture, gunzipped into the scratch directory under its
/// own name (once per process).
fn binary(gz: &str) -> PathBuf {
    let name = Path::new(gz).file_name().unwrap().to_str().unwrap().trim_end_matches(".gz");
    let path = scratch().join(name);
    if !path.exists() {
        let tmp = scratch().join(format!("{name}.partial-{:?}", std::thread::current().id()));
        std::fs::write(&tmp, gunzip(&fixture(gz))).unwrap();
        std::fs::rename(&tmp, &path).unwrap();
    }
    path
}

fn proflens(args: &[String]) -> Result<String, String> {
    let argv = std::iter::once("proflens".to_string()).chain(args.iter().cloned());
    match run_args(argv) {
        Outcome::Output(t) => Ok(t),
        Outcome::Info(t) => Err(format!("unexpected info: {t}")),
        Outcome::Failed { message, .. } => Err(message),
    }
}

#[test]
fn reports_with_the_binary_equal_go_tool_pprof() {
    let tsv = std::fs::read_to_string(tests_dir().join("golden/symbolize/cases.tsv")).unwrap();
    let mut checked = 0;
    for row in tsv.lines().filter(|l| !l.starts_with('#') && !l.is_empty()) {
        let cols: Vec<&str> = row.split('\t').collect();
        let (golden, profile, gz) = (cols[0], cols[1], cols[2]);
        let mut args: Vec<String> = cols[4..].iter().map(|s| s.to_string()).collect();
        args.push(binary(gz).display().to_string());
        args.push(tests_dir().join("fixtures").join(profile).display().to_string());
        let got = proflens(&args).unwrap_or_else(|e| panic!("{golden}: proflens {args:?} failed: {e}"));
        let want = std::fs::read_to_string(tests_dir().join("golden/symbolize").join(golden)).unwrap();
        assert_eq!(got, want, "{golden}: proflens {args:?} differs from `{}`", cols[3]);
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} cases in cases.tsv");
}

#[test]
fn symbolize_command_writes_a_profile_the_reports_read() {
    let out = scratch().join("heap.symbolized.pb.gz");
    let profile = tests_dir().join("fixtures/rust/capture/heap.pb.gz");
    let args = [
        "symbolize".to_string(),
        binary("rust/capture/leaky_service.gz").display().to_string(),
        profile.display().to_string(),
        "-o".into(),
        out.display().to_string(),
    ];
    let said = proflens(&args).unwrap();
    assert!(said.contains("wrote"), "{said}");
    // The written profile needs no binary any more.
    let top = proflens(&["top".to_string(), out.display().to_string()]).unwrap();
    let want = std::fs::read_to_string(tests_dir().join("golden/symbolize/rust_heap_top.txt")).unwrap();
    assert_eq!(top, want);
    assert!(top.contains("leaky_service::with_value"), "the leak's frame is named in full:\n{top}");
}

#[test]
fn inlined_frames_are_expanded_innermost_first() {
    let bin = gunzip(&fixture("rust/capture/leaky_service.gz"));
    let objects = [ObjectFile { name: "leaky_service", bytes: &bin }];
    let out = symbolize(&fixture("rust/capture/heap.pb.gz"), &objects, &Default::default()).unwrap();
    assert!(out.symbolized_locations > 0);
    assert!(out.report.iter().any(|l| l.contains("matched by build ID")), "{:?}", out.report);
    // All frames: the profile's drop_frames would hide the allocation path
    // now that debug info names it in full.
    let options = proflens_core::DecodeOptions { all_frames: true, ..Default::default() };
    let p = proflens_core::decode(&out.profile, &options).unwrap();
    let traces = proflens_core::report::traces(&p, &Default::default()).unwrap();
    // with_value's Arc::new is inlined into it: the leaf frames are the
    // inlined allocation path, then with_value itself.
    let leak = traces.split("-----------+").find(|t| t.contains("leaky_service::with_value")).unwrap();
    let frames: Vec<&str> = leak
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("bytes:") && !l.starts_with('-'))
        .collect();
    let at = frames.iter().position(|f| f.starts_with("leaky_service::with_value")).unwrap();
    assert!(at > 0 && frames[..at].iter().all(|f| f.ends_with("(inline)")), "{leak}");
    // Its callers (set_ctx_value tail-calls it, so reset_log_id is next).
    assert!(frames[at + 1].starts_with("leaky_service::"), "{leak}");
}

#[test]
fn objects_are_told_from_profiles_by_content() {
    assert!(is_object_file(&gunzip(&fixture("go/capture/leak.gz"))[..64]));
    assert!(!is_object_file(&fixture("go/capture/heap.debug1.txt")));
    assert!(!is_object_file(&fixture("rust/capture/heap.pb.gz")));
}

/// The Rust fixture binary's GNU build ID (tests/fixtures/rust/capture).
const BUILD_ID: &str = "6e90e002b15b36ad9748feda474fec373fa71625";

#[test]
fn a_build_id_mismatch_names_both_ids() {
    // The Rust binary with one byte of its build ID note changed: the
    // mapping's file name matches, its build ID does not.
    let mut bin = gunzip(&fixture("rust/capture/leaky_service.gz"));
    let id: Vec<u8> = (0..20).map(|i| u8::from_str_radix(&BUILD_ID[2 * i..2 * i + 2], 16).unwrap()).collect();
    let at = bin.windows(20).position(|w| w == id.as_slice()).unwrap();
    bin[at] ^= 0xff;
    let objects = [ObjectFile { name: "leaky_service", bytes: &bin }];
    let err = symbolize(&fixture("rust/capture/heap.pb.gz"), &objects, &Default::default()).unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("build ID mismatch"), "{msg}");
    assert!(msg.contains(BUILD_ID), "{msg}");
    assert!(msg.contains(&format!("{:02x}{}", id[0] ^ 0xff, &BUILD_ID[2..])), "{msg}");
}

#[test]
fn a_stripped_binary_is_named_as_such() {
    // The Rust binary with every section that names code zeroed out of its
    // section table is what `strip` leaves: build ID, code, no names.
    let bin = gunzip(&fixture("rust/capture/leaky_service.gz"));
    let stripped = strip_names(&bin);
    let objects = [ObjectFile { name: "leaky_service", bytes: &stripped }];
    let err = symbolize(&fixture("rust/capture/heap.pb.gz"), &objects, &Default::default()).unwrap_err();
    assert!(err.to_string().contains("is stripped"), "{err}");
}

#[test]
fn unsupported_formats_and_no_match_are_explained() {
    let macho = [0xcf, 0xfa, 0xed, 0xfe, 7, 0, 0, 1];
    assert!(is_object_file(&macho));
    let objects = [ObjectFile { name: "app", bytes: &macho }];
    let err = symbolize(&fixture("rust/capture/heap.pb.gz"), &objects, &Default::default()).unwrap_err();
    assert!(err.to_string().contains("Mach-O object files are not supported"), "{err}");
    let err = symbolize(&fixture("rust/capture/heap.pb.gz"), &[], &Default::default()).unwrap_err();
    assert!(err.to_string().contains("no object files given"), "{err}");
}

/// What `strip --strip-all` leaves readers: the symbol table's section
/// header set to SHT_NULL, and the `.debug_*` and `.gopclntab` names
/// changed in the section name table (same length, offsets stay valid).
fn strip_names(elf: &[u8]) -> Vec<u8> {
    let mut out = elf.to_vec();
    let u64_at = |b: &[u8], o: usize| u64::from_le_bytes(b[o..o + 8].try_into().unwrap()) as usize;
    let u16_at = |b: &[u8], o: usize| u16::from_le_bytes(b[o..o + 2].try_into().unwrap()) as usize;
    let (shoff, shentsize, shnum) = (u64_at(elf, 0x28), u16_at(elf, 0x3a), u16_at(elf, 0x3c));
    for i in 0..shnum {
        let header = shoff + i * shentsize;
        if out[header + 4..header + 8] == 2u32.to_le_bytes() {
            out[header + 4..header + 8].copy_from_slice(&0u32.to_le_bytes());
        }
    }
    for name in [&b".debug_"[..], b".gopclntab\0"] {
        let mut i = 0;
        while let Some(at) = out[i..].windows(name.len()).position(|w| w == name) {
            out[i + at + 1] = b'X';
            i += at + name.len();
        }
    }
    out
}

/// Per address, the frames of `pprof -traces -addresses` text: (file:line
/// or "" when none, whether the frame is marked inline), innermost first,
/// taken from the address's first appearance.
fn frames_by_address(traces: &str) -> std::collections::BTreeMap<String, Vec<(String, bool)>> {
    let is_address = |t: &str| t.len() == 16 && t.bytes().all(|b| b.is_ascii_hexdigit());
    let mut out: std::collections::BTreeMap<String, Vec<(String, bool)>> = Default::default();
    let mut seen_in_sample = std::collections::HashSet::new();
    for line in traces.lines() {
        if line.starts_with("-----------+") {
            seen_in_sample.clear();
            continue;
        }
        let tokens: Vec<&str> = line.split_whitespace().collect();
        let Some(at) = tokens.iter().take(2).position(|t| is_address(t)) else { continue };
        let address = tokens[at].to_string();
        let inline = tokens.last() == Some(&"(inline)");
        let rest = &tokens[at + 1..tokens.len() - usize::from(inline)];
        let file = rest.last().filter(|t| t.starts_with('/')).map_or(String::new(), |t| t.to_string());
        // Record each address once: its frames in the first sample it is in.
        if out.contains_key(&address) && !seen_in_sample.contains(&address) {
            continue;
        }
        seen_in_sample.insert(address.clone());
        out.entry(address).or_default().push((file, inline));
    }
    out
}

#[test]
fn inlined_frames_equal_the_standalone_pprof_with_llvm_symbolizer() {
    let want = std::fs::read_to_string(tests_dir().join("golden/symbolize/rust_heap_traces_standalone.txt"))
        .unwrap();
    let args = [
        "traces".to_string(),
        "--granularity=addresses".into(),
        "--all-frames".into(),
        binary("rust/capture/leaky_service.gz").display().to_string(),
        tests_dir().join("fixtures/rust/capture/heap.pb.gz").display().to_string(),
    ];
    let got = proflens(&args).unwrap();
    let (want, got) = (frames_by_address(&want), frames_by_address(&got));
    assert!(want.len() > 100, "only {} addresses in the standalone pprof's traces", want.len());
    let inlined = want.values().filter(|f| f.len() > 1).count();
    assert!(inlined > 20, "only {inlined} addresses with inlined frames");
    let mut equal = 0;
    for (address, frames) in &want {
        let ours = got.get(address).unwrap_or_else(|| panic!("{address} is not in proflens's traces"));
        if ours == frames {
            equal += 1;
            continue;
        }
        // The one allowed difference: proflens reads with --all-frames,
        // while pprof drops the profile's drop_frames (`__rust_alloc`, the
        // global allocator inlined into it, and std's allocation and RawVec
        // growth, which debug info names in full) from the leaf, so only
        // those innermost frames may be proflens's alone.
        let extra = ours.len().saturating_sub(frames.len());
        assert!(
            extra > 0
                && ours[extra..] == frames[..]
                && ours[..extra].iter().all(|(f, _)| {
                    f.contains("agent/src/heap/mod.rs:")
                        || f.ends_with("examples/leaky_service.rs:28")
                        || f.contains("library/alloc/src/alloc.rs:")
                        || f.contains("library/alloc/src/raw_vec/")
                }),
            "frames of {address}: standalone pprof {frames:?}, proflens {ours:?}"
        );
    }
    eprintln!("{equal} of {} addresses have exactly the standalone pprof's frames", want.len());
    assert!(equal * 10 >= want.len() * 9, "only {equal} of {} addresses equal", want.len());
}

#[test]
fn a_separate_debug_file_names_a_stripped_binary() {
    // The stripped binary and a file with the same build ID and DWARF (the
    // unstripped binary standing in for `objcopy --only-keep-debug`'s file).
    let bin = gunzip(&fixture("rust/capture/leaky_service.gz"));
    let stripped = strip_names(&bin);
    let objects = [
        ObjectFile { name: "leaky_service", bytes: &stripped },
        ObjectFile { name: "6e90e002b15b36ad9748feda474fec373fa71625.debug", bytes: &bin },
    ];
    let out = symbolize(&fixture("rust/capture/heap.pb.gz"), &objects, &Default::default()).unwrap();
    let line = out.report.iter().find(|l| l.contains("locations named from leaky_service")).unwrap();
    assert!(line.contains("debug info from 6e90e002b15b36ad9748feda474fec373fa71625.debug"), "{line}");
    let with_debug = proflens_core::report::top(
        &proflens_core::decode(&out.profile, &Default::default()).unwrap(),
        &Default::default(),
    )
    .unwrap()
    .to_text();
    assert!(with_debug.contains("leaky_service::with_value"), "{with_debug}");
}

#[test]
fn compressed_dwarf_names_a_go_binary_without_its_line_table() {
    // leak's DWARF sections are zlib-compressed (SHF_COMPRESSED); with
    // the Go line table hidden, DWARF alone names the goroutines' frames.
    let mut bin = gunzip(&fixture("go/capture/leak.gz"));
    let name = b".gopclntab\0";
    let at = bin.windows(name.len()).position(|w| w == name).unwrap();
    bin[at + 1] = b'X';
    let objects = [ObjectFile { name: "leak", bytes: &bin }];
    let out = symbolize(&fixture("go/capture/goroutine.debug1.txt"), &objects, &Default::default()).unwrap();
    let p = proflens_core::decode(&out.profile, &Default::default()).unwrap();
    let top = proflens_core::report::top(&p, &Default::default()).unwrap().to_text();
    for f in ["runtime.gopark", "main.contender", "runtime.goexit"] {
        assert!(top.contains(f), "{f} missing:\n{top}");
    }
}

mod never_panics {
    use super::*;
    use proptest::prelude::*;

    fn go_binary() -> &'static [u8] {
        static BIN: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
        BIN.get_or_init(|| gunzip(&fixture("go/capture/leak.gz")))
    }

    /// (file offset, size) of the ELF64 section named `name`.
    fn section(elf: &[u8], name: &[u8]) -> (usize, usize) {
        let u64_at = |o: usize| u64::from_le_bytes(elf[o..o + 8].try_into().unwrap()) as usize;
        let u32_at = |o: usize| u32::from_le_bytes(elf[o..o + 4].try_into().unwrap()) as usize;
        let u16_at = |o: usize| u16::from_le_bytes(elf[o..o + 2].try_into().unwrap()) as usize;
        let (shoff, shentsize, shnum, shstrndx) = (u64_at(0x28), u16_at(0x3a), u16_at(0x3c), u16_at(0x3e));
        let names = u64_at(shoff + shstrndx * shentsize + 0x18);
        (0..shnum)
            .map(|i| shoff + i * shentsize)
            .find(|&h| elf[names + u32_at(h)..].starts_with(name) && elf[names + u32_at(h) + name.len()] == 0)
            .map(|h| (u64_at(h + 0x18), u64_at(h + 0x20)))
            .unwrap()
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

        /// Bytes changed in the Go binary's headers and in its line table
        /// (.gopclntab): symbolizing answers or errs, never panics.
        #[test]
        fn damaged_binaries(edits in proptest::collection::vec((0usize..1 << 16, any::<u8>()), 1..64),
                            table_edits in proptest::collection::vec((0usize..1 << 20, any::<u8>()), 1..256)) {
            let mut bin = go_binary().to_vec();
            for (at, b) in edits {
                bin[at] = b;
            }
            let (start, len) = section(go_binary(), b".gopclntab");
            for (at, b) in table_edits {
                bin[start + at % len] = b;
            }
            let objects = [ObjectFile { name: "leak", bytes: &bin }];
            let _ = symbolize(&fixture("go/capture/goroutine.debug1.txt"), &objects, &Default::default());
        }

        /// Any bytes behind an ELF magic.
        #[test]
        fn garbage_objects(tail in proptest::collection::vec(any::<u8>(), 0..4096)) {
            let mut bytes = b"\x7fELF".to_vec();
            bytes.extend(tail);
            let objects = [ObjectFile { name: "leak", bytes: &bytes }];
            let _ = symbolize(&fixture("go/capture/goroutine.debug1.txt"), &objects, &Default::default());
        }
    }
}

#[test]
fn a_binary_without_build_id_is_not_forced_on_a_mapping_with_one() {
    // The Go binary (no GNU build ID, another name) for the Rust profile.
    let go = gunzip(&fixture("go/capture/leak.gz"));
    let objects = [ObjectFile { name: "leak", bytes: &go }];
    let err = symbolize(&fixture("rust/capture/heap.pb.gz"), &objects, &Default::default()).unwrap_err();
    assert!(
        err.to_string().contains(&format!("main mapping has build ID {BUILD_ID} and leak has none")),
        "{err}"
    );
}
