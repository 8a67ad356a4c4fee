//! Writes the large synthetic profile: `cargo run --release -p proflens-core --example synth OUT`.
fn main() {
    let out = std::env::args().nth(1).expect("usage: synth OUT");
    let bytes = proflens_core::synth::generate(&proflens_core::synth::SynthSpec::LARGE);
    std::fs::write(&out, &bytes).expect("write");
    println!("{out}: {} bytes", bytes.len());
}
