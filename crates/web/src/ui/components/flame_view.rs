//! The Flame Graph view, drawn on a canvas so 100k+ frames stay fast (never
//! one DOM node per frame). Click a frame to zoom into it (click the root to
//! zoom out); shift-click selects; hover shows the numbers and highlights
//! every frame of the same function; right-click offers Focus, Ignore,
//! Hide, Show from, Pivot, Peek and Source.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};
use yew::prelude::*;

use crate::protocol::{FlameColumns, FlameData, FlameZoom, FLAME_ELIDED};
use crate::ui::flame_layout::{diff_colors, diff_shade, frame_color, FlameLayout};
use crate::ui::js_regex::Matcher;

/// Height of a row of frames.
const ROW: f64 = 18.0;
/// Frames narrower than this are not drawn (nor their children).
const MIN_PX: f64 = 0.35;

/// What the right-click menu can do with a function.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlameAction {
    /// Keep only samples through it.
    Focus,
    /// Drop samples through it.
    Ignore,
    /// Remove it from stacks.
    Hide,
    /// Drop frames above it.
    ShowFrom,
    /// Pivot the flame graph on it.
    Pivot,
    /// Open Peek on it.
    Peek,
    /// Open Source on it.
    Source,
}

impl FlameAction {
    const ALL: [FlameAction; 7] = [
        FlameAction::Focus,
        FlameAction::Ignore,
        FlameAction::Hide,
        FlameAction::ShowFrom,
        FlameAction::Pivot,
        FlameAction::Peek,
        FlameAction::Source,
    ];

    fn label(self) -> &'static str {
        match self {
            FlameAction::Focus => "Focus",
            FlameAction::Ignore => "Ignore",
            FlameAction::Hide => "Hide",
            FlameAction::ShowFrom => "Show from",
            FlameAction::Pivot => "Pivot",
            FlameAction::Peek => "Peek",
            FlameAction::Source => "Source",
        }
    }
}

/// Properties of [`FlameView`].
#[derive(Properties, PartialEq)]
pub struct FlameViewProps {
    /// The flame graph.
    pub data: Rc<FlameData>,
    /// The search regexp: other frames are dimmed.
    pub search: Option<Matcher>,
    /// Selected function names.
    pub selected: Rc<BTreeSet<String>>,
    /// Called with a function name and whether to add to the selection.
    pub on_select: Callback<(String, bool)>,
    /// Called with a menu action and the function it applies to.
    pub on_action: Callback<(FlameAction, String)>,
    /// The pivot regexp shown as the root's label ("" for none).
    pub pivot: AttrValue,
    /// Draw a diff in the colour-blind-safe palette.
    #[prop_or_default]
    pub colorblind: bool,
    /// Called when the palette switch is flipped.
    #[prop_or_default]
    pub on_palette: Callback<bool>,
    /// Called when the view zooms (None: zoomed out), so the frames can be
    /// built for the new range.
    #[prop_or_default]
    pub on_zoom: Callback<Option<FlameZoom>>,
}

/// Which tree a frame belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Part {
    Callees,
    Callers,
}

/// Both trees laid out.
struct Geometry {
    main: FlameLayout,
    callers: Option<FlameLayout>,
    /// Rows of callers above the pivot row.
    caller_rows: u32,
}

impl Geometry {
    fn new(data: &FlameData) -> Geometry {
        let callers = data.callers.as_ref().map(FlameLayout::new);
        let caller_rows = callers.as_ref().map_or(0, |c| c.max_depth);
        Geometry { main: FlameLayout::new(&data.tree), callers, caller_rows }
    }

    fn rows(&self) -> u32 {
        self.caller_rows + self.main.max_depth + 1
    }
}

/// The value range shown, as (start, span) in the main tree's units.
type Range = (f64, f64);

struct Drawing<'a> {
    data: &'a FlameData,
    geometry: &'a Geometry,
    range: Range,
    hovered_function: Option<u32>,
    search: Option<&'a Matcher>,
    selected: &'a BTreeSet<String>,
    pivot: &'a str,
    colorblind: bool,
}

fn function_name(data: &FlameData, f: u32) -> Option<&str> {
    data.functions.get(f as usize).map(|f| f.name.as_str())
}

impl Drawing<'_> {
    fn draw(&self, canvas: &HtmlCanvasElement) {
        let Some(ctx) = canvas
            .get_context("2d")
            .ok()
            .flatten()
            .and_then(|c| c.dyn_into::<CanvasRenderingContext2d>().ok())
        else {
            return;
        };
        let ratio = web_sys::window().map_or(1.0, |w| w.device_pixel_ratio());
        let width = f64::from(canvas.client_width()).max(1.0);
        let height = f64::from(self.geometry.rows()) * ROW;
        canvas.set_width((width * ratio) as u32);
        canvas.set_height((height * ratio) as u32);
        canvas.style().set_property("height", &format!("{height}px")).ok();
        let _ = ctx.set_transform(ratio, 0.0, 0.0, ratio, 0.0, 0.0);
        ctx.clear_rect(0.0, 0.0, width, height);
        ctx.set_font("11px ui-monospace, 'DejaVu Sans Mono', Menlo, monospace");
        ctx.set_text_baseline("middle");
        let base = f64::from(self.geometry.caller_rows);
        let (start, span) = self.range;
        let mut drawn = 0usize;
        self.geometry.main.visit_visible(&self.data.tree, start, span, width, MIN_PX, |i, left, w| {
            let row = base + f64::from(self.data.tree.depth[i]);
            self.frame(&ctx, &self.data.tree, i, left, row * ROW, w);
            drawn += 1;
        });
        // For tests and tools: how many frames of the callees are drawn.
        let _ = canvas.set_attribute("data-drawn", &drawn.to_string());
        if let (Some(callers), Some(layout)) = (&self.data.callers, &self.geometry.callers) {
            let total = layout.width.first().copied().unwrap_or(0.0);
            layout.visit_visible(callers, 0.0, total, width, MIN_PX, |i, left, w| {
                if i == 0 {
                    return; // The pivot itself is the callees' root.
                }
                let row = base - f64::from(callers.depth[i]);
                self.frame(&ctx, callers, i, left, row * ROW, w);
            });
        }
    }

    fn frame(&self, ctx: &CanvasRenderingContext2d, tree: &FlameColumns, i: usize, x: f64, y: f64, w: f64) {
        let f = tree.function[i];
        let (name, short, color) = match self.data.functions.get(f as usize) {
            Some(func) => (func.name.as_str(), func.short.as_str(), func.color),
            None if f == FLAME_ELIDED => ("…", "…", 0),
            None if self.pivot.is_empty() => ("root", "root", 0),
            None => (self.pivot, self.pivot, 0),
        };
        let dim = self.search.is_some_and(|m| !m.is_match(name));
        let shade = diff_shade(tree, i);
        let fill = match shade {
            // pprof's diff: a grey frame with a bar for the net change.
            Some(_) if dim => "#eceef2".to_string(),
            Some(_) => "#d8d8d8".to_string(),
            None if f == u32::MAX => "#d8dbe2".to_string(),
            None if f == FLAME_ELIDED => "#e6e8ed".to_string(),
            None => frame_color(color, dim),
        };
        ctx.set_fill_style_str(&fill);
        ctx.fill_rect(x, y, (w - 1.0).max(0.5), ROW - 1.0);
        if let Some((share, grew)) = shade {
            let bar = (w - 1.0).max(0.5) * share.abs();
            if bar >= MIN_PX {
                let (up, down) = diff_colors(self.colorblind);
                ctx.set_global_alpha(if dim { 0.35 } else { 1.0 });
                ctx.set_fill_style_str(if grew { up } else { down });
                ctx.fill_rect(x, y, bar, ROW - 1.0);
                ctx.set_global_alpha(1.0);
            }
        }
        let highlighted = self.hovered_function.is_some_and(|h| h == f) || self.selected.contains(name);
        if highlighted && f != u32::MAX && f != FLAME_ELIDED {
            ctx.set_stroke_style_str("#1d2330");
            ctx.set_line_width(1.5);
            ctx.stroke_rect(x + 0.75, y + 0.75, (w - 2.5).max(0.5), ROW - 2.5);
        }
        if w > 28.0 {
            let fits = ((w - 6.0) / 6.7).floor() as usize;
            let text = if name.chars().count() <= fits {
                name.to_string()
            } else if short.chars().count() <= fits {
                short.to_string()
            } else {
                let cut: String = short.chars().take(fits.saturating_sub(1)).collect();
                format!("{cut}…")
            };
            ctx.set_fill_style_str(if dim { "#8a909c" } else { "#1d2330" });
            let _ = ctx.fill_text(&text, x + 3.0, y + ROW / 2.0);
        }
    }
}

/// The diff colours' key and the palette switch.
fn diff_key(colorblind: bool, on_palette: Callback<bool>) -> Html {
    let (up, down) = diff_colors(colorblind);
    let onchange = Callback::from(move |e: Event| {
        if let Some(input) = e.target_dyn_into::<web_sys::HtmlInputElement>() {
            on_palette.emit(input.checked());
        }
    });
    html! {
        <span class="diff-key" data-testid="flame-diff-key">
            <span class="swatch" style={format!("background: {up}")}></span>{ "grew" }
            <span class="swatch" style={format!("background: {down}")}></span>{ "shrank" }
            <span class="hint">{ "(width: increases + decreases; bar: net change)" }</span>
            <label class="control">
                <input type="checkbox" data-testid="flame-palette" checked={colorblind} {onchange} />
                <span>{ "Colour-blind palette" }</span>
            </label>
        </span>
    }
}

/// Finds the frame under a point: (part, node).
fn hit(
    data: &FlameData,
    geometry: &Geometry,
    range: Range,
    width: f64,
    x: f64,
    y: f64,
) -> Option<(Part, usize)> {
    let row = (y / ROW).floor() as i64;
    let base = i64::from(geometry.caller_rows);
    if row >= base {
        let depth = u32::try_from(row - base).ok()?;
        let value = range.0 + x / width * range.1;
        return geometry.main.hit(&data.tree, value, depth).map(|n| (Part::Callees, n));
    }
    let (callers, layout) = (data.callers.as_ref()?, geometry.callers.as_ref()?);
    let depth = u32::try_from(base - row).ok()?;
    let total = layout.width.first().copied().unwrap_or(0.0);
    layout.hit(callers, x / width * total, depth).map(|n| (Part::Callers, n))
}

/// The flame graph.
#[function_component(FlameView)]
pub fn flame_view(props: &FlameViewProps) -> Html {
    let canvas = use_node_ref();
    let data = props.data.clone();
    let geometry = use_memo(data.clone(), |d| Geometry::new(d));
    let full: Range = (0.0, geometry.main.width.first().copied().unwrap_or(0.0).max(1.0));
    let range = use_state(|| full);
    let shown = use_mut_ref(|| full);
    let hover = use_state(|| None::<(Part, usize, f64, f64)>);
    let menu = use_state(|| None::<(f64, f64, String)>);

    // A new graph starts zoomed out; one built for a zoom shows that zoom.
    {
        let range = range.clone();
        let shown = shown.clone();
        use_effect_with(data.clone(), move |data| match data.zoom {
            Some(z) => range.set((z.start, z.span)),
            None => {
                *shown.borrow_mut() = full;
                range.set(full);
            }
        });
    }

    // Draw, animating from the range shown to the target range.
    let hovered_function = (*hover).and_then(|(part, n, _, _)| match part {
        Part::Callees => data.tree.function.get(n).copied(),
        Part::Callers => data.callers.as_ref().and_then(|c| c.function.get(n).copied()),
    });
    use_animated_drawing(DrawInputs {
        canvas: canvas.clone(),
        data: data.clone(),
        geometry: geometry.clone(),
        shown: shown.clone(),
        target: *range,
        hovered_function,
        search: props.search.clone(),
        selected: props.selected.clone(),
        pivot: props.pivot.clone(),
        colorblind: props.colorblind,
    });

    let locate = {
        let canvas = canvas.clone();
        let data = data.clone();
        let geometry = geometry.clone();
        let shown = shown.clone();
        move |e: &MouseEvent| -> Option<(Part, usize, f64, f64)> {
            let el = canvas.cast::<HtmlCanvasElement>()?;
            let rect = el.get_bounding_client_rect();
            let (x, y) = (f64::from(e.client_x()) - rect.left(), f64::from(e.client_y()) - rect.top());
            let range = *shown.borrow();
            hit(&data, &geometry, range, rect.width().max(1.0), x, y).map(|(p, n)| (p, n, x, y))
        }
    };
    let name_of = {
        let data = data.clone();
        move |part: Part, n: usize| -> Option<String> {
            let f = match part {
                Part::Callees => *data.tree.function.get(n)?,
                Part::Callers => *data.callers.as_ref()?.function.get(n)?,
            };
            function_name(&data, f).map(str::to_string)
        }
    };
    let onmousemove = {
        let hover = hover.clone();
        let locate = locate.clone();
        Callback::from(move |e: MouseEvent| hover.set(locate(&e)))
    };
    let onmouseleave = {
        let hover = hover.clone();
        Callback::from(move |_: MouseEvent| hover.set(None))
    };
    let onclick = {
        let range = range.clone();
        let locate = locate.clone();
        let name_of = name_of.clone();
        let layout = geometry.clone();
        let on_select = props.on_select.clone();
        let on_zoom = props.on_zoom.clone();
        let menu = menu.clone();
        let canvas = canvas.clone();
        Callback::from(move |e: MouseEvent| {
            menu.set(None);
            let Some((part, n, _, _)) = locate(&e) else { return };
            if let Some(name) = name_of(part, n) {
                on_select.emit((name, e.shift_key() || e.ctrl_key() || e.meta_key()));
            }
            if part == Part::Callees && !e.shift_key() {
                let span = layout.main.width[n].max(1.0);
                range.set((layout.main.x0[n], span));
                // The frames of the new range, built for it by the worker.
                let ratio = web_sys::window().map_or(1.0, |w| w.device_pixel_ratio());
                let css = canvas.cast::<HtmlCanvasElement>().map_or(1000, |c| c.client_width().max(1));
                let pixels = (f64::from(css) * ratio).round() as u32;
                let zoom = (n > 0).then_some(FlameZoom { start: layout.main.x0[n], span, pixels });
                on_zoom.emit(zoom);
            }
        })
    };
    let oncontextmenu = {
        let menu = menu.clone();
        let locate = locate.clone();
        let name_of = name_of.clone();
        Callback::from(move |e: MouseEvent| {
            if let Some((part, n, x, y)) = locate(&e) {
                if let Some(name) = name_of(part, n) {
                    e.prevent_default();
                    menu.set(Some((x, y, name)));
                }
            }
        })
    };
    let tooltip = (*hover).and_then(|(part, n, x, y)| {
        let elided = part == Part::Callees && data.tree.function.get(n) == Some(&FLAME_ELIDED);
        let name = match name_of(part, n) {
            Some(name) => name,
            None if elided => "… frames narrower than a pixel: click to zoom in on them".into(),
            None => "root".into(),
        };
        tooltip(&data, part, n, &name, (x, y))
    });
    let menu_html = (*menu).clone().map(|(x, y, name)| context_menu(&menu, &props.on_action, (x, y), &name));
    let reset = {
        let range = range.clone();
        let on_zoom = props.on_zoom.clone();
        Callback::from(move |_: MouseEvent| {
            range.set(full);
            on_zoom.emit(None);
        })
    };
    html! {
        <div class="flame-view" data-testid="flame-view"
             data-root-total={data.tree.total.first().copied().unwrap_or(0).to_string()}
             data-frames={data.tree.total.len().to_string()}
             data-zoom={data.zoom.map(|z| format!("{} {}", z.start, z.span))}>
            <div class="graph-tools">
                <button class="button" onclick={reset} data-testid="flame-reset">{ "Reset zoom" }</button>
                <span class="hint">{ "Click to zoom, shift-click to select, right-click for more." }</span>
                if data.tree.is_diff() {
                    { diff_key(props.colorblind, props.on_palette.clone()) }
                }
                if data.elided > 0 {
                    <span class="hint" data-testid="flame-narrow">
                        { format!("{} frames narrower than a pixel are merged into “…” frames: zoom in to see them.",
                                  data.elided) }
                    </span>
                }
            </div>
            <div class="flame-scroller">
                <canvas ref={canvas} class="flame-canvas" data-testid="flame-canvas"
                        {onmousemove} {onmouseleave} {onclick} {oncontextmenu}></canvas>
                { tooltip.unwrap_or_default() }
                { menu_html.unwrap_or_default() }
            </div>
        </div>
    }
}

/// The inputs of a drawing.
struct DrawInputs {
    canvas: NodeRef,
    data: Rc<FlameData>,
    geometry: Rc<Geometry>,
    /// The range on the canvas now (mid-animation, or the last target).
    shown: Rc<RefCell<Range>>,
    /// The range to show.
    target: Range,
    hovered_function: Option<u32>,
    search: Option<Matcher>,
    selected: Rc<BTreeSet<String>>,
    pivot: AttrValue,
    colorblind: bool,
}

/// Draws the flame graph whenever what it shows changes, animating from
/// the range shown to the target range over a few frames.
#[hook]
fn use_animated_drawing(inputs: DrawInputs) {
    let deps = (
        inputs.target,
        inputs.hovered_function,
        inputs.search.clone(),
        inputs.selected.clone(),
        inputs.data.clone(),
        inputs.colorblind,
    );
    use_effect_with(deps, move |_| {
        let DrawInputs {
            canvas,
            data,
            geometry,
            shown,
            target,
            hovered_function,
            search,
            selected,
            pivot,
            colorblind,
        } = inputs;
        let Some(el) = canvas.cast::<HtmlCanvasElement>() else { return };
        let from = *shown.borrow();
        let steps = if from == target { 1 } else { 10 };
        let frame = Rc::new(RefCell::new(None::<Closure<dyn FnMut()>>));
        let next = frame.clone();
        let mut step = 0;
        *frame.borrow_mut() = Some(Closure::new(move || {
            step += 1;
            let t = f64::from(step) / f64::from(steps);
            let ease = 1.0 - (1.0 - t).powi(3);
            let current = (from.0 + (target.0 - from.0) * ease, from.1 + (target.1 - from.1) * ease);
            *shown.borrow_mut() = current;
            Drawing {
                data: &data,
                geometry: &geometry,
                range: current,
                hovered_function,
                search: search.as_ref(),
                selected: &selected,
                pivot: &pivot,
                colorblind,
            }
            .draw(&el);
            if step < steps {
                if let (Some(w), Some(cb)) = (web_sys::window(), next.borrow().as_ref()) {
                    let _ = w.request_animation_frame(cb.as_ref().unchecked_ref());
                }
            } else {
                // Break the cycle so the closure is freed.
                next.borrow_mut().take();
            }
        }));
        let first = frame.borrow();
        if let (Some(w), Some(cb)) = (web_sys::window(), first.as_ref()) {
            let _ = w.request_animation_frame(cb.as_ref().unchecked_ref());
        }
    });
}

/// The numbers of frame `n` of `part`, named `name`, at the pointer.
fn tooltip(data: &FlameData, part: Part, n: usize, name: &str, (x, y): (f64, f64)) -> Option<Html> {
    let tree = match part {
        Part::Callees => &data.tree,
        Part::Callers => data.callers.as_ref()?,
    };
    let fmt = |v: i64| proflens_core::units::scaled_label(v, &data.unit, "auto");
    let pct = |v: i64| proflens_core::units::percentage(v, data.total).trim().to_string();
    let (total, self_value) = (*tree.total.get(n)?, *tree.self_value.get(n)?);
    // For a diff, pprof's "from → to": the base's part, then the source's.
    let change = tree.is_diff().then(|| {
        let (before, after) = (tree.negative[n], tree.positive[n]);
        format!("base {} ({}) → {} ({})", fmt(before), pct(before), fmt(after), pct(after))
    });
    Some(html! {
        <div class="flame-tooltip" style={format!("left: {:.0}px; top: {:.0}px", x + 14.0, y + 14.0)}
             data-testid="flame-tooltip">
            <div class="flame-tooltip-name">{ name.to_string() }</div>
            <div>{ format!("total {} ({})  ·  self {} ({})", fmt(total), pct(total), fmt(self_value), pct(self_value)) }</div>
            if let Some(change) = change { <div class="flame-tooltip-diff">{ change }</div> }
        </div>
    })
}

/// The right-click menu for function `name`, at (x, y).
fn context_menu(
    menu: &UseStateHandle<Option<(f64, f64, String)>>,
    on_action: &Callback<(FlameAction, String)>,
    (x, y): (f64, f64),
    name: &str,
) -> Html {
    html! {
        <ul class="context-menu" role="menu" style={format!("left: {x:.0}px; top: {y:.0}px")}
            data-testid="flame-menu">
            { for FlameAction::ALL.iter().map(|&action| {
                let (on_action, menu, name) = (on_action.clone(), menu.clone(), name.to_string());
                let onclick = Callback::from(move |_: MouseEvent| {
                    menu.set(None);
                    on_action.emit((action, name.clone()));
                });
                html! { <li role="menuitem" tabindex="0" {onclick}>{ action.label() }</li> }
            }) }
        </ul>
    }
}
