//! Address-only profiles (`Config::symbolize(false)`): what a symbolizer
//! needs to resolve them later. (A test binary of its own: it symbolizes
//! with backtrace on its own threads, whose caches would show in the
//! profiles of other heap tests.)

mod common;

use std::alloc::System;
use std::hint::black_box;

use common::get;
use proflens_agent::SamplingAllocator;

#[global_allocator]
static ALLOC: SamplingAllocator = SamplingAllocator::with_rate(System, 4096);

#[inline(never)]
fn proflens_test_address_only_site(out: &mut Vec<Vec<u8>>) {
    for i in 0..512 {
        out.push(black_box(vec![i as u8; 2048]));
    }
}

/// What `go tool pprof` and proflens need to symbolize a profile later:
/// each location's absolute address inside a mapping that names the file,
/// its build ID and how the kernel mapped it.
#[test]
fn address_only_profiles_carry_what_a_symbolizer_needs() {
    let server =
        proflens_agent::serve_with("127.0.0.1:0", proflens_agent::Config::default().symbolize(false))
            .unwrap();
    let mut keep = Vec::new();
    proflens_test_address_only_site(&mut keep);
    let p = get(server.local_addr(), "/debug/pprof/heap").profile();
    assert!(p.functions.is_empty(), "an address-only profile names functions");
    let exe = std::fs::read_link("/proc/self/exe").unwrap().display().to_string();
    let main = &p.mappings[0];
    assert_eq!(p.str(main.file), exe);
    assert!(!p.str(main.build_id).is_empty());
    assert!(!main.has_functions && !main.has_filenames && !main.has_line_numbers && !main.has_inline_frames);
    // The mapping as the kernel made it: the same line in /proc/self/maps.
    let maps = std::fs::read_to_string("/proc/self/maps").unwrap();
    let line = format!("{:x}-{:x} r-xp {:08x}", main.start, main.limit, main.offset);
    assert!(maps.lines().any(|l| l.starts_with(&line) && l.ends_with(&exe)), "{line} not in\n{maps}");

    // Symbolized afterwards from the addresses (here by the same process's
    // unwinder): the stacks start at the sampler's entry and reach the site.
    let resolve = |addr: u64| {
        let mut names = Vec::new();
        backtrace::resolve((addr + 1) as *mut std::ffi::c_void, |s| {
            names.push(s.name().map(|n| format!("{n:#}")).unwrap_or_default())
        });
        names
    };
    let mut found = false;
    for i in 0..p.samples.len() {
        let addrs: Vec<u64> = p.stacks.frames(p.samples.stack[i]).map(|l| p.locations[l].address).collect();
        for l in p.stacks.frames(p.samples.stack[i]) {
            let loc = &p.locations[l];
            let m = &p.mappings[loc.mapping.expect("every location has its mapping")];
            assert!(m.start <= loc.address && loc.address < m.limit);
        }
        let leaf = resolve(addrs[0]);
        assert!(leaf.iter().any(|n| n.contains("SamplingAllocator")), "leaf {leaf:?}");
        found |=
            addrs.iter().any(|&a| resolve(a).iter().any(|n| n.ends_with("proflens_test_address_only_site")));
    }
    assert!(found, "no stack reaches the allocation site");
    drop(keep);
    server.shutdown();
}
