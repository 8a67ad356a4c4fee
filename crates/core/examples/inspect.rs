//! Prints a summary of each profile given on the command line.
fn main() {
    for path in std::env::args().skip(1) {
        let bytes = std::fs::read(&path).expect("read");
        let t = std::time::Instant::now();
        match proflens_core::decode(&bytes, &Default::default()) {
            Ok(p) => println!(
                "{path}: {:?} samples={} locations={} functions={} lines={} stack_nodes={} frames={} labelsets={} in {:?}",
                p.sample_type_names(),
                p.samples.len(),
                p.locations.len(),
                p.functions.len(),
                p.lines.len(),
                p.stacks.len(),
                (0..p.samples.len()).map(|i| p.stacks.depth(p.samples.stack[i])).sum::<usize>(),
                p.label_sets.len(),
                t.elapsed()
            ),
            Err(e) => println!("{path}: error: {e}"),
        }
    }
}
