//! Getting a profile in: files, drops, URLs, each into a fresh worker, and
//! the page URL's fragment and parameters.

use std::rc::Rc;

use js_sys::ArrayBuffer;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{spawn_local, JsFuture};
use yew::prelude::*;

use super::compare::unique_name;
use super::model::{Action, Model};
use crate::client::{adopt_worker, WorkerClient};
use crate::state::ViewState;

/// The largest file the page reads: a wasm32 worker has 4 GiB of memory at
/// most, and needs room for the model beside the bytes.
const PAGE_MAX_FILE: u64 = 1_000_000_000;

/// Where "Try a sample" loads from, relative to the page.
pub const SAMPLE_URL: &str = "samples/heap2.pb.gz";

/// The sample's file name, as the legend shows it.
pub const SAMPLE_NAME: &str = "heap2.pb.gz";

/// The fragment of the page's URL.
pub fn current_fragment() -> String {
    web_sys::window().and_then(|w| w.location().hash().ok()).unwrap_or_default()
}

/// Records `state` in the URL without a new history entry (the page
/// correcting the URL to what it shows).
pub fn replace_fragment(state: &ViewState) {
    let fragment = fragment_href(state);
    if current_fragment() != fragment {
        if let Some(w) = web_sys::window() {
            let _ = w
                .history()
                .and_then(|h| h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&fragment)));
            // replaceState fires no hashchange: tell the page.
            if let Ok(event) = web_sys::Event::new("hashchange") {
                let _ = w.dispatch_event(&event);
            }
        }
    }
}

/// The fragment (with '#') for `state`, keeping a profile the current
/// link carries.
pub fn fragment_href(state: &ViewState) -> String {
    let mut fragment = format!("#{}", state.to_fragment());
    let carried = crate::share::carried_params(&current_fragment());
    if !carried.is_empty() {
        fragment.push(if fragment.contains('?') { '&' } else { '?' });
        fragment.push_str(&carried[1..]);
    }
    fragment
}

/// Records `state` in the URL: a new history entry, so back/forward work.
/// A profile the link carries stays in it.
pub fn push_fragment(state: &ViewState) {
    let fragment = fragment_href(state);
    if current_fragment() != fragment {
        if let Some(w) = web_sys::window() {
            let _ = w.location().set_hash(&fragment);
        }
    }
}

/// A global the single-file page sets, as a string.
fn page_global(name: &str) -> Option<wasm_bindgen::JsValue> {
    let window = web_sys::window()?;
    js_sys::Reflect::get(&window, &name.into()).ok().filter(|v| !v.is_undefined() && !v.is_null())
}

/// Where "Try a sample" loads from: the bundled file, or the blob URL the
/// single-file page made of it.
pub fn sample_url() -> String {
    page_global("__proflensSampleUrl").and_then(|v| v.as_string()).unwrap_or_else(|| SAMPLE_URL.to_string())
}

/// A profile carried inside the page (`proflens export`): its blob URL and
/// file name.
pub fn embedded_profile() -> Option<(String, String)> {
    let embedded = page_global("__proflensEmbedded")?;
    let field = |k: &str| js_sys::Reflect::get(&embedded, &k.into()).ok()?.as_string();
    Some((field("url")?, field("name").unwrap_or_else(|| "profile.pb.gz".into())))
}

/// The `?url=` parameter of the page, if any.
pub fn url_parameter() -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    web_sys::UrlSearchParams::new_with_str(&search).ok()?.get("url").filter(|u| !u.is_empty())
}

/// The last path segment of a URL, for display.
fn file_name_of(url: &str) -> String {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    path.rsplit('/').find(|s| !s.is_empty()).unwrap_or(url).to_string()
}

/// Minutes east of UTC at `time_nanos` (or now), for the Time line.
pub fn tz_offset_seconds(time_nanos: i64) -> i32 {
    let date = if time_nanos != 0 {
        js_sys::Date::new(&((time_nanos / 1_000_000) as f64).into())
    } else {
        js_sys::Date::new_0()
    };
    (-date.get_timezone_offset() * 60.0) as i32
}

/// Where loaded files go.
#[derive(Clone)]
pub enum Target {
    /// A new session in a new worker, replacing the current one once the
    /// files load.
    New,
    /// The current session's worker (Compare with…); the new files get
    /// load ids from `first_id` on.
    Add {
        /// The session's worker.
        client: Rc<WorkerClient>,
        /// The first free load id.
        first_id: u32,
        /// The names already taken in the session.
        taken: Vec<String>,
    },
}

/// Sends read files to their worker with unique names and fresh load ids.
fn start_worker(
    dispatcher: UseReducerDispatcher<Model>,
    generation: u32,
    files: Vec<(String, ArrayBuffer)>,
    target: Target,
) {
    let (client, first_id, mut taken, is_new) = match target {
        Target::New => {
            let respond = dispatcher.clone();
            match adopt_worker(move |response| respond.dispatch(Action::Worker { generation, response })) {
                Ok(client) => (Rc::new(client), 0, Vec::new(), true),
                Err(message) => return dispatcher.dispatch(Action::Failed { generation, message }),
            }
        }
        Target::Add { client, first_id, taken } => (client, first_id, taken, false),
    };
    let mut ids = Vec::new();
    for (i, (name, buffer)) in files.into_iter().enumerate() {
        let id = first_id + i as u32;
        let name = unique_name(&name, &taken);
        // Before the bytes move to the worker: small ones can go in a link.
        crate::share::remember(generation, &name, &buffer);
        if let Err(message) = client.load(id, &name, buffer) {
            return dispatcher.dispatch(Action::Failed { generation, message });
        }
        taken.push(name);
        ids.push(id);
    }
    let new_client = is_new.then_some(client);
    dispatcher.dispatch(Action::Spawned { generation, client: new_client, ids });
}

/// Loads a profile's bytes the page already has (a link that carries it,
/// or an embedding host's).
pub fn load_bytes(dispatcher: UseReducerDispatcher<Model>, generation: u32, file_name: String, bytes: &[u8]) {
    dispatcher.dispatch(Action::StartRead {
        generation,
        file_name: file_name.clone(),
        total: bytes.len() as u64,
        adding: false,
    });
    let buffer = js_sys::Uint8Array::from(bytes).buffer();
    start_worker(dispatcher, generation, vec![(file_name, buffer)], Target::New);
}

/// Loads files from the picker or a drop: a new session, or added to the
/// current one.
pub fn load_files(
    dispatcher: UseReducerDispatcher<Model>,
    generation: u32,
    files: Vec<web_sys::File>,
    target: Target,
) {
    if files.is_empty() {
        return;
    }
    let adding = matches!(target, Target::Add { .. });
    let label = files.iter().map(|f| f.name()).collect::<Vec<_>>().join(", ");
    let total: u64 = files.iter().map(|f| f.size() as u64).sum();
    dispatcher.dispatch(Action::StartRead { generation, file_name: label, total, adding });
    if let Some(big) = files.iter().find(|f| f.size() as u64 > PAGE_MAX_FILE) {
        dispatcher.dispatch(Action::Failed {
            generation,
            message: format!(
                "{} is {:.1} GB, too big to analyse in a browser tab (the limit is {} GB); \
                 use the proflens command instead",
                big.name(),
                big.size() / 1e9,
                PAGE_MAX_FILE / 1_000_000_000
            ),
        });
        return;
    }
    spawn_local(async move {
        let mut read = Vec::new();
        for file in files {
            match JsFuture::from(file.array_buffer()).await {
                Ok(buffer) => read.push((file.name(), buffer.unchecked_into::<ArrayBuffer>())),
                Err(e) => {
                    let message = format!("cannot read {}: {}", file.name(), js_error_text(&e));
                    return dispatcher.dispatch(Action::Failed { generation, message });
                }
            }
        }
        start_worker(dispatcher, generation, read, target);
    });
}

/// Fetches a profile from `url` and loads it.
pub fn load_url(dispatcher: UseReducerDispatcher<Model>, generation: u32, url: String) {
    let file_name = file_name_of(&url);
    load_named_url(dispatcher, generation, url, file_name);
}

/// Fetches a profile from `url` and loads it under the name `file_name`
/// (blob URLs have no file name of their own).
pub fn load_named_url(
    dispatcher: UseReducerDispatcher<Model>,
    generation: u32,
    url: String,
    file_name: String,
) {
    dispatcher.dispatch(Action::StartRead {
        generation,
        file_name: file_name.clone(),
        total: 0,
        adding: false,
    });
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
            Ok(buffer) => start_worker(dispatcher, generation, vec![(file_name, buffer)], Target::New),
            Err(message) => dispatcher.dispatch(Action::Failed { generation, message }),
        }
    });
}

fn js_error_text(e: &wasm_bindgen::JsValue) -> String {
    e.dyn_ref::<js_sys::Error>().map(|e| String::from(e.message())).unwrap_or_else(|| format!("{e:?}"))
}

/// Reads source files the user gave (picked, a folder, or dropped) and adds
/// them to `existing`, keyed by their path within the folder when known.
pub fn read_sources(
    dispatcher: UseReducerDispatcher<Model>,
    files: web_sys::FileList,
    existing: crate::components::source_view::SourceTexts,
) {
    let files: Vec<web_sys::File> = (0..files.length()).filter_map(|i| files.get(i)).collect();
    spawn_local(async move {
        let mut texts = (*existing).clone();
        for file in files {
            // Huge files are not source code; skip rather than freeze.
            if file.size() > 8e6 {
                continue;
            }
            let path = js_sys::Reflect::get(&file, &"webkitRelativePath".into())
                .ok()
                .and_then(|p| p.as_string())
                .filter(|p| !p.is_empty())
                .unwrap_or_else(|| file.name());
            match JsFuture::from(file.text()).await {
                Ok(text) => {
                    let text = text.as_string().unwrap_or_default();
                    let lines: Vec<String> = text
                        .strip_suffix('\n')
                        .unwrap_or(&text)
                        .split('\n')
                        .map(|l| l.trim_end_matches('\r').to_string())
                        .collect();
                    texts.insert(path, std::rc::Rc::new(lines));
                }
                Err(e) => {
                    dispatcher.dispatch(Action::Error(format!("cannot read {path}: {}", js_error_text(&e))))
                }
            }
        }
        dispatcher.dispatch(Action::Sources(std::rc::Rc::new(texts)));
    });
}
