//! Turns the DOT that `proflens dot` (or `go tool pprof -dot`) prints into
//! the plain-text graph fixtures under `tests/fixtures/`.
//!
//! ```sh
//! cargo build --release -p proflens-cli
//! ./target/release/proflens dot tests/fixtures/go/cpu.pb.gz > /tmp/cpu.dot
//! cargo run -p proflens-layout --example dot2fixture -- /tmp/cpu.dot > crates/layout/tests/fixtures/cpu.txt
//! ```
//!
//! Box sizes are estimated the way Graphviz sizes text: 0.6 × fontsize per
//! character, 1.2 × fontsize per line, plus a margin, at least 54 × 36 (dot's
//! default 0.75 × 0.5 inch). Edge labels use dot's default 14 pt font. The
//! pprof `weight` and `minlen` attributes are kept. The legend box ("File:
//! ...") in its cluster is left out.

use std::collections::BTreeMap;

fn attr<'a>(attrs: &'a str, name: &str) -> Option<&'a str> {
    let mut rest = attrs;
    while let Some(i) = rest.find(name) {
        let before_ok = i == 0 || matches!(rest.as_bytes()[i - 1], b' ' | b'[' | b',');
        let after = &rest[i + name.len()..];
        let after = after.trim_start();
        if before_ok && after.starts_with('=') {
            let v = after[1..].trim_start();
            if let Some(q) = v.strip_prefix('"') {
                let mut end = 0;
                let b = q.as_bytes();
                while end < b.len() && !(b[end] == b'"' && (end == 0 || b[end - 1] != b'\\')) {
                    end += 1;
                }
                return Some(&q[..end]);
            }
            let end = v.find([' ', ']', ',']).unwrap_or(v.len());
            return Some(&v[..end]);
        }
        rest = &rest[i + name.len()..];
    }
    None
}

/// (width, height) of a text block in points.
fn text_size(label: &str, fontsize: f64) -> (f64, f64) {
    let lines: Vec<&str> =
        label.split("\\n").flat_map(|l| l.split("\\l")).filter(|l| !l.is_empty()).collect();
    let chars = lines.iter().map(|l| l.chars().count()).max().unwrap_or(0) as f64;
    (chars * fontsize * 0.6, lines.len().max(1) as f64 * fontsize * 1.2)
}

fn main() {
    let path = std::env::args().nth(1).expect("usage: dot2fixture FILE.dot");
    let text = std::fs::read_to_string(&path).expect("read the DOT file");
    let mut ids: BTreeMap<String, usize> = BTreeMap::new();
    let mut nodes: Vec<(f64, f64)> = Vec::new();
    let mut edges: Vec<String> = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if !line.starts_with('N') {
            continue;
        }
        let (head, attrs) = match line.find('[') {
            Some(i) => (line[..i].trim(), &line[i..]),
            None => (line, ""),
        };
        if let Some((a, b)) = head.split_once("->") {
            let (a, b) = (a.trim(), b.trim());
            let (Some(&s), Some(&d)) = (ids.get(a), ids.get(b)) else {
                continue;
            };
            let weight: f64 = attr(attrs, "weight").and_then(|w| w.parse().ok()).unwrap_or(1.0);
            let minlen: u32 = attr(attrs, "minlen").and_then(|w| w.parse().ok()).unwrap_or(1);
            let mut e = format!("e {s} {d} {minlen} {weight}");
            if let Some(label) = attr(attrs, "label") {
                let (w, h) = text_size(label, 14.0);
                e.push_str(&format!(" {:.0} {:.0}", w + 4.0, h));
            }
            edges.push(e);
        } else {
            let fontsize: f64 = attr(attrs, "fontsize").and_then(|w| w.parse().ok()).unwrap_or(14.0);
            let label = attr(attrs, "label").unwrap_or(head);
            let (w, h) = text_size(label, fontsize);
            ids.insert(head.to_string(), nodes.len());
            nodes.push(((w + 16.0).max(54.0), (h + 8.0).max(36.0)));
        }
    }
    println!(
        "# {} nodes, {} edges, from {}",
        nodes.len(),
        edges.len(),
        path.rsplit('/').next().unwrap_or(&path)
    );
    println!("# n WIDTH HEIGHT (node index = order of n lines)");
    println!("# e SRC DST MIN_LEN WEIGHT [LABEL_WIDTH LABEL_HEIGHT]");
    for (w, h) in nodes {
        println!("n {w:.0} {h:.0}");
    }
    for e in edges {
        println!("{e}");
    }
}
