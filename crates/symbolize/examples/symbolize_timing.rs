//! Times symbolizing an address-only profile against a large binary (the
//! figures of docs/PERFORMANCE.md, "Symbolization").
//!
//! ```sh
//! cargo run --release -p proflens-symbolize --example symbolize_timing -- BINARY [ADDRESSES]
//! ```
//!
//! The profile is made from BINARY itself: ADDRESSES (default 20000)
//! addresses spread over its function symbols, in stacks of 8, with one
//! mapping carrying the binary's build ID, as an agent writes it with
//! symbolization off.

use std::time::Instant;

use object::{Object as _, ObjectSegment as _, ObjectSymbol as _};
use proflens_profile::encode::ProfileWriter;
use proflens_symbolize::{symbolize, ObjectFile};

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: symbolize_timing BINARY [ADDRESSES]");
    let count: usize = args.next().map_or(20_000, |n| n.parse().expect("ADDRESSES is a number"));
    let bytes = std::fs::read(&path).expect("reading the binary");
    let profile = address_only_profile(&path, &bytes, count);

    let start = Instant::now();
    let objects = [ObjectFile { name: &path, bytes: &bytes }];
    let out = symbolize(&profile, &objects, &Default::default()).expect("symbolizing");
    let elapsed = start.elapsed();
    println!(
        "{path}: {} MB, {count} addresses: {} locations named in {:.2} s",
        bytes.len() >> 20,
        out.symbolized_locations,
        elapsed.as_secs_f64()
    );
    for line in &out.report {
        println!("  {line}");
    }
}

fn address_only_profile(path: &str, bytes: &[u8], count: usize) -> Vec<u8> {
    let file = object::File::parse(bytes).expect("an object file");
    let build_id: String =
        file.build_id().ok().flatten().unwrap_or_default().iter().map(|b| format!("{b:02x}")).collect();
    let text = file
        .segments()
        .find(|s| matches!(s.flags(), object::SegmentFlags::Elf { p_flags, .. } if p_flags.contains(object::elf::PF_X)))
        .expect("an executable segment");
    let (load, size) = (text.address() - text.address() % text.align().max(1), text.size());
    let mut functions: Vec<u64> = file
        .symbols()
        .filter(|s| s.kind() == object::SymbolKind::Text && s.size() > 0)
        .map(|s| s.address() + s.size() / 2)
        .collect();
    functions.sort_unstable();
    assert!(!functions.is_empty(), "the binary has no function symbols");
    // Pretend the binary was loaded at a PIE-like base.
    let base = 0x5555_0000_0000u64;
    let mut w = ProfileWriter::new(&[("samples", "count")]);
    let mapping = w.add_mapping(path, &build_id, base + load, base + load + size);
    w.set_mapping_flags(mapping, false, false, false, false);
    let step = (functions.len() / count.max(1)).max(1);
    let locations: Vec<u64> = (0..count)
        .map(|i| functions[(i * step) % functions.len()] - load + base + load)
        .map(|addr| w.add_location(Some(mapping), addr, &[]))
        .collect();
    for (i, stack) in locations.chunks(8).enumerate() {
        w.add_sample(stack, &[i as i64 + 1], &[]);
    }
    w.encode_gzip()
}
