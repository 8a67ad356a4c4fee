//! The page's handle on a worker (wasm32 only). One worker holds the
//! profiles of one session (the files dropped together, plus those added
//! with "Compare with…"); dropping new files starts a new worker, and the
//! old one is terminated only once the new profiles have loaded, so a bad
//! file never costs the profiles already on screen. Dropping the client
//! terminates it. A worker that stops (out of memory, a bug) is reported
//! once, as a [`WorkerEvent::Stopped`] with the reason.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::{Array, Object, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{MessageEvent, Worker};

use super::crash::Crash;
use crate::file_bytes::FileBytes;
use crate::protocol::{self, Request, Response};

/// The script Trunk builds for the worker, relative to the page so the
/// page works from any sub-path.
const WORKER_SCRIPT: &str = "proflens-worker_loader.js";

/// How long an error event waits for the worker's panic message, which
/// may arrive just after it and says more.
pub(crate) const PANIC_GRACE_MS: i32 = 100;

/// The worker's script: the single-file page (which cannot load files
/// from file://) provides a blob URL in `window.__proflensWorkerUrl`.
fn worker_script() -> String {
    web_sys::window()
        .and_then(|w| Reflect::get(&w, &"__proflensWorkerUrl".into()).ok())
        .and_then(|v| v.as_string())
        .unwrap_or_else(|| WORKER_SCRIPT.to_string())
}

/// What a worker tells the page.
#[allow(clippy::large_enum_variant, reason = "one event at a time, consumed at once")]
#[derive(Clone, Debug, PartialEq)]
pub enum WorkerEvent {
    /// An answer.
    Response(Response),
    /// The worker stopped and answers nothing more.
    Stopped(Crash),
}

/// A message waiting for the worker to be ready, with what to transfer.
type Pending = (JsValue, Option<Array>);

/// What receives a worker's events once someone adopts the worker.
type Handler = Rc<RefCell<Option<Box<dyn Fn(WorkerEvent)>>>>;

thread_local! {
    /// A worker started ahead of need, so that loading a profile does not
    /// wait for the worker's wasm to be fetched and compiled.
    static SPARE: RefCell<Option<WorkerClient>> = const { RefCell::new(None) };
}

/// Starts the spare worker if there is none (or it stopped).
pub fn warm_spare() {
    SPARE.with(|s| {
        let mut spare = s.borrow_mut();
        if spare.as_ref().is_none_or(WorkerClient::stopped) {
            *spare = WorkerClient::spawn().ok();
        }
    });
}

/// A worker for a new load, `on_event` receiving what it says: the spare
/// if one is ready and alive, else a new one.
pub fn adopt_worker(on_event: impl Fn(WorkerEvent) + 'static) -> Result<WorkerClient, String> {
    let client = match SPARE.with(|s| s.borrow_mut().take()).filter(|c| !c.stopped()) {
        Some(spare) => spare,
        None => WorkerClient::spawn()?,
    };
    *client.handler.borrow_mut() = Some(Box::new(on_event));
    Ok(client)
}

/// A running worker and its message handler.
pub struct WorkerClient {
    worker: Worker,
    handler: Handler,
    /// Set once the worker stopped; it is then reported no more.
    stopped: Rc<Cell<bool>>,
    /// Messages sent before the worker said it was ready; None once it has.
    pending: Rc<RefCell<Option<Vec<Pending>>>>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

/// Tells the handler, unless the worker already stopped; a crash marks it
/// stopped.
fn deliver(handler: &Handler, stopped: &Cell<bool>, event: WorkerEvent) {
    if stopped.get() {
        return;
    }
    if matches!(event, WorkerEvent::Stopped(_)) {
        stopped.set(true);
    }
    if let Some(h) = handler.borrow().as_ref() {
        h(event);
    }
}

/// The text of a worker's error event ("" when it carries none).
pub(crate) fn error_text(event: &web_sys::Event) -> String {
    Reflect::get(event, &"message".into()).ok().and_then(|m| m.as_string()).unwrap_or_default()
}

impl WorkerClient {
    /// Starts a worker with no one listening yet (see [`adopt_worker`]).
    fn spawn() -> Result<WorkerClient, String> {
        let worker = Worker::new(&worker_script()).map_err(|e| format!("cannot start the worker: {e:?}"))?;
        let handler: Handler = Rc::new(RefCell::new(None));
        let stopped = Rc::new(Cell::new(false));
        let pending: Rc<RefCell<Option<Vec<Pending>>>> = Rc::new(RefCell::new(Some(Vec::new())));
        let on_message = {
            let (handler, stopped, worker, pending) =
                (handler.clone(), stopped.clone(), worker.clone(), pending.clone());
            Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
                let event = match event.data().dyn_into::<Uint8Array>() {
                    Ok(bytes) => match protocol::decode::<Response>(&bytes.to_vec()) {
                        Ok(Response::Ready) => return flush(&worker, &pending),
                        Ok(Response::Panicked(message)) => WorkerEvent::Stopped(Crash::Panic(message)),
                        Ok(response) => WorkerEvent::Response(response),
                        Err(e) => WorkerEvent::Stopped(Crash::Stopped(format!("it sent {e}"))),
                    },
                    Err(_) => WorkerEvent::Stopped(Crash::Stopped("it sent an unreadable message".into())),
                };
                deliver(&handler, &stopped, event);
            })
        };
        let on_error = {
            let (handler, stopped) = (handler.clone(), stopped.clone());
            Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
                // Handled here (the page says what happened), not an uncaught error of the page.
                event.prevent_default();
                // A wasm trap leaves the worker unusable, whatever follows.
                let crash = Crash::classify(&error_text(&event));
                let (handler, stopped) = (handler.clone(), stopped.clone());
                let report =
                    Closure::once_into_js(move || deliver(&handler, &stopped, WorkerEvent::Stopped(crash)));
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
        Ok(WorkerClient { worker, handler, stopped, pending, _on_message: on_message, _on_error: on_error })
    }

    /// Whether the worker stopped.
    pub fn stopped(&self) -> bool {
        self.stopped.get()
    }

    /// Sends a file's bytes as load `id`, at most `max_decompressed` bytes
    /// once inflated; a buffer is transferred, not copied, and a Blob is
    /// read by the worker. The worker keeps the profiles it already has.
    pub fn load(&self, id: u32, name: &str, bytes: &FileBytes, max_decompressed: u64) -> Result<(), String> {
        let request = Request::Load { id, name: name.to_string(), max_decompressed };
        let message = Object::new();
        let _ = Reflect::set(&message, &"request".into(), &Uint8Array::from(&protocol::encode(&request)[..]));
        let transfer = bytes.attach(&message);
        self.post(message.into(), transfer).map_err(|e| format!("cannot send the file to the worker: {e:?}"))
    }

    /// Posts now, or queues until the worker is ready.
    fn post(&self, message: JsValue, transfer: Option<Array>) -> Result<(), JsValue> {
        if let Some(queue) = self.pending.borrow_mut().as_mut() {
            queue.push((message, transfer));
            return Ok(());
        }
        post_to(&self.worker, &message, transfer.as_ref())
    }

    /// Sends a request.
    pub fn send(&self, request: &Request) {
        let bytes = Uint8Array::from(&protocol::encode(request)[..]);
        let _ = self.post(bytes.into(), None);
    }
}

fn post_to(worker: &Worker, message: &JsValue, transfer: Option<&Array>) -> Result<(), JsValue> {
    match transfer {
        Some(t) => worker.post_message_with_transfer(message, t),
        None => worker.post_message(message),
    }
}

/// Sends what waited for the worker to be ready.
fn flush(worker: &Worker, pending: &RefCell<Option<Vec<Pending>>>) {
    for (message, transfer) in pending.borrow_mut().take().unwrap_or_default() {
        let _ = post_to(worker, &message, transfer.as_ref());
    }
}

impl Drop for WorkerClient {
    fn drop(&mut self) {
        self.worker.terminate();
    }
}

impl PartialEq for WorkerClient {
    fn eq(&self, other: &Self) -> bool {
        self.worker == other.worker
    }
}
