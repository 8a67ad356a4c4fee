//! The allocation-heavy workload with `SamplingAllocator<System>` as the
//! global allocator: at the default rate (512 KiB), and with sampling off.
//! Compare with `heap_baseline` (the same workload on plain `System`).

use criterion::{criterion_group, criterion_main, Criterion};
use proflens_agent::SamplingAllocator;

#[global_allocator]
static ALLOC: SamplingAllocator = SamplingAllocator::system();

#[path = "common/workload.rs"]
mod workload;

fn bench(c: &mut Criterion) {
    let mut seed = 1u64;
    proflens_agent::heap::set_sample_rate(proflens_agent::heap::DEFAULT_SAMPLE_RATE);
    c.bench_function("alloc_heavy/sampled_512KiB", |b| {
        b.iter(|| {
            seed += 1;
            workload::alloc_heavy(seed)
        })
    });
    proflens_agent::heap::set_sample_rate(0);
    c.bench_function("alloc_heavy/sampler_off", |b| {
        b.iter(|| {
            seed += 1;
            workload::alloc_heavy(seed)
        })
    });
    proflens_agent::heap::set_sample_rate(proflens_agent::heap::DEFAULT_SAMPLE_RATE);
}

criterion_group! {
    name = benches;
    // Short runs: the overhead figures need a few percent of precision.
    config = Criterion::default()
        .warm_up_time(std::time::Duration::from_secs(1))
        .measurement_time(std::time::Duration::from_secs(4))
        .sample_size(40);
    targets = bench
}
criterion_main!(benches);
