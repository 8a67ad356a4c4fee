//! Times decode and the top report on a file: `timing FILE`.
fn main() {
    let path = std::env::args().nth(1).expect("usage: timing FILE");
    let bytes = std::fs::read(&path).expect("read");
    let t = std::time::Instant::now();
    let options = proflens_core::DecodeOptions {
        compact_stacks: std::env::var_os("COMPACT").is_some(),
        ..Default::default()
    };
    let p = proflens_core::decode(&bytes, &options).expect("decode");
    let decode = t.elapsed();
    let t = std::time::Instant::now();
    let r = proflens_core::report::top(&p, &Default::default()).expect("top");
    let top = t.elapsed();
    println!(
        "{path}: decode {decode:?} top {top:?} rows {} stack nodes {} tree bytes {}",
        r.rows.len(),
        p.stacks.len(),
        p.stacks.heap_bytes()
    );
    if std::env::var_os("NO_FLAME").is_some() {
        return;
    }
    let t = std::time::Instant::now();
    let g = proflens_core::report::flame(
        &p,
        &Default::default(),
        proflens_core::graph::Granularity::FileFunctions,
        None,
    )
    .expect("flame");
    let root = g.tree.nodes[0].total.abs();
    let (kept, dropped) = g.tree.without_narrow(root / 1_000_000, |n| n.total.abs());
    println!(
        "flame {:?}: {} frames, {} functions; {} at 1e-6 of the root ({dropped} dropped)",
        t.elapsed(),
        g.tree.nodes.len(),
        g.functions.len(),
        kept.nodes.len()
    );
}
