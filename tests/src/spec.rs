//! Random but valid profiles for property tests: a handful of functions
//! (names may repeat across function ids), locations with one to three
//! inline frames, stacks that repeat locations and functions (recursion),
//! optional labels and one to three sample types.

use std::collections::{BTreeMap, BTreeSet};

use proflens_core::encode::{LabelSpec, ProfileWriter};
use proflens_core::gomath;
use proptest::prelude::*;

pub const SAMPLE_TYPES: [(&str, &str); 3] =
    [("samples", "count"), ("cpu", "nanoseconds"), ("alloc_space", "bytes")];
pub const FILES: [&str; 3] = ["main.go", "util/sort.go", "net/http/server.go"];

/// A location: its mapping (an index into the mappings) and its frames as
/// (function index, line), innermost first.
#[derive(Clone, Debug)]
pub struct LocSpec {
    pub mapping: Option<usize>,
    pub lines: Vec<(usize, i64)>,
}

/// A sample: location indices (leaf first), values, and a label choice.
#[derive(Clone, Debug)]
pub struct SampleSpec {
    pub stack: Vec<usize>,
    pub values: Vec<i64>,
    /// 0: no labels; 1: a string label; 2: string and numeric labels.
    pub labels: u8,
    pub worker: u8,
}

/// A whole profile, in terms of indices into its own tables.
#[derive(Clone, Debug)]
pub struct Spec {
    pub types: usize,
    /// Function names, as an index into a small pool: ids may share names.
    pub functions: Vec<(u8, usize)>,
    /// How many mappings.
    pub mappings: usize,
    /// The locations.
    pub locations: Vec<LocSpec>,
    /// The samples.
    pub samples: Vec<SampleSpec>,
}

impl Spec {
    pub fn function_name(&self, f: usize) -> String {
        format!("main.f{}", self.functions[f].0)
    }

    pub fn writer(&self) -> ProfileWriter {
        let mut w = ProfileWriter::new(&SAMPLE_TYPES[..self.types]);
        w.set_period(SAMPLE_TYPES[self.types - 1].0, SAMPLE_TYPES[self.types - 1].1, 100);
        w.set_time(1_700_000_000_000_000_000, 10_000_000_000);
        let mappings: Vec<u64> = (0..self.mappings)
            .map(|m| {
                let start = 0x40_0000 * (m as u64 + 1);
                w.add_mapping(&format!("/lib/m{m}.so"), &format!("build{m}"), start, start + 0x10_0000)
            })
            .collect();
        let functions: Vec<u64> = (0..self.functions.len())
            .map(|f| w.add_function(&self.function_name(f), FILES[self.functions[f].1], 10 * f as i64))
            .collect();
        let locations: Vec<u64> = self
            .locations
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let lines: Vec<(u64, i64)> = l.lines.iter().map(|&(f, line)| (functions[f], line)).collect();
                let mapping =
                    l.mapping.filter(|_| !mappings.is_empty()).map(|m| mappings[m % mappings.len()]);
                let base = mapping.map_or(0x1000, |m| 0x40_0000 * m);
                w.add_location(mapping, base + 0x10 * i as u64, &lines)
            })
            .collect();
        for s in &self.samples {
            let stack: Vec<u64> = s.stack.iter().map(|&l| locations[l]).collect();
            let worker = format!("w{}", s.worker);
            let labels: Vec<LabelSpec<'_>> = match s.labels {
                0 => vec![],
                1 => vec![LabelSpec::Str("worker", &worker)],
                _ => vec![LabelSpec::Str("worker", &worker), LabelSpec::Num("bytes", 64, "bytes")],
            };
            w.add_sample(&stack, &s.values, &labels);
        }
        w
    }

    /// The function names of a sample's frames, and its leaf function, as
    /// pprof sees them (with `noinlines`, only each location's outermost frame).
    pub fn frames(&self, s: &SampleSpec, noinlines: bool) -> (BTreeSet<String>, Option<String>) {
        let mut names = BTreeSet::new();
        let mut leaf = None;
        for &l in &s.stack {
            let lines = &self.locations[l].lines;
            let lines = if noinlines { &lines[lines.len() - 1..] } else { &lines[..] };
            for &(f, _) in lines {
                let name = self.function_name(f);
                leaf.get_or_insert_with(|| name.clone());
                names.insert(name);
            }
        }
        (names, leaf)
    }

    /// Expected (flat, cum) per function name for sample type `index`, at
    /// function granularity with no filters, summed as Go sums (wrapping).
    pub fn expected(&self, index: usize, noinlines: bool) -> BTreeMap<String, (i64, i64)> {
        let mut out: BTreeMap<String, (i64, i64)> = BTreeMap::new();
        for s in &self.samples {
            let v = s.values[index];
            if v == 0 {
                continue;
            }
            let (names, leaf) = self.frames(s, noinlines);
            for name in names {
                let e = out.entry(name).or_default();
                e.1 = gomath::add(e.1, v);
            }
            if let Some(leaf) = leaf {
                let e = out.entry(leaf).or_default();
                e.0 = gomath::add(e.0, v);
            }
        }
        out
    }

    /// The sum of the sample values at `index` (wrapping, as Go sums).
    pub fn total(&self, index: usize) -> i64 {
        gomath::sum(self.samples.iter().map(|s| s.values[index]))
    }

    /// pprof's report total: the sum of the absolute values (Go's wrapping
    /// abs and sum).
    pub fn abs_total(&self, index: usize) -> i64 {
        gomath::sum(self.samples.iter().map(|s| gomath::abs(s.values[index])))
    }
}

/// Random valid profiles. Values are in `values`; stacks are never empty.
pub fn spec_with(values: impl Strategy<Value = i64> + Clone + 'static) -> impl Strategy<Value = Spec> {
    (1usize..=3, 1usize..=8, 0usize..=2, 1usize..=12).prop_flat_map(move |(types, nf, mappings, nl)| {
        let functions = prop::collection::vec((0u8..8, 0usize..FILES.len()), nf);
        let location = (prop::option::of(0usize..3), prop::collection::vec((0..nf, 1i64..200), 1..=3))
            .prop_map(|(mapping, lines)| LocSpec { mapping, lines });
        let locations = prop::collection::vec(location, nl);
        let sample = (
            prop::collection::vec(0..nl, 1..=10),
            prop::collection::vec(values.clone(), types),
            0u8..3,
            0u8..3,
        )
            .prop_map(|(stack, values, labels, worker)| SampleSpec { stack, values, labels, worker });
        let samples = prop::collection::vec(sample, 1..=20);
        (functions, locations, samples).prop_map(move |(functions, locations, samples)| Spec {
            types,
            functions,
            mappings,
            locations,
            samples,
        })
    })
}

pub fn spec() -> impl Strategy<Value = Spec> {
    spec_with(0i64..=1000)
}
