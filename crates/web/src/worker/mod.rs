//! The worker's side: proflens-core in a Web Worker. [`session`] holds the
//! loaded profiles, [`engine`] turns core's reports into the protocol's
//! view data, [`leaks`] and [`placement`] do the same for the Leaks view
//! and the call graph's layout. What to compute is core's business; this
//! module translates.
//!
//! The message loop ([`start`], wasm32 only): messages in are
//! postcard-encoded [`Request`]s as Uint8Arrays, or for a load an object
//! `{request, buffer}` whose ArrayBuffer was transferred, or `{request,
//! blob}` with a dropped file (see [`FileBytes`]). Messages out are
//! postcard-encoded [`Response`]s.

pub mod buffer_reader;
pub mod engine;
pub mod leaks;
pub mod placement;
pub mod session;

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, Object, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

use crate::file_bytes::FileBytes;
use crate::protocol::{self, Request, Response};
use engine::Engine;
use session::Session;

fn post(scope: &DedicatedWorkerGlobalScope, response: &Response) {
    let bytes = Uint8Array::from(&protocol::encode(response)[..]);
    let transfer = Array::of1(&bytes.buffer());
    // Posting can only fail for uncloneable values, which a Uint8Array is not.
    let _ = scope.post_message_with_transfer(&bytes, &transfer);
}

/// A request from the page, with the file's bytes for a load.
fn read_message(data: &JsValue) -> Result<(Request, Option<FileBytes>), String> {
    if let Some(bytes) = data.dyn_ref::<Uint8Array>() {
        return Ok((protocol::decode::<Request>(&bytes.to_vec())?, None));
    }
    let field = |name: &str| Reflect::get(data, &name.into()).ok();
    let request = field("request")
        .and_then(|r| r.dyn_into::<Uint8Array>().ok())
        .ok_or("a message with neither a request nor a load")?;
    let bytes = data.dyn_ref::<Object>().and_then(FileBytes::from_message);
    Ok((protocol::decode::<Request>(&request.to_vec())?, bytes))
}

/// Answers one request.
fn handle(scope: &DedicatedWorkerGlobalScope, session: &RefCell<Session>, data: &JsValue) {
    let response = match read_message(data) {
        Ok((Request::Report { id, report, view, tz_offset_seconds }, _)) => {
            Response::Report { id, result: session.borrow().report(&report, &view, tz_offset_seconds) }
        }
        Ok((Request::Compare { id, setup }, _)) => {
            Response::Compared { id, result: session.borrow_mut().compare(&setup) }
        }
        Ok((Request::Load { id, name, max_decompressed }, Some(bytes))) => {
            let reader = buffer_reader::BufferReader::new(bytes);
            let total = reader.total_bytes();
            let mut progress = |r: Response| post(scope, &r);
            match Engine::load_from(id, &name, reader, total, max_decompressed, &mut progress) {
                Ok(loaded) => Response::Loaded(session.borrow_mut().add(loaded)),
                Err(message) => Response::FileFailed { id, message },
            }
        }
        Ok((Request::Load { id, .. }, None)) => {
            Response::BadRequest(format!("load {id} came without the file's bytes"))
        }
        Err(e) => Response::BadRequest(format!("the worker cannot read a request: {e}")),
    };
    post(scope, &response);
}

/// Installs the message handler and a panic hook that tells the page what
/// went wrong before the worker stops; the worker then lives until the
/// page terminates it.
pub fn start() {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let hook_scope = scope.clone();
    std::panic::set_hook(Box::new(move |info| post(&hook_scope, &Response::Panicked(info.to_string()))));
    let session: Rc<RefCell<Session>> = Rc::new(RefCell::new(Session::default()));
    let reply_scope = scope.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        handle(&reply_scope, &session, &event.data());
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler must outlive this function: the worker runs until the
    // page terminates it.
    on_message.forget();
    post(&scope, &Response::Ready);
}
