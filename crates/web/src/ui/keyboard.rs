//! Keyboard shortcuts: a window-wide keydown listener that turns keys into
//! [`Shortcut`]s for the page to act on. Keys typed into a text field stay
//! there (except Escape, which leaves the field).

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// What a key asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shortcut {
    /// `/`: put the cursor in the search box.
    FocusSearch,
    /// `1`…`9`: the n-th view tab (0-based here).
    View(usize),
    /// Up and down arrows: move the Top selection by this many rows.
    Move(i32),
    /// Enter: apply the selection as Focus.
    ApplyFocus,
    /// Escape: close what is open, else reset filters and selection.
    Escape,
    /// `?`: show or hide the list of shortcuts.
    Help,
}

/// Every shortcut with its key, for the help panel.
pub const HELP: &[(&str, &str)] = &[
    ("/", "Search"),
    ("1 – 5", "Top, Graph, Flame Graph, Peek, Source"),
    ("↑ ↓", "Move the selection in Top"),
    ("Enter", "Focus on the selection (or the search)"),
    ("Esc", "Close this, or reset filters and selection"),
    ("?", "Show these shortcuts"),
];

/// The shortcut for a key press, if any. `in_field` is true when the focus
/// is in a text field or a menu.
pub fn shortcut(key: &str, in_field: bool, modifiers: bool) -> Option<Shortcut> {
    if modifiers {
        return None;
    }
    if in_field {
        return (key == "Escape").then_some(Shortcut::Escape);
    }
    match key {
        "/" => Some(Shortcut::FocusSearch),
        "?" => Some(Shortcut::Help),
        "Escape" => Some(Shortcut::Escape),
        "Enter" => Some(Shortcut::ApplyFocus),
        "ArrowDown" => Some(Shortcut::Move(1)),
        "ArrowUp" => Some(Shortcut::Move(-1)),
        d if d.len() == 1 && ("1"..="9").contains(&d) => {
            d.parse::<usize>().ok().map(|n| Shortcut::View(n - 1))
        }
        _ => None,
    }
}

fn in_field(target: Option<web_sys::EventTarget>) -> bool {
    target.and_then(|t| t.dyn_into::<web_sys::Element>().ok()).is_some_and(|e| {
        matches!(e.tag_name().to_ascii_lowercase().as_str(), "input" | "textarea" | "select")
            || e.get_attribute("contenteditable").is_some()
    })
}

/// Listens for shortcuts while the component lives, on `target` (an
/// embedded analyzer's host) or else the whole window; `on_shortcut` is the
/// latest render's handler (it sees the current state).
#[hook]
pub fn use_shortcuts(target: Option<web_sys::Element>, on_shortcut: Callback<Shortcut>) {
    let latest = use_mut_ref(|| on_shortcut.clone());
    *latest.borrow_mut() = on_shortcut;
    use_effect_with((), move |_| {
        let latest: Rc<RefCell<Callback<Shortcut>>> = latest;
        let listener = Closure::<dyn FnMut(web_sys::KeyboardEvent)>::new(move |e: web_sys::KeyboardEvent| {
            let field = in_field(e.target());
            let modifiers = e.ctrl_key() || e.meta_key() || e.alt_key();
            if let Some(s) = shortcut(&e.key(), field, modifiers) {
                // Enter on a focused button or link keeps its usual meaning.
                let on_control =
                    e.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()).is_some_and(|el| {
                        matches!(el.tag_name().to_ascii_lowercase().as_str(), "button" | "a" | "summary")
                    });
                if s == Shortcut::ApplyFocus && on_control {
                    return;
                }
                if s != Shortcut::Escape || !field {
                    e.prevent_default();
                }
                if field {
                    if let Some(el) = e.target().and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok()) {
                        let _ = el.blur();
                    }
                }
                latest.borrow().emit(s);
            }
        });
        let target: web_sys::EventTarget = match target {
            Some(t) => t.into(),
            None => web_sys::window().expect("a page has a window").into(),
        };
        let _ = target.add_event_listener_with_callback("keydown", listener.as_ref().unchecked_ref());
        move || {
            let _ = target.remove_event_listener_with_callback("keydown", listener.as_ref().unchecked_ref());
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_map_to_shortcuts() {
        assert_eq!(shortcut("/", false, false), Some(Shortcut::FocusSearch));
        assert_eq!(shortcut("3", false, false), Some(Shortcut::View(2)));
        assert_eq!(shortcut("0", false, false), None);
        assert_eq!(shortcut("ArrowDown", false, false), Some(Shortcut::Move(1)));
        assert_eq!(shortcut("/", true, false), None, "typing a slash in the search box");
        assert_eq!(shortcut("Escape", true, false), Some(Shortcut::Escape));
        assert_eq!(shortcut("1", false, true), None, "ctrl-1 is the browser's");
    }
}
