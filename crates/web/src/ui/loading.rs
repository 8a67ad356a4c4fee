//! Getting a profile in: files, drops, URLs, links and an embedding host's
//! bytes, each into a fresh worker (or the session's, for "Compare
//! with…"), within the page's size caps; and the source files the Source
//! view shows.

use std::rc::Rc;

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{spawn_local, JsFuture};
use yew::prelude::*;

use super::client::{adopt_worker, WorkerClient};
use super::compare::unique_name;
use super::embed::Embed;
use super::fetch::{fetch_capped, js_error_text, over_cap, PAGE_MAX_FILE};
use super::fragment_sync::current_fragment;
use super::model::{Action, Model, Origin};
use crate::file_bytes::FileBytes;
use crate::share_link::{carried_profile, LINK_LIMIT, LINK_MAX_INFLATED};

/// The most a profile may decompress to in a worker: wasm32 memory is 4
/// GiB at most and the model needs room beside the bytes.
pub const PAGE_MAX_DECOMPRESSED: u64 = 1 << 30;

/// Where "Try a sample" loads from, relative to the page.
pub const SAMPLE_URL: &str = "samples/heap2.pb.gz";

/// The sample's file name, as the legend shows it.
pub const SAMPLE_NAME: &str = "heap2.pb.gz";

/// A global the single-file page sets.
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
fn embedded_profile() -> Option<(String, String)> {
    let embedded = page_global("__proflensEmbedded")?;
    let field = |k: &str| js_sys::Reflect::get(&embedded, &k.into()).ok()?.as_string();
    Some((field("url")?, field("name").unwrap_or_else(|| "profile.pb.gz".into())))
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

/// Seconds east of UTC at `time_nanos` (or now), for the Time line.
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

/// Loads into the model's state through its dispatcher, as load `generation`.
#[derive(Clone)]
pub struct Loader {
    /// The model's dispatcher.
    pub dispatcher: UseReducerDispatcher<Model>,
    /// The load's generation.
    pub generation: u32,
    /// The load shown now, whose profiles binaries dropped alone name.
    pub shown: Option<u32>,
}

impl Loader {
    fn start(&self, file_name: String, total: u64, adding: bool, origin: Origin) {
        let generation = self.generation;
        self.dispatcher.dispatch(Action::StartRead { generation, file_name, total, adding, origin });
    }

    pub(super) fn fail(&self, message: String) {
        self.dispatcher.dispatch(Action::Failed { generation: self.generation, message });
    }

    /// Sends read files to their worker with unique names and fresh load
    /// ids, each allowed `max_decompressed` bytes once inflated.
    pub(super) fn send(&self, files: Vec<(String, FileBytes)>, target: Target, max_decompressed: u64) {
        let generation = self.generation;
        if matches!(target, Target::New) {
            // Binaries added later symbolize these.
            super::symbolize::remember_copy(generation, &files);
        }
        let (client, first_id, mut taken, is_new) = match target {
            Target::New => {
                let respond = self.dispatcher.clone();
                match adopt_worker(move |event| respond.dispatch(Action::Worker { generation, event })) {
                    Ok(client) => (Rc::new(client), 0, Vec::new(), true),
                    Err(message) => return self.fail(message),
                }
            }
            Target::Add { client, first_id, taken } => (client, first_id, taken, false),
        };
        let mut ids = Vec::new();
        for (i, (name, bytes)) in files.into_iter().enumerate() {
            let id = first_id + i as u32;
            let name = unique_name(&name, &taken);
            // Before the bytes move to the worker: small ones can go in a link.
            super::share::remember(generation, &name, &bytes);
            if let Err(message) = client.load(id, &name, &bytes, max_decompressed) {
                return self.fail(message);
            }
            taken.push(name);
            ids.push(id);
        }
        let client = is_new.then_some(client);
        self.dispatcher.dispatch(Action::Spawned { generation, client, ids });
    }

    /// Loads a profile's bytes the page already has (an embedding host's).
    pub fn bytes(&self, file_name: String, bytes: &[u8]) {
        self.start(file_name.clone(), bytes.len() as u64, false, Origin::Files);
        if bytes.len() as u64 > PAGE_MAX_FILE {
            return self.fail(over_cap(&file_name, Some(bytes.len() as u64), PAGE_MAX_FILE));
        }
        let buffer = js_sys::Uint8Array::from(bytes).buffer();
        self.send(vec![(file_name, FileBytes::Buffer(buffer))], Target::New, PAGE_MAX_DECOMPRESSED);
    }

    /// Loads the profile a link carries in `fragment`, or says why not.
    pub fn link(&self, fragment: &str) -> bool {
        let Some(carried) = carried_profile(fragment) else { return false };
        match carried {
            Ok(p) => {
                self.start(p.name.clone(), p.bytes.len() as u64, false, Origin::Link);
                let buffer = js_sys::Uint8Array::from(&p.bytes[..]).buffer();
                self.send(vec![(p.name, FileBytes::Buffer(buffer))], Target::New, LINK_MAX_INFLATED);
            }
            Err(message) => {
                self.start("the link's profile".into(), 0, false, Origin::Link);
                self.fail(message);
            }
        }
        true
    }

    /// Loads files from the picker or a drop: a new session, or added to
    /// the current one.
    pub fn files(&self, files: Vec<web_sys::File>, target: Target) {
        if files.is_empty() {
            return;
        }
        let label = files.iter().map(|f| f.name()).collect::<Vec<_>>().join(", ");
        let total: u64 = files.iter().map(|f| f.size() as u64).sum();
        self.start(label, total, matches!(target, Target::Add { .. }), Origin::Files);
        if let Some(big) = files.iter().find(|f| f.size() as u64 > PAGE_MAX_FILE) {
            return self.fail(over_cap(&big.name(), Some(big.size() as u64), PAGE_MAX_FILE));
        }
        let loader = self.clone();
        spawn_local(async move {
            // Binaries among the files: symbolize the profiles with them.
            let (files, binaries) = match super::symbolize::partition(files).await {
                Ok(split) => split,
                Err(message) => return loader.fail(message),
            };
            match (&target, binaries.is_empty(), files.is_empty()) {
                (_, true, _) => {}
                (Target::Add { .. }, false, _) => {
                    return loader.fail(
                        "Compare with… takes profiles: add binaries with “Add binaries…”, or drop them \
                         together with their profile."
                            .into(),
                    )
                }
                (Target::New, false, true) => return loader.add_binaries(binaries, loader.shown),
                (Target::New, false, false) => return loader.symbolize(files, binaries),
            }
            super::symbolize::remember(
                loader.generation,
                files.iter().map(|f| (f.name(), web_sys::Blob::from(f.clone()))).collect(),
            );
            let mut read = Vec::new();
            for file in files {
                // Big files go to the worker as they are, read there in
                // slices; small ones are read here, for share links.
                if file.size() > LINK_LIMIT as f64 {
                    read.push((file.name(), FileBytes::Blob(file.into())));
                    continue;
                }
                match JsFuture::from(file.array_buffer()).await {
                    Ok(buffer) => read.push((file.name(), FileBytes::Buffer(buffer.unchecked_into()))),
                    Err(e) => {
                        return loader.fail(format!("cannot read {}: {}", file.name(), js_error_text(&e)))
                    }
                }
            }
            loader.send(read, target, PAGE_MAX_DECOMPRESSED);
        });
    }

    /// "Add binaries…": the files symbolize the profile shown (each must be
    /// an object file).
    pub fn binaries(&self, files: Vec<web_sys::File>) {
        if files.is_empty() {
            return;
        }
        let label = files.iter().map(|f| f.name()).collect::<Vec<_>>().join(", ");
        let total: u64 = files.iter().map(|f| f.size() as u64).sum();
        self.start(label, total, false, Origin::Files);
        let loader = self.clone();
        spawn_local(async move {
            match super::symbolize::partition(files).await {
                Ok((others, _)) if !others.is_empty() => {
                    let names = others.iter().map(|f| f.name()).collect::<Vec<_>>().join(", ");
                    loader.fail(format!(
                        "{names}: not an object file proflens reads (an ELF executable, shared library or \
                         debug file); symbolizing needs the binary the profile came from."
                    ))
                }
                Ok((_, binaries)) => loader.add_binaries(binaries, loader.shown),
                Err(message) => loader.fail(message),
            }
        });
    }

    /// Fetches a profile from `url` and loads it under its file name.
    pub fn url(&self, url: String) {
        let name = file_name_of(&url);
        self.named_url(url, name);
    }

    /// Fetches a profile from `url` and loads it under `file_name` (blob
    /// URLs have no file name of their own). The body is capped at
    /// [`PAGE_MAX_FILE`].
    pub fn named_url(&self, url: String, file_name: String) {
        self.start(file_name.clone(), 0, false, Origin::Files);
        let loader = self.clone();
        spawn_local(async move {
            let (dispatcher, generation) = (loader.dispatcher.clone(), loader.generation);
            // A render per percent (or per 4 MB when the size is unknown), not per chunk.
            let shown = std::cell::Cell::new(0u64);
            let progress = move |done: u64, total: u64| {
                let step = if total > 0 { (total / 100).max(1) } else { 4 << 20 };
                if done - shown.get() >= step || done == total {
                    shown.set(done);
                    dispatcher.dispatch(Action::ReadProgress { generation, done, total });
                }
            };
            match fetch_capped(&url, PAGE_MAX_FILE, &progress).await {
                Ok(buffer) => loader.send(
                    vec![(file_name, FileBytes::Buffer(buffer))],
                    Target::New,
                    PAGE_MAX_DECOMPRESSED,
                ),
                Err(message) => loader.fail(message),
            }
        });
    }
}

/// Warms a spare worker, and loads what the page was opened with: an
/// embedding's profile, else `?url=`, a link's profile, or the profile
/// inside the page (`proflens export`).
#[hook]
pub fn use_initial_load(model: &UseReducerHandle<Model>, embed: Option<Rc<Embed>>) {
    // A worker warms up while the page waits for a profile, and again once
    // a profile has loaded, ready for the next.
    let generation = model.loaded.as_ref().map(|l| l.generation);
    use_effect_with(generation, |_| super::client::warm_spare());
    let loader = Loader { dispatcher: model.dispatcher(), generation: model.next_generation, shown: None };
    use_effect_with((), move |_| {
        if let Some(embed) = embed {
            if let Some((name, bytes)) = &embed.bytes {
                loader.bytes(name.clone(), bytes);
            } else if let Some(src) = &embed.src {
                loader.url(src.clone());
            }
        } else if let Some(url) = url_parameter() {
            loader.url(url);
        } else if loader.link(&current_fragment()) {
            // Loading (or refused, with the reason shown).
        } else if let Some((url, name)) = embedded_profile() {
            loader.named_url(url, name);
        }
    });
}

/// Reads source files the user gave (picked, a folder, or dropped) and adds
/// them to `existing`, keyed by their path within the folder when known.
pub fn read_sources(
    dispatcher: UseReducerDispatcher<Model>,
    files: web_sys::FileList,
    existing: super::components::source_view::SourceTexts,
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
                    texts.insert(path, Rc::new(lines));
                }
                Err(e) => {
                    dispatcher.dispatch(Action::Error(format!("cannot read {path}: {}", js_error_text(&e))))
                }
            }
        }
        dispatcher.dispatch(Action::Sources(Rc::new(texts)));
    });
}
