//! The allocation-heavy workload on the system allocator, without the
//! sampler: the baseline for `heap_sampled`.

use criterion::{criterion_group, criterion_main, Criterion};

#[path = "common/workload.rs"]
mod workload;

#[path = "common/thread_time.rs"]
mod thread_time;
use thread_time::ThreadTime;

fn bench(c: &mut Criterion<ThreadTime>) {
    let mut seed = 1u64;
    c.bench_function("alloc_heavy/system", |b| {
        b.iter(|| {
            seed += 1;
            workload::alloc_heavy(seed)
        })
    });
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
