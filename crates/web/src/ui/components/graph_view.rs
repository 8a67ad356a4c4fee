//! The Graph view: pprof's call graph drawn as SVG from the worker's
//! layout. Drag to pan, wheel to zoom, "Fit" to see it whole; click a node
//! to select it (shift-click adds to the selection).

use std::collections::BTreeSet;
use std::rc::Rc;

use web_sys::{Element, WheelEvent};
use yew::prelude::*;

use crate::protocol::{GraphData, GraphEdge, GraphNode};
use crate::ui::js_regex::Matcher;

/// Properties of [`GraphView`].
#[derive(Properties, PartialEq)]
pub struct GraphViewProps {
    /// The laid-out graph.
    pub data: Rc<GraphData>,
    /// Selected node names.
    pub selected: Rc<BTreeSet<String>>,
    /// The search regexp: matching nodes are highlighted.
    pub search: Option<Matcher>,
    /// Called with a clicked node's name and whether to add to the selection.
    pub on_select: Callback<(String, bool)>,
}

/// Pan and zoom: screen = (world * scale) + (x, y).
#[derive(Clone, Copy, PartialEq, Debug)]
pub struct View {
    /// Horizontal offset in screen pixels.
    pub x: f64,
    /// Vertical offset in screen pixels.
    pub y: f64,
    /// Zoom factor.
    pub scale: f64,
}

impl View {
    /// The view that shows a `width` × `height` drawing whole in a
    /// `viewport_w` × `viewport_h` viewport (never zoomed in past 1:1).
    pub fn fit(width: f64, height: f64, viewport_w: f64, viewport_h: f64) -> View {
        let margin = 20.0;
        let sx = (viewport_w - 2.0 * margin) / width.max(1.0);
        let sy = (viewport_h - 2.0 * margin) / height.max(1.0);
        let scale = sx.min(sy).clamp(0.02, 1.0);
        View {
            x: (viewport_w - width * scale) / 2.0,
            y: margin.max((viewport_h - height * scale) / 2.0).min(margin),
            scale,
        }
    }

    /// Zooms by `factor` keeping the screen point (px, py) fixed.
    pub fn zoom_at(self, px: f64, py: f64, factor: f64) -> View {
        let scale = (self.scale * factor).clamp(0.02, 8.0);
        let k = scale / self.scale;
        View { x: px - (px - self.x) * k, y: py - (py - self.y) * k, scale }
    }
}

/// An SVG path through the route's points, smoothed with quadratic curves.
pub fn edge_path(points: &[(f64, f64)]) -> String {
    let mut d = String::new();
    let Some(&(x0, y0)) = points.first() else { return d };
    d.push_str(&format!("M{x0:.1},{y0:.1}"));
    if points.len() == 2 {
        let (x1, y1) = points[1];
        d.push_str(&format!(" L{x1:.1},{y1:.1}"));
        return d;
    }
    for i in 1..points.len().saturating_sub(1) {
        let (cx, cy) = points[i];
        let (nx, ny) = points[i + 1];
        let (mx, my) = if i + 2 == points.len() { (nx, ny) } else { ((cx + nx) / 2.0, (cy + ny) / 2.0) };
        d.push_str(&format!(" Q{cx:.1},{cy:.1} {mx:.1},{my:.1}"));
    }
    d
}

fn node_html(
    n: &GraphNode,
    index: usize,
    selected: bool,
    matched: bool,
    on_select: &Callback<(String, bool)>,
) -> Html {
    let x = n.x - n.width / 2.0;
    let y = n.y - n.height / 2.0;
    let line_height = n.font_size * 1.25;
    let first_baseline = y + 6.0 + n.font_size;
    let name = n.name.clone();
    let on_select = on_select.clone();
    let onclick = Callback::from(move |e: MouseEvent| {
        e.stop_propagation();
        on_select.emit((name.clone(), e.shift_key() || e.ctrl_key() || e.meta_key()));
    });
    let fill = if matched { "#ccccff".to_string() } else { n.fill.clone() };
    let class = classes!(
        "gnode",
        n.nodelet.then_some("nodelet"),
        selected.then_some("selected"),
        matched.then_some("match")
    );
    html! {
        <g class={class} data-node={index.to_string()} data-name={n.name.clone()} {onclick}>
            <title>{ format!("{} {} {}", n.name, n.flat_text, n.cum_text) }</title>
            <rect x={format!("{x:.1}")} y={format!("{y:.1}")} width={format!("{:.1}", n.width)}
                  height={format!("{:.1}", n.height)} rx="3" fill={fill} stroke={n.color.clone()}
                  stroke-width={if selected { "3" } else { "1" }} />
            { for n.lines.iter().enumerate().map(|(i, line)| html! {
                <text x={format!("{:.1}", n.x)} y={format!("{:.1}", first_baseline + i as f64 * line_height)}
                      font-size={format!("{:.0}", n.font_size)} text-anchor="middle">{ line }</text>
            }) }
        </g>
    }
}

fn edge_html(e: &GraphEdge, index: usize) -> Html {
    let dash = if e.residual { "3,3" } else { "" };
    html! {
        <g class={classes!("gedge", e.inline.then_some("inline"), e.residual.then_some("residual"))}
           data-edge={index.to_string()} data-src={e.src.to_string()} data-dst={e.dst.to_string()}>
            <path d={edge_path(&e.points)} fill="none" stroke={e.color.clone()}
                  stroke-width={format!("{:.1}", e.width)} stroke-dasharray={dash} marker-end="url(#arrow)" />
            <text x={format!("{:.1}", e.label_at.0)} y={format!("{:.1}", e.label_at.1 + 3.0)} font-size="10"
                  text-anchor="middle" class="elabel">{ &e.label }</text>
        </g>
    }
}

/// The call graph.
#[function_component(GraphView)]
pub fn graph_view(props: &GraphViewProps) -> Html {
    let viewport = use_node_ref();
    let view = use_state(|| None::<View>);
    let drag = use_mut_ref(|| None::<(f64, f64, View)>);
    let data = props.data.clone();

    // Fit whenever a new graph arrives.
    {
        let viewport = viewport.clone();
        let view = view.clone();
        use_effect_with(data.clone(), move |d| {
            if let Some(el) = viewport.cast::<Element>() {
                let rect = el.get_bounding_client_rect();
                view.set(Some(View::fit(d.width, d.height, rect.width(), rect.height())));
            }
        });
    }
    let current = (*view).unwrap_or(View { x: 0.0, y: 0.0, scale: 1.0 });
    let onwheel = {
        let view = view.clone();
        let viewport = viewport.clone();
        Callback::from(move |e: WheelEvent| {
            e.prevent_default();
            let Some(el) = viewport.cast::<Element>() else { return };
            let rect = el.get_bounding_client_rect();
            let factor = (-e.delta_y() * 0.0015).exp();
            let px = f64::from(e.client_x()) - rect.left();
            let py = f64::from(e.client_y()) - rect.top();
            view.set(Some(current.zoom_at(px, py, factor)));
        })
    };
    let onmousedown = {
        let drag = drag.clone();
        Callback::from(move |e: MouseEvent| {
            *drag.borrow_mut() = Some((f64::from(e.client_x()), f64::from(e.client_y()), current));
        })
    };
    let onmousemove = {
        let drag = drag.clone();
        let view = view.clone();
        Callback::from(move |e: MouseEvent| {
            if let Some((sx, sy, start)) = *drag.borrow() {
                if e.buttons() & 1 == 0 {
                    return;
                }
                let (dx, dy) = (f64::from(e.client_x()) - sx, f64::from(e.client_y()) - sy);
                view.set(Some(View { x: start.x + dx, y: start.y + dy, ..start }));
            }
        })
    };
    let onmouseup = {
        let drag = drag.clone();
        Callback::from(move |_: MouseEvent| *drag.borrow_mut() = None)
    };
    let fit = {
        let viewport = viewport.clone();
        let view = view.clone();
        let data = data.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(el) = viewport.cast::<Element>() {
                let rect = el.get_bounding_client_rect();
                view.set(Some(View::fit(data.width, data.height, rect.width(), rect.height())));
            }
        })
    };
    let zoom = |factor: f64| {
        let view = view.clone();
        let viewport = viewport.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(el) = viewport.cast::<Element>() {
                let rect = el.get_bounding_client_rect();
                view.set(Some(current.zoom_at(rect.width() / 2.0, rect.height() / 2.0, factor)));
            }
        })
    };
    let transform = format!("translate({:.1},{:.1}) scale({:.4})", current.x, current.y, current.scale);
    html! {
        <div class="graph-view" data-testid="graph-view">
            <div class="graph-tools">
                <button class="button" onclick={fit} data-testid="graph-fit">{ "Fit" }</button>
                <button class="button" onclick={zoom(1.25)} aria-label="Zoom in">{ "+" }</button>
                <button class="button" onclick={zoom(0.8)} aria-label="Zoom out">{ "−" }</button>
                <span class="hint">{ format!("{} nodes · laid out in {:.0} ms", data.nodes.iter().filter(|n| !n.nodelet).count(), data.layout_ms) }</span>
            </div>
            <div class="graph-viewport" ref={viewport} {onwheel} {onmousedown} {onmousemove} {onmouseup}>
                <svg class="graph-svg" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="Call graph">
                    <defs>
                        <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" markerUnits="userSpaceOnUse"
                                orient="auto-start-reverse">
                            <path d="M0,0 L10,5 L0,10 z" fill="#666" />
                        </marker>
                    </defs>
                    <g transform={transform}>
                        { for data.edges.iter().enumerate().map(|(i, e)| edge_html(e, i)) }
                        { for data.nodes.iter().enumerate().map(|(i, n)| {
                            let selected = props.selected.contains(&n.name);
                            let matched = !n.nodelet && props.search.as_ref().is_some_and(|m| m.is_match(&n.name));
                            node_html(n, i, selected, matched, &props.on_select)
                        }) }
                    </g>
                </svg>
            </div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fitting_and_zooming() {
        let v = View::fit(2000.0, 1000.0, 1000.0, 800.0);
        assert!((v.scale - 0.48).abs() < 1e-9);
        let z = v.zoom_at(500.0, 400.0, 2.0);
        // The point under the cursor stays put.
        let world = ((500.0 - v.x) / v.scale, (400.0 - v.y) / v.scale);
        assert!((world.0 * z.scale + z.x - 500.0).abs() < 1e-6);
        assert!((world.1 * z.scale + z.y - 400.0).abs() < 1e-6);
    }

    #[test]
    fn paths() {
        assert_eq!(edge_path(&[(0.0, 0.0), (10.0, 20.0)]), "M0.0,0.0 L10.0,20.0");
        assert!(edge_path(&[(0.0, 0.0), (5.0, 10.0), (10.0, 20.0)]).contains('Q'));
        assert_eq!(edge_path(&[]), "");
    }
}
