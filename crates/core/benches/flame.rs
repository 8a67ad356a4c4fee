//! Flame graph benchmarks: the full frame tree (what the page built before
//! issue 14, then narrowed) against the lazy one built for a viewport, on a
//! generated profile of about 20 MB raw.
//!
//! Run with `cargo bench -p proflens-core --bench flame`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use proflens_core::graph::Granularity;
use proflens_core::report::{flame, flame_lazy, FlameViewport, ReportOptions};
use proflens_core::synth::{generate, SynthSpec};
use proflens_core::{decode, DecodeOptions};

/// About a fifth of SynthSpec::LARGE: 20 MB raw.
const MEDIUM: SynthSpec =
    SynthSpec { samples: 170_000, functions: 20_000, locations: 120_000, max_depth: 66, seed: 0x5eed };

fn bench_flame(c: &mut Criterion) {
    let p = decode(&generate(&MEDIUM), &DecodeOptions::default()).unwrap();
    let o = ReportOptions::default();
    let g = Granularity::FileFunctions;
    let mut group = c.benchmark_group("flame synthetic-20MB");
    group.sample_size(10).measurement_time(Duration::from_secs(20));
    group.bench_function("full", |b| b.iter(|| flame(black_box(&p), &o, g, None).unwrap()));
    group.bench_function("lazy 2000px", |b| {
        b.iter(|| flame_lazy(black_box(&p), &o, g, None, FlameViewport::whole(2000)).unwrap())
    });
    let root =
        flame_lazy(&p, &o, g, None, FlameViewport::whole(2000)).unwrap().graph.tree.nodes[0].total as f64;
    let zoom = FlameViewport { start: root * 0.3, span: root * 0.001, pixels: 2000 };
    group.bench_function("lazy 2000px zoomed 1000x", |b| {
        b.iter(|| flame_lazy(black_box(&p), &o, g, None, zoom).unwrap())
    });
    group.finish();
}

criterion_group!(benches, bench_flame);
criterion_main!(benches);
