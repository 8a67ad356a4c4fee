//! Places pprof's call graph for drawing: box sizes from the labels, then
//! proflens-layout's layered layout (callers above callees).

use proflens_core::report::DotGraph;
use proflens_layout::{layout, EdgeSpec, LayoutOptions, NodeSpec};

use crate::protocol::{GraphData, GraphEdge, GraphNode};

/// Width of a character of the monospace label font, per pixel of size.
const CHAR_WIDTH: f64 = 0.6;
/// Line height, per pixel of font size.
const LINE_HEIGHT: f64 = 1.25;
/// Padding inside a box, each side.
const PAD: f64 = 6.0;
/// Font size of edge labels and nodelets.
const SMALL_FONT: f64 = 10.0;

fn box_size(lines: &[String], font: f64) -> (f64, f64) {
    let widest = lines.iter().map(|l| l.chars().count()).max().unwrap_or(1) as f64;
    (widest * font * CHAR_WIDTH + 2.0 * PAD, lines.len().max(1) as f64 * font * LINE_HEIGHT + 2.0 * PAD)
}

fn label_size(text: &str) -> (f64, f64) {
    (text.chars().count() as f64 * SMALL_FONT * CHAR_WIDTH + 4.0, SMALL_FONT * LINE_HEIGHT + 2.0)
}

/// The graph, laid out.
pub fn place(graph: &DotGraph) -> GraphData {
    let started = now_ms();
    let mut nodes: Vec<GraphNode> = graph
        .nodes
        .iter()
        .map(|n| {
            let mut lines = n.label_lines.clone();
            lines.push(n.flat_text.clone());
            if !n.cum_text.is_empty() {
                lines.push(n.cum_text.clone());
            }
            let font = f64::from(n.font_size);
            let (width, height) = box_size(&lines, font);
            GraphNode {
                name: n.name.clone(),
                function: n.label_lines.first().cloned().unwrap_or_default(),
                lines,
                flat: n.flat,
                cum: n.cum,
                flat_text: n.flat_text.clone(),
                cum_text: n.cum_text.clone(),
                font_size: font,
                color: n.color.clone(),
                fill: n.fill_color.clone(),
                x: 0.0,
                y: 0.0,
                width,
                height,
                nodelet: false,
            }
        })
        .collect();
    let mut edges: Vec<GraphEdge> = Vec::new();
    let mut specs: Vec<EdgeSpec> = Vec::new();
    for e in &graph.edges {
        let (Some(src), Some(dst)) = (e.src, e.dst) else { continue };
        let label = if e.inline { format!("{} (inline)", e.weight_text) } else { e.weight_text.clone() };
        specs.push(EdgeSpec {
            src,
            dst,
            min_len: e.min_len,
            weight: f64::from(e.layout_weight),
            label: Some(label_size(&label)),
        });
        edges.push(GraphEdge {
            src,
            dst,
            weight: e.weight,
            label,
            residual: e.residual,
            inline: e.inline,
            width: f64::from(e.pen_width),
            color: if e.color.is_empty() { "#888888".into() } else { e.color.clone() },
            points: Vec::new(),
            label_at: (0.0, 0.0),
            nodelet: false,
        });
    }
    // Nodelets: label boxes below their node (or below another nodelet).
    let mut index_of_id = std::collections::HashMap::new();
    for (i, n) in graph.nodes.iter().enumerate() {
        index_of_id.insert(format!("N{}", n.id), i);
    }
    for n in &graph.nodes {
        for d in &n.nodelets {
            let Some(&parent) = index_of_id.get(&d.parent) else { continue };
            let lines: Vec<String> = d.label.replace("\\n", "\n").lines().map(str::to_string).collect();
            let (width, height) = box_size(&lines, SMALL_FONT);
            let index = nodes.len();
            index_of_id.insert(d.id.clone(), index);
            nodes.push(GraphNode {
                name: d.label.clone(),
                function: String::new(),
                lines,
                flat: 0,
                cum: 0,
                flat_text: d.weight_text.clone(),
                cum_text: String::new(),
                font_size: SMALL_FONT,
                color: "#999999".into(),
                fill: "#f8f8f8".into(),
                x: 0.0,
                y: 0.0,
                width,
                height,
                nodelet: true,
            });
            specs.push(EdgeSpec {
                src: parent,
                dst: index,
                min_len: 1,
                weight: 100.0,
                label: Some(label_size(&d.weight_text)),
            });
            edges.push(GraphEdge {
                src: parent,
                dst: index,
                weight: 0,
                label: d.weight_text.clone(),
                residual: d.dotted,
                inline: false,
                width: 1.0,
                color: "#999999".into(),
                points: Vec::new(),
                label_at: (0.0, 0.0),
                nodelet: true,
            });
        }
    }
    let node_specs: Vec<NodeSpec> =
        nodes.iter().map(|n| NodeSpec { width: n.width, height: n.height }).collect();
    let placed = layout(&node_specs, &specs, &LayoutOptions::default());
    for (n, p) in nodes.iter_mut().zip(&placed.nodes) {
        n.x = p.x;
        n.y = p.y;
    }
    for (e, r) in edges.iter_mut().zip(&placed.edges) {
        e.points = r.points.iter().map(|p| (p.0, p.1)).collect();
        e.label_at = r.label.map(|l| (l.0, l.1)).unwrap_or_else(|| midpoint(&e.points));
    }
    GraphData {
        legend: graph.legend.clone(),
        nodes,
        edges,
        width: placed.width,
        height: placed.height,
        layout_ms: now_ms() - started,
    }
}

fn midpoint(points: &[(f64, f64)]) -> (f64, f64) {
    match points.len() {
        0 => (0.0, 0.0),
        n => points[n / 2],
    }
}

#[cfg(target_arch = "wasm32")]
fn now_ms() -> f64 {
    js_sys::Date::now()
}

#[cfg(not(target_arch = "wasm32"))]
fn now_ms() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}
