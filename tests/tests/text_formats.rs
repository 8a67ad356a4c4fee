//! The text formats of issue 17, end to end: goroutine dumps, Go's
//! `?debug=1` count text, collapsed stacks and `perf script` output,
//! decoded by content and run through every report.
//!
//! Golden files in tests/golden/formats come from inferno and go tool
//! pprof (`cargo xtask golden`, xtask/src/golden/formats.rs); the numbers
//! of goroutines per state come from the capture's README.

use std::collections::BTreeMap;

use proflens_cli::{run_args, Outcome};
use proflens_core::graph::Granularity;
use proflens_core::model::{LabelValue, Profile};
use proflens_core::report::{self, ReportOptions};
use proflens_core::{decode, decode_reader, DecodeOptions, Error};
use proflens_tests::{fixture, tests_dir};
use proptest::prelude::*;

fn load(path: &str) -> Profile {
    let bytes = fixture(path);
    let p = decode(&bytes, &DecodeOptions::default()).unwrap_or_else(|e| panic!("{path}: {e}"));
    // The streaming entry point (the CLI's) reads it the same way.
    let streamed = decode_reader(&bytes[..], &DecodeOptions::default()).unwrap();
    assert_eq!(streamed.samples.values, p.samples.values, "{path}: decode and decode_reader differ");
    p
}

fn proflens(args: &[&str]) -> String {
    let mut argv = vec!["proflens".to_string()];
    for a in args {
        let path = tests_dir().join("fixtures").join(a);
        argv.push(if path.exists() { path.display().to_string() } else { a.to_string() });
    }
    match run_args(argv) {
        Outcome::Output(text) => text,
        other => panic!("proflens {args:?}: {other:?}"),
    }
}

fn golden(name: &str) -> String {
    let path = tests_dir().join("golden/formats").join(name);
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (run `cargo xtask golden`)", path.display()))
}

/// A sample's string label `key`, or "".
fn label(p: &Profile, sample: usize, key: &str) -> String {
    for l in p.label_sets.get(p.samples.labels[sample]) {
        if p.str(l.key) == key {
            return match l.value {
                LabelValue::Str(v) => p.str(v).to_string(),
                LabelValue::Num { value, unit } => format!("{value} {}", p.str(unit)),
            };
        }
    }
    String::new()
}

/// Goroutines per value of `key`, from the samples' labels.
fn count_by(p: &Profile, key: &str) -> BTreeMap<String, i64> {
    let mut counts = BTreeMap::new();
    for s in 0..p.samples.len() {
        *counts.entry(label(p, s, key)).or_insert(0) += p.samples.value(s, 0);
    }
    counts
}

/// The function names of sample `s`, leaf first.
fn stack_names(p: &Profile, s: usize) -> Vec<String> {
    let mut names = Vec::new();
    for loc in p.stacks.frames(p.samples.stack[s]) {
        for line in p.location_lines(loc) {
            names.push(p.str(p.functions[line.function].name).to_string());
        }
    }
    names
}

/// Every report runs on the profile and says something.
fn all_reports_run(p: &Profile, peek: &str, what: &str) {
    let o = ReportOptions::default();
    let top = report::top(p, &o).unwrap_or_else(|e| panic!("{what}: top: {e}"));
    assert!(!top.rows.is_empty(), "{what}: top has no rows");
    assert!(report::traces(p, &o).unwrap().contains("-----------+"), "{what}: traces");
    assert!(!report::tree(p, &o).unwrap().to_text().is_empty(), "{what}: tree");
    assert!(
        report::peek(p, &o, peek).unwrap().to_text().contains(peek.trim_end_matches('$')),
        "{what}: peek"
    );
    assert!(report::dot(p, &o).unwrap().to_dot().starts_with("digraph"), "{what}: dot");
    assert!(!report::collapsed(p, &o).unwrap().is_empty(), "{what}: collapsed");
    let flame = report::flame(p, &o, Granularity::FileFunctions, None);
    assert!(flame.is_ok(), "{what}: flame: {:?}", flame.err());
    let list = report::list(p, &ReportOptions::default(), peek);
    assert!(list.is_ok() || matches!(list, Err(Error::NoMatches { .. })), "{what}: list: {list:?}");
}

// ---- Goroutine dumps (?debug=2 and panics) ----

/// The capture README's parked goroutines: function, state, how many.
const PARKED: &[(&str, &str, i64)] = &[
    ("main.waitForever", "chan receive", 7),
    ("main.pollNothing", "select", 3),
    ("main.lockHeld", "sync.Mutex.Lock", 2),
    ("main.lockedWaiter", "chan receive", 1),
    ("main.idleWorker", "chan receive", 32),
];

#[test]
fn goroutine_dumps_count_goroutines_per_state() {
    // Goroutines per state, from the dumps' headers (`grep '^goroutine' |
    // sed 's/, .*]/]/' | sort | uniq -c`); the panic came a few seconds
    // after the ?debug=2 fetch, so the busy goroutines moved.
    let debug2: &[(&str, i64)] = &[
        ("IO wait", 4),
        ("chan receive", 40),
        ("chan send", 1),
        ("runnable", 9),
        ("running", 1),
        ("select", 7),
        ("semacquire", 1),
        ("sleep", 12),
        ("sync.Mutex.Lock", 2),
    ];
    let panic: &[(&str, i64)] = &[
        ("IO wait", 5),
        ("chan receive", 40),
        ("chan send", 1),
        ("runnable", 3),
        ("running", 1),
        ("select", 8),
        ("semacquire", 1),
        ("sleep", 16),
        ("sync.Mutex.Lock", 2),
    ];
    for (dump, want) in [("go/capture/goroutine.debug2.txt", debug2), ("go/capture/panic.txt", panic)] {
        let p = load(dump);
        assert_eq!(p.sample_type_names(), ["goroutine"], "{dump}");
        let total: i64 = (0..p.samples.len()).map(|s| p.samples.value(s, 0)).sum();
        assert_eq!(total, 77, "{dump}: one sample value per goroutine");
        let states = count_by(&p, "state");
        assert_eq!(states.len(), want.len(), "{dump}: {states:?}");
        for &(state, n) in want {
            assert_eq!(states.get(state).copied(), Some(n), "{dump}: goroutines in {state:?}: {states:?}");
        }
        assert_eq!(
            count_by(&p, "locked").get("true"),
            Some(&1),
            "{dump}: one goroutine locked to its thread"
        );
        for &(function, state, n) in PARKED {
            let mut found = 0;
            for s in 0..p.samples.len() {
                if stack_names(&p, s).iter().any(|f| f == function) {
                    found += p.samples.value(s, 0);
                    assert_eq!(label(&p, s, "state"), state, "{dump}: {function}");
                    assert_eq!(label(&p, s, "wait"), "1 minutes", "{dump}: {function} waits a minute");
                    assert!(!label(&p, s, "created_by").is_empty(), "{dump}: {function} has a creator");
                }
            }
            assert_eq!(found, n, "{dump}: goroutines in {function}");
        }
        // Identical stacks with identical labels are one sample.
        assert!(p.samples.len() < 77, "{dump}: {} samples, stacks not grouped", p.samples.len());
        all_reports_run(&p, "main.idleWorker$", dump);
    }
}

#[test]
fn proflens_tags_answers_how_many_goroutines_wait_where() {
    let tags = proflens(&["tags", "go/capture/goroutine.debug2.txt"]);
    for line in [
        "state: Total 77.0",
        "40.0 (51.95%): chan receive",
        "7.0 ( 9.09%): select",
        "2.0 ( 2.60%): sync.Mutex.Lock",
        "locked: Total 1.0",
        "13.0 (17.11%): main.parkKnownGoroutines",
    ] {
        assert!(tags.lines().any(|l| l.trim() == line), "proflens tags lacks {line:?}:\n{tags}");
    }
}

#[test]
fn goroutine_dump_frames_have_files_and_lines() {
    let p = load("go/capture/goroutine.debug2.txt");
    let idle = p.functions.iter().find(|f| p.str(f.name) == "main.idleWorker").expect("main.idleWorker");
    assert_eq!(p.str(idle.filename), "gen/leak/main.go");
    let text = proflens(&["traces", "--granularity", "lines", "go/capture/goroutine.debug2.txt"]);
    assert!(text.contains("main.idleWorker gen/leak/main.go:327"), "{text}");
    assert!(text.contains("created_by:  main.parkKnownGoroutines"), "{text}");
}

/// `cum` per function of a `-top` text.
fn cum_by_function(top: &str) -> BTreeMap<String, i64> {
    let mut out = BTreeMap::new();
    for line in top.lines() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        if fields.len() >= 6 {
            if let Ok(cum) = fields[3].parse::<i64>() {
                out.insert(fields[5..].join(" "), cum);
            }
        }
    }
    out
}

#[test]
fn goroutine_dump_agrees_with_pprof_on_the_protobuf_profile_of_the_same_moment() {
    // go tool pprof -top of goroutine.pb.gz, fetched at the moment of the
    // ?debug=2 dump. Its stacks hold the runtime frames a traceback hides
    // (runtime.gopark, chanrecv, selectgo, goexit), so its flat values sit
    // there; and goroutines that came and went between the two fetches
    // (an HTTP dial, the fetch itself) differ. The parked goroutines and
    // the functions they stand in must agree.
    let pprof = cum_by_function(&golden("goroutine.pb.top.txt"));
    let ours = cum_by_function(&proflens(&["top", "go/capture/goroutine.debug2.txt"]));
    for &(function, _, n) in PARKED {
        assert_eq!(pprof.get(function), Some(&n), "pprof: {function}");
        assert_eq!(ours.get(function), Some(&n), "proflens: {function}");
    }
    for function in
        ["main.parkKnownGoroutines.func1", "runtime/pprof.Do", "main.contender", "main.clientLoop"]
    {
        assert_eq!(ours.get(function), pprof.get(function), "{function}");
    }
    assert_eq!(pprof.get("runtime.gopark"), Some(&75), "pprof sees the runtime frame");
    assert_eq!(ours.get("runtime.gopark"), None, "tracebacks hide runtime.gopark");
}

#[test]
fn two_dumps_compare_like_heap_snapshots() {
    // A later dump: the same goroutines plus five more idle workers.
    let before = String::from_utf8(fixture("go/capture/goroutine.debug2.txt")).unwrap();
    let block =
        before.split("\n\n").find(|b| b.contains("main.idleWorker")).expect("an idle worker").to_string();
    let mut after = before.clone();
    for id in 0..5 {
        let header_end = block.find(" [").unwrap();
        after.push_str(&format!("\ngoroutine {}{}\n", 9000 + id, &block[header_end..]));
    }
    let dir = std::env::temp_dir().join(format!("proflens-text-formats-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let later = dir.join("later.txt");
    std::fs::write(&later, &after).unwrap();
    let base = tests_dir().join("fixtures/go/capture/goroutine.debug2.txt");
    let text = proflens(&["top", "--diff-base", &base.display().to_string(), &later.display().to_string()]);
    std::fs::remove_dir_all(&dir).unwrap();
    let rows: Vec<&str> = text.lines().filter(|l| l.contains("main.")).collect();
    assert_eq!(rows.len(), 1, "only the idle workers changed:\n{text}");
    assert!(rows[0].split_whitespace().next() == Some("5") && rows[0].ends_with("main.idleWorker"), "{text}");
}

// ---- Go ?debug=1 goroutine and threadcreate text, without the binary ----

/// (value, frame names) of each sample of a `-traces` text.
fn traces_blocks(text: &str) -> Vec<(String, Vec<String>)> {
    let mut blocks = Vec::new();
    for block in text.split("-----------+-------------------------------------------------------\n").skip(1) {
        let mut value = String::new();
        let mut frames = Vec::new();
        for line in block.lines() {
            let (left, name) = line.split_at(line.len().min(13));
            if line.len() > 13 && left.trim().chars().all(|c| c.is_ascii_digit()) {
                if !left.trim().is_empty() {
                    value = left.trim().to_string();
                }
                frames.push(name.trim_end_matches(" (inline)").to_string());
            }
        }
        if !frames.is_empty() {
            blocks.push((value, frames));
        }
    }
    blocks
}

#[test]
fn debug1_text_has_pprofs_counts_and_structure_with_frames_named() {
    for (fixture_path, golden_name) in [
        ("go/capture/goroutine.debug1.txt", "goroutine.debug1.traces.txt"),
        ("go/capture/threadcreate.debug1.txt", "threadcreate.debug1.traces.txt"),
        ("pprof/go.godoc.thread", "go.godoc.thread.traces.txt"),
    ] {
        let pprof = traces_blocks(&golden(golden_name));
        let text = proflens(&["traces", fixture_path]);
        assert!(
            text.starts_with("Frames named from the # comment lines"),
            "{fixture_path}: the header says so:\n{text}"
        );
        let ours = traces_blocks(&text);
        assert_eq!(ours.len(), pprof.len(), "{fixture_path}: samples");
        for (i, (a, b)) in ours.iter().zip(&pprof).enumerate() {
            assert_eq!(a.0, b.0, "{fixture_path}: sample {i} count");
            assert_eq!(a.1.len(), b.1.len(), "{fixture_path}: sample {i} depth");
            // pprof names nothing without the binary.
            assert!(b.1.iter().all(|f| f == "<unknown>"), "{fixture_path}: pprof named a frame");
        }
    }
    // The # lines name what Go printed; the runtime frames it hid stay unnamed.
    let p = load("go/capture/goroutine.debug1.txt");
    let first = stack_names(&p, 0);
    assert_eq!(first, ["main.idleWorker"], "the 32 idle workers: only their own frame has a # line");
    assert_eq!(p.samples.value(0, 0), 32);
    let idle = p.functions.iter().find(|f| p.str(f.name) == "main.idleWorker").unwrap();
    assert_eq!(p.str(idle.filename), "gen/leak/main.go");
    assert_eq!(count_by(&p, "parked").get("receiver"), Some(&7), "# labels: lines become labels");
    // pprof's -top: the same total.
    let pprof_top = golden("goroutine.debug1.top.txt");
    let ours_top = proflens(&["top", "go/capture/goroutine.debug1.txt"]);
    let total = |t: &str| t.lines().find(|l| l.starts_with("Showing nodes")).map(str::to_string);
    assert_eq!(total(&ours_top), total(&pprof_top));
    all_reports_run(&p, "main.idleWorker$", "goroutine.debug1.txt");
    all_reports_run(
        &load("go/capture/threadcreate.debug1.txt"),
        "main.lockedWaiter$",
        "threadcreate.debug1.txt",
    );
}

// ---- perf script and collapsed stacks ----

#[test]
fn perf_script_collapses_as_inferno_does() {
    for (fixture_path, options, golden_name) in [
        ("text/perf-cycles.perf", &[][..], "perf-cycles.folded"),
        ("text/perf-cycles.perf", &["--sample-index", "instructions"][..], "perf-cycles.instructions.folded"),
        ("text/perf-cpu-clock.perf", &[][..], "perf-cpu-clock.folded"),
    ] {
        let mut args = vec!["collapsed"];
        args.extend(options);
        args.push(fixture_path);
        assert_eq!(proflens(&args), golden(golden_name), "{fixture_path} {options:?}");
    }
}

#[test]
fn perf_script_samples_carry_events_threads_and_periods() {
    let p = load("text/perf-cycles.perf");
    assert_eq!(p.sample_type_names(), ["cycles", "instructions"]);
    assert_eq!(p.str(p.default_sample_type), "cycles", "the first event, as inferno keeps");
    let comms = count_by(&p, "comm");
    assert_eq!(comms.keys().collect::<Vec<_>>(), ["Web Content", "apisrv", "imgproc", "swapper", "worker-1"]);
    let tids = count_by(&p, "tid");
    assert!(tids.contains_key("905") && tids.contains_key("906"), "{tids:?}");
    // Periods are the values: 3 cycles samples of imgproc... summed per event.
    let sum = |i: usize| (0..p.samples.len()).map(|s| p.samples.value(s, i)).sum::<i64>();
    assert_eq!(sum(0), 3_750_000);
    assert_eq!(sum(1), 380_000);
    // Kernel frames and [unknown] ones are frames like any other.
    let top = proflens(&["top", "text/perf-cycles.perf"]);
    assert!(top.contains("copy_user_enhanced_fast_string") && top.contains("[libc.so.6]"), "{top}");
    all_reports_run(&p, "imgproc::pipeline::run$", "perf-cycles.perf");
    let clock = load("text/perf-cpu-clock.perf");
    assert_eq!(clock.sample_type_names(), ["cpu-clock"]);
    assert_eq!(
        (0..clock.samples.len()).map(|s| clock.samples.value(s, 0)).sum::<i64>(),
        4,
        "no period: 1 each"
    );
    all_reports_run(&clock, "start_thread$", "perf-cpu-clock.perf");
}

#[test]
fn collapsed_stacks_read_back_as_written() {
    // inferno's output is itself collapsed stacks: reading it back gives it again.
    for (name, peek) in [("perf-cycles.folded", "imgproc::main$"), ("perf-cpu-clock.folded", "start_thread$")]
    {
        let folded = golden(name);
        let dir = std::env::temp_dir().join(format!("proflens-folded-{}-{name}", std::process::id()));
        std::fs::write(&dir, format!("# folded by inferno\n\n{folded}")).unwrap();
        let again = proflens(&["collapsed", &dir.display().to_string()]);
        let p = decode(folded.as_bytes(), &DecodeOptions::default()).unwrap();
        std::fs::remove_file(&dir).unwrap();
        assert_eq!(again, folded, "{name}");
        assert_eq!(p.sample_type_names(), ["samples"]);
        all_reports_run(&p, peek, name);
    }
    // Counts are optional; comments and blank lines are skipped.
    let p =
        decode(b"# a comment\nmain;work;leaf 3\n\nmain;work\nmain;work;leaf 2\n", &DecodeOptions::default())
            .unwrap();
    let text = report::collapsed(&p, &ReportOptions::default()).unwrap();
    assert_eq!(text, "main;work 1\nmain;work;leaf 5\n");
}

#[test]
fn gzipped_text_is_read_too() {
    let text = fixture("text/perf-cpu-clock.perf");
    let gz = proflens_core::encode::gzip(&text);
    let a = decode(&gz, &DecodeOptions::default()).unwrap();
    let b = decode(&text, &DecodeOptions::default()).unwrap();
    assert_eq!(a.samples.values, b.samples.values);
}

#[test]
fn dense_text_is_bounded_by_the_decoded_bytes_limit() {
    // Two bytes of text per distinct frame: the tables grow much faster
    // than the text, so the budget, not the input size, must stop them.
    let mut text = String::new();
    for i in 0..200_000 {
        text.push_str(&format!("{i:x};{:x} 1\n", i + 1));
    }
    let options = DecodeOptions {
        limits: proflens_core::Limits { max_decoded_bytes: 4 << 20, ..Default::default() },
        ..DecodeOptions::default()
    };
    let e = decode(text.as_bytes(), &options).unwrap_err();
    assert!(matches!(e, Error::TooMany { .. }), "{e:?}");
    assert!(e.to_string().contains("text"), "{e}");
    // The same text within the default limits reads.
    assert_eq!(decode(text.as_bytes(), &DecodeOptions::default()).unwrap().samples.len(), 200_000);
}

// ---- Unknown text ----

#[test]
fn unknown_text_says_which_formats_were_tried() {
    let e =
        decode(b"Dear diary,\ntoday the service was slow again.\n", &DecodeOptions::default()).unwrap_err();
    let message = e.to_string();
    for format in ["goroutine dumps", "?debug=1", "perf script", "collapsed stacks", "protobuf"] {
        assert!(message.contains(format), "{message:?} does not name {format}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    /// Any text, and texts made of the formats' own pieces, end in a profile
    /// or an error, never a panic.
    #[test]
    fn no_text_panics(
        lines in prop::collection::vec(
            prop_oneof![
                ".{0,40}",
                Just("goroutine 7 [chan receive, 3 minutes, locked to thread]:".to_string()),
                Just("goroutine profile: total 3".to_string()),
                Just("main.f(0x1, {0x2})".to_string()),
                Just("\tmain.go:12 +0x3".to_string()),
                Just("created by main.g in goroutine 1".to_string()),
                Just("3 @ 0x10 0x20 0x0".to_string()),
                Just("#\t0x1f\tmain.f+0x3\tmain.go:4".to_string()),
                Just("# labels: {\"a\":\"b\\\"\"}".to_string()),
                Just("app 1/2 [000] 1.0: 99 cycles:u:".to_string()),
                Just("x 5 1.0: 18446744073709551615 cycles:  ff a+0x (b)".to_string()),
                Just("\tffff [unknown] ([unknown])".to_string()),
                Just("\tffff _$LT$a..b$GT$::c::h0123456789abcdef ([k])".to_string()),
                Just("a;b;c 9223372036854775807".to_string()),
                Just("a;b;c 99999999999999999999".to_string()),
                Just(String::new()),
            ],
            0..30,
        ),
    ) {
        let text = lines.join("\n");
        let _ = decode(text.as_bytes(), &DecodeOptions::default());
        if let Ok(p) = decode(text.as_bytes(), &DecodeOptions::default()) {
            let _ = report::top(&p, &ReportOptions::default());
            let _ = report::collapsed(&p, &ReportOptions::default());
        }
    }
}
