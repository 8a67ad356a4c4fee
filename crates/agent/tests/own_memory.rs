//! The agent's own memory is not in the heap profiles it serves: with
//! every allocation sampled (rate 1), nothing in use is under a frame of
//! proflens-agent or of its server, after profiles have been served (their
//! snapshots, symbolization and encoding) and with the built-in server
//! running (its runtime and connections).

mod common;

use common::{get, stack_names, type_index};

#[global_allocator]
static ALLOC: proflens_agent::SamplingAllocator =
    proflens_agent::SamplingAllocator::with_rate(std::alloc::System, 1);

#[test]
fn the_agent_holds_no_sampled_memory() {
    let server = proflens_agent::serve("127.0.0.1:0").unwrap();
    let addr = server.local_addr();
    get(addr, "/debug/pprof/");
    for path in ["/debug/pprof/heap", "/debug/pprof/threads", "/debug/pprof/heap?debug=1"] {
        assert_eq!(get(addr, path).status, 200, "{path}");
    }
    let p = get(addr, "/debug/pprof/heap").profile();
    let t = type_index(&p, "inuse_space");
    let total: i64 = (0..p.samples.len()).map(|i| p.samples.value(i, t)).sum();
    let own: Vec<(i64, Vec<String>)> = (0..p.samples.len())
        .map(|i| (p.samples.value(i, t), stack_names(&p, i)))
        .filter(|(v, names)| {
            *v != 0
                && names.iter().any(|n| {
                    ["proflens_agent::", "<proflens_agent::", "proflens_http::", "<proflens_http::"]
                        .iter()
                        .any(|p| n.starts_with(p))
                })
        })
        .collect();
    assert!(total > 0, "nothing sampled at rate 1");
    assert!(own.is_empty(), "the agent's memory in its own profile (of {total} bytes): {own:#?}");
    server.shutdown();
}
