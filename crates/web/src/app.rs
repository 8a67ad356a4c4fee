//! The analyzer page: loading, the URL-fragment state, and the views.

use std::rc::Rc;

use js_sys::ArrayBuffer;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::{DragEvent, HtmlInputElement};
use yew::prelude::*;

use crate::client::WorkerClient;
use crate::components::banner::ErrorBanner;
use crate::components::landing::Landing;
use crate::components::legend::Legend;
use crate::components::progress::ProgressBar;
use crate::components::sample_menu::SampleMenu;
use crate::components::top_table::TopTable;
use crate::protocol::{Request, Response, Stage, Summary, TopRow, TopTable as Table};
use crate::state::{SortKey, ViewState};

/// The largest file the page reads: a wasm32 worker has 4 GiB of memory at
/// most, and needs room for the model beside the bytes.
const PAGE_MAX_FILE: u64 = 1_000_000_000;

/// Where "Try a sample" loads from, relative to the page.
const SAMPLE_URL: &str = "samples/heap2.pb.gz";

/// A profile in the worker that owns it.
#[derive(Clone)]
struct Loaded {
    generation: u32,
    summary: Summary,
    client: Rc<WorkerClient>,
}

/// A profile on its way in.
#[derive(Clone)]
struct Loading {
    generation: u32,
    file_name: String,
    stage: Stage,
    done: u64,
    total: u64,
    client: Option<Rc<WorkerClient>>,
}

/// Everything the page shows.
#[derive(Clone, Default)]
struct Model {
    state: ViewState,
    loaded: Option<Loaded>,
    loading: Option<Loading>,
    /// Whether a report for the loaded profile has arrived.
    has_table: bool,
    /// The table's rows, shared with the table component without copying.
    rows: Rc<Vec<TopRow>>,
    /// The table's legend lines.
    legend: Vec<AttrValue>,
    /// Id of the report request whose answer is awaited.
    awaited: Option<u32>,
    next_id: u32,
    next_generation: u32,
    error: Option<String>,
}

enum Action {
    SetState(ViewState),
    StartRead { generation: u32, file_name: String, total: u64 },
    Spawned { generation: u32, client: Rc<WorkerClient> },
    Worker { generation: u32, response: Response },
    Failed { generation: u32, message: String },
    Cancel,
    Requested(u32),
    Dismiss,
}

impl Reducible for Model {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut m = (*self).clone();
        match action {
            Action::SetState(state) => m.state = state,
            Action::StartRead { generation, file_name, total } => {
                m.next_generation = m.next_generation.max(generation + 1);
                m.loading =
                    Some(Loading { generation, file_name, stage: Stage::Read, done: 0, total, client: None });
            }
            Action::Spawned { generation, client } => match &mut m.loading {
                Some(l) if l.generation == generation => l.client = Some(client),
                _ => {} // Cancelled meanwhile: dropping the client stops it.
            },
            Action::Worker { generation, response } => m.on_worker(generation, response),
            Action::Failed { generation, message } => {
                if m.loading.as_ref().is_some_and(|l| l.generation == generation) {
                    m.loading = None;
                    m.error = Some(message);
                }
            }
            Action::Cancel => m.loading = None,
            Action::Requested(id) => {
                m.awaited = Some(id);
                m.next_id = id + 1;
            }
            Action::Dismiss => m.error = None,
        }
        Rc::new(m)
    }
}

impl Model {
    fn on_worker(&mut self, generation: u32, response: Response) {
        let from_loading = self.loading.as_ref().is_some_and(|l| l.generation == generation);
        let from_loaded = self.loaded.as_ref().is_some_and(|l| l.generation == generation);
        match response {
            Response::Progress { stage, done, total } if from_loading => {
                if let Some(l) = &mut self.loading {
                    (l.stage, l.done, l.total) = (stage, done, total);
                }
            }
            Response::Loaded(summary) if from_loading => {
                let loading = self.loading.take().expect("checked above");
                if let Some(client) = loading.client {
                    // The previous profile's worker is dropped (terminated) here.
                    self.loaded = Some(Loaded { generation, summary, client });
                    self.has_table = false;
                    self.awaited = None;
                    self.error = None;
                    // The first report is still to come.
                    self.loading = None;
                }
            }
            Response::LoadFailed(message) if from_loading => {
                self.loading = None;
                self.error = Some(message);
            }
            Response::LoadFailed(message) if from_loaded => self.error = Some(message),
            Response::Top { id, result } if from_loaded && self.awaited == Some(id) => {
                self.awaited = None;
                match result {
                    Ok(table) => {
                        let Table { legend, rows, .. } = table;
                        self.legend = legend.into_iter().map(AttrValue::from).collect();
                        self.rows = Rc::new(rows);
                        self.has_table = true;
                    }
                    Err(message) => self.error = Some(message),
                }
            }
            _ => {} // A late answer from a worker or request that no longer matters.
        }
    }
}

/// The fragment of the page's URL.
fn current_fragment() -> String {
    web_sys::window().and_then(|w| w.location().hash().ok()).unwrap_or_default()
}

/// Records `state` in the URL: a new history entry, so back/forward work.
fn push_fragment(state: &ViewState) {
    let fragment = format!("#{}", state.to_fragment());
    if current_fragment() != fragment {
        if let Some(w) = web_sys::window() {
            let _ = w.location().set_hash(&fragment);
        }
    }
}

/// The `?url=` parameter of the page, if any.
fn url_parameter() -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    web_sys::UrlSearchParams::new_with_str(&search).ok()?.get("url").filter(|u| !u.is_empty())
}

/// The last path segment of a URL, for display.
fn file_name_of(url: &str) -> String {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    path.rsplit('/').find(|s| !s.is_empty()).unwrap_or(url).to_string()
}

/// Minutes east of UTC at `time_nanos` (or now), for the Time line.
fn tz_offset_seconds(time_nanos: i64) -> i32 {
    let date = if time_nanos != 0 {
        js_sys::Date::new(&((time_nanos / 1_000_000) as f64).into())
    } else {
        js_sys::Date::new_0()
    };
    (-date.get_timezone_offset() * 60.0) as i32
}

/// Starts loading `buffer` (already read) in a new worker.
fn start_worker(
    dispatcher: UseReducerDispatcher<Model>,
    generation: u32,
    file_name: String,
    buffer: ArrayBuffer,
) {
    let respond = dispatcher.clone();
    let client =
        WorkerClient::spawn(move |response| respond.dispatch(Action::Worker { generation, response }));
    match client {
        Ok(client) => {
            let client = Rc::new(client);
            if let Err(message) = client.load(&file_name, buffer) {
                dispatcher.dispatch(Action::Failed { generation, message });
                return;
            }
            dispatcher.dispatch(Action::Spawned { generation, client });
        }
        Err(message) => dispatcher.dispatch(Action::Failed { generation, message }),
    }
}

/// Loads a File from the picker or a drop.
fn load_file(dispatcher: UseReducerDispatcher<Model>, generation: u32, file: web_sys::File) {
    let file_name = file.name();
    let size = file.size() as u64;
    if size > PAGE_MAX_FILE {
        dispatcher.dispatch(Action::StartRead { generation, file_name: file_name.clone(), total: size });
        dispatcher.dispatch(Action::Failed {
            generation,
            message: format!(
                "{file_name} is {:.1} GB, too big to analyse in a browser tab (the limit is {} GB); \
                 use the proflens command instead",
                size as f64 / 1e9,
                PAGE_MAX_FILE / 1_000_000_000
            ),
        });
        return;
    }
    dispatcher.dispatch(Action::StartRead {
        generation,
        file_name: file_name.clone(),
        total: file.size() as u64,
    });
    spawn_local(async move {
        match JsFuture::from(file.array_buffer()).await {
            Ok(buffer) => start_worker(dispatcher, generation, file_name, buffer.unchecked_into()),
            Err(e) => dispatcher.dispatch(Action::Failed {
                generation,
                message: format!("cannot read {file_name}: {}", js_error_text(&e)),
            }),
        }
    });
}

/// Fetches a profile from `url` and loads it.
fn load_url(dispatcher: UseReducerDispatcher<Model>, generation: u32, url: String) {
    let file_name = file_name_of(&url);
    dispatcher.dispatch(Action::StartRead { generation, file_name: file_name.clone(), total: 0 });
    spawn_local(async move {
        let result: Result<ArrayBuffer, String> = async {
            let window = web_sys::window().ok_or("no window")?;
            let response: web_sys::Response = JsFuture::from(window.fetch_with_str(&url))
                .await
                .map_err(|e| {
                    format!(
                        "cannot fetch {url}: {} (is the server up, and does it allow CORS?)",
                        js_error_text(&e)
                    )
                })?
                .unchecked_into();
            if !response.ok() {
                return Err(format!(
                    "fetching {url} failed: HTTP {} {}",
                    response.status(),
                    response.status_text()
                ));
            }
            let buffer = response.array_buffer().map_err(|e| js_error_text(&e))?;
            Ok(JsFuture::from(buffer).await.map_err(|e| js_error_text(&e))?.unchecked_into())
        }
        .await;
        match result {
            Ok(buffer) => start_worker(dispatcher, generation, file_name, buffer),
            Err(message) => dispatcher.dispatch(Action::Failed { generation, message }),
        }
    });
}

fn js_error_text(e: &wasm_bindgen::JsValue) -> String {
    e.dyn_ref::<js_sys::Error>().map(|e| String::from(e.message())).unwrap_or_else(|| format!("{e:?}"))
}

/// The analyzer page.
#[function_component(App)]
pub fn app() -> Html {
    let model =
        use_reducer(|| Model { state: ViewState::from_fragment(&current_fragment()), ..Model::default() });
    let dispatcher = model.dispatcher();

    // Back/forward and edited URLs: the fragment is the source of truth.
    {
        let dispatcher = dispatcher.clone();
        use_effect_with((), move |_| {
            let listener = wasm_bindgen::closure::Closure::<dyn FnMut()>::new(move || {
                dispatcher.dispatch(Action::SetState(ViewState::from_fragment(&current_fragment())));
            });
            let window = web_sys::window().expect("a page has a window");
            let _ = window.add_event_listener_with_callback("hashchange", listener.as_ref().unchecked_ref());
            move || {
                let _ = window
                    .remove_event_listener_with_callback("hashchange", listener.as_ref().unchecked_ref());
            }
        });
    }

    // ?url= loads a profile at start.
    {
        let dispatcher = dispatcher.clone();
        let generation = model.next_generation;
        use_effect_with((), move |_| {
            if let Some(url) = url_parameter() {
                load_url(dispatcher, generation, url);
            }
        });
    }

    // Ask for the report whenever the profile or the query changes.
    {
        let dispatcher = dispatcher.clone();
        let loaded = model.loaded.clone();
        let next_id = model.next_id;
        let generation = loaded.as_ref().map(|l| l.generation);
        let query = loaded.as_ref().map(|l| model.state.query(tz_offset_seconds(l.summary.time_nanos)));
        use_effect_with((generation, query), move |(_, query)| {
            if let (Some(loaded), Some(query)) = (loaded, query) {
                loaded.client.send(&Request::Top { id: next_id, query: query.clone() });
                dispatcher.dispatch(Action::Requested(next_id));
            }
        });
    }

    let set_state = {
        let state = model.state.clone();
        move |change: &dyn Fn(&mut ViewState)| {
            let mut next = state.clone();
            change(&mut next);
            push_fragment(&next);
        }
    };
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
    let generation = model.next_generation;
    let on_file_input = {
        let dispatcher = dispatcher.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            if let Some(file) = input.files().and_then(|f| f.get(0)) {
                load_file(dispatcher.clone(), generation, file);
            }
            input.set_value("");
        })
    };
    let on_drop = {
        let dispatcher = dispatcher.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            if let Some(file) = e.data_transfer().and_then(|d| d.files()).and_then(|f| f.get(0)) {
                load_file(dispatcher.clone(), generation, file);
            }
        })
    };
    let on_drag_over = Callback::from(|e: DragEvent| e.prevent_default());
    let on_sample = {
        let dispatcher = dispatcher.clone();
        Callback::from(move |_| load_url(dispatcher.clone(), generation, SAMPLE_URL.to_string()))
    };
    let on_cancel = {
        let dispatcher = dispatcher.clone();
        Callback::from(move |_| dispatcher.dispatch(Action::Cancel))
    };
    let on_dismiss = {
        let dispatcher = dispatcher.clone();
        Callback::from(move |_| dispatcher.dispatch(Action::Dismiss))
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

    html! {
        <div class="app" ondrop={on_drop} ondragover={on_drag_over} data-testid="dropzone">
            <header class="bar">
                <span class="brand">{ "proflens" }</span>
                if let Some(l) = &model.loaded {
                    <span class="file" title={l.summary.file_name.clone()}>{ &l.summary.file_name }</span>
                }
                <label class="button" for="file-input">{ "Open…" }</label>
                <input id="file-input" type="file" class="visually-hidden" data-testid="file-input"
                       onchange={on_file_input} />
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
                    <nav class="views" aria-label="Views">
                        <a class="view active" href={format!("#{}", state.to_fragment())} aria-current="page">{ "Top" }</a>
                    </nav>
                }
            </header>
            if let Some(message) = &model.error {
                <ErrorBanner message={message.clone()} {on_dismiss} />
            }
            if let Some(l) = &model.loading {
                <ProgressBar file_name={l.file_name.clone()} stage={l.stage} done={l.done} total={l.total}
                             {on_cancel} />
            }
            {
                match (&model.loaded, model.has_table) {
                    (Some(_), true) => html! {
                        <main class="view-top">
                            <Legend lines={model.legend.clone()} />
                            <TopTable rows={model.rows.clone()} sort={state.sort} {on_sort} />
                        </main>
                    },
                    (Some(_), false) => html! {
                        <div class="progress" data-testid="aggregating" data-stage="Aggregating">
                            { Stage::Aggregate.label() }{ " …" }
                        </div>
                    },
                    (None, _) if model.loading.is_none() => html! { <Landing {on_sample} /> },
                    _ => html! {},
                }
            }
        </div>
    }
}
