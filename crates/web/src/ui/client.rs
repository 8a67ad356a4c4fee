//! The page's handle on a worker (wasm32 only). One worker holds the
//! profiles of one session (the files dropped together, plus those added
//! with "Compare with…"); dropping new files starts a new worker, and the
//! old one is terminated only once the new profiles have loaded, so a bad
//! file never costs the profiles already on screen. Dropping the client
//! terminates it.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, ArrayBuffer, Object, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{MessageEvent, Worker};

use crate::protocol::{self, Request, Response};

/// The script Trunk builds for the worker, relative to the page so the
/// page works from any sub-path.
const WORKER_SCRIPT: &str = "proflens-worker_loader.js";

/// The worker's script: the single-file page (which cannot load files
/// from file://) provides a blob URL in `window.__proflensWorkerUrl`.
fn worker_script() -> String {
    web_sys::window()
        .and_then(|w| Reflect::get(&w, &"__proflensWorkerUrl".into()).ok())
        .and_then(|v| v.as_string())
        .unwrap_or_else(|| WORKER_SCRIPT.to_string())
}

/// A message waiting for the worker to be ready, with what to transfer.
type Pending = (wasm_bindgen::JsValue, Option<Array>);

/// What receives a worker's messages once someone adopts the worker.
type Handler = Rc<RefCell<Option<Box<dyn Fn(Response)>>>>;

thread_local! {
    /// A worker started ahead of need, so that loading a profile does not
    /// wait for the worker's wasm to be fetched and compiled.
    static SPARE: RefCell<Option<WorkerClient>> = const { RefCell::new(None) };
}

/// Starts the spare worker if there is none.
pub fn warm_spare() {
    SPARE.with(|s| {
        if s.borrow().is_none() {
            *s.borrow_mut() = WorkerClient::spawn().ok();
        }
    });
}

/// A worker for a new load, `on_response` receiving what it says: the
/// spare if one is ready, else a new one.
pub fn adopt_worker(on_response: impl Fn(Response) + 'static) -> Result<WorkerClient, String> {
    let client = match SPARE.with(|s| s.borrow_mut().take()) {
        Some(spare) => spare,
        None => WorkerClient::spawn()?,
    };
    *client.handler.borrow_mut() = Some(Box::new(on_response));
    Ok(client)
}

/// A running worker and its message handler.
pub struct WorkerClient {
    worker: Worker,
    handler: Handler,
    /// Messages sent before the worker said it was ready; None once it has.
    pending: Rc<RefCell<Option<Vec<Pending>>>>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

impl WorkerClient {
    /// Starts a worker with no one listening yet (see [`adopt_worker`]).
    fn spawn() -> Result<WorkerClient, String> {
        let worker = Worker::new(&worker_script()).map_err(|e| format!("cannot start the worker: {e:?}"))?;
        let handler: Handler = Rc::new(RefCell::new(None));
        let respond_to = handler.clone();
        let respond = move |r: Response| {
            if let Some(h) = respond_to.borrow().as_ref() {
                h(r);
            }
        };
        let error_to = handler.clone();
        let on_response = move |r: Response| {
            if let Some(h) = error_to.borrow().as_ref() {
                h(r);
            }
        };
        let pending: Rc<RefCell<Option<Vec<Pending>>>> = Rc::new(RefCell::new(Some(Vec::new())));
        let flush = (worker.clone(), pending.clone());
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            let response = match event.data().dyn_into::<Uint8Array>() {
                Ok(bytes) => protocol::decode::<Response>(&bytes.to_vec())
                    .unwrap_or_else(|e| Response::LoadFailed(format!("the worker sent {e}"))),
                Err(_) => Response::LoadFailed("the worker sent an unreadable message".into()),
            };
            if response == Response::Ready {
                let (worker, pending) = &flush;
                for (message, transfer) in pending.borrow_mut().take().unwrap_or_default() {
                    let _ = match transfer {
                        Some(t) => worker.post_message_with_transfer(&message, &t),
                        None => worker.post_message(&message),
                    };
                }
                return;
            }
            respond(response);
        });
        let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |_event: web_sys::Event| {
            // A worker that crashed (out of memory, say) cannot answer; say so.
            on_response(Response::LoadFailed(
                "the analysis worker stopped (the profile may be too large for this browser)".into(),
            ));
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Ok(WorkerClient { worker, handler, pending, _on_message: on_message, _on_error: on_error })
    }

    /// Sends a file's bytes as load `id`; the buffer is transferred, not
    /// copied. The worker keeps the profiles it already has.
    pub fn load(&self, id: u32, name: &str, buffer: ArrayBuffer) -> Result<(), String> {
        let message = Object::new();
        let _ = Reflect::set(&message, &"id".into(), &f64::from(id).into());
        let _ = Reflect::set(&message, &"name".into(), &name.into());
        let _ = Reflect::set(&message, &"buffer".into(), &buffer);
        self.post(message.into(), Some(Array::of1(&buffer)))
            .map_err(|e| format!("cannot send the file to the worker: {e:?}"))
    }

    /// Posts now, or queues until the worker is ready.
    fn post(
        &self,
        message: wasm_bindgen::JsValue,
        transfer: Option<Array>,
    ) -> Result<(), wasm_bindgen::JsValue> {
        if let Some(queue) = self.pending.borrow_mut().as_mut() {
            queue.push((message, transfer));
            return Ok(());
        }
        match transfer {
            Some(t) => self.worker.post_message_with_transfer(&message, &t),
            None => self.worker.post_message(&message),
        }
    }

    /// Sends a request.
    pub fn send(&self, request: &Request) {
        let bytes = Uint8Array::from(&protocol::encode(request)[..]);
        let _ = self.post(bytes.into(), None);
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
