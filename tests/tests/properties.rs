//! Properties of decoding and reports over random but valid profiles, and
//! decoding of random and mutated bytes.
//!
//! The generated profiles (`proflens_tests::spec`) have a handful of
//! functions (names may repeat across function ids), locations with one to
//! three inline frames, stacks that repeat locations and functions
//! (recursion), optional labels and one to three sample types.

use std::collections::BTreeMap;

use proflens_core::encode::{dense_ids, encode_profile, ProfileWriter};
use proflens_core::graph::Granularity;
use proflens_core::report::{peek, top, traces, tree, ReportOptions, Sort};
use proflens_core::{decode, decode_reader, DecodeOptions, Limits, Profile};
use proflens_tests::fixture;
use proflens_tests::spec::{spec, spec_with};
use proptest::prelude::*;
use proptest::sample::Index;
use prost::Message;

fn decode_ok(bytes: &[u8]) -> Profile {
    decode(bytes, &DecodeOptions::default())
        .unwrap_or_else(|e| panic!("a generated profile does not decode: {e}"))
}

fn untrimmed() -> ReportOptions {
    ReportOptions { trim: false, ..ReportOptions::default() }
}

fn granularity() -> impl Strategy<Value = Granularity> {
    prop_oneof![
        Just(Granularity::Functions),
        Just(Granularity::FileFunctions),
        Just(Granularity::Files),
        Just(Granularity::Lines),
        Just(Granularity::Addresses),
    ]
}

/// top, tree and traces as text, for comparing two decodings.
fn reports(p: &Profile, options: &ReportOptions) -> Vec<String> {
    vec![
        top(p, options).map(|r| r.to_text()).unwrap_or_else(|e| format!("error: {e}")),
        tree(p, options).map(|r| r.to_text()).unwrap_or_else(|e| format!("error: {e}")),
        traces(p, options).unwrap_or_else(|e| format!("error: {e}")),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    /// (a) Unfiltered, untrimmed, non-negative: the flat column sums to the
    /// total, and the total is the sum of the sample values.
    #[test]
    fn flat_sums_to_total(spec in spec(), granularity in granularity(), noinlines: bool, cum_sort: bool) {
        let p = decode_ok(&spec.writer().encode());
        for index in 0..spec.types {
            let options = ReportOptions {
                sample_index: index.to_string(),
                granularity,
                noinlines,
                sort: if cum_sort { Sort::Cum } else { Sort::Flat },
                ..untrimmed()
            };
            let report = top(&p, &options).unwrap();
            prop_assert_eq!(report.total, spec.total(index));
            let flat: i64 = report.rows.iter().map(|r| r.flat).sum();
            prop_assert_eq!(flat, report.total, "sample index {}: {}", index, report.to_text());
            if let Some(last) = report.rows.last() {
                prop_assert_eq!(last.flat_sum, report.total);
            }
        }
    }

    /// (b) Every row has 0 <= flat <= cum <= total, in top and in tree.
    #[test]
    fn cum_bounds_flat(spec in spec(), granularity in granularity(), noinlines: bool, trim: bool) {
        let p = decode_ok(&spec.writer().encode());
        let options = ReportOptions { granularity, noinlines, trim, ..ReportOptions::default() };
        let report = top(&p, &options).unwrap();
        for row in &report.rows {
            prop_assert!(0 <= row.flat && row.flat <= row.cum && row.cum <= report.total, "row {:?}, total {}", row, report.total);
        }
        let t = tree(&p, &options).unwrap();
        for entry in &t.entries {
            prop_assert!(0 <= entry.flat && entry.flat <= entry.cum && entry.cum <= t.total, "entry {} flat {} cum {}", entry.name, entry.flat, entry.cum);
            for link in entry.callers.iter().chain(&entry.callees) {
                prop_assert!(link.weight <= entry.cum, "link {} weighs {} > cum {} of {}", link.name, link.weight, entry.cum, entry.name);
            }
        }
    }

    /// (c, in general) At function granularity, each function's cum is the
    /// sum over the samples whose stack holds it, however many times, and its
    /// flat the sum over the samples it is the leaf of.
    #[test]
    fn function_cum_counts_each_sample_once(spec in spec(), noinlines: bool) {
        let p = decode_ok(&spec.writer().encode());
        for index in 0..spec.types {
            let options = ReportOptions { sample_index: index.to_string(), noinlines, ..untrimmed() };
            let report = top(&p, &options).unwrap();
            let got: BTreeMap<String, (i64, i64)> =
                report.rows.iter().map(|r| (r.name.clone(), (r.flat, r.cum))).collect();
            prop_assert_eq!(got.len(), report.rows.len(), "a function has two rows:\n{}", report.to_text());
            prop_assert_eq!(got, spec.expected(index, noinlines), "sample index {}:\n{}", index, report.to_text());
        }
    }

    /// (c) A function recursing `depth` deep, directly, through another
    /// function, and inlined into itself, counts each sample once.
    #[test]
    fn recursion_counts_once(depth in 1usize..40, v1 in 1i64..1_000_000, v2 in 1i64..1_000_000) {
        let mut w = ProfileWriter::new(&[("samples", "count")]);
        let main = w.add_function("main.main", "main.go", 1);
        let rec = w.add_function("main.rec", "main.go", 10);
        let other = w.add_function("main.other", "main.go", 20);
        let leaf = w.add_function("main.leaf", "main.go", 30);
        let l_main = w.add_location(None, 0x100, &[(main, 2)]);
        // rec calls itself from two call sites, and once inlined into itself.
        let l_rec_a = w.add_location(None, 0x200, &[(rec, 11)]);
        let l_rec_b = w.add_location(None, 0x210, &[(rec, 12)]);
        let l_rec_inl = w.add_location(None, 0x220, &[(rec, 13), (rec, 14)]);
        let l_other = w.add_location(None, 0x300, &[(other, 21)]);
        let l_leaf = w.add_location(None, 0x400, &[(leaf, 31)]);

        // Sample 1: leaf <- rec x depth (mixed sites) <- main.
        let mut s1 = vec![l_leaf];
        for i in 0..depth {
            s1.push([l_rec_a, l_rec_b, l_rec_inl][i % 3]);
        }
        s1.push(l_main);
        w.add_sample(&s1, &[v1], &[]);
        // Sample 2: rec and other recursing through each other; rec is the leaf.
        let mut s2 = Vec::new();
        for _ in 0..depth {
            s2.extend([l_rec_a, l_other]);
        }
        s2.push(l_main);
        w.add_sample(&s2, &[v2], &[]);

        let p = decode_ok(&w.encode());
        for noinlines in [false, true] {
            let report = top(&p, &ReportOptions { noinlines, ..untrimmed() }).unwrap();
            let row = |name: &str| report.rows.iter().find(|r| r.name == name).map(|r| (r.flat, r.cum));
            prop_assert_eq!(report.total, v1 + v2);
            prop_assert_eq!(row("main.rec"), Some((v2, v1 + v2)), "\n{}", report.to_text());
            prop_assert_eq!(row("main.main"), Some((0, v1 + v2)));
            prop_assert_eq!(row("main.leaf"), Some((v1, v1)));
            prop_assert_eq!(row("main.other"), Some((0, v2)));
        }
        // Per line, each call site recursing is still counted once per sample.
        let by_line = top(&p, &ReportOptions { granularity: Granularity::Lines, ..untrimmed() }).unwrap();
        for row in &by_line.rows {
            prop_assert!(row.cum <= v1 + v2, "{:?}", row);
        }
    }

    /// (d) gzip and raw encodings, and the slice and streaming decoders, give
    /// identical reports.
    #[test]
    fn gzip_and_raw_agree(spec in spec_with(-1000i64..=1000), granularity in granularity()) {
        let w = spec.writer();
        let raw = decode_ok(&w.encode());
        let gz = decode_ok(&w.encode_gzip());
        let streamed = decode_reader(&w.encode_gzip()[..], &DecodeOptions::default()).unwrap();
        for options in [ReportOptions::default(), ReportOptions { granularity, ..untrimmed() }] {
            let expected = reports(&raw, &options);
            prop_assert_eq!(&reports(&gz, &options), &expected);
            prop_assert_eq!(&reports(&streamed, &options), &expected);
        }
    }

    /// (d2) Compacting the stack tree into preorder (what the page does to
    /// save memory) changes no report.
    #[test]
    fn compact_stacks_agree(spec in spec_with(-1000i64..=1000), granularity in granularity()) {
        let bytes = spec.writer().encode();
        let plain = decode_ok(&bytes);
        let compact = decode(&bytes, &DecodeOptions { compact_stacks: true, ..DecodeOptions::default() }).unwrap();
        for options in [ReportOptions::default(), ReportOptions { granularity, ..untrimmed() }] {
            prop_assert_eq!(&reports(&compact, &options), &reports(&plain, &options));
        }
    }

    /// (e) Renumbering ids (sparse, huge, reversed) changes no report.
    #[test]
    fn ids_do_not_matter(spec in spec_with(-1000i64..=1000), scheme in 0usize..4, granularity in granularity()) {
        let p = decode_ok(&spec.writer().encode());
        let counts = [("mapping", p.mappings.len()), ("function", p.functions.len()), ("location", p.locations.len())];
        let count = |kind: &str| counts.iter().find(|(k, _)| *k == kind).map_or(0, |c| c.1) as u64;
        let renumber = |kind: &'static str, i: usize| -> u64 {
            let i = i as u64;
            match scheme {
                0 => i * 7919 + 1,
                1 => count(kind) - i,
                2 => u64::MAX - 3 * i,
                _ => (count(kind) - i) << 40,
            }
        };
        let q = decode_ok(&encode_profile(&p, &renumber).encode_to_vec());
        let dense = decode_ok(&encode_profile(&p, &dense_ids).encode_to_vec());
        for options in [ReportOptions::default(), ReportOptions { granularity, ..untrimmed() }] {
            let expected = reports(&p, &options);
            prop_assert_eq!(&reports(&q, &options), &expected);
            prop_assert_eq!(&reports(&dense, &options), &expected);
        }
    }
}

/// Every report, with assorted options, on whatever decoded: errors are
/// fine, panics are not.
fn run_all_reports(p: &Profile) {
    let variants = [
        ReportOptions::default(),
        ReportOptions { sort: Sort::Cum, node_count: Some(3), ..ReportOptions::default() },
        ReportOptions {
            granularity: Granularity::Lines,
            noinlines: true,
            trim: false,
            ..ReportOptions::default()
        },
        ReportOptions {
            granularity: Granularity::Addresses,
            sample_index: "0".into(),
            ..ReportOptions::default()
        },
        ReportOptions {
            granularity: Granularity::Files,
            sample_index: "cpu".into(),
            ..ReportOptions::default()
        },
        ReportOptions { focus: "f1|main".into(), ignore: "f2".into(), ..ReportOptions::default() },
        ReportOptions {
            hide: "f3".into(),
            show_from: "f".into(),
            unit: "auto".into(),
            ..ReportOptions::default()
        },
        ReportOptions {
            show: "f[0-4]".into(),
            relative_percentages: true,
            drop_negative: true,
            ..ReportOptions::default()
        },
    ];
    for options in &variants {
        if let Ok(r) = top(p, options) {
            let _ = r.to_text();
        }
        if let Ok(r) = tree(p, options) {
            let _ = r.to_text();
        }
        let _ = traces(p, options);
        if let Ok(r) = peek(p, options, "f1|main") {
            let _ = r.to_text();
        }
    }
}

/// A mutation of encoded bytes.
#[derive(Clone, Debug)]
enum Mutation {
    FlipBit(Index, u8),
    SetByte(Index, u8),
    Truncate(Index),
    Insert(Index, Vec<u8>),
    Delete(Index, usize),
    Duplicate(Index, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        4 => (any::<Index>(), 0u8..8).prop_map(|(i, b)| Mutation::FlipBit(i, b)),
        3 => (any::<Index>(), any::<u8>()).prop_map(|(i, b)| Mutation::SetByte(i, b)),
        1 => any::<Index>().prop_map(Mutation::Truncate),
        2 => (any::<Index>(), prop::collection::vec(any::<u8>(), 1..12)).prop_map(|(i, b)| Mutation::Insert(i, b)),
        1 => (any::<Index>(), 1usize..16).prop_map(|(i, n)| Mutation::Delete(i, n)),
        1 => (any::<Index>(), 1usize..64).prop_map(|(i, n)| Mutation::Duplicate(i, n)),
    ]
}

fn mutate(bytes: &mut Vec<u8>, mutations: &[Mutation]) {
    for m in mutations {
        if bytes.is_empty() {
            return;
        }
        let len = bytes.len();
        match m {
            Mutation::FlipBit(i, b) => bytes[i.index(len)] ^= 1 << b,
            Mutation::SetByte(i, v) => bytes[i.index(len)] = *v,
            Mutation::Truncate(i) => bytes.truncate(i.index(len)),
            Mutation::Insert(i, b) => {
                let at = i.index(len + 1);
                bytes.splice(at..at, b.iter().copied());
            }
            Mutation::Delete(i, n) => {
                let at = i.index(len);
                bytes.drain(at..(at + n).min(len));
            }
            Mutation::Duplicate(i, n) => {
                let at = i.index(len);
                let chunk = bytes[at..(at + n).min(len)].to_vec();
                bytes.splice(at..at, chunk);
            }
        }
    }
}

/// Small limits, so hostile lengths and counts fail fast.
fn small_limits() -> DecodeOptions {
    DecodeOptions {
        limits: Limits {
            max_decompressed_bytes: 4 << 20,
            max_samples: 100_000,
            max_table_rows: 100_000,
            max_strings: 100_000,
            max_stack_nodes: 100_000,
            max_decoded_bytes: 64 << 20,
        },
        ..DecodeOptions::default()
    }
}

/// Raw encodings of two small real profiles, to mutate.
fn fixture_bases() -> Vec<Vec<u8>> {
    ["pprof/sample.cpu", "go/heap1.pb.gz"]
        .iter()
        .map(|name| {
            let p = decode(&fixture(name), &DecodeOptions::default()).unwrap();
            encode_profile(&p, &dense_ids).encode_to_vec()
        })
        .collect()
}

/// Decodes `bytes` with default and small limits, runs every report on what
/// decodes; the two must agree unless a limit was hit.
fn decode_and_report(bytes: &[u8]) {
    let full = decode(bytes, &DecodeOptions::default());
    let small = decode(bytes, &small_limits());
    if let Ok(p) = &full {
        run_all_reports(p);
    }
    match (&full, &small) {
        (Ok(_), Ok(_)) | (Err(_), Err(_)) => {}
        (Ok(_), Err(e)) => assert!(
            matches!(e, proflens_core::Error::TooLarge { .. } | proflens_core::Error::TooMany { .. }),
            "small limits gave {e:?} where default limits decoded"
        ),
        (Err(e), Ok(_)) => panic!("default limits gave {e:?} where small limits decoded"),
    }
    if let Err(e) = &full {
        // Every failure has a message, on one line.
        let message = e.to_string();
        assert!(!message.is_empty() && !message.contains('\n'), "{message:?}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// (f) Arbitrary bytes never make decode panic.
    #[test]
    fn arbitrary_bytes_do_not_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        decode_and_report(&bytes);
        let _ = decode_reader(&bytes[..], &small_limits());
    }

    /// (f) Arbitrary bytes behind a gzip header, and gzip of arbitrary bytes.
    #[test]
    fn arbitrary_gzip_does_not_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let mut headed = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
        headed.extend_from_slice(&bytes);
        decode_and_report(&headed);
        decode_and_report(&proflens_core::encode::gzip(&bytes));
    }

    /// (f) Mutated generated profiles (raw and gzip) never panic, and
    /// neither does any report on what still decodes.
    #[test]
    fn mutated_profiles_do_not_panic(
        spec in spec_with(-1000i64..=1000),
        mutations in prop::collection::vec(mutation(), 1..6),
        gzip_after: bool,
    ) {
        let mut bytes = spec.writer().encode();
        mutate(&mut bytes, &mutations);
        if gzip_after {
            bytes = proflens_core::encode::gzip(&bytes);
        }
        decode_and_report(&bytes);
    }

    /// (f) Mutated gzip streams never panic.
    #[test]
    fn mutated_gzip_does_not_panic(spec in spec(), mutations in prop::collection::vec(mutation(), 1..4)) {
        let mut bytes = spec.writer().encode_gzip();
        mutate(&mut bytes, &mutations);
        decode_and_report(&bytes);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// (f) Mutated real profiles never panic.
    #[test]
    fn mutated_fixtures_do_not_panic(which in 0usize..2, mutations in prop::collection::vec(mutation(), 1..4)) {
        thread_local! {
            static BASES: Vec<Vec<u8>> = fixture_bases();
        }
        let mut bytes = BASES.with(|b| b[which].clone());
        mutate(&mut bytes, &mutations);
        decode_and_report(&bytes);
    }
}

/// Valid but odd profiles: extreme values, empty stacks, locations without
/// frames, empty names, huge addresses and line numbers.
fn odd_profile() -> impl Strategy<Value = Vec<u8>> {
    let value =
        prop_oneof![Just(i64::MAX), Just(i64::MIN), Just(0i64), Just(-1i64), any::<i64>(), -10i64..10];
    (
        spec_with(-1000i64..=1000),
        prop::collection::vec(value, 0..8),
        prop::collection::vec(any::<Index>(), 0..6),
    )
        .prop_map(|(spec, extremes, picks)| {
            let mut w = spec.writer();
            let msg = w.proto_mut();
            for (k, v) in extremes.into_iter().enumerate() {
                let s = k % msg.sample.len();
                let n = msg.sample[s].value.len();
                msg.sample[s].value[k % n] = v;
            }
            let (samples, locations, functions) = (msg.sample.len(), msg.location.len(), msg.function.len());
            for (k, pick) in picks.iter().enumerate() {
                match k % 6 {
                    0 => msg.sample[pick.index(samples)].location_id.clear(),
                    1 => msg.location[pick.index(locations)].line.clear(),
                    2 => msg.function[pick.index(functions)].name = 0,
                    3 => msg.location[pick.index(locations)].address = u64::MAX,
                    4 => {
                        for line in &mut msg.location[pick.index(locations)].line {
                            line.line = i64::MIN;
                        }
                    }
                    _ => msg.function[pick.index(functions)].start_line = i64::MAX,
                }
            }
            w.encode()
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Odd but valid profiles decode, and every report on them works.
    #[test]
    fn odd_profiles_do_not_panic(bytes in odd_profile()) {
        let p = decode(&bytes, &DecodeOptions::default());
        prop_assert!(p.is_ok(), "{:?}", p.err());
        run_all_reports(&p.unwrap());
    }
}
