//! The symbolizer worker's message loop (wasm32 only). Messages in are
//! `{request, files}`: a postcard [`SymbolizeRequest`] and its files as
//! Blobs. Messages out are postcard [`SymbolizeResponse`]s. The session's
//! files are kept as Blobs (outside wasm memory); each run reads them into
//! wasm memory, symbolizes, and frees them.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::{Blob, DedicatedWorkerGlobalScope, MessageEvent};

use super::{decode, encode, symbolize_all, SymbolizeRequest, SymbolizeResponse};

/// Named files of the session, as Blobs.
type Files = Vec<(String, Blob)>;

/// The profiles and binaries of the session.
#[derive(Default)]
struct Session {
    profiles: Files,
    binaries: Files,
}

fn post(scope: &DedicatedWorkerGlobalScope, response: &SymbolizeResponse) {
    let bytes = Uint8Array::from(&encode(response)[..]);
    let transfer = Array::of1(&bytes.buffer());
    let _ = scope.post_message_with_transfer(&bytes, &transfer);
}

/// The request and its Blobs, checked against each other.
fn read_message(data: &JsValue) -> Result<(SymbolizeRequest, Vec<Blob>), String> {
    let field = |name: &str| Reflect::get(data, &name.into()).ok();
    let request = field("request")
        .and_then(|r| r.dyn_into::<Uint8Array>().ok())
        .ok_or("a message without a request")?;
    let request: SymbolizeRequest = decode(&request.to_vec())?;
    let files: Vec<Blob> = field("files")
        .and_then(|f| f.dyn_into::<Array>().ok())
        .map(|a| a.iter().filter_map(|b| b.dyn_into::<Blob>().ok()).collect())
        .unwrap_or_default();
    if files.len() != request.profiles.len() + request.binaries.len() {
        return Err(format!(
            "request {} names {} files but carries {}",
            request.id,
            request.profiles.len() + request.binaries.len(),
            files.len()
        ));
    }
    Ok((request, files))
}

/// Takes the request's files into the session: a new session when it has
/// profiles, else more binaries (replacing any of the same name).
fn update(session: &mut Session, request: &SymbolizeRequest, files: Vec<Blob>) {
    let mut files = files.into_iter();
    if !request.profiles.is_empty() {
        session.profiles = request.profiles.iter().cloned().zip(files.by_ref()).collect();
        session.binaries.clear();
    }
    for (name, blob) in request.binaries.iter().cloned().zip(files) {
        session.binaries.retain(|(n, _)| *n != name);
        session.binaries.push((name, blob));
    }
}

/// Reads Blobs into wasm memory.
async fn read_all(files: &Files) -> Result<Vec<(String, Vec<u8>)>, String> {
    let mut read = Vec::with_capacity(files.len());
    for (name, blob) in files {
        let buffer = JsFuture::from(blob.array_buffer())
            .await
            .map_err(|e| format!("cannot read {name}: {}", crate::ui::fetch::js_error_text(&e)))?;
        read.push((name.clone(), Uint8Array::new(&buffer).to_vec()));
    }
    Ok(read)
}

/// Symbolizes the session's profiles with its binaries.
async fn run(id: u32, profiles: Files, binaries: Files) -> SymbolizeResponse {
    let names = binaries.iter().map(|(n, _)| n.clone()).collect();
    let outcome = async {
        let profiles = read_all(&profiles).await?;
        let binaries = read_all(&binaries).await?;
        symbolize_all(&profiles, &binaries)
    };
    match outcome.await {
        Ok(files) => SymbolizeResponse::Done { id, binaries: names, files },
        Err(message) => SymbolizeResponse::Failed { id, message },
    }
}

/// Installs the message handler and a panic hook, and says it is ready.
pub fn start() {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let hook_scope = scope.clone();
    std::panic::set_hook(Box::new(move |info| {
        post(&hook_scope, &SymbolizeResponse::Panicked(info.to_string()))
    }));
    let session = Rc::new(RefCell::new(Session::default()));
    let reply_scope = scope.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        let (request, files) = match read_message(&event.data()) {
            Ok(read) => read,
            Err(message) => return post(&reply_scope, &SymbolizeResponse::Failed { id: u32::MAX, message }),
        };
        let (profiles, binaries) = {
            let mut s = session.borrow_mut();
            update(&mut s, &request, files);
            (s.profiles.clone(), s.binaries.clone())
        };
        let scope = reply_scope.clone();
        spawn_local(async move {
            let response = if profiles.is_empty() {
                SymbolizeResponse::Failed {
                    id: request.id,
                    message: "there is no profile to symbolize; open the profile with its binaries".into(),
                }
            } else {
                run(request.id, profiles, binaries).await
            };
            post(&scope, &response);
        });
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    post(&scope, &SymbolizeResponse::Ready);
}
