//! What the keyboard shortcuts do on the page (keyboard.rs turns keys into
//! [`Shortcut`]s): switch views, move the Top selection, focus, reset,
//! search and help.

use wasm_bindgen::JsCast;
use yew::prelude::*;

use super::actions::Ui;
use super::components::top_table::{ordered, ROW_HEIGHT};
use super::keyboard::{use_shortcuts, Shortcut};
use super::refine::Refine;
use crate::query::View;

/// Acts on the shortcuts while the page lives.
#[hook]
pub fn use_app_shortcuts(ui: &Ui) {
    let target = ui.embed.as_ref().and_then(|e| e.host.clone());
    let ui = ui.clone();
    use_shortcuts(target, Callback::from(move |shortcut| act(&ui, shortcut)));
}

fn act(ui: &Ui, shortcut: Shortcut) {
    let root = ui.embed.as_ref().and_then(|e| e.root.clone());
    let q = &ui.model.query;
    match shortcut {
        Shortcut::FocusSearch => focus_element(root.as_ref(), "[data-testid=search]"),
        Shortcut::View(i) => {
            if let Some(&view) = View::ALL.get(i) {
                ui.set_query.update(|q| q.view = view);
            }
        }
        Shortcut::Move(step) if q.view == View::Top => move_selection(ui, root.as_ref(), step),
        Shortcut::Move(_) => {}
        Shortcut::ApplyFocus => {
            let regex = ui.refine_regex();
            if !regex.is_empty() {
                ui.set_query.update(|q| Refine::Focus.apply(q, &regex));
            }
        }
        Shortcut::Escape => {
            if *ui.help {
                ui.help.set(false);
            } else if !close_open_menus(root.as_ref()) {
                ui.set_query.update(|q| Refine::Reset.apply(q, ""));
            }
        }
        Shortcut::Help => ui.help.set(!*ui.help),
    }
}

/// Moves the Top selection `step` rows, in display order.
fn move_selection(ui: &Ui, root: Option<&web_sys::Element>, step: i32) {
    let rows = &ui.model.rows;
    let order = ordered(rows, ui.model.query.report.sort);
    let current = order.iter().position(|&r| ui.model.selected.contains(&rows[r].name));
    let next = match current {
        Some(at) => (at as i64 + i64::from(step)).clamp(0, order.len() as i64 - 1) as usize,
        None => 0,
    };
    if let Some(&row) = order.get(next) {
        ui.on_select().emit((rows[row].name.clone(), false));
        scroll_row_into_view(root, next);
    }
}

/// The first element `selector` finds in `root` (an embedded analyzer's
/// root), else in the document.
fn find(root: Option<&web_sys::Element>, selector: &str) -> Option<web_sys::Element> {
    match root {
        Some(r) => r.query_selector(selector).ok().flatten(),
        None => web_sys::window()?.document()?.query_selector(selector).ok().flatten(),
    }
}

/// Puts the keyboard focus on the element `selector` finds.
fn focus_element(root: Option<&web_sys::Element>, selector: &str) {
    let element = find(root, selector).and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(e) = element {
        let _ = e.focus();
    }
}

/// Closes open menus (`details` elements); true if any was open.
fn close_open_menus(root: Option<&web_sys::Element>) -> bool {
    let open = match root {
        Some(r) => r.query_selector_all("details[open]"),
        None => match web_sys::window().and_then(|w| w.document()) {
            Some(d) => d.query_selector_all("details[open]"),
            None => return false,
        },
    };
    let Ok(open) = open else { return false };
    for i in 0..open.length() {
        if let Some(e) = open.item(i).and_then(|n| n.dyn_into::<web_sys::Element>().ok()) {
            let _ = e.remove_attribute("open");
        }
    }
    open.length() > 0
}

/// Scrolls the Top table so that display row `index` is visible.
fn scroll_row_into_view(root: Option<&web_sys::Element>, index: usize) {
    let Some(el) = find(root, "[data-testid=top-table]") else { return };
    let top = index as f64 * ROW_HEIGHT;
    // The sticky header takes one row.
    let bottom = top + 2.0 * ROW_HEIGHT;
    let (scroll, height) = (f64::from(el.scroll_top()), f64::from(el.client_height()));
    if top < scroll {
        el.set_scroll_top(top as i32);
    } else if bottom > scroll + height {
        el.set_scroll_top((bottom - height) as i32);
    }
}
