//! pprof's legacy forms (issue 16), end to end: gperftools' binary CPU and
//! heap profiles, Go's legacy heap text, and Go's `?debug=1` heap, mutex
//! and block text, read by content like any profile.
//!
//! The golden files in tests/golden/legacy hold go tool pprof's output for
//! them (`cargo xtask golden`, xtask/src/golden/legacy.rs); Go's `?debug=1`
//! texts are compared read addresses-only (`decode::to_message`), as pprof
//! reads them, and their comment-named default reading is checked against
//! the `#` lines themselves.

use std::collections::HashMap;
use std::path::PathBuf;

use proflens_cli::{run_args, Outcome};
use proflens_core::decode::{self, to_message};
use proflens_core::model::Profile;
use proflens_core::{DecodeOptions, Error, Limits};
use proflens_tests::{fixture, tests_dir};
use proptest::prelude::*;

/// A row of tests/golden/legacy/cases.tsv.
struct Case {
    golden: String,
    fixture: String,
    addresses_only: bool,
    go_command: String,
    args: Vec<String>,
}

fn cases() -> Vec<Case> {
    let path = tests_dir().join("golden/legacy/cases.tsv");
    let tsv = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    tsv.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            assert!(cols.len() >= 5, "cases.tsv: short row {l:?}");
            Case {
                golden: cols[0].to_string(),
                fixture: cols[1].to_string(),
                addresses_only: match cols[2] {
                    "addresses" => true,
                    "file" => false,
                    other => panic!("cases.tsv: unknown reading {other:?}"),
                },
                go_command: cols[3].to_string(),
                args: cols[4..].iter().map(|s| s.to_string()).collect(),
            }
        })
        .collect()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("proflens-legacy-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn proflens(args: &[String], file: &str) -> String {
    let mut argv = vec!["proflens".to_string()];
    argv.extend(args.iter().cloned());
    argv.push(file.to_string());
    match run_args(argv) {
        Outcome::Output(text) => text,
        other => panic!("proflens {args:?} {file}: {other:?}"),
    }
}

#[test]
fn legacy_profiles_report_as_go_tool_pprof_does() {
    let cases = cases();
    assert!(cases.len() >= 20, "cases.tsv lists {} cases", cases.len());
    let mut failures = Vec::new();
    for (i, c) in cases.iter().enumerate() {
        let fixture_path = tests_dir().join("fixtures").join(&c.fixture);
        let file = if c.addresses_only {
            // What pprof reads: addresses only, the `#` lines ignored.
            let message = to_message(&fixture(&c.fixture), &DecodeOptions::default())
                .unwrap_or_else(|e| panic!("{}: to_message: {e}", c.fixture));
            let path = scratch(&format!("case{i}.pb"));
            std::fs::write(&path, message).unwrap();
            path
        } else {
            fixture_path
        };
        let ours = proflens(&c.args, &file.display().to_string());
        let golden = std::fs::read_to_string(tests_dir().join("golden/legacy").join(&c.golden)).unwrap();
        if ours != golden {
            failures.push(format!(
                "{} ({}; proflens {}):\n--- go tool pprof\n{golden}--- proflens\n{ours}",
                c.golden,
                c.go_command,
                c.args.join(" ")
            ));
        }
    }
    let _ = std::fs::remove_dir_all(scratch("x").parent().unwrap());
    assert!(
        failures.is_empty(),
        "{} of {} cases differ:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

/// `message` printed as `go tool pprof -raw` prints a profile (pprof's
/// `Profile.String`), numeric labels without their units.
fn raw_text(message: &[u8]) -> String {
    use prost::Message;
    let p = proflens_core::proto::Profile::decode(message).expect("to_message returns profile.proto");
    let s = |i: i64| p.string_table.get(i as usize).cloned().unwrap_or_default();
    let mut out = Vec::new();
    for &c in &p.comment {
        out.push(format!("Comment: {}", s(c)));
    }
    if let Some(t) = &p.period_type {
        out.push(format!("PeriodType: {} {}", s(t.r#type), s(t.unit)));
    }
    out.push(format!("Period: {}", p.period));
    assert_eq!((p.time_nanos, p.duration_nanos), (0, 0), "no fixture here has a time");
    out.push("Samples:".into());
    let types: Vec<String> = p.sample_type.iter().map(|t| format!("{}/{}", s(t.r#type), s(t.unit))).collect();
    out.push(types.join(" "));
    for sample in &p.sample {
        let mut line: String = sample.value.iter().map(|v| format!(" {v:>10}")).collect();
        line.push_str(": ");
        for id in &sample.location_id {
            line.push_str(&format!("{id} "));
        }
        out.push(line);
        let mut numeric: Vec<(String, Vec<i64>)> = Vec::new();
        for l in &sample.label {
            assert_eq!(l.str, 0, "legacy profiles have numeric labels only");
            match numeric.iter_mut().find(|(k, _)| *k == s(l.key)) {
                Some((_, values)) => values.push(l.num),
                None => numeric.push((s(l.key), vec![l.num])),
            }
        }
        numeric.sort();
        if !numeric.is_empty() {
            let labels: Vec<String> = numeric
                .iter()
                .map(|(k, v)| {
                    let values: Vec<String> = v.iter().map(i64::to_string).collect();
                    format!("{k}:[{}]", values.join(" "))
                })
                .collect();
            out.push(format!("                {}", labels.join(" ")));
        }
    }
    out.push("Locations".into());
    for l in &p.location {
        let mut line = format!("{:>6}: {:#x} ", l.id, l.address);
        if l.mapping_id != 0 {
            line.push_str(&format!("M={} ", l.mapping_id));
        }
        assert!(l.line.is_empty(), "addresses only");
        out.push(line);
    }
    out.push("Mappings".into());
    for m in &p.mapping {
        let bits: String = [
            (m.has_functions, "[FN]"),
            (m.has_filenames, "[FL]"),
            (m.has_line_numbers, "[LN]"),
            (m.has_inline_frames, "[IN]"),
        ]
        .iter()
        .filter(|(on, _)| *on)
        .map(|(_, b)| *b)
        .collect();
        out.push(format!(
            "{}: {:#x}/{:#x}/{:#x} {} {} {bits}",
            m.id,
            m.memory_start,
            m.memory_limit,
            m.file_offset,
            s(m.filename),
            s(m.build_id)
        ));
    }
    out.join("\n") + "\n"
}

#[test]
fn parsed_profiles_equal_pprofs_raw_dump() {
    // Samples (values, location ids), locations (addresses, mappings) and
    // mappings exactly as pprof's legacy parser builds them: what the
    // symbolizer starts from.
    let dir = tests_dir().join("golden/legacy");
    let mut compared = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()).and_then(|n| n.strip_suffix(".raw.txt"))
        else {
            continue;
        };
        let fixture_name = LEGACY_FIXTURES
            .iter()
            .find(|f| f.rsplit('/').next().unwrap().replace('.', "_") == name)
            .unwrap_or_else(|| panic!("{name}.raw.txt: no such fixture"));
        let message = to_message(&fixture(fixture_name), &DecodeOptions::default()).unwrap();
        let pprof = std::fs::read_to_string(&path).unwrap();
        let ours = raw_text(&message);
        if ours != pprof {
            let first = ours.lines().zip(pprof.lines()).position(|(a, b)| a != b);
            panic!(
                "{fixture_name}: differs from go tool pprof -raw at line {first:?}:\n--- pprof\n{}\n--- proflens\n{}",
                first.and_then(|i| pprof.lines().nth(i)).unwrap_or("(end)"),
                first.and_then(|i| ours.lines().nth(i)).unwrap_or("(end)")
            );
        }
        compared += 1;
    }
    assert_eq!(compared, LEGACY_FIXTURES.len(), "a raw dump per legacy fixture");
}

/// A frame as a `#` line writes it: function, file, line.
type CommentFrame = (String, String, i64);

/// The frames (name, file, line) Go's `#` lines give each record's
/// addresses, and the records' addresses, in the order of the text.
fn records_and_comments(text: &str) -> (Vec<Vec<u64>>, HashMap<u64, Vec<CommentFrame>>) {
    let mut records = Vec::new();
    let mut names: HashMap<u64, Vec<CommentFrame>> = HashMap::new();
    let mut last = None;
    for line in text.lines() {
        if let Some((_, addresses)) = line.split_once(" @ ") {
            if line.starts_with(|c: char| c.is_ascii_digit()) {
                records.push(
                    addresses
                        .split_whitespace()
                        .map(|a| u64::from_str_radix(a.trim_start_matches("0x"), 16).unwrap())
                        .collect(),
                );
                last = None;
                continue;
            }
        }
        let Some(comment) = line.strip_prefix('#') else {
            last = None;
            continue;
        };
        let fields: Vec<&str> = comment.split('\t').filter(|f| !f.is_empty()).collect();
        let Some(address) = fields.first().and_then(|a| a.strip_prefix("0x")) else { continue };
        let Ok(address) = u64::from_str_radix(address, 16) else { continue };
        let name = fields[1].rsplit_once("+0x").map_or(fields[1], |(n, _)| n).to_string();
        let (file, line) = fields[2].rsplit_once(':').unwrap();
        let entry = names.entry(address).or_default();
        if last != Some(address) {
            entry.clear();
        }
        entry.push((name, file.to_string(), line.parse().unwrap()));
        last = Some(address);
    }
    (records, names)
}

fn decode_all_frames(bytes: &[u8]) -> Profile {
    let options = DecodeOptions { all_frames: true, ..DecodeOptions::default() };
    decode::decode(bytes, &options).unwrap()
}

#[test]
fn debug1_frames_are_named_from_their_comment_lines() {
    for name in ["go/capture/heap.debug1.txt", "go/capture/mutex.debug1.txt", "go/capture/block.debug1.txt"] {
        let bytes = fixture(name);
        let text = String::from_utf8(bytes.clone()).unwrap();
        let (records, comments) = records_and_comments(&text);
        let p = decode_all_frames(&bytes);
        let header: Vec<&str> = p.comments.iter().map(|&c| p.str(c)).collect();
        assert!(
            header.iter().any(|c| c.starts_with("Frames named from the # comment lines")),
            "{name}: the header says how frames were named: {header:?}"
        );
        assert_eq!(p.samples.len(), records.len(), "{name}: one sample per record");
        let mut named = 0;
        for (s, record) in records.iter().enumerate() {
            let stack: Vec<usize> = p.stacks.frames(p.samples.stack[s]).collect();
            assert_eq!(stack.len(), record.len(), "{name}: sample {s} depth");
            for (&loc, &written) in stack.iter().zip(record) {
                let address = written - 1;
                assert_eq!(p.locations[loc].address, address, "{name}: sample {s}: pprof's address");
                let frames: Vec<CommentFrame> = p
                    .location_lines(loc)
                    .iter()
                    .map(|l| {
                        let f = &p.functions[l.function];
                        (p.str(f.name).to_string(), p.str(f.filename).to_string(), l.line)
                    })
                    .collect();
                let expected = comments.get(&address).cloned().unwrap_or_default();
                assert_eq!(frames, expected, "{name}: sample {s}, address {address:#x}");
                named += usize::from(!frames.is_empty());
            }
        }
        assert!(named > records.len(), "{name}: most frames are named ({named})");
        // Without comments (the symbolizer's reading) nothing is named.
        let raw = decode::decode(
            &to_message(&bytes, &DecodeOptions::default()).unwrap(),
            &DecodeOptions::default(),
        )
        .unwrap();
        assert!(raw.lines.is_empty(), "{name}: addresses only");
        assert!(raw.comments.is_empty(), "{name}: no naming header");
    }
}

#[test]
fn debug1_reports_name_go_functions_and_keep_pprofs_totals() {
    // The named default keeps pprof's numbers: the same total as pprof's
    // addresses-only report, with Go's functions where pprof says <unknown>.
    for (name, golden, args, function) in [
        ("go/capture/heap.debug1.txt", "heap_debug1_txt_top.txt", vec!["top"], "main.handleItems"),
        ("go/capture/mutex.debug1.txt", "mutex_debug1_txt_top_addresses.txt", vec!["top"], "main.contender"),
        (
            "go/capture/block.debug1.txt",
            "block_debug1_txt_top_addresses.txt",
            vec!["top"],
            "runtime.selectgo",
        ),
    ] {
        let args: Vec<String> = args.into_iter().map(String::from).collect();
        let path = tests_dir().join("fixtures").join(name);
        let ours = proflens(&[args.clone(), vec!["--cum".into()]].concat(), &path.display().to_string());
        let pprof = std::fs::read_to_string(tests_dir().join("golden/legacy").join(golden)).unwrap();
        let total = |t: &str| {
            t.lines()
                .find(|l| l.starts_with("Showing nodes"))
                .and_then(|l| l.split(" of ").nth(1))
                .map(str::to_string)
        };
        assert_eq!(total(&ours), total(&pprof), "{name}: total\n{ours}");
        assert!(ours.lines().any(|l| l.ends_with(function)), "{name}: {function} named:\n{ours}");
        assert!(ours.starts_with("Frames named from the # comment lines"), "{name}: header:\n{ours}");
    }
}

#[test]
fn go_heap_text_unsamples_as_pprof_does() {
    let p = decode::decode(&fixture("go/capture/heap.debug1.txt"), &DecodeOptions::default()).unwrap();
    let types: Vec<String> =
        p.sample_types.iter().map(|t| format!("{}/{}", p.str(t.kind), p.str(t.unit))).collect();
    assert_eq!(
        types,
        ["alloc_objects/count", "alloc_space/bytes", "inuse_objects/count", "inuse_space/bytes"]
    );
    assert_eq!(p.period, 1048576 / 2, "pprof halves Go's heap rate");
    // `0: 0 [5: 240] @ ...`: 5 objects of 48 bytes at rate 512 KiB.
    let scale = 1.0 / (1.0 - (-48.0f64 / 524288.0).exp());
    assert_eq!(p.samples.values(0), [(5.0 * scale) as i64, (240.0 * scale) as i64, 0, 0]);
    // One fake mapping covers every address, as pprof makes for Go's texts.
    assert_eq!(p.mappings.len(), 1);
    assert_eq!((p.mappings[0].start, p.mappings[0].limit), (0, u64::MAX));
}

#[test]
fn gperftools_memory_maps_become_mappings() {
    let p = decode::decode(&fixture("pprof/cppbench.cpu"), &DecodeOptions::default()).unwrap();
    let main = &p.mappings[0];
    assert!(p.str(main.file).ends_with("/cppbench_server_main"), "the main binary first");
    assert_eq!(main.start, 0x400000);
    assert!(!main.has_functions, "addresses only, for a symbolizer");
    assert!(p.mappings.iter().any(|m| p.str(m.file).ends_with("libc-2.15.so")));
    assert!(p.locations.iter().all(|l| l.mapping.is_some()), "every address has a mapping");
    assert_eq!(p.period, 10_000_000, "10000 µs in nanoseconds");
    let heap = decode::decode(&fixture("pprof/cppbench.heap"), &DecodeOptions::default()).unwrap();
    assert!(heap.str(heap.mappings[0].file).ends_with("cppbench_server_main"), "MAPPED_LIBRARIES: read");
}

#[test]
fn errors_name_the_line() {
    let cases: [(&str, &str); 5] = [
        ("heap profile: 1: 2 [3: 4] @ heap/1048576\n1: 2 [3: 4] @ 0x1\nnonsense\n", "line 3"),
        ("heap profile: 1: 2 [3: 4] @ heap/1048576\n0: 2 [3: 4] @ 0x1\n", "line 2"),
        ("heap profile: 1: 2 [3: 4] @ heap/1048576\n1: 2 [3: 4] @ 0x1ffffffffffffffff\n", "line 2"),
        ("--- mutex:\ncycles/second=1\nsampling period=x\n", "line 3"),
        ("--- mutex:\ncycles/second=1\n\n1 1 @ 0x1\nbad line\n", "line 5"),
    ];
    for (text, place) in cases {
        match decode::decode(text.as_bytes(), &DecodeOptions::default()) {
            Err(e) => assert!(e.to_string().contains(place), "{text:?}: {e} does not name {place}"),
            Ok(_) => panic!("{text:?} decoded"),
        }
    }
    // A CPU sample claiming more frames than the file holds.
    let mut cpu: Vec<u8> = [0u32, 3, 0, 100, 0, 1, 1000].iter().flat_map(|w| w.to_le_bytes()).collect();
    cpu.extend([0; 8]);
    let e = decode::decode(&cpu, &DecodeOptions::default()).unwrap_err();
    assert!(e.to_string().contains("byte 20") && e.to_string().contains("1000 frames"), "{e}");
    // Java's form is recognised and refused.
    let e = decode::decode(&fixture("pprof/java.cpu"), &DecodeOptions::default()).unwrap_err();
    assert!(matches!(e, Error::UnsupportedFormat { .. }) && e.to_string().contains("Java"), "{e}");
}

#[test]
fn tables_stay_within_the_budget() {
    let limits = Limits { max_decoded_bytes: 4096, ..Limits::default() };
    let options = DecodeOptions { limits, ..DecodeOptions::default() };
    for name in [
        "pprof/cppbench.cpu",
        "pprof/gobench.heap",
        "go/capture/heap.debug1.txt",
        "go/capture/block.debug1.txt",
    ] {
        match decode::decode(&fixture(name), &options) {
            Err(Error::TooMany { .. }) => {}
            other => panic!("{name}: expected TooMany, got {:?}", other.map(|p| p.samples.len())),
        }
    }
}

const LEGACY_FIXTURES: [&str; 10] = [
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

/// Decoding and `to_message` return, whatever the bytes.
fn never_panics(bytes: &[u8]) {
    let _ = decode::decode(bytes, &DecodeOptions::default());
    if let Ok(message) = to_message(bytes, &DecodeOptions::default()) {
        let _ = decode::decode(&message, &DecodeOptions::default());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn truncated_legacy_profiles_never_panic(which in 0..LEGACY_FIXTURES.len(), cut in 0.0f64..1.0) {
        let bytes = fixture(LEGACY_FIXTURES[which]);
        never_panics(&bytes[..(bytes.len() as f64 * cut) as usize]);
    }

    #[test]
    fn damaged_legacy_profiles_never_panic(
        which in 0..LEGACY_FIXTURES.len(),
        edits in prop::collection::vec((0.0f64..1.0, any::<u8>()), 1..16),
    ) {
        let mut bytes = fixture(LEGACY_FIXTURES[which]);
        for (at, b) in edits {
            let i = ((bytes.len() - 1) as f64 * at) as usize;
            bytes[i] = b;
        }
        never_panics(&bytes);
    }

    #[test]
    fn garbage_after_legacy_headers_never_panics(
        header in prop::sample::select(vec![
            "heap profile: 1: 2 [3: 4] @ heap/1048576\n",
            "heap profile: 1: 2 [1: 2] @ heapprofile\n",
            "heap profile: 1: 2 [3: 4] @ growthz\n",
            "--- mutex:\ncycles/second=100\nsampling period=7\n",
            "--- contention:\n",
        ]),
        body in "([-0-9 :@x\\[\\]a-f#=\n]|MAPPED_LIBRARIES:\n|--- Memory map: ---\n|0-ffff r-xp 0 0:0 0 /x\n){0,80}",
    ) {
        never_panics(format!("{header}{body}").as_bytes());
    }

    #[test]
    fn random_words_after_a_cpu_header_never_panic(
        wide in any::<bool>(),
        big in any::<bool>(),
        words in prop::collection::vec(prop::sample::select(vec![0u64, 1, 2, 3, 0x400000, u64::MAX, 1 << 40]), 0..64),
    ) {
        let word = |w: u64| -> Vec<u8> {
            match (wide, big) {
                (true, true) => w.to_be_bytes().to_vec(),
                (true, false) => w.to_le_bytes().to_vec(),
                (false, true) => (w as u32).to_be_bytes().to_vec(),
                (false, false) => (w as u32).to_le_bytes().to_vec(),
            }
        };
        let bytes: Vec<u8> = [0, 3, 0, 100, 0].into_iter().chain(words).flat_map(word).collect();
        never_panics(&bytes);
    }
}
