//! The allocation-heavy workload with `SamplingAllocator<System>` as the
//! global allocator: at the default rate (512 KiB), at 4 KiB (to measure
//! the cost of a sample), and with sampling off.
//! Compare with `heap_baseline` (the same workload on plain `System`).

use criterion::{criterion_group, criterion_main, Criterion};
use proflens_agent::SamplingAllocator;

#[global_allocator]
static ALLOC: SamplingAllocator = SamplingAllocator::system();

#[path = "common/workload.rs"]
mod workload;

#[path = "common/thread_time.rs"]
mod thread_time;
use thread_time::ThreadTime;

fn bench(c: &mut Criterion<ThreadTime>) {
    let mut seed = 1u64;
    proflens_agent::heap::set_sample_rate(proflens_agent::heap::DEFAULT_SAMPLE_RATE);
    c.bench_function("alloc_heavy/sampled_512KiB", |b| {
        b.iter(|| {
            seed += 1;
            workload::alloc_heavy(seed)
        })
    });
    // Every 4 KiB: about 300 samples a call, so the time is mostly the
    // samples' (the unwind and the table insert): their cost, measured.
    proflens_agent::heap::set_sample_rate(4096);
    c.bench_function("alloc_heavy/sampled_4KiB", |b| {
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
        .with_measurement(ThreadTime)
        .warm_up_time(std::time::Duration::from_secs(1))
        .measurement_time(std::time::Duration::from_secs(4))
        .sample_size(40);
    targets = bench
}
criterion_main!(benches);
