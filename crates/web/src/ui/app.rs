//! The analyzer page: loading, the URL-fragment state, and the views.

mod compare;
mod loading;
mod model;

use std::collections::BTreeSet;
use std::rc::Rc;

use wasm_bindgen::JsCast;
use web_sys::{DragEvent, HtmlInputElement, KeyboardEvent};
use yew::prelude::*;

use crate::components::banner::ErrorBanner;
use crate::components::configs::ConfigMenu;
use crate::components::flame_view::{FlameAction, FlameView};
use crate::components::graph_view::GraphView;
use crate::components::landing::Landing;
use crate::components::leaks_view::{LeakLink, LeaksView};
use crate::components::legend::Legend;
use crate::components::peek_view::PeekView;
use crate::components::profiles::{ProfileChoice, ProfilesPanel};
use crate::components::progress::ProgressBar;
use crate::components::sample_menu::SampleMenu;
use crate::components::shortcuts::ShortcutsPanel;
use crate::components::source_view::SourceView;
use crate::components::top_table::TopTable;
use crate::embed::{EmbedCommand, EmbedEvent, EmbedRef};
use crate::js_regex::{escape, exact_names, Matcher};
use crate::keyboard::{use_shortcuts, Shortcut};
use crate::protocol::{Request, Stage, ViewData, ViewRequest};
use crate::state::{SortKey, View, ViewState};
use crate::theme::{self, Theme};
use loading::{
    current_fragment, embedded_profile, fragment_href, load_bytes, load_files, load_named_url, load_url,
    push_fragment, read_sources, replace_fragment, sample_url, tz_offset_seconds, url_parameter, Target,
    SAMPLE_NAME,
};
use model::{Action, Model};

/// Milliseconds the search box waits after typing (pprof's web UI: 300).
const SEARCH_DEBOUNCE_MS: i32 = 300;

/// The request a view makes for the current state.
fn view_request(state: &ViewState, search: &str) -> ViewRequest {
    let chosen = if !state.sel.is_empty() { state.sel.clone() } else { search.to_string() };
    match state.view {
        View::Top => ViewRequest::Top,
        View::Graph => ViewRequest::Graph,
        View::Flame => ViewRequest::Flame { pivot: state.p.clone() },
        View::Peek => ViewRequest::Peek { regex: if chosen.is_empty() { ".".into() } else { chosen } },
        View::Source => ViewRequest::Source { regex: chosen },
        View::Leaks => ViewRequest::Leaks,
    }
}

/// The files of a file list.
fn file_list(files: Option<web_sys::FileList>) -> Vec<web_sys::File> {
    files.map(|f| (0..f.length()).filter_map(|i| f.get(i)).collect()).unwrap_or_default()
}

/// The refine actions of pprof's Refine menu.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Refine {
    Focus,
    Ignore,
    Hide,
    Show,
    ShowFrom,
    Reset,
}

impl Refine {
    const ALL: [Refine; 6] =
        [Refine::Focus, Refine::Ignore, Refine::Hide, Refine::Show, Refine::ShowFrom, Refine::Reset];

    fn label(self) -> &'static str {
        match self {
            Refine::Focus => "Focus",
            Refine::Ignore => "Ignore",
            Refine::Hide => "Hide",
            Refine::Show => "Show",
            Refine::ShowFrom => "Show from",
            Refine::Reset => "Reset",
        }
    }

    /// Applies the action with `regex` to the state, as pprof does: focus,
    /// show and show from replace; ignore and hide add an alternative.
    fn apply(self, state: &mut ViewState, regex: &str) {
        let or_append = |old: &str| if old.is_empty() { regex.to_string() } else { format!("{old}|{regex}") };
        match self {
            Refine::Focus => state.f = regex.to_string(),
            Refine::Ignore => state.i = or_append(&state.i),
            Refine::Hide => state.h = or_append(&state.h),
            Refine::Show => state.s = regex.to_string(),
            Refine::ShowFrom => state.sf = regex.to_string(),
            Refine::Reset => {
                (state.f, state.i, state.h, state.s, state.sf, state.p, state.sel) = Default::default();
            }
        }
    }
}

/// The analyzer page.
#[function_component(App)]
pub fn app() -> Html {
    // Embedded in another page (see crate::embed), the state stays inside;
    // on its own page, it lives in the URL fragment.
    let embed = use_context::<EmbedRef>().map(|e| e.0);
    let model = {
        let initial = embed.as_ref().map(|e| e.initial.clone());
        use_reducer(move || Model {
            state: initial.unwrap_or_else(|| ViewState::from_fragment(&current_fragment())),
            ..Model::default()
        })
    };
    let dispatcher = model.dispatcher();

    // Back/forward and edited URLs: the fragment is the source of truth.
    {
        let dispatcher = dispatcher.clone();
        let standalone = embed.is_none();
        use_effect_with((), move |_| {
            let standalone_listener = standalone;
            let listener = wasm_bindgen::closure::Closure::<dyn FnMut()>::new(move || {
                if standalone_listener {
                    dispatcher.dispatch(Action::SetState(ViewState::from_fragment(&current_fragment())));
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

    // A worker warms up while the page waits for a profile, and again once
    // a profile has loaded, ready for the next.
    {
        let generation = model.loaded.as_ref().map(|l| l.generation);
        use_effect_with(generation, |_| crate::client::warm_spare());
    }

    // ?url= loads a profile at start.
    {
        let dispatcher = dispatcher.clone();
        let generation = model.next_generation;
        let embed = embed.clone();
        use_effect_with((), move |_| {
            if let Some(embed) = embed {
                if let Some((name, bytes)) = &embed.bytes {
                    load_bytes(dispatcher, generation, name.clone(), bytes);
                } else if let Some(src) = &embed.src {
                    load_url(dispatcher, generation, src.clone());
                }
            } else if let Some(url) = url_parameter() {
                load_url(dispatcher, generation, url);
            } else if let Some((name, bytes)) = crate::share::profile_in_fragment(&current_fragment()) {
                load_bytes(dispatcher, generation, name, &bytes);
            } else if let Some((url, name)) = embedded_profile() {
                load_named_url(dispatcher, generation, url, name);
            }
        });
    }

    // Ask for the view's data whenever the profile, the query or the view changes.
    {
        let dispatcher = dispatcher.clone();
        let loaded = model.loaded.clone();
        let next_id = model.next_id;
        let generation = loaded.as_ref().map(|l| l.generation);
        let query = loaded.as_ref().map(|l| model.state.query(tz_offset_seconds(l.summary.time_nanos)));
        let view = view_request(&model.state, &model.search);
        let needs_search =
            matches!(model.state.view, View::Peek | View::Source) && model.state.sel.is_empty();
        let search_dep = if needs_search { model.search.clone() } else { String::new() };
        let setup = loaded.as_ref().map(|l| l.setup);
        let comparing = model.comparing.is_some();
        use_effect_with(
            (generation, setup, comparing, query, view, search_dep),
            move |(_, _, comparing, query, view, _)| {
                if *comparing {
                    return; // The answer to the comparison brings a new request.
                }
                if let (Some(loaded), Some(query)) = (loaded, query) {
                    loaded.client.send(&Request::Report {
                        id: next_id,
                        query: query.clone(),
                        view: view.clone(),
                    });
                    dispatcher.dispatch(Action::Requested(next_id));
                }
            },
        );
    }

    // The comparison the fragment asks for: when it names loaded profiles
    // and differs from what the worker shows, ask the worker for it.
    {
        let dispatcher = dispatcher.clone();
        let loaded = model.loaded.clone();
        let wanted = loaded.as_ref().and_then(|l| compare::resolve(&model.state, &l.profiles));
        let applied = loaded.as_ref().map(|l| l.setup);
        let comparing = model.comparing.is_some();
        let next_id = model.next_id;
        use_effect_with((wanted, applied, comparing), move |&(wanted, applied, comparing)| {
            if let (Some(loaded), Some(wanted)) = (loaded, wanted) {
                if !comparing && Some(wanted) != applied {
                    loaded.client.send(&Request::Compare { id: next_id, setup: wanted });
                    dispatcher.dispatch(Action::Comparing(next_id, wanted));
                }
            }
        });
    }

    // The fragment follows what the worker shows: the profiles' names once
    // a session loads, and the previous comparison when one is refused.
    {
        let loaded = model.loaded.clone();
        let generation = loaded.as_ref().map(|l| l.generation);
        let applied = loaded.as_ref().map(|l| l.setup);
        let compared = model.compared;
        let state = model.state.clone();
        let dispatcher = dispatcher.clone();
        let embedded = embed.is_some();
        use_effect_with((generation, applied, compared), move |_| {
            let Some(loaded) = loaded else { return };
            let mut next = state.clone();
            (next.src, next.base) = compare::fragment_names(&loaded.setup, &loaded.profiles);
            if loaded.setup.base.is_some() {
                next.subtract = loaded.setup.mode == crate::protocol::BaseMode::Subtract;
                next.normalize = loaded.setup.normalize;
            }
            if embedded {
                // Embedded, the host page's URL is not ours.
                if next != state {
                    dispatcher.dispatch(Action::SetState(next));
                }
            } else {
                replace_fragment(&next);
            }
        });
    }

    let set_state = {
        let state = model.state.clone();
        let dispatcher = dispatcher.clone();
        let embedded = embed.is_some();
        Rc::new(move |change: &dyn Fn(&mut ViewState)| {
            let mut next = state.clone();
            change(&mut next);
            if embedded {
                dispatcher.dispatch(Action::SetState(next));
            } else {
                push_fragment(&next);
            }
        })
    };

    // The host's commands, and what the host hears.
    if let Some(embed) = &embed {
        let set_state = set_state.clone();
        let dispatcher = dispatcher.clone();
        let generation = model.next_generation;
        *embed.commands.borrow_mut() = Some(Callback::from(move |command: EmbedCommand| match command {
            EmbedCommand::SetView(name) => {
                if let Some(&view) = View::ALL.iter().find(|v| v.name() == name) {
                    set_state(&|s| s.view = view);
                }
            }
            EmbedCommand::SetSample(si) => set_state(&|s| s.si = si.clone()),
            EmbedCommand::LoadUrl(url) => load_url(dispatcher.clone(), generation, url),
            EmbedCommand::LoadBytes(name, bytes) => load_bytes(dispatcher.clone(), generation, name, &bytes),
        }));
        let queued: Vec<EmbedCommand> = embed.queued.borrow_mut().drain(..).collect();
        for command in queued {
            embed.send(command);
        }
    }
    {
        let embed = embed.clone();
        let loaded = model.loaded.as_ref().map(|l| {
            (
                l.generation,
                l.summary.file_name.clone(),
                l.summary.sample_types.iter().map(|t| t.name.clone()).collect::<Vec<_>>(),
            )
        });
        use_effect_with(loaded, move |loaded| {
            if let (Some(embed), Some((_, file, types))) = (embed, loaded) {
                embed.report(EmbedEvent::Loaded { file: file.clone(), sample_types: types.clone() });
            }
        });
    }
    {
        let embed = embed.clone();
        use_effect_with(model.error.clone(), move |error| {
            if let (Some(embed), Some(message)) = (embed, error) {
                embed.report(EmbedEvent::Error(message.clone()));
            }
        });
    }
    {
        let embed = embed.clone();
        use_effect_with(model.selected.clone(), move |selected| {
            if let Some(embed) = embed {
                if !selected.is_empty() {
                    embed.report(EmbedEvent::Selected(selected.iter().cloned().collect()));
                }
            }
        });
    }
    let on_sort = {
        let set_state = set_state.clone();
        Callback::from(move |key: SortKey| set_state(&|s| s.sort = key))
    };
    let on_sample_type = {
        let set_state = set_state.clone();
        Callback::from(move |si: String| set_state(&|s| s.si = si.clone()))
    };
    let on_granularity = {
        let set_state = set_state.clone();
        Callback::from(move |e: Event| {
            if let Some(select) = e.target_dyn_into::<web_sys::HtmlSelectElement>() {
                let g = select.value();
                set_state(&|s| s.g = if g == "functions" { String::new() } else { g.clone() });
            }
        })
    };
    // Selecting: the set is kept for highlighting, its regexp goes in the URL.
    let on_select = {
        let dispatcher = dispatcher.clone();
        let selected = model.selected.clone();
        let set_state = set_state.clone();
        Callback::from(move |(name, add): (String, bool)| {
            let mut next: BTreeSet<String> = if add { (*selected).clone() } else { BTreeSet::new() };
            if add && next.contains(&name) {
                next.remove(&name);
            } else {
                next.insert(name);
            }
            let regex = exact_names(next.iter().map(String::as_str));
            dispatcher.dispatch(Action::Select(Rc::new(next)));
            set_state(&|s| s.sel = regex.clone());
        })
    };
    // The regexp refine actions use: the selection, else the search text.
    let refine_regex =
        if !model.state.sel.is_empty() { model.state.sel.clone() } else { model.search.clone() };
    let refine = {
        let set_state = set_state.clone();
        let regex = refine_regex.clone();
        move |action: Refine| {
            let set_state = set_state.clone();
            let regex = regex.clone();
            Callback::from(move |_: MouseEvent| {
                if action == Refine::Reset || !regex.is_empty() {
                    set_state(&|s| action.apply(s, &regex));
                }
            })
        }
    };
    let on_flame_action = {
        let set_state = set_state.clone();
        Callback::from(move |(action, name): (FlameAction, String)| {
            let exact = format!("^{}$", escape(&name));
            set_state(&|s| match action {
                FlameAction::Focus => Refine::Focus.apply(s, &exact),
                FlameAction::Ignore => Refine::Ignore.apply(s, &exact),
                FlameAction::Hide => Refine::Hide.apply(s, &exact),
                FlameAction::ShowFrom => Refine::ShowFrom.apply(s, &exact),
                FlameAction::Pivot => s.p = exact.clone(),
                FlameAction::Peek => {
                    s.sel = exact.clone();
                    s.view = View::Peek;
                }
                FlameAction::Source => {
                    s.sel = exact.clone();
                    s.view = View::Source;
                }
            })
        })
    };
    // The search box: debounced; Enter focuses on it.
    let search_timer = use_mut_ref(|| None::<i32>);
    let on_search_input = {
        let dispatcher = dispatcher.clone();
        let search_timer = search_timer.clone();
        Callback::from(move |e: InputEvent| {
            let input: HtmlInputElement = e.target_unchecked_into();
            let text = input.value();
            let Some(window) = web_sys::window() else { return };
            if let Some(t) = search_timer.borrow_mut().take() {
                window.clear_timeout_with_handle(t);
            }
            let dispatcher = dispatcher.clone();
            let fire = wasm_bindgen::closure::Closure::once_into_js(move || {
                dispatcher.dispatch(Action::Search(text))
            });
            let handle = window
                .set_timeout_with_callback_and_timeout_and_arguments_0(
                    fire.unchecked_ref(),
                    SEARCH_DEBOUNCE_MS,
                )
                .ok();
            *search_timer.borrow_mut() = handle;
        })
    };
    let on_search_key = {
        let set_state = set_state.clone();
        let dispatcher = dispatcher.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" {
                let input: HtmlInputElement = e.target_unchecked_into();
                let text = input.value();
                if !text.is_empty() && Matcher::new(&text).is_some() {
                    dispatcher.dispatch(Action::Search(String::new()));
                    input.set_value("");
                    set_state(&|s| s.f = text.clone());
                }
            }
        })
    };
    let generation = model.next_generation;
    let on_file_input = {
        let dispatcher = dispatcher.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            load_files(dispatcher.clone(), generation, file_list(input.files()), Target::New);
            input.set_value("");
        })
    };
    // "Compare with…": the files join the session, the first as the base.
    let add_target = model.loaded.as_ref().map(|l| Target::Add {
        client: l.client.clone(),
        first_id: model.next_file,
        taken: l.profiles.iter().map(|p| p.file_name.clone()).collect(),
    });
    let on_compare_input = {
        let dispatcher = dispatcher.clone();
        let target = add_target.clone();
        let generation = model.loaded.as_ref().map_or(generation, |l| l.generation);
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            if let Some(target) = target.clone() {
                load_files(dispatcher.clone(), generation, file_list(input.files()), target);
            }
            input.set_value("");
        })
    };
    let on_drop = {
        let dispatcher = dispatcher.clone();
        let in_source = model.state.view == View::Source && model.loaded.is_some();
        let sources = model.sources.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            let Some(files) = e.data_transfer().and_then(|d| d.files()) else { return };
            // On the Source view, dropped files are source code.
            if in_source {
                read_sources(dispatcher.clone(), files, sources.clone());
            } else {
                load_files(dispatcher.clone(), generation, file_list(Some(files)), Target::New);
            }
        })
    };
    let on_source_files = {
        let dispatcher = dispatcher.clone();
        let sources = model.sources.clone();
        Callback::from(move |files: web_sys::FileList| {
            read_sources(dispatcher.clone(), files, sources.clone())
        })
    };
    let on_drag_over = Callback::from(|e: DragEvent| e.prevent_default());
    let on_sample = {
        let dispatcher = dispatcher.clone();
        Callback::from(move |_| {
            load_named_url(dispatcher.clone(), generation, sample_url(), SAMPLE_NAME.into())
        })
    };
    let on_cancel = {
        let dispatcher = dispatcher.clone();
        Callback::from(move |_| dispatcher.dispatch(Action::Cancel))
    };
    let on_dismiss = {
        let dispatcher = dispatcher.clone();
        Callback::from(move |_| dispatcher.dispatch(Action::Dismiss))
    };

    // Theme: the stored choice, applied to the root element.
    let theme = use_state(theme::stored);
    {
        let host = embed.as_ref().and_then(|e| e.host.clone());
        use_effect_with(*theme, move |t| theme::apply(*t, host.as_ref()));
    }
    let on_theme = {
        let theme = theme.clone();
        Callback::from(move |_: MouseEvent| theme.set(theme.next()))
    };

    // Keyboard shortcuts and their help panel.
    let help = use_state(|| false);
    let on_close_help = {
        let help = help.clone();
        Callback::from(move |()| help.set(false))
    };
    {
        let help = help.clone();
        let set_state = set_state.clone();
        let rows = model.rows.clone();
        let selected = model.selected.clone();
        let on_select = on_select.clone();
        let state = model.state.clone();
        let regex = refine_regex.clone();
        let root = embed.as_ref().and_then(|e| e.root.clone());
        let target = embed.as_ref().and_then(|e| e.host.clone());
        use_shortcuts(
            target,
            Callback::from(move |shortcut: Shortcut| match shortcut {
                Shortcut::FocusSearch => focus_element(root.as_ref(), "[data-testid=search]"),
                Shortcut::View(i) => {
                    if let Some(&view) = View::ALL.get(i) {
                        set_state(&|s| s.view = view);
                    }
                }
                Shortcut::Move(step) if state.view == View::Top => {
                    let order = crate::components::top_table::ordered(&rows, state.sort);
                    let current = order.iter().position(|&r| selected.contains(&rows[r].name));
                    let next = match current {
                        Some(at) => (at as i64 + i64::from(step)).clamp(0, order.len() as i64 - 1) as usize,
                        None => 0,
                    };
                    if let Some(&row) = order.get(next) {
                        on_select.emit((rows[row].name.clone(), false));
                        scroll_row_into_view(root.as_ref(), next);
                    }
                }
                Shortcut::Move(_) => {}
                Shortcut::ApplyFocus => {
                    if !regex.is_empty() {
                        set_state(&|s| Refine::Focus.apply(s, &regex));
                    }
                }
                Shortcut::Escape => {
                    if *help {
                        help.set(false);
                    } else if !close_open_menus(root.as_ref()) {
                        set_state(&|s| Refine::Reset.apply(s, ""));
                    }
                }
                Shortcut::Help => help.set(!*help),
            }),
        );
    }

    // Named configs: the state without the selection.
    let config_fragment = {
        let mut s = model.state.clone();
        s.sel.clear();
        s.to_fragment()
    };
    let on_config = {
        let set_state = set_state.clone();
        Callback::from(move |fragment: String| {
            let saved = ViewState::from_fragment(&fragment);
            set_state(&|s| *s = saved.clone())
        })
    };

    // Copy link: the profile and the view in one URL, or why not.
    let share_note = use_state(|| None::<Result<String, String>>);
    let on_share = {
        let share_note = share_note.clone();
        let generation = model.loaded.as_ref().map(|l| l.generation);
        let fragment = model.state.to_fragment();
        let comparing = !model.state.base.is_empty();
        Callback::from(move |_: MouseEvent| {
            let link = match generation {
                _ if comparing => Err("a link carries one profile, not a comparison; choose no base, \
                                       or share the files"
                    .to_string()),
                Some(g) => crate::share::link_for(g, &fragment),
                None => Err("load a profile first".to_string()),
            };
            if let (Ok(url), Some(window)) = (&link, web_sys::window()) {
                // May be refused (no permission, no focus); the link is shown anyway.
                let _ = window.navigator().clipboard().write_text(url);
            }
            share_note.set(Some(link));
        })
    };
    let on_share_close = {
        let share_note = share_note.clone();
        Callback::from(move |_: MouseEvent| share_note.set(None))
    };

    let state = &model.state;
    let selected_type = model.loaded.as_ref().map(|l| {
        let types = &l.summary.sample_types;
        types
            .iter()
            .position(|t| t.name == state.si)
            .or_else(|| state.si.parse::<usize>().ok().filter(|&i| i < types.len()))
            .unwrap_or(l.summary.default_index)
    });
    let granularity = if state.g.is_empty() { "functions" } else { state.g.as_str() };
    let search = Matcher::new(&model.search);
    let profiles = model.loaded.as_ref().map(|l| l.profiles.clone()).unwrap_or_default();
    let leaks_available = compare::heap_profiles(&profiles) >= 2;
    let view_tabs = View::ALL.iter().filter(|&&v| v != View::Leaks || leaks_available).map(|&v| {
        let mut target = state.clone();
        target.view = v;
        let active = v == state.view;
        let onclick = {
            let set_state = set_state.clone();
            let embedded = embed.is_some();
            Callback::from(move |e: MouseEvent| {
                // Embedded, the host page's URL is not ours to change.
                if embedded {
                    e.prevent_default();
                    set_state(&|s| s.view = v);
                }
            })
        };
        html! {
            <a class={classes!("view", active.then_some("active"))} href={fragment_href(&target)} {onclick}
               aria-current={if active { "page" } else { "false" }} data-view={v.name()}>{ v.label() }</a>
        }
    });
    let legend_lines =
        |lines: &[String]| lines.iter().map(|l| AttrValue::from(l.clone())).collect::<Vec<_>>();
    let setup = model.loaded.as_ref().map(|l| l.setup);
    let comparison = setup.and_then(|s| compare::describe(&s, &profiles)).map(AttrValue::from);
    let diff = comparison.is_some();
    let on_choose = {
        let set_state = set_state.clone();
        let profiles = profiles.clone();
        // The choices start from what the fragment asks for (shown in the
        // panel while the worker compares), else from what is shown.
        let setup = compare::resolve(state, &profiles).or(setup).unwrap_or_default();
        Callback::from(move |choice: ProfileChoice| {
            let name = |id: u32| profiles.iter().find(|p| p.id == id).map(|p| p.file_name.clone());
            let source = name(setup.source).unwrap_or_default();
            let base = setup.base.and_then(name).unwrap_or_default();
            set_state(&|s| {
                (s.src, s.base) = (source.clone(), base.clone());
                match choice {
                    ProfileChoice::Source(id) => {
                        s.src = name(id).unwrap_or_default();
                        if s.base == s.src {
                            s.base.clear();
                        }
                    }
                    ProfileChoice::Base(id) => s.base = id.and_then(name).unwrap_or_default(),
                    ProfileChoice::Subtract(on) => s.subtract = on,
                    ProfileChoice::Normalize(on) => s.normalize = on,
                }
            })
        })
    };
    // A leak suspect opens in another view: the newest snapshot compared
    // with the oldest, in-use bytes, focused on the allocating function,
    // with its chain selected.
    let on_leak = {
        let set_state = set_state.clone();
        let dispatcher = dispatcher.clone();
        Callback::from(move |link: LeakLink| {
            let focus = format!("^{}$", escape(&link.function));
            let chain = exact_names(link.chain.iter().map(String::as_str));
            dispatcher.dispatch(Action::Select(Rc::new(link.chain.iter().cloned().collect())));
            set_state(&|s| {
                s.view = link.view;
                s.src = link.newest.clone();
                s.base = link.oldest.clone();
                s.subtract = false;
                s.si = "inuse_space".into();
                s.f = focus.clone();
                s.sel = chain.clone();
                s.p.clear();
            })
        })
    };
    let on_palette = {
        let set_state = set_state.clone();
        Callback::from(move |on: bool| set_state(&|s| s.colorblind = on))
    };
    let body = match (&model.loaded, model.data.as_deref()) {
        (Some(_), Some(ViewData::Top(t))) if state.view == View::Top => html! {
            <main class="view-top">
                <Legend lines={legend_lines(&t.legend)} compare={comparison.clone()} />
                <TopTable rows={model.rows.clone()} sort={state.sort} {on_sort} {diff}
                          selected={model.selected.clone()} on_select={on_select.clone()} />
            </main>
        },
        (Some(_), Some(ViewData::Graph(g))) if state.view == View::Graph => html! {
            <main class="view-top">
                <Legend lines={legend_lines(&g.legend)} compare={comparison.clone()} />
                <GraphView data={Rc::new(g.clone())} selected={model.selected.clone()} search={search.clone()}
                           on_select={on_select.clone()} />
            </main>
        },
        (Some(_), Some(ViewData::Flame(f))) if state.view == View::Flame => html! {
            <main class="view-top">
                <Legend lines={legend_lines(&f.legend)} compare={comparison.clone()} />
                <FlameView data={Rc::new(f.clone())} search={search.clone()} selected={model.selected.clone()}
                           on_select={on_select.clone()} on_action={on_flame_action}
                           pivot={AttrValue::from(state.p.clone())} colorblind={state.colorblind} {on_palette} />
            </main>
        },
        (Some(_), Some(ViewData::Peek(p))) if state.view == View::Peek => html! {
            <main class="view-top">
                <Legend lines={legend_lines(&p.legend)} compare={comparison.clone()} />
                <PeekView data={Rc::new(p.clone())} on_select={on_select.clone()} />
            </main>
        },
        (Some(_), Some(ViewData::Source(s))) if state.view == View::Source => html! {
            <main class="view-top">
                if comparison.is_some() {
                    <Legend lines={Vec::new()} compare={comparison.clone()} />
                }
                <SourceView data={Rc::new(s.clone())} texts={model.sources.clone()} on_files={on_source_files} />
            </main>
        },
        (Some(_), Some(ViewData::Leaks(l))) if state.view == View::Leaks => html! {
            <main class="view-top">
                <LeaksView data={Rc::new(l.clone())} on_open={on_leak} />
            </main>
        },
        (Some(_), _) if state.view == View::Leaks && !leaks_available => html! {
            <p class="empty-note" data-testid="leaks-hint">
                { "Leaks compares two or more heap profiles: drop several heap snapshots together, or add one with “Compare with…”." }
            </p>
        },
        (Some(_), _)
            if model.awaited.is_none()
                && state.view == View::Source
                && state.sel.is_empty()
                && model.search.is_empty() =>
        {
            html! {
                <p class="empty-note" data-testid="source-hint">
                    { "Select functions (click them in Top, Graph or Flame Graph) or type a regexp in Search to see their source lines." }
                </p>
            }
        }
        (Some(_), _) => html! {
            <div class="progress" data-testid="aggregating" data-stage="Aggregating">{ Stage::Aggregate.label() }{ " …" }</div>
        },
        (None, _) if model.loading.is_none() => {
            let missing = compare::missing(state, &[]);
            html! {
                <>
                    if !missing.is_empty() {
                        <p class="restore-hint" data-testid="restore-hint">
                            { format!("Drop {} again to restore this comparison.", missing.join(" and ")) }
                        </p>
                    }
                    <Landing {on_sample} />
                </>
            }
        }
        _ => html! {},
    };

    html! {
        <div class={classes!("app", embed.is_some().then_some("embedded"))} ondrop={on_drop} ondragover={on_drag_over}
             data-testid="dropzone">
            <header class="bar">
                <span class="brand">{ "proflens" }</span>
                if let Some(l) = &model.loaded {
                    <span class="file" title={l.summary.file_name.clone()}>{ &l.summary.file_name }</span>
                }
                <label class="button" for="file-input">{ "Open…" }</label>
                <input id="file-input" type="file" class="visually-hidden" data-testid="file-input" multiple=true
                       onchange={on_file_input} />
                if model.loaded.is_some() {
                    <label class="button" for="compare-input" data-testid="compare-with"
                           title="Add profiles to compare with: the first becomes the base">{ "Compare with…" }</label>
                    <input id="compare-input" type="file" class="visually-hidden" data-testid="compare-input"
                           multiple=true onchange={on_compare_input} />
                }
                if let (Some(l), Some(selected)) = (&model.loaded, selected_type) {
                    <SampleMenu types={l.summary.sample_types.clone()} {selected} on_select={on_sample_type} />
                    <label class="control">
                        <span class="control-label">{ "Granularity" }</span>
                        <select data-testid="granularity" aria-label="Granularity" onchange={on_granularity}>
                            { for ["functions", "filefunctions", "files", "lines", "addresses"].iter().map(|g| html! {
                                <option value={*g} selected={*g == granularity}>{ *g }</option>
                            }) }
                        </select>
                    </label>
                    <input type="search" class="search" placeholder="Search (regexp)" aria-label="Search"
                           data-testid="search" oninput={on_search_input} onkeydown={on_search_key} />
                    <details class="refine" data-testid="refine">
                        <summary class="button">{ "Refine" }</summary>
                        <div class="refine-menu" role="menu">
                            { for Refine::ALL.iter().map(|&r| html! {
                                <button class="button" role="menuitem" data-refine={r.label()}
                                        disabled={r != Refine::Reset && refine_regex.is_empty()}
                                        onclick={refine(r)}>{ r.label() }</button>
                            }) }
                            if refine_regex.is_empty() {
                                <p class="hint">{ "Select functions or search to refine." }</p>
                            }
                        </div>
                    </details>
                    <ConfigMenu fragment={AttrValue::from(config_fragment)} on_apply={on_config} />
                    if embed.is_none() {
                        <button class="button" onclick={on_share} data-testid="share">{ "Copy link" }</button>
                    }
                    <nav class="views" aria-label="Views">{ for view_tabs }</nav>
                }
                <button class="button icon" onclick={on_theme} data-testid="theme" aria-label={theme.label()}
                        title={theme.label()}>{ if *theme == Theme::Dark { "☾" } else if *theme == Theme::Light { "☀" } else { "◐" } }</button>
                <button class="button icon" onclick={let help = help.clone(); move |_: MouseEvent| help.set(true)}
                        aria-label="Keyboard shortcuts" title="Keyboard shortcuts (?)">{ "?" }</button>
            </header>
            if let Some(note) = &*share_note {
                <div class="banner share" role="status" data-testid="share-note">
                    { match note {
                        Ok(url) => html! {
                            <>
                                <span class="banner-text">{ "Link copied. It carries the profile itself; nothing is uploaded." }</span>
                                <input class="share-link" readonly=true value={url.clone()} data-testid="share-link"
                                       aria-label="The link" />
                            </>
                        },
                        Err(why) => html! { <span class="banner-text" data-testid="share-refused">{ why.clone() }</span> },
                    } }
                    <button class="banner-close" onclick={on_share_close} aria-label="Close">{ "×" }</button>
                </div>
            }
            if *help {
                <ShortcutsPanel on_close={on_close_help} />
            }
            if let Some(message) = &model.error {
                <ErrorBanner message={message.clone()} {on_dismiss} />
            }
            if let (Some(l), true) = (&model.loaded, profiles.len() >= 2) {
                <ProfilesPanel profiles={l.profiles.clone()} {on_choose}
                               setup={compare::resolve(state, &l.profiles).unwrap_or(l.setup)} />
            }
            if let Some(l) = &model.loading {
                <ProgressBar file_name={l.file_name.clone()} stage={l.stage} done={l.done} total={l.total}
                             {on_cancel} />
            }
            { body }
        </div>
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
    use crate::components::top_table::ROW_HEIGHT;
    let scroller = find(root, "[data-testid=top-table]");
    if let Some(el) = scroller {
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
}
