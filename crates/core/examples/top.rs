fn main() {
    let args: Vec<String> = std::env::args().collect();
    let bytes = std::fs::read(&args[1]).unwrap();
    let p = proflens_core::decode(&bytes, &Default::default()).unwrap();
    let mut o = proflens_core::report::ReportOptions::default();
    if let Some(si) = args.get(2) {
        o.sample_index = si.clone();
    }
    print!("{}", proflens_core::report::top(&p, &o).unwrap().to_text());
}
