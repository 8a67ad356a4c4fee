//! Lays out a fixture and prints an SVG picture and quality figures.
//!
//! ```sh
//! cargo run --release -p proflens-layout --example render -- cpu > /tmp/cpu.svg
//! ```
//!
//! The argument is a fixture name (`cpu`, `heap2`, `cpu_full`), or
//! `denseN,M[,SEED]` / `callgraphN,M[,SEED]` for a synthetic graph (see
//! `tests/common/mod.rs`). `ITERS=N` sets `max_iterations`.

#[path = "../tests/common/mod.rs"]
mod common;

use proflens_layout::{layout, LayoutOptions};

fn main() {
    let name = std::env::args().nth(1).unwrap_or_else(|| "cpu".to_string());
    let synthetic = |spec: &str, make: fn(usize, usize, u64) -> _| {
        let f: Vec<u64> =
            spec.split(',').filter(|x| !x.is_empty()).map(|x| x.parse().expect("a number")).collect();
        let get = |i: usize, d: u64| f.get(i).copied().unwrap_or(d);
        make(get(0, 80) as usize, get(1, 200) as usize, get(2, 7))
    };
    let (nodes, edges) = if let Some(spec) = name.strip_prefix("dense") {
        synthetic(spec, common::dense)
    } else if let Some(spec) = name.strip_prefix("callgraph") {
        synthetic(spec, common::callgraph)
    } else {
        common::fixture(&name)
    };
    let mut opts = LayoutOptions::default();
    if let Ok(v) = std::env::var("ITERS") {
        opts.max_iterations = v.parse().expect("ITERS: a number");
    }
    let t = std::time::Instant::now();
    let l = layout(&nodes, &edges, &opts);
    let elapsed = t.elapsed();
    let labels: Vec<_> = edges.iter().map(|e| e.label).collect();
    eprintln!(
        "{name}: {} nodes, {} edges: {:.2} ms, {:.0} x {:.0} (aspect {:.2}), crossings {}, edge segments through boxes {}, reversed {}, total edge length {:.0}",
        nodes.len(),
        edges.len(),
        elapsed.as_secs_f64() * 1e3,
        l.width,
        l.height,
        l.width / l.height.max(1.0),
        common::crossings(&l),
        common::edges_through_boxes(&l, &edges, &labels),
        l.edges.iter().filter(|e| e.reversed).count(),
        common::total_edge_length(&l),
    );
    print!("{}", common::svg(&l, &edges));
}
