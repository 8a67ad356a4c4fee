//! The worker's message loop (wasm32 only): decodes the bytes it is sent
//! and answers report requests with [`Engine`].
//!
//! Messages in: `{name, buffer}` objects (the file, its ArrayBuffer
//! transferred) or postcard-encoded [`Request`]s as Uint8Arrays. Messages
//! out: postcard-encoded [`Response`]s.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, ArrayBuffer, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

use crate::engine::Engine;
use crate::protocol::{self, Request, Response};

fn post(scope: &DedicatedWorkerGlobalScope, response: &Response) {
    let bytes = Uint8Array::from(&protocol::encode(response)[..]);
    let transfer = Array::of1(&bytes.buffer());
    // Posting can only fail for uncloneable values, which a Uint8Array is not.
    let _ = scope.post_message_with_transfer(&bytes, &transfer);
}

/// Installs the message handler; the worker then lives until terminated.
pub fn start() {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let engine: Rc<RefCell<Option<Engine>>> = Rc::new(RefCell::new(None));
    let reply_scope = scope.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        let data = event.data();
        if let Some(bytes) = data.dyn_ref::<Uint8Array>() {
            let response = match protocol::decode::<Request>(&bytes.to_vec()) {
                Ok(Request::Report { id, query, view }) => {
                    let result = match engine.borrow().as_ref() {
                        Some(e) => e.report(&query, &view),
                        None => Err("no profile is loaded".to_string()),
                    };
                    Response::Report { id, result }
                }
                Err(e) => Response::LoadFailed(e),
            };
            post(&reply_scope, &response);
            return;
        }
        let name = Reflect::get(&data, &"name".into()).ok().and_then(|v| v.as_string()).unwrap_or_default();
        let Some(buffer) =
            Reflect::get(&data, &"buffer".into()).ok().and_then(|b| b.dyn_into::<ArrayBuffer>().ok())
        else {
            post(&reply_scope, &Response::LoadFailed("the page sent no file".into()));
            return;
        };
        let bytes = Uint8Array::new(&buffer).to_vec();
        drop(buffer);
        let mut progress = |r: Response| post(&reply_scope, &r);
        match Engine::load(&name, &bytes, &mut progress) {
            Ok(loaded) => {
                drop(bytes);
                let summary = loaded.summary();
                *engine.borrow_mut() = Some(loaded);
                post(&reply_scope, &Response::Loaded(summary));
            }
            Err(message) => post(&reply_scope, &Response::LoadFailed(message)),
        }
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler must outlive this function: the worker runs until the
    // page terminates it.
    on_message.forget();
    post(&scope, &Response::Ready);
}
