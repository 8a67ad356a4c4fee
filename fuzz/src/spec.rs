//! A small profile description the fuzzer mutates structurally
//! (`arbitrary`), written out with `ProfileWriter`: mutations then reach the
//! model and the reports instead of dying in gzip CRCs and id checks.
//!
//! It reaches what byte mutations rarely build: stacks longer than an
//! arena chunk (2^20 frames) and stacks that split them, values at the
//! edges of int64, floods of labels, C++-looking names full of brackets,
//! and drop_frames rules.

use arbitrary::Arbitrary;
use proflens_core::encode::{LabelSpec, ProfileWriter};

/// A sample value: mostly the edges of int64.
#[derive(Arbitrary, Clone, Copy, Debug)]
pub enum Value {
    Min,
    Max,
    MinusOne,
    Zero,
    One,
    Any(i64),
}

impl Value {
    fn get(self) -> i64 {
        match self {
            Value::Min => i64::MIN,
            Value::Max => i64::MAX,
            Value::MinusOne => -1,
            Value::Zero => 0,
            Value::One => 1,
            Value::Any(v) => v,
        }
    }
}

/// A function name.
#[derive(Arbitrary, Debug)]
pub enum Name {
    /// One of a few ordinary names (so names repeat across functions).
    Pool(u8),
    /// A demangled-C++-looking name with nested and side-by-side brackets.
    Brackets { depth: u8, siblings: u8 },
    /// Anything.
    Text(String),
}

const POOL: [&str; 8] = [
    "main.main",
    "main.f1",
    "main.f2",
    "runtime.mallocgc",
    "sync.(*Mutex).Lock",
    "net/http.(*conn).serve",
    "std::vector<int>::push_back(int const&)",
    "(anonymous namespace)::g",
];

impl Name {
    fn text(&self) -> String {
        match self {
            Name::Pool(i) => POOL[*i as usize % POOL.len()].to_string(),
            Name::Brackets { depth, siblings } => {
                let mut s = String::from("ns::f");
                for (open, close) in [('(', ')'), ('<', '>'), ('[', ']')] {
                    s.extend(std::iter::repeat_n(open, *depth as usize));
                    s.extend(std::iter::repeat_n(close, *depth as usize));
                    for _ in 0..*siblings {
                        s.push(open);
                        s.push('x');
                        s.push(close);
                    }
                }
                s
            }
            Name::Text(s) => s.clone(),
        }
    }
}

/// A location: its frames as (function, line), innermost first.
#[derive(Arbitrary, Debug)]
pub struct Location {
    pub mapped: bool,
    pub address: u64,
    pub lines: Vec<(u8, Value)>,
}

/// A label of a sample.
#[derive(Arbitrary, Debug)]
pub enum Label {
    Str(u8, u8),
    Num(u8, Value),
}

const KEYS: [&str; 4] = ["worker", "bytes", "pprof::base", "request"];

/// A sample.
#[derive(Arbitrary, Debug)]
pub struct Sample {
    /// Location indices, leaf first.
    pub stack: Vec<u8>,
    /// A location repeated `count * 32` times at the root end: up to 2M
    /// frames, past an arena chunk.
    pub run: Option<(u8, u16)>,
    pub values: Vec<Value>,
    pub labels: Vec<Label>,
    /// Copies of the first label, up to 64K.
    pub label_flood: u16,
}

/// A drop_frames rule.
#[derive(Arbitrary, Debug)]
pub enum Rule {
    Pool(u8),
    Text(String, String),
    Exploding,
}

/// The whole profile.
#[derive(Arbitrary, Debug)]
pub struct ProfileSpec {
    pub types: u8,
    pub functions: Vec<Name>,
    pub locations: Vec<Location>,
    pub samples: Vec<Sample>,
    pub drop_frames: Option<Rule>,
    pub time: Value,
    pub gzip: bool,
    pub compact_stacks: bool,
    /// Which report options to use (see `option_sets`).
    pub options: u8,
    /// Also compare and merge the profile with itself.
    pub compare: bool,
}

const TYPES: [(&str, &str); 4] =
    [("samples", "count"), ("cpu", "nanoseconds"), ("inuse_objects", "count"), ("inuse_space", "bytes")];

impl ProfileSpec {
    /// How many sample types the profile declares.
    pub fn type_count(&self) -> usize {
        1 + self.types as usize % TYPES.len()
    }

    /// Each sample's values as written (as many as the types).
    pub fn values(&self, sample: &Sample) -> Vec<i64> {
        (0..self.type_count()).map(|i| sample.values.get(i).map_or(1, |v| v.get())).collect()
    }

    /// The encoded profile, gzipped or raw as the spec says.
    pub fn encode(&self) -> Vec<u8> {
        let mut w = ProfileWriter::new(&TYPES[..self.type_count()]);
        w.set_period(TYPES[0].0, TYPES[0].1, 1);
        w.set_time(self.time.get(), 1_000_000_000);
        let mapping = w.add_mapping("/bin/app", "build", 0x1000, 0x10_0000);
        let functions: Vec<u64> = self
            .functions
            .iter()
            .enumerate()
            .map(|(i, name)| w.add_function(&name.text(), ["main.go", "a.cc", ""][i % 3], i as i64))
            .collect();
        let locations: Vec<u64> = self
            .locations
            .iter()
            .map(|l| {
                let lines: Vec<(u64, i64)> = if functions.is_empty() {
                    Vec::new()
                } else {
                    l.lines
                        .iter()
                        .map(|&(f, line)| (functions[f as usize % functions.len()], line.get()))
                        .collect()
                };
                w.add_location(l.mapped.then_some(mapping), l.address, &lines)
            })
            .collect();
        for s in &self.samples {
            let mut stack: Vec<u64> = if locations.is_empty() {
                Vec::new()
            } else {
                s.stack.iter().map(|&l| locations[l as usize % locations.len()]).collect()
            };
            if let (Some((l, count)), false) = (s.run, locations.is_empty()) {
                let l = locations[l as usize % locations.len()];
                stack.extend(std::iter::repeat_n(l, count as usize * 32));
            }
            let mut labels: Vec<LabelSpec<'_>> = s
                .labels
                .iter()
                .map(|l| match *l {
                    Label::Str(k, v) => {
                        LabelSpec::Str(KEYS[k as usize % KEYS.len()], POOL[v as usize % POOL.len()])
                    }
                    Label::Num(k, v) => LabelSpec::Num(KEYS[k as usize % KEYS.len()], v.get(), "bytes"),
                })
                .collect();
            if let Some(first) = labels.first().cloned() {
                labels.extend(std::iter::repeat_n(first, s.label_flood as usize));
            }
            w.add_sample(&stack, &self.values(s), &labels);
        }
        match &self.drop_frames {
            Some(Rule::Pool(i)) => w.set_drop_frames(POOL[*i as usize % POOL.len()], ""),
            Some(Rule::Text(drop, keep)) => w.set_drop_frames(drop, keep),
            Some(Rule::Exploding) => w.set_drop_frames("((a{100}){100}){100}", ""),
            None => {}
        }
        if self.gzip {
            w.encode_gzip()
        } else {
            w.encode()
        }
    }
}
