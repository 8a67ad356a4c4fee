//! Symbolizing on the page. Binaries given with a profile (dropped or
//! opened together, or added later with "Add binaries…") go with the
//! profile to the symbolizer worker ([`crate::symbolizer`], a wasm of its
//! own fetched only now); the symbolized profile then loads like a dropped
//! file, under the same name. Files are told apart by content, and travel
//! as Blobs: a 50 MB binary is never read on this thread.
//!
//! The page remembers, per load, the profiles as they came and the
//! binaries given (Blobs: picked or dropped files cost nothing, being
//! handles), so binaries added later symbolize what is shown with all the
//! binaries so far. Each symbolization runs in a fresh worker, terminated
//! once it answered: the memory it took for a 50 MB binary goes back.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::{Array, ArrayBuffer, Object, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, MessageEvent, Worker};

use super::client::{error_text, PANIC_GRACE_MS};
use super::crash::Crash;
use super::loading::{Loader, Target, PAGE_MAX_DECOMPRESSED};
use super::model::Action;
use crate::file_bytes::FileBytes;
use crate::symbolizer::{self, SymbolizeRequest, SymbolizeResponse};

/// The symbolizer's script, relative to the page (Trunk's loader shim).
const SYMBOLIZER_SCRIPT: &str = "proflens-symbolizer_loader.js";

/// The most bytes of a fetched or carried profile kept for symbolizing it
/// later (picked and dropped files are kept whatever their size: a File
/// is only a handle).
const KEEP_COPY_MAX: f64 = 64e6;

/// Bytes read from a file's start to tell a binary from a profile.
const MAGIC_BYTES: i32 = 4096;

/// Named files, as Blobs.
pub type Files = Vec<(String, Blob)>;

/// A symbolization that loaded (or is loading) as load `generation`.
#[derive(Clone)]
pub struct Symbolization {
    /// The load that shows the symbolized profiles.
    pub generation: u32,
    /// The binaries used.
    pub binaries: Vec<String>,
    /// Per profile: its name, what happened per mapping, locations named.
    pub reports: Vec<(String, Vec<String>, usize)>,
    /// The symbolized profiles, for "Download symbolized profile".
    pub files: Vec<(String, Blob)>,
}

impl Symbolization {
    /// "leak, libc.so.6: 1234 locations named".
    pub fn headline(&self) -> String {
        let named: usize = self.reports.iter().map(|r| r.2).sum();
        format!("Symbolized with {}: {named} locations named.", self.binaries.join(", "))
    }
}

/// A symbolizer's answer with the symbolized profiles' bytes, or why it stopped.
type Answer = Result<(SymbolizeResponse, Vec<ArrayBuffer>), Crash>;

/// What a symbolizer reports to whoever waits on it.
type Handler = Rc<RefCell<Option<Box<dyn Fn(Answer)>>>>;

/// What a load was made of: its profiles as they came, and the binaries
/// that symbolized them (none for a plain load).
#[derive(Clone, Default)]
struct Sources {
    profiles: Files,
    binaries: Files,
}

/// A symbolizer worker, for one request.
struct Symbolizer {
    /// Which run of the page (its request's id).
    run: u32,
    worker: Worker,
    handler: Handler,
    /// Messages sent before the worker said it was ready; None once it has.
    pending: Rc<RefCell<Option<Vec<JsValue>>>>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

thread_local! {
    /// The symbolization in progress.
    static SYMBOLIZER: RefCell<Option<Symbolizer>> = const { RefCell::new(None) };
    /// Counts the page's symbolizations (embedded analyzers share them).
    static RUNS: Cell<u32> = const { Cell::new(0) };
    /// What recent loads were made of, by load.
    static SOURCES: RefCell<Vec<(u32, Sources)>> = const { RefCell::new(Vec::new()) };
    /// The single-file page's symbolizer, made a blob URL once.
    static INLINE_URL: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// The symbolizer's script: the embedding's (`window.__proflensSymbolizerUrl`),
/// the single file's inline copy as a blob URL, or the file beside the page.
fn symbolizer_script() -> String {
    let window = web_sys::window();
    let global = window
        .as_ref()
        .and_then(|w| Reflect::get(w, &"__proflensSymbolizerUrl".into()).ok())
        .and_then(|v| v.as_string());
    if let Some(url) = global {
        return url;
    }
    let inline =
        window.and_then(|w| w.document()).and_then(|d| d.get_element_by_id("proflens-symbolizer-src"));
    match inline.and_then(|e| e.text_content()) {
        Some(text) => INLINE_URL.with(|u| {
            u.borrow_mut()
                .get_or_insert_with(|| {
                    let options = web_sys::BlobPropertyBag::new();
                    options.set_type("text/javascript");
                    Blob::new_with_str_sequence_and_options(&Array::of1(&text.into()), &options)
                        .ok()
                        .and_then(|b| web_sys::Url::create_object_url_with_blob(&b).ok())
                        .unwrap_or_else(|| SYMBOLIZER_SCRIPT.to_string())
                })
                .clone()
        }),
        None => SYMBOLIZER_SCRIPT.to_string(),
    }
}

impl Symbolizer {
    fn spawn(run: u32) -> Result<Symbolizer, String> {
        let worker =
            Worker::new(&symbolizer_script()).map_err(|e| format!("cannot start the symbolizer: {e:?}"))?;
        let handler: Handler = Rc::new(RefCell::new(None));
        let stopped = Rc::new(Cell::new(false));
        let pending: Rc<RefCell<Option<Vec<JsValue>>>> = Rc::new(RefCell::new(Some(Vec::new())));
        let tell = |handler: &Handler, stopped: &Cell<bool>, event: Answer| {
            if stopped.get() {
                return;
            }
            if event.is_err() {
                stopped.set(true);
            }
            if let Some(h) = handler.borrow().as_ref() {
                h(event);
            }
        };
        let on_message = {
            let (handler, stopped, worker, pending) =
                (handler.clone(), stopped.clone(), worker.clone(), pending.clone());
            Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
                // A plain message, or an answer `{response, profiles}` (see crate::symbolizer::worker).
                let data = event.data();
                let field = |name: &str| Reflect::get(&data, &name.into()).ok();
                let buffers: Vec<ArrayBuffer> = field("profiles")
                    .and_then(|p| p.dyn_into::<Array>().ok())
                    .map(|a| a.iter().filter_map(|b| b.dyn_into::<ArrayBuffer>().ok()).collect())
                    .unwrap_or_default();
                let message =
                    data.dyn_ref::<Uint8Array>().cloned().or_else(|| field("response")?.dyn_into().ok());
                let bytes = message.map(|b| b.to_vec()).unwrap_or_default();
                let event = match symbolizer::decode::<SymbolizeResponse>(&bytes) {
                    Ok(SymbolizeResponse::Ready) => {
                        for message in pending.borrow_mut().take().unwrap_or_default() {
                            let _ = worker.post_message(&message);
                        }
                        return;
                    }
                    Ok(SymbolizeResponse::Panicked(message)) => Err(Crash::Panic(message)),
                    Ok(response) => Ok((response, buffers)),
                    Err(e) => Err(Crash::Stopped(e)),
                };
                tell(&handler, &stopped, event);
            })
        };
        let on_error = {
            let (handler, stopped) = (handler.clone(), stopped.clone());
            Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
                event.prevent_default();
                let crash = Crash::classify(&error_text(&event));
                // A panic's own message may follow the error event: it says more.
                let (handler, stopped) = (handler.clone(), stopped.clone());
                let report = Closure::once_into_js(move || tell(&handler, &stopped, Err(crash)));
                if let Some(w) = web_sys::window() {
                    let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(
                        report.unchecked_ref(),
                        PANIC_GRACE_MS,
                    );
                }
            })
        };
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Ok(Symbolizer { run, worker, handler, pending, _on_message: on_message, _on_error: on_error })
    }

    /// Sends a request with its files (Blobs are passed by reference).
    fn send(&self, request: &SymbolizeRequest, files: &[&Blob]) {
        let message = Object::new();
        let _ =
            Reflect::set(&message, &"request".into(), &Uint8Array::from(&symbolizer::encode(request)[..]));
        let _ = Reflect::set(&message, &"files".into(), &files.iter().copied().collect::<Array>());
        match self.pending.borrow_mut().as_mut() {
            Some(queue) => queue.push(message.into()),
            None => {
                let _ = self.worker.post_message(&message);
            }
        }
    }
}

impl Drop for Symbolizer {
    fn drop(&mut self) {
        self.worker.terminate();
    }
}

/// Stops a symbolization in progress (the user cancelled the load).
pub fn cancel() {
    SYMBOLIZER.with(|s| s.borrow_mut().take());
}

/// Remembers what load `generation` is made of: profiles are added to
/// those it has (one of the same name replaced).
fn remember_sources(generation: u32, sources: Sources) {
    SOURCES.with(|o| {
        let mut o = o.borrow_mut();
        o.retain(|(g, _)| g + 4 > generation);
        match o.iter_mut().find(|(g, _)| *g == generation) {
            Some((_, kept)) => {
                for (name, blob) in sources.profiles {
                    kept.profiles.retain(|(n, _)| *n != name);
                    kept.profiles.push((name, blob));
                }
            }
            None => o.push((generation, sources)),
        }
    });
}

/// Remembers the profiles of load `generation` as they came.
pub fn remember(generation: u32, profiles: Files) {
    remember_sources(generation, Sources { profiles, binaries: Vec::new() });
}

/// Remembers a copy of bytes about to move to the analysis worker, unless
/// the load's files are already remembered or the bytes are too many.
pub fn remember_copy(generation: u32, files: &[(String, FileBytes)]) {
    let known = SOURCES.with(|o| o.borrow().iter().any(|(g, _)| *g == generation));
    let size: f64 = files.iter().map(|(_, b)| b.len() as f64).sum();
    if known || size > KEEP_COPY_MAX {
        return;
    }
    let copies = files
        .iter()
        .filter_map(|(name, bytes)| match bytes {
            FileBytes::Buffer(buffer) => {
                Blob::new_with_buffer_source_sequence(&Array::of1(buffer)).ok().map(|b| (name.clone(), b))
            }
            FileBytes::Blob(blob) => Some((name.clone(), blob.clone())),
        })
        .collect();
    remember(generation, copies);
}

fn sources(generation: u32) -> Option<Sources> {
    SOURCES.with(|o| o.borrow().iter().find(|(g, _)| *g == generation).map(|(_, s)| s.clone()))
}

/// Whether `file` is an object file, by its first bytes.
async fn is_binary(file: &Blob) -> Result<bool, String> {
    let head = file.slice_with_i32_and_i32(0, MAGIC_BYTES).map_err(|e| format!("{e:?}"))?;
    let buffer = JsFuture::from(head.array_buffer()).await.map_err(|e| super::fetch::js_error_text(&e))?;
    Ok(proflens_symbolize::is_object_file(&Uint8Array::new(&buffer).to_vec()))
}

/// Splits picked or dropped files into profiles and binaries, by content.
pub async fn partition(
    files: Vec<web_sys::File>,
) -> Result<(Vec<web_sys::File>, Vec<web_sys::File>), String> {
    let (mut profiles, mut binaries) = (Vec::new(), Vec::new());
    for file in files {
        match is_binary(&file).await {
            Ok(true) => binaries.push(file),
            Ok(false) => profiles.push(file),
            Err(e) => return Err(format!("cannot read {}: {e}", file.name())),
        }
    }
    Ok((profiles, binaries))
}

fn named(files: Vec<web_sys::File>) -> Files {
    files.into_iter().map(|f| (f.name(), Blob::from(f))).collect()
}

fn names(files: &Files) -> String {
    files.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>().join(", ")
}

impl Loader {
    /// Symbolizes `profiles` with `binaries`, then loads the result.
    pub fn symbolize(&self, profiles: Vec<web_sys::File>, binaries: Vec<web_sys::File>) {
        self.run_symbolizer(Sources { profiles: named(profiles), binaries: named(binaries) });
    }

    /// Symbolizes load `shown`'s profiles with `binaries` and those that
    /// symbolized it before ("Add binaries…", or binaries dropped alone).
    pub fn add_binaries(&self, binaries: Vec<web_sys::File>, shown: Option<u32>) {
        let Some(shown) = shown else {
            return self.fail(
                "Binaries name a profile's addresses: open the profile too (drop or pick them together), \
                 or open the profile first and then add its binaries."
                    .into(),
            );
        };
        let Some(mut sources) = sources(shown) else {
            return self.fail(
                "The shown profile's bytes are no longer at hand: open it again together with its binaries."
                    .into(),
            );
        };
        for (name, blob) in named(binaries) {
            sources.binaries.retain(|(n, _)| *n != name);
            sources.binaries.push((name, blob));
        }
        self.run_symbolizer(sources);
    }

    /// Starts a symbolizer for `sources` and loads its answer.
    fn run_symbolizer(&self, sources: Sources) {
        let generation = self.generation;
        let label = format!("{} with {}", names(&sources.profiles), names(&sources.binaries));
        self.dispatcher.dispatch(Action::Symbolizing { generation, label: label.clone() });
        let run = RUNS.with(|r| r.replace(r.get().wrapping_add(1)));
        let request = SymbolizeRequest {
            id: run,
            profiles: sources.profiles.iter().map(|(n, _)| n.clone()).collect(),
            binaries: sources.binaries.iter().map(|(n, _)| n.clone()).collect(),
        };
        let blobs: Vec<&Blob> = sources.profiles.iter().chain(&sources.binaries).map(|(_, b)| b).collect();
        let client = match Symbolizer::spawn(run) {
            Ok(client) => client,
            Err(message) => return self.fail(message),
        };
        client.send(&request, &blobs);
        let loader = self.clone();
        *client.handler.borrow_mut() =
            Some(Box::new(move |event| loader.symbolizer_answered(run, event, &sources, &label)));
        // One symbolization at a time: one in progress (maybe another
        // analyzer's, when embedded) stops and says so.
        let previous = SYMBOLIZER.with(|s| s.borrow_mut().replace(client));
        if let Some(h) = previous.as_ref().and_then(|p| p.handler.borrow_mut().take()) {
            h(Err(Crash::Stopped("another symbolization started".into())));
        }
    }

    /// The symbolizer answered: load the symbolized profiles, or say why
    /// there are none (what is shown stays).
    fn symbolizer_answered(&self, run: u32, event: Answer, sources: &Sources, label: &str) {
        let generation = self.generation;
        // Done with the worker: terminated once this callback has returned.
        let done = SYMBOLIZER.with(|s| {
            let mut s = s.borrow_mut();
            s.as_ref().is_some_and(|c| c.run == run).then(|| s.take()).flatten()
        });
        wasm_bindgen_futures::spawn_local(async move { drop(done) });
        let (files, buffers) = match event {
            Ok((SymbolizeResponse::Done { files, .. }, buffers)) if buffers.len() == files.len() => (files, buffers),
            Ok((SymbolizeResponse::Failed { message, .. }, _)) => return self.fail(message),
            Ok((_, buffers)) => {
                return self.fail(format!(
                    "Internal error: the symbolizer's answer does not fit its request ({} profiles)",
                    buffers.len()
                ))
            }
            Err(Crash::OutOfMemory) => {
                return self.fail(format!(
                    "Symbolizing {label} ran out of memory: a browser tab gives WebAssembly at most 4 GB. \
                     Symbolize with the proflens command instead (proflens symbolize BINARY... PROFILE -o OUT.pb.gz)."
                ))
            }
            Err(crash) => return self.fail(crash.message(&format!("symbolizing {label}"))),
        };
        remember_sources(generation, sources.clone());
        let kind = web_sys::BlobPropertyBag::new();
        kind.set_type("application/octet-stream");
        let binaries = sources.binaries.iter().map(|(n, _)| n.clone()).collect();
        let mut symbolization =
            Symbolization { generation, binaries, reports: Vec::new(), files: Vec::new() };
        let mut loads = Vec::new();
        for (file, buffer) in files.into_iter().zip(buffers) {
            // The download's copy, before the bytes move on to the analysis worker.
            if let Ok(blob) = Blob::new_with_buffer_source_sequence_and_options(&Array::of1(&buffer), &kind) {
                symbolization.files.push((symbolizer::symbolized_file_name(&file.name), blob));
            }
            loads.push((file.name.clone(), FileBytes::Buffer(buffer)));
            symbolization.reports.push((file.name, file.report, file.symbolized_locations));
        }
        self.dispatcher.dispatch(Action::Symbolized(Rc::new(symbolization)));
        self.send(loads, Target::New, PAGE_MAX_DECOMPRESSED);
    }
}

/// Saves the symbolized profiles as downloads.
pub fn download(symbolization: &Symbolization) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
    for (name, blob) in &symbolization.files {
        let Ok(url) = web_sys::Url::create_object_url_with_blob(blob) else { continue };
        if let Ok(a) = document.create_element("a") {
            let a: web_sys::HtmlAnchorElement = a.unchecked_into();
            a.set_href(&url);
            a.set_download(name);
            a.click();
        }
        // The download has its own reference by now.
        let revoke = Closure::once_into_js(move || {
            let _ = web_sys::Url::revoke_object_url(&url);
        });
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(revoke.unchecked_ref(), 10_000);
        }
    }
}
