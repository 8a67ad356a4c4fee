//! Call graph benchmarks on a generated profile of about 20 MB raw: the
//! default Graph view (pprof's -dot defaults), the Graph filled to 80 nodes
//! (nodefraction=0), and the latter again in a session that keeps its walks.
//!
//! Run with `cargo bench -p proflens-core --bench graph`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use proflens_core::graph::WalkCache;
use proflens_core::report::{dot, dot_cached, ReportOptions};
use proflens_core::synth::{generate, SynthSpec};
use proflens_core::{decode, DecodeOptions};

/// About a fifth of SynthSpec::LARGE: 20 MB raw.
const MEDIUM: SynthSpec =
    SynthSpec { samples: 170_000, functions: 20_000, locations: 120_000, max_depth: 66, seed: 0x5eed };

fn bench_graph(c: &mut Criterion) {
    let p = decode(&generate(&MEDIUM), &DecodeOptions::default()).unwrap();
    let mut group = c.benchmark_group("graph synthetic-20MB");
    group.sample_size(10).measurement_time(Duration::from_secs(20));
    let default = ReportOptions::default();
    group.bench_function("default", |b| b.iter(|| dot(black_box(&p), &default).unwrap()));
    let nf0 = ReportOptions { node_fraction: 0.0, ..ReportOptions::default() };
    group.bench_function("nodefraction=0", |b| b.iter(|| dot(black_box(&p), &nf0).unwrap()));
    // A session that drew the default graph and then nodefraction=0 before:
    // the walks are reused, only the pruning and drawing are redone.
    let walks = WalkCache::default();
    dot_cached(&p, &default, Some(&walks)).unwrap();
    dot_cached(&p, &nf0, Some(&walks)).unwrap();
    group.bench_function("nodefraction=0 again (walks cached)", |b| {
        b.iter(|| dot_cached(black_box(&p), &nf0, Some(&walks)).unwrap())
    });
    group.finish();
}

criterion_group!(benches, bench_graph);
criterion_main!(benches);
