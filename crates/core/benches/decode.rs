//! Decode and top-report benchmarks on pprof's own benchmark fixture
//! (large.cpu) and on a generated ~100 MB raw profile.
//!
//! Run with `cargo bench -p proflens-core --bench decode`. The generated
//! profile comes from `proflens_core::synth` (SynthSpec::LARGE), so every
//! machine benchmarks the same bytes.

use std::hint::black_box;
use std::io::Read;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use proflens_core::report::{top, ReportOptions};
use proflens_core::synth::{generate, SynthSpec};
use proflens_core::{decode, DecodeOptions};

fn large_cpu() -> Vec<u8> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/pprof/large.cpu");
    std::fs::read(path).expect("tests/fixtures/pprof/large.cpu")
}

fn bench_large_cpu(c: &mut Criterion) {
    let bytes = large_cpu();
    let options = DecodeOptions::default();
    let mut g = c.benchmark_group("large.cpu");
    g.throughput(Throughput::Bytes(bytes.len() as u64));
    g.bench_function("decode", |b| b.iter(|| decode(black_box(&bytes), &options).unwrap()));
    g.bench_function("decode+top", |b| {
        b.iter(|| {
            let p = decode(black_box(&bytes), &options).unwrap();
            top(&p, &ReportOptions::default()).unwrap()
        })
    });
    let p = decode(&bytes, &options).unwrap();
    g.bench_function("top", |b| b.iter(|| top(black_box(&p), &ReportOptions::default()).unwrap()));
    g.finish();
}

fn bench_synthetic_100mb(c: &mut Criterion) {
    let bytes = generate(&SynthSpec::LARGE);
    let options = DecodeOptions::default();
    let mut g = c.benchmark_group("synthetic-100MB");
    g.sample_size(10).measurement_time(Duration::from_secs(30));
    g.throughput(Throughput::Bytes(bytes.len() as u64));
    g.bench_function("decode", |b| b.iter(|| decode(black_box(&bytes), &options).unwrap()));
    g.bench_function("decode+top", |b| {
        b.iter(|| {
            let p = decode(black_box(&bytes), &options).unwrap();
            top(&p, &ReportOptions::default()).unwrap()
        })
    });
    g.finish();
}

/// The two pure-Rust inflate backends flate2 can use, on the same gzip data:
/// zlib-rs (what proflens builds with) and miniz_oxide.
fn bench_gunzip(c: &mut Criterion) {
    let bytes = large_cpu();
    let deflate = gzip_payload(&bytes);
    let mut g = c.benchmark_group("gunzip large.cpu");
    g.throughput(Throughput::Bytes(bytes.len() as u64));
    g.bench_function("flate2 zlib-rs", |b| {
        b.iter(|| {
            let mut out = Vec::new();
            flate2::read::GzDecoder::new(black_box(&bytes[..])).read_to_end(&mut out).unwrap();
            out
        })
    });
    g.bench_function("miniz_oxide", |b| {
        b.iter(|| miniz_oxide::inflate::decompress_to_vec(black_box(deflate)).unwrap())
    });
    g.finish();
}

/// The raw deflate stream inside a gzip member with a plain 10-byte header.
fn gzip_payload(gz: &[u8]) -> &[u8] {
    assert_eq!(&gz[..3], &[0x1f, 0x8b, 8], "gzip with deflate");
    assert_eq!(gz[3] & 0x1e, 0, "no optional header fields");
    &gz[10..gz.len() - 8]
}

criterion_group!(benches, bench_large_cpu, bench_gunzip, bench_synthetic_100mb);
criterion_main!(benches);
