//! The worker's message loop (wasm32 only): decodes the files it is sent
//! into a [`Session`] and answers compare and report requests.
//!
//! Messages in: `{id, name, buffer}` objects (a file, its ArrayBuffer
//! transferred, and the load id the page gave it) or postcard-encoded
//! [`Request`]s as Uint8Arrays. Messages out: postcard-encoded
//! [`Response`]s.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, ArrayBuffer, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

use crate::engine::Engine;
use crate::protocol::{self, Request, Response};
use crate::session::Session;

fn post(scope: &DedicatedWorkerGlobalScope, response: &Response) {
    let bytes = Uint8Array::from(&protocol::encode(response)[..]);
    let transfer = Array::of1(&bytes.buffer());
    // Posting can only fail for uncloneable values, which a Uint8Array is not.
    let _ = scope.post_message_with_transfer(&bytes, &transfer);
}

/// Installs the message handler; the worker then lives until terminated.
pub fn start() {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let session: Rc<RefCell<Session>> = Rc::new(RefCell::new(Session::default()));
    let reply_scope = scope.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        let data = event.data();
        if let Some(bytes) = data.dyn_ref::<Uint8Array>() {
            let response = match protocol::decode::<Request>(&bytes.to_vec()) {
                Ok(Request::Report { id, query, view }) => {
                    Response::Report { id, result: session.borrow().report(&query, &view) }
                }
                Ok(Request::Compare { id, setup }) => {
                    Response::Compared { id, result: session.borrow_mut().compare(&setup) }
                }
                Err(e) => Response::LoadFailed(e),
            };
            post(&reply_scope, &response);
            return;
        }
        let name = Reflect::get(&data, &"name".into()).ok().and_then(|v| v.as_string()).unwrap_or_default();
        let id = Reflect::get(&data, &"id".into()).ok().and_then(|v| v.as_f64()).unwrap_or(0.0) as u32;
        let Some(buffer) =
            Reflect::get(&data, &"buffer".into()).ok().and_then(|b| b.dyn_into::<ArrayBuffer>().ok())
        else {
            post(&reply_scope, &Response::LoadFailed("the page sent no file".into()));
            return;
        };
        let bytes = Uint8Array::new(&buffer).to_vec();
        drop(buffer);
        let mut progress = |r: Response| post(&reply_scope, &r);
        match Engine::load(id, &name, &bytes, &mut progress) {
            Ok(loaded) => {
                drop(bytes);
                let summary = session.borrow_mut().add(loaded);
                post(&reply_scope, &Response::Loaded(summary));
            }
            Err(message) => post(&reply_scope, &Response::FileFailed { id, message }),
        }
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler must outlive this function: the worker runs until the
    // page terminates it.
    on_message.forget();
    post(&scope, &Response::Ready);
}
