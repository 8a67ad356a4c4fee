//! Synthetic profiles for benchmarks and tests: a deterministic generator of
//! large, realistic CPU profiles, and a small series of heap profiles
//! ([`heap_series`]) with known leaks.
//!
//! The generated program has packages of functions, each function a few call
//! sites (locations, some with inlined frames), and a call graph with a few
//! callees per function, skewed so that some paths are hot. Samples are
//! random walks from a handful of entry points, so stacks share their
//! root-side frames and diverge below, as real stacks do.

mod heap_series;

pub use heap_series::heap_series;

use prost::Message;

use crate::proto;

/// The shape of a generated profile.
#[derive(Clone, Copy, Debug)]
pub struct SynthSpec {
    /// Number of samples.
    pub samples: usize,
    /// Number of functions.
    pub functions: usize,
    /// Number of locations (call sites).
    pub locations: usize,
    /// Deepest stack.
    pub max_depth: usize,
    /// Seed of the generator.
    pub seed: u64,
}

impl SynthSpec {
    /// About 100 MB of raw protobuf: 850k samples, 50k functions, 300k
    /// locations, stacks up to 66 deep.
    pub const LARGE: SynthSpec =
        SynthSpec { samples: 850_000, functions: 50_000, locations: 300_000, max_depth: 66, seed: 0x5eed };

    /// A small profile of the same shape, for quick tests.
    pub const SMALL: SynthSpec =
        SynthSpec { samples: 2_000, functions: 500, locations: 3_000, max_depth: 40, seed: 7 };
}

/// SplitMix64: small, fast and deterministic.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    /// Index in 0..n, heavily skewed towards 0 (hot paths).
    fn skewed(&mut self, n: usize) -> usize {
        let u = (self.next() >> 11) as f64 / (1u64 << 53) as f64;
        ((u * u * u) * n as f64) as usize % n.max(1)
    }
}

/// Generates a raw (uncompressed) profile.proto as described by `spec`.
pub fn generate(spec: &SynthSpec) -> Vec<u8> {
    let mut rng = Rng(spec.seed);
    let mut strings: Vec<String> = vec![String::new()];
    let intern = |s: String, strings: &mut Vec<String>| -> i64 {
        strings.push(s);
        strings.len() as i64 - 1
    };
    let mut out = Vec::with_capacity(spec.samples * 120);
    let put = |field: u32, msg: &dyn Fn(&mut Vec<u8>), out: &mut Vec<u8>| {
        let mut body = Vec::new();
        msg(&mut body);
        prost::encoding::encode_key(field, prost::encoding::WireType::LengthDelimited, out);
        prost::encoding::encode_varint(body.len() as u64, out);
        out.extend_from_slice(&body);
    };
    let samples_t = intern("samples".into(), &mut strings);
    let count_t = intern("count".into(), &mut strings);
    let cpu_t = intern("cpu".into(), &mut strings);
    let ns_t = intern("nanoseconds".into(), &mut strings);
    for (kind, unit) in [(samples_t, count_t), (cpu_t, ns_t)] {
        put(1, &|b| proto::ValueType { r#type: kind, unit }.encode(b).expect("Vec grows"), &mut out);
    }

    // Functions, grouped in packages of about 100, each package one file.
    let packages = spec.functions.div_ceil(100).max(1);
    let mut function_file = Vec::with_capacity(spec.functions);
    let file_ids: Vec<i64> = (0..packages)
        .map(|p| intern(format!("github.com/acme/service{}/pkg{}/file{}.go", p % 7, p, p % 3), &mut strings))
        .collect();
    let mut functions = Vec::with_capacity(spec.functions);
    for f in 0..spec.functions {
        let p = f % packages;
        let name = match f % 3 {
            0 => format!("github.com/acme/service{}/pkg{p}.(*Type{}).Method{f}", p % 7, f % 11),
            1 => format!("github.com/acme/service{}/pkg{p}.func{f}", p % 7),
            _ => format!("github.com/acme/service{}/pkg{p}.handler{f}.func1", p % 7),
        };
        let name = intern(name, &mut strings);
        function_file.push(file_ids[p]);
        functions.push(proto::Function {
            id: f as u64 + 1,
            name,
            system_name: name,
            filename: file_ids[p],
            start_line: 10 + (f as i64 % 500),
        });
    }

    // Call sites: each location belongs to one function; one in ten has an
    // inlined callee.
    let sites_per_function = (spec.locations / spec.functions.max(1)).max(1);
    let mut locations = Vec::with_capacity(spec.locations);
    for l in 0..spec.locations {
        let f = (l / sites_per_function).min(spec.functions - 1);
        let mut line =
            vec![proto::Line { function_id: f as u64 + 1, line: 20 + (l as i64 % 300), column: 0 }];
        if l % 10 == 3 {
            let inlined = rng.below(spec.functions);
            line.insert(
                0,
                proto::Line { function_id: inlined as u64 + 1, line: 5 + (l as i64 % 40), column: 0 },
            );
        }
        locations.push(proto::Location {
            id: l as u64 + 1,
            mapping_id: 1,
            address: 0x40_0000 + 16 * l as u64,
            line,
            is_folded: false,
        });
    }
    let site_of =
        |f: usize, k: usize| (f * sites_per_function + k % sites_per_function).min(spec.locations - 1);

    // Callees: a few per function, biased to nearby functions (packages
    // call their neighbours) with some long-range calls.
    let callees: Vec<Vec<usize>> = (0..spec.functions)
        .map(|f| {
            let n = 1 + rng.below(4);
            (0..n)
                .map(|_| {
                    if rng.below(4) == 0 {
                        rng.below(spec.functions)
                    } else {
                        (f + 1 + rng.below(200)) % spec.functions
                    }
                })
                .collect()
        })
        .collect();
    let entries: Vec<usize> = (0..8).map(|i| i * (spec.functions / 8).max(1) % spec.functions).collect();
    let worker = intern("worker".into(), &mut strings);
    let worker_names: Vec<i64> = (0..4).map(|i| intern(format!("pool{i}"), &mut strings)).collect();

    let mut stack: Vec<u64> = Vec::with_capacity(spec.max_depth);
    for _ in 0..spec.samples {
        stack.clear();
        let depth = 2 + rng.below(spec.max_depth.saturating_sub(1).max(1));
        let mut f = entries[rng.skewed(entries.len())];
        for _ in 0..depth.min(spec.max_depth) {
            stack.push(site_of(f, rng.skewed(sites_per_function)) as u64 + 1);
            let next = &callees[f];
            f = next[rng.skewed(next.len())];
        }
        stack.reverse(); // leaf first
        let ticks = 1 + rng.skewed(4) as i64;
        let label = if rng.below(5) == 0 {
            vec![proto::Label { key: worker, str: worker_names[rng.below(4)], num: 0, num_unit: 0 }]
        } else {
            Vec::new()
        };
        let sample =
            proto::Sample { location_id: stack.clone(), value: vec![ticks, ticks * 10_000_000], label };
        put(2, &|b| sample.encode(b).expect("Vec grows"), &mut out);
    }
    let mapping_file = intern("/usr/local/bin/service".into(), &mut strings);
    let mapping = proto::Mapping {
        id: 1,
        memory_start: 0x40_0000,
        memory_limit: 0x40_0000 + 16 * spec.locations as u64 + 16,
        file_offset: 0,
        filename: mapping_file,
        build_id: 0,
        has_functions: true,
        has_filenames: true,
        has_line_numbers: true,
        has_inline_frames: true,
    };
    put(3, &|b| mapping.encode(b).expect("Vec grows"), &mut out);
    for l in &locations {
        put(4, &|b| l.encode(b).expect("Vec grows"), &mut out);
    }
    for f in &functions {
        put(5, &|b| f.encode(b).expect("Vec grows"), &mut out);
    }
    let _ = function_file;
    for s in &strings {
        prost::encoding::string::encode(6, s, &mut out);
    }
    let tail = proto::Profile {
        time_nanos: 1_700_000_000_000_000_000,
        duration_nanos: 30_000_000_000,
        period_type: Some(proto::ValueType { r#type: cpu_t, unit: ns_t }),
        period: 10_000_000,
        ..Default::default()
    };
    tail.encode(&mut out).expect("Vec grows");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_profile_decodes_and_is_deterministic() {
        let a = generate(&SynthSpec::SMALL);
        assert_eq!(a, generate(&SynthSpec::SMALL));
        let p = crate::decode(&a, &Default::default()).unwrap();
        assert_eq!(p.samples.len(), 2_000);
        assert_eq!(p.functions.len(), 500);
        assert!(p.stacks.len() < 2_000 * 40, "stacks share prefixes");
    }
}
