//! What the user can do, as callbacks on [`Ui`]: the handles one render of
//! the page works with. The view (header.rs, view_body.rs) wires them to
//! its elements; none of them talks to the worker directly (the model and
//! the request hooks do).

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::rc::Rc;

use wasm_bindgen::JsCast;
use web_sys::{DragEvent, HtmlInputElement, KeyboardEvent};
use yew::prelude::*;

use super::components::flame_view::FlameAction;
use super::components::leaks_view::LeakLink;
use super::components::profiles::ProfileChoice;
use super::embed::Embed;
use super::fragment_sync::SetQuery;
use super::js_regex::{escape, exact_names, Matcher};
use super::loading::{read_sources, sample_url, Loader, Target, SAMPLE_NAME};
use super::model::{Action, Model};
use super::refine::Refine;
use super::theme::Theme;
use crate::fragment;
use crate::query::{BaseMode, SortKey, View};
use proflens_core::graph::Granularity;

/// Milliseconds the search box waits after typing (pprof's web UI: 300).
const SEARCH_DEBOUNCE_MS: i32 = 300;

/// A link made by "Copy link", or why there is none.
pub type ShareNote = Option<Result<String, String>>;

/// The handles one render of the page works with.
#[derive(Clone)]
pub struct Ui {
    /// The page's state.
    pub model: UseReducerHandle<Model>,
    /// Changes the view state where it lives.
    pub set_query: SetQuery,
    /// The embedding, when the page is inside another.
    pub embed: Option<Rc<Embed>>,
    /// The colour theme.
    pub theme: UseStateHandle<Theme>,
    /// The shortcuts panel is open.
    pub help: UseStateHandle<bool>,
    /// What "Copy link" made.
    pub share_note: UseStateHandle<ShareNote>,
    /// The search box's pending debounce timer.
    pub search_timer: Rc<RefCell<Option<i32>>>,
}

/// The files of a file list.
fn file_list(files: Option<web_sys::FileList>) -> Vec<web_sys::File> {
    files.map(|f| (0..f.length()).filter_map(|i| f.get(i)).collect()).unwrap_or_default()
}

impl Ui {
    /// A loader for a new load.
    pub fn loader(&self) -> Loader {
        Loader {
            dispatcher: self.model.dispatcher(),
            generation: self.model.next_generation,
            shown: self.model.loaded.as_ref().map(|l| l.generation),
        }
    }

    /// The regexp refine actions use: the selection, else the search text.
    pub fn refine_regex(&self) -> String {
        let q = &self.model.query;
        if q.selection.is_empty() {
            self.model.search.clone()
        } else {
            q.selection.clone()
        }
    }

    /// Selecting a name (adding to the selection, or alone): the set is
    /// kept for highlighting, its regexp goes in the state.
    pub fn on_select(&self) -> Callback<(String, bool)> {
        let (dispatcher, selected, set_query) =
            (self.model.dispatcher(), self.model.selected.clone(), self.set_query.clone());
        Callback::from(move |(name, add): (String, bool)| {
            let mut next: BTreeSet<String> = if add { (*selected).clone() } else { BTreeSet::new() };
            if add && next.contains(&name) {
                next.remove(&name);
            } else {
                next.insert(name);
            }
            let regex = exact_names(next.iter().map(String::as_str));
            dispatcher.dispatch(Action::Select(Rc::new(next)));
            set_query.update(|q| q.selection = regex);
        })
    }

    /// A Refine menu item.
    pub fn refine(&self, action: Refine) -> Callback<MouseEvent> {
        let (set_query, regex) = (self.set_query.clone(), self.refine_regex());
        Callback::from(move |_: MouseEvent| {
            if action == Refine::Reset || !regex.is_empty() {
                set_query.update(|q| action.apply(q, &regex));
            }
        })
    }

    /// The flame graph zoomed: its frames are asked for again, built for
    /// the new range.
    pub fn on_flame_zoom(&self) -> Callback<Option<crate::protocol::FlameZoom>> {
        let dispatcher = self.model.dispatcher();
        Callback::from(move |zoom| dispatcher.dispatch(Action::FlameZoom(zoom)))
    }

    /// The flame graph's context menu, on one function.
    pub fn on_flame_action(&self) -> Callback<(FlameAction, String)> {
        let set_query = self.set_query.clone();
        Callback::from(move |(action, name): (FlameAction, String)| {
            let exact = format!("^{}$", escape(&name));
            set_query.update(|q| match action {
                FlameAction::Focus => Refine::Focus.apply(q, &exact),
                FlameAction::Ignore => Refine::Ignore.apply(q, &exact),
                FlameAction::Hide => Refine::Hide.apply(q, &exact),
                FlameAction::ShowFrom => Refine::ShowFrom.apply(q, &exact),
                FlameAction::Pivot => q.pivot = exact,
                FlameAction::Peek => (q.selection, q.view) = (exact, View::Peek),
                FlameAction::Source => (q.selection, q.view) = (exact, View::Source),
            })
        })
    }

    /// The search box, debounced.
    pub fn on_search_input(&self) -> Callback<InputEvent> {
        let (dispatcher, timer) = (self.model.dispatcher(), self.search_timer.clone());
        Callback::from(move |e: InputEvent| {
            let text = e.target_unchecked_into::<HtmlInputElement>().value();
            let Some(window) = web_sys::window() else { return };
            if let Some(t) = timer.borrow_mut().take() {
                window.clear_timeout_with_handle(t);
            }
            let dispatcher = dispatcher.clone();
            let fire = wasm_bindgen::closure::Closure::once_into_js(move || {
                dispatcher.dispatch(Action::Search(text))
            });
            *timer.borrow_mut() = window
                .set_timeout_with_callback_and_timeout_and_arguments_0(
                    fire.unchecked_ref(),
                    SEARCH_DEBOUNCE_MS,
                )
                .ok();
        })
    }

    /// Enter in the search box focuses on what it matches.
    pub fn on_search_key(&self) -> Callback<KeyboardEvent> {
        let (set_query, dispatcher) = (self.set_query.clone(), self.model.dispatcher());
        Callback::from(move |e: KeyboardEvent| {
            if e.key() != "Enter" {
                return;
            }
            let input: HtmlInputElement = e.target_unchecked_into();
            let text = input.value();
            if !text.is_empty() && Matcher::new(&text).is_some() {
                dispatcher.dispatch(Action::Search(String::new()));
                input.set_value("");
                set_query.update(|q| q.report.filters.focus = text);
            }
        })
    }

    /// "Open…": a new session.
    pub fn on_file_input(&self) -> Callback<Event> {
        let loader = self.loader();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            loader.files(file_list(input.files()), Target::New);
            input.set_value("");
        })
    }

    /// "Compare with…": the files join the session, the first as the base.
    pub fn on_compare_input(&self) -> Callback<Event> {
        let m = &self.model;
        let target = m.loaded.as_ref().map(|l| Target::Add {
            client: l.client.clone(),
            first_id: m.next_file,
            taken: l.profiles.iter().map(|p| p.file_name.clone()).collect(),
        });
        let generation = m.loaded.as_ref().map_or(m.next_generation, |l| l.generation);
        let loader = Loader { dispatcher: m.dispatcher(), generation, shown: Some(generation) };
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            if let Some(target) = target.clone() {
                loader.files(file_list(input.files()), target);
            }
            input.set_value("");
        })
    }

    /// "Add binaries…": they symbolize the profile shown.
    pub fn on_binaries_input(&self) -> Callback<Event> {
        let loader = self.loader();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            loader.binaries(file_list(input.files()));
            input.set_value("");
        })
    }

    /// "Download symbolized profile".
    pub fn on_download_symbolized(&self) -> Callback<MouseEvent> {
        let symbolization = self.model.shown_symbolization();
        Callback::from(move |_: MouseEvent| {
            if let Some(s) = &symbolization {
                super::symbolize::download(s);
            }
        })
    }

    /// A drop: profiles, or on the Source view, source files.
    pub fn on_drop(&self) -> Callback<DragEvent> {
        let (loader, dispatcher, sources) =
            (self.loader(), self.model.dispatcher(), self.model.sources.clone());
        let in_source = self.model.query.view == View::Source && self.model.loaded.is_some();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            let Some(files) = e.data_transfer().and_then(|d| d.files()) else { return };
            if in_source {
                read_sources(dispatcher.clone(), files, sources.clone());
            } else {
                loader.files(file_list(Some(files)), Target::New);
            }
        })
    }

    /// Source files picked in the Source view.
    pub fn on_source_files(&self) -> Callback<web_sys::FileList> {
        let (dispatcher, sources) = (self.model.dispatcher(), self.model.sources.clone());
        Callback::from(move |files| read_sources(dispatcher.clone(), files, sources.clone()))
    }

    /// "Try a sample".
    pub fn on_sample(&self) -> Callback<()> {
        let loader = self.loader();
        Callback::from(move |_| loader.named_url(sample_url(), SAMPLE_NAME.into()))
    }

    /// Sends `action` to the model.
    pub fn dispatch(&self, action: impl Fn() -> Action + 'static) -> Callback<()> {
        let dispatcher = self.model.dispatcher();
        Callback::from(move |_| dispatcher.dispatch(action()))
    }

    /// A change to the state, from a control's value.
    pub fn set<T: 'static>(&self, change: impl Fn(&mut crate::query::Query, T) + 'static) -> Callback<T> {
        let set_query = self.set_query.clone();
        Callback::from(move |value: T| set_query.update(|q| change(q, value)))
    }

    /// The table's order.
    pub fn on_sort(&self) -> Callback<SortKey> {
        self.set(|q, key| q.report.sort = key)
    }

    /// The granularity menu.
    pub fn on_granularity(&self) -> Callback<Event> {
        // Functions is every report's default but the flame graph's: the
        // menu's "functions" asks for no granularity, as pprof's does.
        let set = self
            .set(|q, g: Granularity| q.report.granularity = Some(g).filter(|&g| g != Granularity::Functions));
        Callback::from(move |e: Event| {
            if let Some(g) =
                e.target_dyn_into::<web_sys::HtmlSelectElement>().and_then(|s| Granularity::parse(&s.value()))
            {
                set.emit(g);
            }
        })
    }

    /// The profiles panel. The choices start from what the state asks for
    /// (shown in the panel while the worker compares), else from what is
    /// shown.
    pub fn on_choose(&self) -> Callback<ProfileChoice> {
        let Some(loaded) = self.model.loaded.clone() else { return Callback::noop() };
        let setup = super::compare::resolve(&self.model.query, &loaded.profiles).unwrap_or(loaded.setup);
        let profiles = loaded.profiles.clone();
        let set_query = self.set_query.clone();
        Callback::from(move |choice: ProfileChoice| {
            let name = |id: u32| profiles.iter().find(|p| p.id == id).map(|p| p.file_name.clone());
            set_query.update(|q| {
                let c = &mut q.compare;
                c.source = name(setup.source).unwrap_or_default();
                c.base = setup.base.and_then(name).unwrap_or_default();
                match choice {
                    ProfileChoice::Source(id) => {
                        c.source = name(id).unwrap_or_default();
                        if c.base == c.source {
                            c.base.clear();
                        }
                    }
                    ProfileChoice::Base(id) => c.base = id.and_then(name).unwrap_or_default(),
                    ProfileChoice::Subtract(on) => {
                        c.mode = if on { BaseMode::Subtract } else { BaseMode::Diff }
                    }
                    ProfileChoice::Normalize(on) => c.normalize = on,
                }
            })
        })
    }

    /// A leak suspect opens in another view: the newest snapshot compared
    /// with the oldest, in-use bytes, focused on the allocating function,
    /// with its chain selected.
    pub fn on_leak(&self) -> Callback<LeakLink> {
        let (set_query, dispatcher) = (self.set_query.clone(), self.model.dispatcher());
        Callback::from(move |link: LeakLink| {
            let focus = format!("^{}$", escape(&link.function));
            let chain = exact_names(link.chain.iter().map(String::as_str));
            dispatcher.dispatch(Action::Select(Rc::new(link.chain.iter().cloned().collect())));
            set_query.update(|q| {
                q.view = link.view;
                q.compare.source = link.newest.clone();
                q.compare.base = link.oldest.clone();
                q.compare.mode = BaseMode::Diff;
                q.report.sample = "inuse_space".into();
                q.report.filters.focus = focus;
                q.selection = chain;
                q.pivot.clear();
            })
        })
    }

    /// A saved config: its fragment becomes the state.
    pub fn on_config(&self) -> Callback<String> {
        self.set(|q, saved: String| *q = fragment::parse(&saved))
    }

    /// "Copy link": the profile and the view in one URL, or why not.
    pub fn on_share(&self) -> Callback<MouseEvent> {
        let note = self.share_note.clone();
        let generation = self.model.loaded.as_ref().map(|l| l.generation);
        let query = &self.model.query;
        let fragment = fragment::write(query);
        let comparing = !query.compare.base.is_empty();
        Callback::from(move |_: MouseEvent| {
            let link = match generation {
                _ if comparing => {
                    Err("a link carries one profile, not a comparison; choose no base, or share the files"
                        .into())
                }
                Some(g) => super::share::link_for(g, &fragment),
                None => Err("load a profile first".to_string()),
            };
            if let (Ok(url), Some(window)) = (&link, web_sys::window()) {
                // May be refused (no permission, no focus); the link is shown anyway.
                let _ = window.navigator().clipboard().write_text(url);
            }
            note.set(Some(link));
        })
    }
}
