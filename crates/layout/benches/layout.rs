//! Layout time on the pprof call-graph fixtures (`tests/fixtures`) and on
//! denser synthetic graphs of 80 nodes and 200 labelled edges: a random one
//! and a pprof-like one (calls mostly one to three levels down, some
//! recursion).
//!
//! Run with `cargo bench -p proflens-layout --bench layout`.

#[path = "../tests/common/mod.rs"]
mod common;

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use proflens_layout::{layout, LayoutOptions};

fn bench_layout(c: &mut Criterion) {
    let opts = LayoutOptions::default();
    let mut g = c.benchmark_group("layout");
    let graphs = [
        ("heap2 (44 nodes, 38 edges)", common::fixture("heap2")),
        ("cpu (81 nodes, 94 edges)", common::fixture("cpu")),
        ("dense (80 nodes, 200 edges)", common::dense(80, 200, 7)),
        ("callgraph (80 nodes, 200 edges)", common::callgraph(80, 200, 1)),
        ("cpu_full (317 nodes, 350 edges)", common::fixture("cpu_full")),
    ];
    for (name, (nodes, edges)) in &graphs {
        g.bench_function(*name, |b| b.iter(|| layout(black_box(nodes), black_box(edges), &opts)));
    }
    g.finish();
}

criterion_group!(benches, bench_layout);
criterion_main!(benches);
