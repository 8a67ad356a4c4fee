//! Bad input, one test per kind: every one must give its specific
//! `proflens_core::Error` variant with a message that says what is wrong and,
//! where there is one, what to do about it. None may panic.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use proflens_cli::{run_args, Outcome};
use proflens_core::encode::{encode_profile, gzip, ProfileWriter};
use proflens_core::{decode, decode_reader, DecodeOptions, Error, Limits};
use proflens_tests::fixture;
use prost::Message;

fn defaults() -> DecodeOptions {
    DecodeOptions::default()
}

/// Decodes `bytes`, expecting a failure; also checks that the streaming
/// entry point agrees with the slice one.
fn decode_err(bytes: &[u8], options: &DecodeOptions) -> Error {
    let from_slice = match decode(bytes, options) {
        Ok(p) => panic!("expected an error, but decoded a profile with {} samples", p.samples.len()),
        Err(e) => e,
    };
    let from_reader = decode_reader(bytes, options).expect_err("decode_reader accepted what decode refused");
    assert_eq!(from_slice, from_reader, "decode and decode_reader disagree");
    from_slice
}

/// Asserts that `message` contains every one of `parts`.
fn assert_mentions(message: &str, parts: &[&str]) {
    for part in parts {
        assert!(message.contains(part), "message {message:?} does not mention {part:?}");
    }
    assert!(!message.contains('\n'), "message {message:?} is not one line");
}

/// A small, valid CPU profile: main -> work -> (inlined) helper.
fn small_writer() -> ProfileWriter {
    let mut w = ProfileWriter::new(&[("samples", "count"), ("cpu", "nanoseconds")]);
    w.set_period("cpu", "nanoseconds", 10_000_000);
    let m = w.add_mapping("/bin/app", "abc123", 0x1000, 0x9000);
    let main = w.add_function("main.main", "main.go", 3);
    let work = w.add_function("main.work", "main.go", 10);
    let helper = w.add_function("main.helper", "util.go", 40);
    let l_main = w.add_location(Some(m), 0x1100, &[(main, 5)]);
    let l_work = w.add_location(Some(m), 0x1200, &[(helper, 42), (work, 12)]);
    let l_leaf = w.add_location(Some(m), 0x1300, &[(work, 14)]);
    w.add_sample(&[l_work, l_main], &[3, 30_000_000], &[]);
    w.add_sample(&[l_leaf, l_main], &[1, 10_000_000], &[]);
    w
}

/// SplitMix64, to make deterministic "random" bytes.
fn random_bytes(seed: u64, len: usize) -> Vec<u8> {
    let mut state = seed;
    let mut out = Vec::with_capacity(len);
    while out.len() < len {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        out.extend_from_slice(&z.to_le_bytes());
    }
    out.truncate(len);
    out
}

#[test]
fn empty_input() {
    let e = decode_err(b"", &defaults());
    assert_eq!(e, Error::Empty);
    assert_mentions(&e.to_string(), &["empty"]);
}

#[test]
fn random_bytes_are_refused() {
    for seed in [1, 2, 3, 42, 0xdead_beef, 0x5eed] {
        for len in [64, 1000, 10_000] {
            let mut bytes = random_bytes(seed, len);
            // Not gzip, so the protobuf reader itself is exercised.
            if bytes.starts_with(&[0x1f, 0x8b]) {
                bytes[0] = 0;
            }
            let e = decode_err(&bytes, &defaults());
            let message = e.to_string();
            match e {
                Error::Protobuf { offset, .. } => {
                    assert!(offset <= len as u64, "offset {offset} is past the end ({len} bytes)");
                    assert_mentions(&message, &["not a valid pprof profile", "byte"]);
                }
                other => panic!("seed {seed}, {len} bytes: expected a protobuf error, got {other:?}"),
            }
        }
    }
}

#[test]
fn short_random_bytes_never_panic() {
    // A few random bytes may even parse as protobuf (unknown fields are
    // skipped); whatever happens, it is an error with a one-line message.
    for seed in 0..500 {
        for len in [1, 2, 3, 5, 8, 13, 21] {
            let e = decode_err(&random_bytes(seed, len), &defaults());
            assert_mentions(&e.to_string(), &[]);
        }
    }
}

#[test]
fn random_bytes_after_a_gzip_header_are_corrupt_gzip() {
    for seed in [5, 6, 7] {
        let mut bytes = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
        bytes.extend(random_bytes(seed, 500));
        let e = decode_err(&bytes, &defaults());
        assert!(matches!(e, Error::Gzip { .. }), "seed {seed}: expected a gzip error, got {e:?}");
        assert_mentions(&e.to_string(), &["gzip"]);
    }
}

#[test]
fn truncated_gzip() {
    let whole = fixture("go/heap1.pb.gz");
    assert!(decode(&whole, &defaults()).is_ok());
    // In the header, in the deflate data, in the 8-byte CRC/size trailer.
    for cut in [3, 10, 11, 100, whole.len() / 2, whole.len() - 9, whole.len() - 8, whole.len() - 1] {
        let e = decode_err(&whole[..cut], &defaults());
        match &e {
            Error::Gzip { truncated: true, .. } => {}
            other => {
                panic!("cut at {cut} of {}: expected a truncated gzip error, got {other:?}", whole.len())
            }
        }
        assert_mentions(&e.to_string(), &["gzip", "truncated", "fetch it again"]);
    }
}

#[test]
fn corrupt_gzip_is_not_called_truncated() {
    let mut bytes = fixture("go/heap1.pb.gz");
    // Flip a bit in the CRC of the trailer: the data is whole but wrong.
    let crc = bytes.len() - 8;
    bytes[crc] ^= 0x01;
    let e = decode_err(&bytes, &defaults());
    assert!(matches!(e, Error::Gzip { truncated: false, .. }), "got {e:?}");
    assert_mentions(&e.to_string(), &["gzip data is corrupt", "fetch the profile again"]);
}

#[test]
fn empty_gzip() {
    let bytes = gzip(&[]);
    let e = decode_err(&bytes, &defaults());
    assert_eq!(e, Error::EmptyGzip);
    assert_mentions(&e.to_string(), &["gzip", "decompresses to nothing"]);
}

/// One top-level protobuf field of an encoded profile, as byte offsets.
#[derive(Debug)]
struct Field {
    number: u64,
    /// Where the value (the length prefix, for length-delimited fields) starts.
    value: usize,
    /// Where the payload of a length-delimited field starts (== value otherwise).
    payload: usize,
    /// Where the field ends.
    end: usize,
}

fn read_varint(bytes: &[u8], at: &mut usize) -> u64 {
    let mut v = 0u64;
    for shift in (0..64).step_by(7) {
        let b = bytes[*at];
        *at += 1;
        v |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            break;
        }
    }
    v
}

/// Splits a valid encoded message into its top-level fields.
fn fields(bytes: &[u8]) -> Vec<Field> {
    let mut at = 0;
    let mut out = Vec::new();
    while at < bytes.len() {
        let key = read_varint(bytes, &mut at);
        let value = at;
        let (payload, end) = match key & 7 {
            0 => {
                read_varint(bytes, &mut at);
                (value, at)
            }
            2 => {
                let len = read_varint(bytes, &mut at) as usize;
                (at, at + len)
            }
            1 => (value, value + 8),
            5 => (value, value + 4),
            w => panic!("unexpected wire type {w}"),
        };
        at = end;
        out.push(Field { number: key >> 3, value, payload, end });
    }
    out
}

#[test]
fn truncated_protobuf() {
    let mut w = small_writer();
    // A large time makes a 9-byte varint to cut in the middle of.
    w.set_time(1_700_000_000_123_456_789, 5_000_000_000);
    let whole = w.encode();
    assert!(decode(&whole, &defaults()).is_ok());
    let fields = fields(&whole);
    let time = fields.iter().find(|f| f.number == 9).expect("time_nanos is encoded");
    assert!(time.end - time.value >= 8, "time_nanos should be a long varint");
    let sample = fields.iter().find(|f| f.number == 2).expect("a sample is encoded");
    let string = fields.iter().rfind(|f| f.number == 6 && f.end - f.payload > 4).expect("a long string");

    let cuts = [
        ("mid-varint (time_nanos)", time.value + 4),
        ("after a key, before its value", time.value),
        ("after a key, before the length", sample.value),
        ("mid-length-delimited (sample)", sample.payload + 2),
        ("mid-length-delimited (string)", string.payload + 3),
        ("one byte short", whole.len() - 1),
    ];
    for (what, cut) in cuts {
        let e = decode_err(&whole[..cut], &defaults());
        let message = e.to_string();
        match e {
            Error::Protobuf { offset, detail } => {
                assert_eq!(offset, cut as u64, "{what}: the offset should be where the data ends");
                assert!(detail.contains("truncated"), "{what}: {detail:?} does not say truncated");
                assert_mentions(&message, &["malformed at byte", "truncated"]);
            }
            other => panic!("{what} (cut at {cut}): expected a protobuf error, got {other:?}"),
        }
    }
}

#[test]
fn truncated_protobuf_inside_gzip() {
    let mut w = small_writer();
    w.set_time(1_700_000_000_123_456_789, 5_000_000_000);
    let whole = w.encode();
    let cut = fields(&whole).iter().find(|f| f.number == 2).map(|f| f.payload + 2).unwrap();
    // The gzip stream is whole; the profile inside it is not.
    let e = decode_err(&gzip(&whole[..cut]), &defaults());
    match &e {
        Error::Protobuf { offset, detail } => {
            assert_eq!(*offset, cut as u64);
            assert!(detail.contains("inside the gzip stream is truncated"), "{detail:?}");
        }
        other => panic!("expected a protobuf error, got {other:?}"),
    }
}

/// `n` (even) bytes of protobuf that decode cleanly forever: duration_nanos = 0,
/// again and again, so only the size cap can stop the decoder.
fn endless_fields(n: usize) -> Vec<u8> {
    [0x50u8, 0x00].repeat(n / 2)
}

fn with_limit(bytes: u64) -> DecodeOptions {
    DecodeOptions { limits: Limits { max_decompressed_bytes: bytes, ..Limits::default() }, ..defaults() }
}

#[test]
fn gzip_bomb_stops_at_the_configured_limit() {
    let inflated = 8 << 20;
    let bomb = gzip(&endless_fields(inflated));
    assert!(bomb.len() < inflated / 100, "{} bytes is not much of a bomb", bomb.len());
    // Without a cap it decodes, to nothing that is a profile.
    assert!(matches!(decode(&bomb, &defaults()).unwrap_err(), Error::NotAProfile { .. }));

    let e = decode_err(&bomb, &with_limit(1 << 20));
    assert_eq!(e, Error::TooLarge { limit: 1 << 20 });
    assert_mentions(&e.to_string(), &["larger than 1 MiB once decompressed", "raise the limit"]);
}

#[test]
fn gzip_bomb_beyond_the_default_limit_fails_fast() {
    // Many gzip members, back to back (as `cat a.gz b.gz` makes them): each
    // inflates to 4 MiB, the whole to 3 GiB, past the default cap of 2 GiB.
    let member = gzip(&endless_fields(4 << 20));
    let members = (3u64 << 30) / (4 << 20);
    let bomb = member.repeat(members as usize);
    assert!(bomb.len() < 16 << 20, "the bomb is {} bytes", bomb.len());
    assert!(members * (4 << 20) > Limits::default().max_decompressed_bytes);

    // Inflating 3 GiB takes a long time; a low cap must stop it early.
    let limit = 2 << 20;
    let started = Instant::now();
    let e = decode_err(&bomb, &with_limit(limit));
    let took = started.elapsed();
    assert_eq!(e, Error::TooLarge { limit });
    assert!(took < Duration::from_secs(10), "refusing the bomb took {took:?}");
    assert_mentions(&e.to_string(), &["larger than 2 MiB", "configured limit"]);
}

#[test]
fn huge_length_prefix_is_refused_before_reading() {
    // A string_table entry claiming 3 GiB: refused without waiting for (or
    // allocating) the bytes. Raw, it can only be corruption; inside gzip it
    // could be real data beyond the size limit.
    let mut bytes = vec![0x32];
    let mut len = 3u64 << 30;
    while len >= 0x80 {
        bytes.push((len as u8) | 0x80);
        len >>= 7;
    }
    bytes.push(len as u8);
    bytes.extend_from_slice(b"not nearly that much");
    let raw = decode_err(&bytes, &defaults());
    assert!(matches!(raw, Error::Protobuf { offset: 6, .. }), "{raw:?}");
    assert_mentions(&raw.to_string(), &["claims 3221225472 bytes", "corrupt"]);
    let gz = decode_err(&gzip(&bytes), &defaults());
    assert_eq!(gz, Error::TooLarge { limit: Limits::default().max_decompressed_bytes });
    assert_mentions(&gz.to_string(), &["2 GiB"]);
}

#[test]
fn table_limits() {
    let bytes = small_writer().encode();
    type SetLimit = fn(&mut Limits);
    let cases: [(&str, SetLimit); 4] = [
        ("samples", |l| l.max_samples = 1),
        ("strings", |l| l.max_strings = 3),
        // Samples come first in the file and name locations, so locations
        // are the first table to fill up.
        ("locations", |l| l.max_table_rows = 0),
        ("distinct stacks", |l| l.max_stack_nodes = 2),
    ];
    for (what, set) in cases {
        let mut options = defaults();
        set(&mut options.limits);
        let e = decode_err(&bytes, &options);
        match &e {
            Error::TooMany { what: found, .. } => assert_eq!(*found, what),
            other => panic!("{what}: expected TooMany, got {other:?}"),
        }
        assert_mentions(&e.to_string(), &[what, "configured limit", "raise the limit"]);
    }
}

#[test]
fn out_of_range_string_index() {
    let mut w = small_writer();
    let len = w.proto_mut().string_table.len();
    w.proto_mut().function[1].name = 999;
    let e = decode_err(&w.encode(), &defaults());
    assert_eq!(e, Error::StringIndex { field: "function 2 name".into(), index: 999, len });
    assert_mentions(
        &e.to_string(),
        &["function 2 name refers to string 999", &format!("the string table has {len} entries")],
    );

    // Negative indices too, wherever they are.
    let mut w = small_writer();
    w.proto_mut().sample_type[1].unit = -1;
    let e = decode_err(&w.encode(), &defaults());
    assert!(matches!(&e, Error::StringIndex { index: -1, .. }), "got {e:?}");
    assert_mentions(&e.to_string(), &["sample_type 1 unit refers to string -1"]);

    let mut w = small_writer();
    w.proto_mut().drop_frames = 1 << 40;
    let e = decode_err(&w.encode(), &defaults());
    assert!(matches!(&e, Error::StringIndex { index, .. } if *index == 1 << 40), "got {e:?}");
    assert_mentions(&e.to_string(), &["drop_frames refers to string"]);
}

#[test]
fn id_zero() {
    let mut w = small_writer();
    w.proto_mut().location[1].id = 0;
    let e = decode_err(&w.encode(), &defaults());
    assert_eq!(e, Error::ZeroId { kind: "location", index: 1 });
    assert_mentions(&e.to_string(), &["location number 1 has id 0", "reserved"]);

    for kind in ["mapping", "function"] {
        let mut w = small_writer();
        let msg = w.proto_mut();
        match kind {
            "mapping" => msg.mapping[0].id = 0,
            _ => msg.function[2].id = 0,
        }
        let e = decode_err(&w.encode(), &defaults());
        let index = if kind == "mapping" { 0 } else { 2 };
        assert_eq!(e, Error::ZeroId { kind, index });
        assert_mentions(&e.to_string(), &[&format!("{kind} number {index} has id 0")]);
    }
}

#[test]
fn sample_refers_to_an_undefined_location() {
    let mut w = small_writer();
    w.add_sample(&[99, 1], &[1, 1], &[]);
    let e = decode_err(&w.encode(), &defaults());
    assert_eq!(e, Error::UnknownReference { from: "sample 2".into(), kind: "location", id: 99 });
    assert_mentions(&e.to_string(), &["sample 2 refers to location 99, which the profile does not define"]);
}

#[test]
fn dangling_function_and_mapping_references() {
    let mut w = small_writer();
    w.proto_mut().location[1].line[1].function_id = 77;
    let e = decode_err(&w.encode(), &defaults());
    assert_eq!(e, Error::UnknownReference { from: "location 2 line 1".into(), kind: "function", id: 77 });
    assert_mentions(&e.to_string(), &["location 2 line 1 refers to function 77"]);

    let mut w = small_writer();
    w.proto_mut().location[0].mapping_id = 5;
    let e = decode_err(&w.encode(), &defaults());
    assert_eq!(e, Error::UnknownReference { from: "location 1".into(), kind: "mapping", id: 5 });
    assert_mentions(&e.to_string(), &["location 1 refers to mapping 5"]);
}

#[test]
fn duplicate_ids() {
    for kind in ["mapping", "function", "location"] {
        let mut w = small_writer();
        let msg = w.proto_mut();
        match kind {
            "mapping" => msg.mapping.push(msg.mapping[0]),
            "function" => msg.function[2].id = 1,
            _ => msg.location[2].id = 2,
        }
        let id = match kind {
            "location" => 2,
            _ => 1,
        };
        let e = decode_err(&w.encode(), &defaults());
        assert_eq!(e, Error::DuplicateId { kind, id });
        assert_mentions(&e.to_string(), &[&format!("two {kind}s share the id {id}")]);
    }
}

#[test]
fn value_count_mismatch() {
    // A later sample differs from the first.
    let mut w = small_writer();
    w.add_sample(&[1], &[1, 2, 3], &[]);
    let e = decode_err(&w.encode(), &defaults());
    assert_eq!(e, Error::ValueCount { sample: 2, found: 3, expected: 2 });
    assert_mentions(&e.to_string(), &["sample 2 has 3 values", "declares 2 sample types"]);

    // Every sample agrees, but not with the sample types.
    let mut w = small_writer();
    for s in &mut w.proto_mut().sample {
        s.value.truncate(1);
    }
    let e = decode_err(&w.encode(), &defaults());
    assert_eq!(e, Error::ValueCount { sample: 0, found: 1, expected: 2 });
    assert_mentions(&e.to_string(), &["sample 0 has 1 values", "declares 2 sample types"]);
}

#[test]
fn string_table_must_start_empty() {
    let mut w = small_writer();
    w.proto_mut().string_table[0] = "oops".into();
    let e = decode_err(&w.encode(), &defaults());
    assert_eq!(e, Error::StringTableStart { found: "oops".into() });
    assert_mentions(&e.to_string(), &["string_table[0] must be the empty string", "\"oops\""]);
}

#[test]
fn concatenated_profiles() {
    let mut a = small_writer();
    a.set_time(1_700_000_000_000_000_000, 1_000_000_000);
    let mut b = small_writer();
    b.set_time(1_700_000_010_000_000_000, 1_000_000_000);
    let mut raw = a.encode();
    raw.extend(b.encode());
    let mut gz = a.encode_gzip();
    gz.extend(b.encode_gzip());
    for (what, bytes) in [("raw", raw), ("gzip members", gz)] {
        let e = decode_err(&bytes, &defaults());
        assert_eq!(e, Error::ConcatenatedProfiles, "{what}");
        assert_mentions(&e.to_string(), &["several profiles concatenated", "load each profile on its own"]);
    }
}

#[test]
fn text_file() {
    for name in ["pprof/LICENSE", "pprof/NOTICE"] {
        let bytes = fixture(name);
        for input in [bytes.clone(), gzip(&bytes)] {
            let e = decode_err(&input, &defaults());
            match &e {
                Error::NotAProfile { hint } => assert!(hint.contains("text file"), "{name}: {hint:?}"),
                other => panic!("{name}: expected NotAProfile, got {other:?}"),
            }
            assert_mentions(&e.to_string(), &["not a pprof profile", "text file", "protobuf"]);
        }
    }
}

#[test]
fn legacy_formats() {
    // The other legacy forms are read (tests/tests/legacy_formats.rs).
    let cases = [("pprof/java.cpu", "legacy binary CPU profile")];
    for (name, kind) in cases {
        let bytes = fixture(name);
        for input in [bytes.clone(), gzip(&bytes)] {
            let e = decode_err(&input, &defaults());
            let message = e.to_string();
            match &e {
                Error::UnsupportedFormat { hint } => {
                    assert!(hint.contains(kind), "{name}: {hint:?} does not say {kind:?}");
                    // The hint says how to get something proflens reads.
                    assert!(
                        hint.contains("go tool pprof -proto") || hint.contains("without debug=1"),
                        "{name}: {hint:?} gives no way out"
                    );
                }
                other => panic!("{name}: expected UnsupportedFormat, got {other:?}"),
            }
            assert_mentions(&message, &[kind]);
        }
    }
}

#[test]
fn html_page() {
    let page =
        b"<!DOCTYPE html>\n<html><head><title>Sign in</title></head>\n<body>Please sign in.</body></html>\n";
    for input in [page.to_vec(), gzip(page)] {
        let e = decode_err(&input, &defaults());
        match &e {
            Error::NotAProfile { hint } => assert!(hint.contains("HTML page"), "{hint:?}"),
            other => panic!("expected NotAProfile, got {other:?}"),
        }
        assert_mentions(&e.to_string(), &["not a pprof profile", "HTML page", "error or login page"]);
    }
}

#[test]
fn other_formats_are_named() {
    let cases: [(&[u8], &str); 4] = [
        (b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x3e\x00", "ELF"),
        (b"\x28\xb5\x2f\xfd\x24\x05\x29\x00\x00hello", "zstd"),
        (b"{\"samples\": [1, 2, 3], \"functions\": []}\n", "JSON"),
        (b"heap_v2/524288\n", "text heap profile"),
    ];
    for (bytes, kind) in cases {
        let e = decode_err(bytes, &defaults());
        assert!(
            matches!(e, Error::NotAProfile { .. } | Error::UnsupportedFormat { .. }),
            "{kind}: got {e:?}"
        );
        assert_mentions(&e.to_string(), &[kind]);
    }
}

#[test]
fn no_sample_types() {
    // Samples with no values, in a profile that declares no sample types.
    let mut w = ProfileWriter::new(&[]);
    let f = w.add_function("main.main", "main.go", 1);
    let l = w.add_location(None, 0x10, &[(f, 2)]);
    w.add_sample(&[l], &[], &[]);
    let e = decode_err(&w.encode(), &defaults());
    assert_eq!(e, Error::NoSampleTypes);
    assert_mentions(&e.to_string(), &["declares no sample types", "nothing to report"]);

    // A profile with tables but no sample types and no samples.
    let mut w = ProfileWriter::new(&[]);
    w.add_function("main.main", "main.go", 1);
    w.set_time(1_700_000_000_000_000_000, 0);
    let e = decode_err(&w.encode_gzip(), &defaults());
    assert_eq!(e, Error::NoSampleTypes);
}

/// The path of a scratch file for CLI tests.
fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("bad_input");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

#[test]
fn cli_reports_bad_files_on_one_line_with_their_path() {
    let whole = fixture("go/heap1.pb.gz");
    let mut undefined = small_writer();
    undefined.add_sample(&[99], &[1, 1], &[]);
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty.pb.gz", Vec::new(), "the input is empty"),
        ("truncated.pb.gz", whole[..whole.len() / 2].to_vec(), "truncated"),
        ("LICENSE.pb.gz", fixture("pprof/LICENSE"), "text file"),
        ("legacy.cpu", fixture("pprof/java.cpu"), "legacy binary CPU profile"),
        ("undefined.pb", undefined.encode(), "sample 2 refers to location 99"),
        ("random.bin", random_bytes(9, 300), "malformed at byte"),
    ];
    for (name, bytes, expected) in cases {
        let path = scratch(name);
        std::fs::write(&path, &bytes).unwrap();
        let path = path.to_str().expect("the temp dir is UTF-8").to_string();
        for report in ["top", "traces", "tree"] {
            match run_args(["proflens", report, path.as_str()]) {
                Outcome::Failed { message, status } => {
                    assert_eq!(status, 1, "{name}: {message}");
                    let line = message.trim_end();
                    assert!(!line.contains('\n'), "{name}: the message is not one line: {message:?}");
                    assert!(
                        line.starts_with(&format!("{path}: ")),
                        "{name}: {line:?} does not start with the path"
                    );
                    assert!(line.contains(expected), "{name}: {line:?} does not say {expected:?}");
                }
                Outcome::Output(text) | Outcome::Info(text) => {
                    panic!("{name}: expected a failure, got {text:?}")
                }
            }
        }
    }
}

#[test]
fn cli_reports_a_missing_file() {
    let path = scratch("does-not-exist.pb.gz");
    let _ = std::fs::remove_file(&path);
    let path = path.to_str().unwrap().to_string();
    match run_args(["proflens", "top", path.as_str()]) {
        Outcome::Failed { message, status } => {
            assert_eq!(status, 1);
            assert!(message.contains(&path), "{message:?} does not name the file");
            assert!(!message.trim_end().contains('\n'));
        }
        _ => panic!("expected a failure"),
    }
}

#[test]
fn reencoded_fixtures_still_decode() {
    // The helpers above assume encode_profile round-trips; check it once on
    // real profiles so a failure here points at the encoder, not the input.
    for name in ["go/heap1.pb.gz", "go/cpu.pb.gz", "pprof/sample.cpu"] {
        let p = decode(&fixture(name), &defaults()).unwrap();
        let raw = encode_profile(&p, &proflens_core::encode::dense_ids).encode_to_vec();
        let q = decode(&raw, &defaults()).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(p.samples.len(), q.samples.len(), "{name}");
    }
}

#[test]
fn cli_refuses_bad_tag_options_with_a_message() {
    let cpu = format!("{}/fixtures/go/cpu.pb.gz", env!("CARGO_MANIFEST_DIR"));
    let cases = [
        ("--tagfocus=(", "tagfocus regexp does not compile"),
        ("--tagignore=worker=[", "tagignore regexp does not compile"),
        ("--tagfocus=bytes=99999999999999999999:", "99999999999999999999 is not a 64-bit integer"),
        ("--tagshow=(", "tagshow regexp does not compile"),
        ("--taghide=*", "taghide regexp does not compile"),
    ];
    for report in ["top", "tags", "traces"] {
        for (option, expected) in cases {
            match run_args(["proflens", report, option, cpu.as_str()]) {
                Outcome::Failed { message, status } => {
                    assert_eq!(status, 1, "{option}: {message}");
                    assert!(message.contains(expected), "{option}: {message:?} does not say {expected:?}");
                }
                other => panic!("{report} {option}: expected a failure, got {other:?}"),
            }
        }
    }
}

#[test]
fn tag_options_run_on_every_fixture() {
    let options = proflens_core::report::ReportOptions {
        tag_focus: "k0=^v|v1,".into(),
        tag_ignore: ":1kb".into(),
        tag_show: "k|worker".into(),
        tag_hide: "bytes".into(),
        tag_root: "worker,bytes,,missing".into(),
        tag_leaf: "id,wait".into(),
        ..proflens_core::report::ReportOptions::default()
    };
    let dir = format!("{}/fixtures/synthetic", env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<String> =
        std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path().display().to_string()).collect();
    files.extend(
        ["go/cpu.pb.gz", "go/heap2.pb.gz"].map(|f| format!("{}/fixtures/{f}", env!("CARGO_MANIFEST_DIR"))),
    );
    for path in files {
        let p = decode(&std::fs::read(&path).unwrap(), &defaults()).unwrap();
        let framed =
            proflens_core::tags::apply_label_frames(&p, &options).unwrap_or_else(|e| panic!("{path}: {e}"));
        proflens_core::report::top(&framed, &options).unwrap_or_else(|e| panic!("{path}: {e}"));
        proflens_core::report::tags(&framed, &options).unwrap_or_else(|e| panic!("{path}: {e}")).to_text();
        proflens_core::report::traces(&framed, &options).unwrap_or_else(|e| panic!("{path}: {e}"));
        proflens_core::tags::label_summary(&p, &options).unwrap_or_else(|e| panic!("{path}: {e}"));
        let base =
            proflens_core::report::ReportOptions { tag_focus: "worker=sort".into(), ..options.clone() };
        proflens_core::tags::compare_tag_values(&p, &base, "worker=hash")
            .unwrap_or_else(|e| panic!("{path}: {e}"));
    }
}
