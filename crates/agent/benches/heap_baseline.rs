//! The allocation-heavy workload on the system allocator, without the
//! sampler: the baseline for `heap_sampled`.

use criterion::{criterion_group, criterion_main, Criterion};

#[path = "common/workload.rs"]
mod workload;

fn bench(c: &mut Criterion) {
    let mut seed = 1u64;
    c.bench_function("alloc_heavy/system", |b| {
        b.iter(|| {
            seed += 1;
            workload::alloc_heavy(seed)
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
