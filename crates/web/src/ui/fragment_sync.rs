//! Where the view state lives. On the page's own page, in the URL fragment
//! (the fragment is the source of truth: reload, back/forward and links
//! restore it); inside an embedded analyzer, in the model alone (the host
//! page's URL is not ours). Either way the state follows what the worker
//! shows: the compared profiles' names, and a sample type the shown
//! profile has.

use wasm_bindgen::JsCast;
use yew::prelude::*;

use super::model::{fit, followed, Action, Model};
use crate::fragment;
use crate::query::Query;
use crate::share_link::carried_params;

/// The fragment of the page's URL.
pub fn current_fragment() -> String {
    web_sys::window().and_then(|w| w.location().hash().ok()).unwrap_or_default()
}

/// The fragment (with '#') for `query`, keeping a profile the current link
/// carries.
pub fn fragment_href(query: &Query) -> String {
    let mut href = format!("#{}", fragment::write(query));
    let carried = carried_params(&current_fragment());
    if !carried.is_empty() {
        href.push(if href.contains('?') { '&' } else { '?' });
        href.push_str(&carried[1..]);
    }
    href
}

/// Records `query` in the URL without a new history entry (the page
/// correcting the URL to what it shows).
pub fn replace_fragment(query: &Query) {
    let href = fragment_href(query);
    if current_fragment() == href {
        return;
    }
    if let Some(w) = web_sys::window() {
        let _ =
            w.history().and_then(|h| h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&href)));
        // replaceState fires no hashchange: tell the page.
        if let Ok(event) = web_sys::Event::new("hashchange") {
            let _ = w.dispatch_event(&event);
        }
    }
}

/// Records `query` in the URL: a new history entry, so back/forward work.
/// A profile the link carries stays in it.
pub fn push_fragment(query: &Query) {
    let href = fragment_href(query);
    if current_fragment() != href {
        if let Some(w) = web_sys::window() {
            let _ = w.location().set_hash(&href);
        }
    }
}

/// Changes the view state where it lives.
#[derive(Clone)]
pub struct SetQuery {
    current: Query,
    embedded: bool,
    dispatcher: UseReducerDispatcher<Model>,
}

impl SetQuery {
    /// Applies `change` to the current state: a new history entry on the
    /// page's own page, the model's state inside an embedding.
    pub fn update(&self, change: impl FnOnce(&mut Query)) {
        let mut next = self.current.clone();
        change(&mut next);
        if self.embedded {
            self.dispatcher.dispatch(Action::SetQuery(next));
        } else {
            push_fragment(&next);
        }
    }
}

/// Keeps the model's state and its home in step, and returns what changes
/// the state.
#[hook]
pub fn use_fragment_sync(model: &UseReducerHandle<Model>, embedded: bool) -> SetQuery {
    let dispatcher = model.dispatcher();
    // Back/forward and edited URLs: the fragment is the source of truth.
    {
        let dispatcher = dispatcher.clone();
        use_effect_with((), move |_| {
            let listener = wasm_bindgen::closure::Closure::<dyn FnMut()>::new(move || {
                if !embedded {
                    dispatcher.dispatch(Action::SetQuery(fragment::parse(&current_fragment())));
                }
            });
            let window = web_sys::window().expect("a page has a window");
            let _ = window.add_event_listener_with_callback("hashchange", listener.as_ref().unchecked_ref());
            move || {
                let _ = window
                    .remove_event_listener_with_callback("hashchange", listener.as_ref().unchecked_ref());
            }
        });
    }
    // The state follows what the worker shows, once it shows something new
    // (not while the user's next choice is on its way to the worker).
    {
        let loaded = model.loaded.clone();
        let generation = loaded.as_ref().map(|l| l.generation);
        let applied = loaded.as_ref().map(|l| l.setup);
        let query = model.query.clone();
        let dispatcher = dispatcher.clone();
        use_effect_with((generation, applied, model.compared), move |_| {
            let Some(loaded) = loaded else { return };
            let next = followed(&query, &loaded);
            if embedded {
                if next != query {
                    dispatcher.dispatch(Action::SetQuery(next));
                }
            } else {
                replace_fragment(&next);
            }
        });
    }
    // A URL naming a sample type the profile lacks is corrected (the model
    // has already given it up for the profile's default).
    {
        let shown = model.loaded.as_ref().map(|l| &l.summary);
        let corrected = (!embedded)
            .then(|| fragment::parse(&current_fragment()))
            .and_then(|in_url| Some(fit(in_url.clone(), shown)).filter(|fitted| *fitted != in_url));
        use_effect_with(corrected, |corrected| {
            if let Some(query) = corrected {
                replace_fragment(query);
            }
        });
    }
    SetQuery { current: model.query.clone(), embedded, dispatcher }
}
