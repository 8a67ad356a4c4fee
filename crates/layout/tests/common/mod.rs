//! Shared test helpers: the text fixtures and geometric quality measures.
#![allow(dead_code)]

use proflens_layout::{EdgeSpec, Layout, NodeSpec};

/// Parses a fixture (see `tests/fixtures/README.md`).
pub fn parse_fixture(text: &str) -> (Vec<NodeSpec>, Vec<EdgeSpec>) {
    let mut nodes = Vec::new();
    let mut edges = Vec::new();
    for line in text.lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        match f.first() {
            Some(&"n") => {
                nodes.push(NodeSpec { width: f[1].parse().unwrap(), height: f[2].parse().unwrap() })
            }
            Some(&"e") => edges.push(EdgeSpec {
                src: f[1].parse().unwrap(),
                dst: f[2].parse().unwrap(),
                min_len: f[3].parse().unwrap(),
                weight: f[4].parse().unwrap(),
                label: if f.len() >= 7 { Some((f[5].parse().unwrap(), f[6].parse().unwrap())) } else { None },
            }),
            _ => {}
        }
    }
    (nodes, edges)
}

/// A fixture from `tests/fixtures/NAME.txt`.
pub fn fixture(name: &str) -> (Vec<NodeSpec>, Vec<EdgeSpec>) {
    let path = format!("{}/tests/fixtures/{name}.txt", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    parse_fixture(&text)
}

type P = (f64, f64);

fn orient(a: P, b: P, c: P) -> f64 {
    (b.0 - a.0) * (c.1 - a.1) - (b.1 - a.1) * (c.0 - a.0)
}

/// True when segments ab and cd cross at a single point inside both
/// (touching at an end or running along each other does not count).
pub fn segments_cross(a: P, b: P, c: P, d: P) -> bool {
    let eps = 1e-7;
    let d1 = orient(c, d, a);
    let d2 = orient(c, d, b);
    let d3 = orient(a, b, c);
    let d4 = orient(a, b, d);
    ((d1 > eps && d2 < -eps) || (d1 < -eps && d2 > eps))
        && ((d3 > eps && d4 < -eps) || (d3 < -eps && d4 > eps))
}

/// Crossing points between the routes of different edges.
pub fn crossings(l: &Layout) -> usize {
    let segs: Vec<Vec<(P, P)>> =
        l.edges.iter().map(|e| e.points.windows(2).map(|w| (w[0], w[1])).collect()).collect();
    let bbox: Vec<(f64, f64, f64, f64)> = l
        .edges
        .iter()
        .map(|e| {
            e.points.iter().fold(
                (f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY),
                |(a, b, c, d), p| (a.min(p.0), b.min(p.1), c.max(p.0), d.max(p.1)),
            )
        })
        .collect();
    let mut count = 0;
    for i in 0..segs.len() {
        for j in i + 1..segs.len() {
            let (a, b) = (bbox[i], bbox[j]);
            if a.2 < b.0 || b.2 < a.0 || a.3 < b.1 || b.3 < a.1 {
                continue;
            }
            for &(p, q) in &segs[i] {
                for &(r, s) in &segs[j] {
                    if segments_cross(p, q, r, s) {
                        count += 1;
                    }
                }
            }
        }
    }
    count
}

/// True when segment pq passes through the inside of the box (shrunk by
/// `inset` on every side).
pub fn segment_hits_box(p: P, q: P, cx: f64, cy: f64, w: f64, h: f64, inset: f64) -> bool {
    let (x0, x1) = (cx - w / 2.0 + inset, cx + w / 2.0 - inset);
    let (y0, y1) = (cy - h / 2.0 + inset, cy + h / 2.0 - inset);
    if x0 >= x1 || y0 >= y1 {
        return false;
    }
    // Liang–Barsky clipping.
    let (dx, dy) = (q.0 - p.0, q.1 - p.1);
    let mut t0 = 0.0_f64;
    let mut t1 = 1.0_f64;
    for (pk, qk) in [(-dx, p.0 - x0), (dx, x1 - p.0), (-dy, p.1 - y0), (dy, y1 - p.1)] {
        if pk == 0.0 {
            if qk < 0.0 {
                return false;
            }
        } else {
            let t = qk / pk;
            if pk < 0.0 {
                t0 = t0.max(t);
            } else {
                t1 = t1.min(t);
            }
        }
    }
    t0 < t1
}

/// Route segments that pass through a node box other than their edge's own
/// ends, or through another edge's label box.
pub fn edges_through_boxes(l: &Layout, edges: &[EdgeSpec], labels: &[Option<(f64, f64)>]) -> usize {
    let mut count = 0;
    for (i, r) in l.edges.iter().enumerate() {
        for w in r.points.windows(2) {
            for (v, n) in l.nodes.iter().enumerate() {
                if v == edges[i].src || v == edges[i].dst {
                    continue;
                }
                if segment_hits_box(w[0], w[1], n.x, n.y, n.width, n.height, 0.5) {
                    count += 1;
                }
            }
            for (j, o) in l.edges.iter().enumerate() {
                if j == i {
                    continue;
                }
                if let (Some((cx, cy)), Some((lw, lh))) = (o.label, labels[j]) {
                    if segment_hits_box(w[0], w[1], cx, cy, lw, lh, 0.5) {
                        count += 1;
                    }
                }
            }
        }
    }
    count
}

/// Every box: nodes, then edge labels, as (cx, cy, w, h).
pub fn boxes(l: &Layout, edges: &[EdgeSpec]) -> Vec<(f64, f64, f64, f64)> {
    let mut b: Vec<(f64, f64, f64, f64)> = l.nodes.iter().map(|n| (n.x, n.y, n.width, n.height)).collect();
    for (i, r) in l.edges.iter().enumerate() {
        if let (Some((cx, cy)), Some((w, h))) = (r.label, edges[i].label) {
            b.push((cx, cy, sanitize(w), sanitize(h)));
        }
    }
    b
}

pub fn sanitize(v: f64) -> f64 {
    if !v.is_finite() || v <= 0.0 {
        0.0
    } else {
        v.min(1e7)
    }
}

/// Pairs of boxes whose insides overlap (by more than `eps`).
pub fn overlaps(b: &[(f64, f64, f64, f64)], eps: f64) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut idx: Vec<usize> = (0..b.len()).collect();
    idx.sort_by(|&i, &j| (b[i].0 - b[i].2 / 2.0).total_cmp(&(b[j].0 - b[j].2 / 2.0)));
    for a in 0..idx.len() {
        let i = idx[a];
        let right = b[i].0 + b[i].2 / 2.0;
        for &j in &idx[a + 1..] {
            if b[j].0 - b[j].2 / 2.0 >= right - eps {
                break;
            }
            let ox = (b[i].0 + b[i].2 / 2.0).min(b[j].0 + b[j].2 / 2.0)
                - (b[i].0 - b[i].2 / 2.0).max(b[j].0 - b[j].2 / 2.0);
            let oy = (b[i].1 + b[i].3 / 2.0).min(b[j].1 + b[j].3 / 2.0)
                - (b[i].1 - b[i].3 / 2.0).max(b[j].1 - b[j].3 / 2.0);
            if ox > eps && oy > eps && b[i].2 > 0.0 && b[j].2 > 0.0 && b[i].3 > 0.0 && b[j].3 > 0.0 {
                out.push((i, j));
            }
        }
    }
    out
}

/// Sum of the lengths of all routes.
pub fn total_edge_length(l: &Layout) -> f64 {
    l.edges
        .iter()
        .map(|e| {
            e.points
                .windows(2)
                .map(|w| ((w[1].0 - w[0].0).powi(2) + (w[1].1 - w[0].1).powi(2)).sqrt())
                .sum::<f64>()
        })
        .sum()
}

/// An SVG picture of the layout, for looking at.
pub fn svg(l: &Layout, edges: &[EdgeSpec]) -> String {
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{:.0}\" height=\"{:.0}\" viewBox=\"-10 -10 {:.0} {:.0}\">\n<rect x=\"-10\" y=\"-10\" width=\"100%\" height=\"100%\" fill=\"white\"/>\n",
        l.width + 20.0,
        l.height + 20.0,
        l.width + 20.0,
        l.height + 20.0
    );
    for (i, n) in l.nodes.iter().enumerate() {
        s += &format!(
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"#f8f8f8\" stroke=\"#555\"/><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"middle\">{i}</text>\n",
            n.x - n.width / 2.0,
            n.y - n.height / 2.0,
            n.width,
            n.height,
            n.x,
            n.y + 4.0
        );
    }
    for (i, e) in l.edges.iter().enumerate() {
        if e.points.is_empty() {
            continue;
        }
        let pts: Vec<String> = e.points.iter().map(|p| format!("{:.1},{:.1}", p.0, p.1)).collect();
        let color = if e.reversed { "#c33" } else { "#333" };
        s += &format!("<polyline points=\"{}\" fill=\"none\" stroke=\"{color}\"/>\n", pts.join(" "));
        let last = e.points[e.points.len() - 1];
        s += &format!("<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"2.5\" fill=\"{color}\"/>\n", last.0, last.1);
        if let (Some((cx, cy)), Some((w, h))) = (e.label, edges[i].label) {
            s += &format!(
                "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"#eef\" stroke=\"#99c\"/>\n",
                cx - w / 2.0,
                cy - h / 2.0,
                w,
                h
            );
        }
    }
    s + "</svg>\n"
}

/// A small deterministic pseudo-random generator (for fixtures and tests).
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// A synthetic call graph denser than pprof's pruned ones: `n` nodes, a
/// spanning call tree, extra downward calls up to `m` edges, a few calls
/// back up (cycles), every edge labelled, pprof-like weights.
pub fn dense(n: usize, m: usize, seed: u64) -> (Vec<NodeSpec>, Vec<EdgeSpec>) {
    let mut rng = Rng(seed);
    let nodes: Vec<NodeSpec> = (0..n)
        .map(|_| NodeSpec { width: 80.0 + rng.below(100) as f64, height: 36.0 + rng.below(50) as f64 })
        .collect();
    let mut edges = Vec::new();
    let label = |rng: &mut Rng| Some((40.0 + rng.below(30) as f64, 17.0 + 17.0 * rng.below(2) as f64));
    for v in 1..n {
        let u = rng.below(v as u64) as usize;
        edges.push(EdgeSpec {
            src: u,
            dst: v,
            min_len: 1,
            weight: (1 + rng.below(100)) as f64,
            label: label(&mut rng),
        });
    }
    let mut back = 0;
    while edges.len() < m && n > 1 {
        let a = rng.below(n as u64) as usize;
        let b = rng.below(n as u64) as usize;
        if a == b {
            continue;
        }
        let (s, d) = if a < b || back < 5 {
            if a > b {
                back += 1;
            }
            (a, b)
        } else {
            (b, a)
        };
        edges.push(EdgeSpec {
            src: s,
            dst: d,
            min_len: 1 + (rng.below(4) == 0) as u32,
            weight: (1 + rng.below(20)) as f64,
            label: label(&mut rng),
        });
    }
    (nodes, edges)
}

/// A synthetic call graph shaped like pprof's: `n` nodes on about `n / 6`
/// levels, a spanning call tree between adjacent levels, extra calls
/// mostly one to three levels down up to `m` edges, a few recursive calls
/// back up; every edge labelled.
pub fn callgraph(n: usize, m: usize, seed: u64) -> (Vec<NodeSpec>, Vec<EdgeSpec>) {
    let mut rng = Rng(seed);
    let levels = (n / 6).max(2);
    let level: Vec<usize> =
        (0..n).map(|v| if v == 0 { 0 } else { 1 + (v - 1) * (levels - 1) / n.max(1) }).collect();
    let nodes: Vec<NodeSpec> = (0..n)
        .map(|_| NodeSpec { width: 80.0 + rng.below(100) as f64, height: 36.0 + rng.below(50) as f64 })
        .collect();
    let label = |rng: &mut Rng| Some((40.0 + rng.below(30) as f64, 17.0 + 17.0 * rng.below(2) as f64));
    let mut edges = Vec::new();
    for v in 1..n {
        let parents: Vec<usize> = (0..v).filter(|&u| level[u] + 1 == level[v]).collect();
        let u = if parents.is_empty() {
            rng.below(v as u64) as usize
        } else {
            parents[rng.below(parents.len() as u64) as usize]
        };
        edges.push(EdgeSpec {
            src: u,
            dst: v,
            min_len: 1,
            weight: (1 + rng.below(100)) as f64,
            label: label(&mut rng),
        });
    }
    let mut tries = 0;
    while edges.len() < m && n > 1 && tries < 100 * m {
        tries += 1;
        let a = rng.below(n as u64) as usize;
        let b = rng.below(n as u64) as usize;
        let (la, lb) = (level[a], level[b]);
        let back = rng.below(40) == 0;
        if (back && lb < la) || (!back && lb > la && lb <= la + 3) {
            edges.push(EdgeSpec {
                src: a,
                dst: b,
                min_len: 1,
                weight: (1 + rng.below(20)) as f64,
                label: label(&mut rng),
            });
        }
    }
    (nodes, edges)
}
