//! Hostile inputs that once broke the "no panic on any input" promise, one
//! test per class (see `proflens_tests::crafted`). Each asserts what the
//! decoder and the reports do with the input, not only that nothing
//! panicked.

use proflens_core::report::{top, ReportOptions};
use proflens_core::{decode, DecodeOptions, Error, Profile};
use proflens_tests::crafted;

fn decode_with(bytes: &[u8], compact_stacks: bool) -> Result<Profile, Error> {
    decode(bytes, &DecodeOptions { compact_stacks, ..DecodeOptions::default() })
}

/// Class 1: runs longer than an arena chunk (2^20 entries), split by a
/// later stack at every offset around the chunk's length.
#[test]
fn runs_longer_than_a_chunk_split_anywhere() {
    const CHUNK: usize = 1 << 20;
    let cases = [
        (CHUNK + 10, CHUNK + 3),
        (CHUNK + 10, CHUNK),
        (CHUNK + 10, CHUNK - 1),
        (2 * CHUNK + 7, 2 * CHUNK + 1),
        (CHUNK - 5, 3 * CHUNK),
    ];
    for (first, second) in cases {
        let bytes = crafted::long_repeated_stack(first, second).encode();
        for compact_stacks in [false, true] {
            let what = format!("{first} then {second} frames, compact_stacks {compact_stacks}");
            let p = decode_with(&bytes, compact_stacks).unwrap_or_else(|e| panic!("{what}: {e}"));
            assert_eq!(p.stacks.depth(p.samples.stack[0]), first, "{what}");
            assert_eq!(p.stacks.depth(p.samples.stack[1]), second, "{what}");
            assert!(p.stacks.frames(p.samples.stack[1]).all(|l| l == 0), "{what}");
            let r = top(&p, &ReportOptions::default()).unwrap();
            let rows: Vec<(&str, i64, i64)> =
                r.rows.iter().map(|r| (r.name.as_str(), r.flat, r.cum)).collect();
            assert_eq!(rows, [("main.recurse", 3, 3)], "{what}");
        }
    }
}

/// Class 1, with stacks that differ below a shared run longer than a chunk.
#[test]
fn long_shared_prefixes_keep_their_tails() {
    use proflens_core::encode::ProfileWriter;
    const CHUNK: usize = 1 << 20;
    let mut w = ProfileWriter::new(&[("samples", "count")]);
    let f = w.add_function("main.f", "main.go", 1);
    let g = w.add_function("main.g", "main.go", 2);
    let lf = w.add_location(None, 0x10, &[(f, 1)]);
    let lg = w.add_location(None, 0x20, &[(g, 2)]);
    // Leaf first: g under a very long run of f, at two depths.
    let mut a = vec![lg];
    a.extend(vec![lf; CHUNK + 100]);
    let mut b = vec![lg];
    b.extend(vec![lf; CHUNK + 50]);
    w.add_sample(&a, &[1], &[]);
    w.add_sample(&b, &[10], &[]);
    w.add_sample(&a[1..], &[100], &[]);
    let bytes = w.encode();
    for compact_stacks in [false, true] {
        let p = decode_with(&bytes, compact_stacks).unwrap();
        let depths: Vec<usize> = p.samples.stack.iter().map(|&n| p.stacks.depth(n)).collect();
        assert_eq!(depths, [CHUNK + 101, CHUNK + 51, CHUNK + 100]);
        for (s, stack) in [&a, &b, &a[1..].to_vec()].iter().enumerate() {
            let frames: Vec<u64> = p.stacks.frames(p.samples.stack[s]).map(|l| p.locations[l].id).collect();
            assert_eq!(&frames, *stack, "sample {s}, compact_stacks {compact_stacks}");
        }
        let r = top(&p, &ReportOptions::default()).unwrap();
        let rows: Vec<(&str, i64, i64)> = r.rows.iter().map(|r| (r.name.as_str(), r.flat, r.cum)).collect();
        assert_eq!(rows, [("main.f", 100, 111), ("main.g", 11, 11)]);
    }
}
/// Class 2: a first sample with a million values and thousands with none is
/// refused at the first sample that differs, before it pads anything.
#[test]
fn value_count_mismatch_is_reported_at_the_first_differing_sample() {
    let bytes = crafted::value_count_flood(1_000_000, 4000);
    let e = decode(&bytes, &DecodeOptions::default()).unwrap_err();
    assert_eq!(e, Error::ValueCount { sample: 0, found: 1_000_000, expected: 1 });
    assert!(e.to_string().contains("sample 0 has 1000000 values"), "{e}");

    // With the sample types declared after the samples (legal, if odd),
    // the check waits for the end of the stream, and still names the first
    // sample whose count differs from the sample types.
    let mut late = crafted::Proto::default();
    late.bytes(6, b"").bytes(6, b"samples").bytes(6, b"count");
    late.message(2, crafted::Proto::default().packed(2, [1]));
    late.message(2, crafted::Proto::default().packed(2, [4, 5, 6]));
    late.message(2, crafted::Proto::default().packed(2, [7]));
    late.message(1, crafted::Proto::default().uint(1, 1).uint(2, 2));
    let e = decode(&late.0, &DecodeOptions::default()).unwrap_err();
    assert_eq!(e, Error::ValueCount { sample: 1, found: 3, expected: 1 });
    assert!(e.to_string().contains("sample 1 has 3 values"), "{e}");
}

/// Class 5: a demangled-C++-looking name with thousands of nested and
/// side-by-side bracket groups, shared by thousands of functions, is
/// simplified as pprof simplifies it (once, not once per function).
#[test]
fn huge_bracketed_names_are_simplified_like_pprof() {
    let (depth, siblings, functions) = (5000, 20_000, 2000);
    let p =
        decode(&crafted::nested_cpp_names(depth, siblings, functions), &DecodeOptions::default()).unwrap();
    let want = crafted::nested_cpp_name_simplified(depth, siblings);
    assert_eq!(p.functions.len(), functions);
    assert!(p.functions.iter().all(|f| p.str(f.name) == want));
    let r = top(&p, &ReportOptions::default()).unwrap();
    let rows: Vec<(&str, i64, i64)> = r.rows.iter().map(|r| (r.name.as_str(), r.flat, r.cum)).collect();
    assert_eq!(rows, [(want.as_str(), 1, 1)]);
}

/// Class 6: a profile's own drop_frames (or keep_frames) regexp that is too
/// long, or compiles to too large a program, is refused with an error
/// naming the field; all_frames loads the profile without it. One that
/// does not compile is ignored, as go tool pprof ignores it.
#[test]
fn oversized_frame_regexps_are_refused_by_name() {
    use proflens_core::encode::ProfileWriter;
    let with_rules = |drop: &str, keep: &str| {
        let mut w = ProfileWriter::new(&[("samples", "count")]);
        let f = w.add_function("main.f", "main.go", 1);
        let g = w.add_function("runtime.g", "proc.go", 1);
        let l = w.add_location(None, 0x10, &[(f, 2)]);
        let m = w.add_location(None, 0x20, &[(g, 2)]);
        w.add_sample(&[m, l], &[1], &[]);
        w.set_drop_frames(drop, keep);
        w.encode()
    };
    let long = format!("runtime\\.g|{}", "x".repeat(1 << 20));
    let cases = [
        ("drop_frames", crafted::huge_drop_frames(2 << 20)),
        ("drop_frames", crafted::exploding_drop_frames()),
        ("keep_frames", with_rules("runtime\\..*", &long)),
        ("keep_frames", with_rules("runtime\\..*", "((((a{100}){100}){100}){100})")),
    ];
    for (field, bytes) in cases {
        let message = match decode(&bytes, &DecodeOptions::default()) {
            Ok(_) => panic!("a profile with an oversized {field} decoded"),
            Err(e) => e.to_string(),
        };
        assert!(message.contains(field) && message.contains("too large"), "{message}");
        assert!(!message.contains('\n'));
        let p = decode(&bytes, &DecodeOptions { all_frames: true, ..DecodeOptions::default() }).unwrap();
        assert_eq!(p.samples.len(), 1);
    }
    // Small rules still apply; ones that do not compile are ignored.
    let frames = |bytes: &[u8]| {
        let p = decode(bytes, &DecodeOptions::default()).unwrap();
        p.stacks.frames(p.samples.stack[0]).count()
    };
    assert_eq!(frames(&with_rules("runtime\\..*", "")), 1);
    assert_eq!(frames(&with_rules("runtime\\.(", "")), 2);
    assert_eq!(frames(&with_rules("runtime\\..*", "runtime\\.(")), 2);
}

/// Tables with tens of thousands of distinct entries (sample types,
/// comments, label keys) and a huge name shared by thousands of functions
/// go through merge and the traces report in linear time: each of these
/// once scanned a list per entry, or copied the name per function.
#[test]
fn wide_tables_merge_and_print_in_linear_time() {
    use proflens_core::compare::merge;
    use proflens_core::encode::{LabelSpec, ProfileWriter};
    use proflens_core::report::traces;
    let n = 50_000;
    let names: Vec<String> = (0..n).map(|i| format!("t{i}")).collect();
    let types: Vec<(&str, &str)> = names.iter().map(|t| (t.as_str(), "count")).collect();
    let mut w = ProfileWriter::new(&types);
    let f = w.add_function("main.f", "main.go", 1);
    let l = w.add_location(None, 0x10, &[(f, 2)]);
    let values: Vec<i64> = (0..n as i64).collect();
    let labels: Vec<LabelSpec<'_>> = names.iter().map(|k| LabelSpec::Num(k, 7, "bytes")).collect();
    w.add_sample(&[l], &values, &labels);
    for name in &names {
        w.add_comment(name);
    }
    let p = decode(&w.encode(), &DecodeOptions::default()).unwrap();

    let merged = merge(&[p.clone(), p.clone()]).unwrap();
    assert_eq!(merged.sample_type_names(), names);
    assert_eq!(merged.comments.len(), n);
    let doubled: Vec<i64> = values.iter().map(|v| 2 * v).collect();
    assert_eq!(merged.samples.values(0), &doubled[..]);

    let text = traces(&p, &ReportOptions { sample_index: "t7".into(), ..ReportOptions::default() }).unwrap();
    assert_eq!(text.lines().filter(|l| l.ends_with(":  7B")).count(), n, "one line per label key");

    let nested = decode(&crafted::nested_cpp_names(5000, 20_000, 2000), &DecodeOptions::default()).unwrap();
    let merged = merge(&[nested.clone(), nested.clone()]).unwrap();
    assert_eq!(merged.functions.len(), 2000);
    let want = crafted::nested_cpp_name_simplified(5000, 20_000);
    assert!(merged.functions.iter().all(|f| merged.str(f.name) == want));
    assert_eq!(merged.samples.values(0), &[2]);
}
