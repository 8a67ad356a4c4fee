//! A CPU-bound workload with and without a 100 Hz CPU profile running
//! (requested from the agent's own endpoint, as a user would).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};

#[path = "common/workload.rs"]
mod workload;

#[path = "common/thread_time.rs"]
mod thread_time;
use thread_time::ThreadTime;

fn get(addr: std::net::SocketAddr, path: &str) -> Vec<u8> {
    let mut s = TcpStream::connect(addr).expect("connect to the agent");
    write!(s, "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").expect("send");
    let mut out = Vec::new();
    s.read_to_end(&mut out).expect("read");
    out
}

fn bench(c: &mut Criterion<ThreadTime>) {
    let buf: Vec<u64> = (0..16_384u64).map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15)).collect();
    let mut group = c.benchmark_group("cpu_heavy");
    // Short, so that one 10 s profile covers the profiled half's warm-up
    // and measurement.
    group.warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(4)).sample_size(30);
    group.bench_function("no_profile", |b| b.iter(|| workload::cpu_heavy(&buf)));

    let server = proflens_agent::serve("127.0.0.1:0").expect("start the agent");
    let addr = server.local_addr();
    // One profile long enough to cover warm-up and measurement.
    let profile = std::thread::spawn(move || get(addr, "/debug/pprof/profile?seconds=10"));
    // Wait until it runs.
    for _ in 0..100 {
        let index = String::from_utf8_lossy(&get(addr, "/debug/pprof/")).into_owned();
        if index.contains("1 running") {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    group.bench_function("profile_100Hz", |b| b.iter(|| workload::cpu_heavy(&buf)));
    group.finish();
    let got = profile.join().expect("profile thread");
    assert!(got.starts_with(b"HTTP/1.1 200"), "the profile request failed");
}

criterion_group! {
    name = benches;
    // The workload thread's CPU time: it includes the SIGPROF handler's
    // work on that thread, not other processes on a shared machine.
    config = Criterion::default().with_measurement(ThreadTime);
    targets = bench
}
criterion_main!(benches);
