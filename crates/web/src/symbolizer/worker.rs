//! The symbolizer worker's message loop (wasm32 only). Messages in are
//! `{request, files}`: a postcard [`SymbolizeRequest`] and its files as
//! Blobs. Messages out are postcard [`SymbolizeResponse`]s, the answer to
//! a request as `{response, profiles}` with the symbolized profiles'
//! bytes as transferred ArrayBuffers.

use js_sys::{Array, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::{Blob, DedicatedWorkerGlobalScope, MessageEvent};

use super::{decode, encode, symbolize_all, SymbolizeRequest, SymbolizeResponse};

fn post(scope: &DedicatedWorkerGlobalScope, response: &SymbolizeResponse) {
    let bytes = Uint8Array::from(&encode(response)[..]);
    let transfer = Array::of1(&bytes.buffer());
    let _ = scope.post_message_with_transfer(&bytes, &transfer);
}

/// Posts `{response, profiles}`: the symbolized profiles' bytes move out
/// of the message into ArrayBuffers that are transferred, not copied.
fn post_done(scope: &DedicatedWorkerGlobalScope, mut response: SymbolizeResponse) {
    let buffers = Array::new();
    if let SymbolizeResponse::Done { files, .. } = &mut response {
        for file in files {
            buffers.push(&Uint8Array::from(&std::mem::take(&mut file.bytes)[..]).buffer());
        }
    }
    let message = js_sys::Object::new();
    let encoded = Uint8Array::from(&encode(&response)[..]);
    let _ = Reflect::set(&message, &"response".into(), &encoded);
    let _ = Reflect::set(&message, &"profiles".into(), &buffers);
    let transfer = buffers.concat(&Array::of1(&encoded.buffer()));
    let _ = scope.post_message_with_transfer(&message, &transfer);
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
    let named = request.profiles.len() + request.binaries.len();
    if files.len() != named {
        return Err(format!("request {} names {named} files but carries {}", request.id, files.len()));
    }
    Ok((request, files))
}

/// Reads named Blobs into wasm memory.
async fn read_all(names: &[String], blobs: &[Blob]) -> Result<Vec<(String, Vec<u8>)>, String> {
    let mut read = Vec::with_capacity(blobs.len());
    for (name, blob) in names.iter().zip(blobs) {
        let buffer = JsFuture::from(blob.array_buffer())
            .await
            .map_err(|e| format!("cannot read {name}: {}", crate::ui::fetch::js_error_text(&e)))?;
        read.push((name.clone(), Uint8Array::new(&buffer).to_vec()));
    }
    Ok(read)
}

/// Symbolizes the request's profiles with its binaries.
async fn run(request: SymbolizeRequest, files: Vec<Blob>) -> SymbolizeResponse {
    let id = request.id;
    let (profile_blobs, binary_blobs) = files.split_at(request.profiles.len());
    let outcome = async {
        if request.profiles.is_empty() {
            return Err("there is no profile to symbolize; open the profile with its binaries".to_string());
        }
        let profiles = read_all(&request.profiles, profile_blobs).await?;
        let binaries = read_all(&request.binaries, binary_blobs).await?;
        symbolize_all(&profiles, &binaries)
    };
    let outcome = outcome.await;
    // For docs/PERFORMANCE.md: the worker's peak memory (wasm memory never shrinks).
    if let Ok(memory) = wasm_bindgen::memory().dyn_into::<js_sys::WebAssembly::Memory>() {
        let bytes = memory.buffer().unchecked_into::<js_sys::ArrayBuffer>().byte_length();
        web_sys::console::debug_1(&format!("proflens symbolizer: {} MiB of wasm memory", bytes >> 20).into());
    }
    match outcome {
        Ok(files) => SymbolizeResponse::Done { id, files },
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
    let reply_scope = scope.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        let scope = reply_scope.clone();
        match read_message(&event.data()) {
            Ok((request, files)) => spawn_local(async move { post_done(&scope, run(request, files).await) }),
            Err(message) => post(&scope, &SymbolizeResponse::Failed { id: u32::MAX, message }),
        }
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    on_message.forget();
    post(&scope, &SymbolizeResponse::Ready);
}
