//! Writes a synthetic profile: `cargo run --release -p proflens-core --example synth OUT`
//! for the large one (about 100 MB raw), or `... OUT SAMPLES FUNCTIONS LOCATIONS` for
//! one of the same shape and another size (the browser tests use a few MB).
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let out = args.first().expect("usage: synth OUT [SAMPLES FUNCTIONS LOCATIONS]");
    let mut spec = proflens_core::synth::SynthSpec::LARGE;
    if let [_, samples, functions, locations] = args.as_slice() {
        let n = |s: &String| s.parse::<usize>().expect("a count");
        (spec.samples, spec.functions, spec.locations) = (n(samples), n(functions), n(locations));
    }
    let bytes = proflens_core::synth::generate(&spec);
    std::fs::write(out, &bytes).expect("write");
    println!("{out}: {} bytes", bytes.len());
}
