//! A profile's bytes on their way to the worker: an ArrayBuffer the page
//! already holds (a fetched URL, an embedding host's bytes, a small file),
//! transferred; or a dropped file's `Blob`, which the worker reads a slice
//! at a time, so neither thread ever holds the whole file (for a 100 MB
//! profile, the page's main thread no longer spends a long task reading it
//! into an ArrayBuffer, and the tab holds 100 MB less).

use js_sys::{Array, ArrayBuffer, Object, Reflect};
use wasm_bindgen::JsCast;
use web_sys::Blob;

/// Where a load's bytes are.
#[derive(Clone, Debug)]
pub enum FileBytes {
    /// In memory: moved to the worker with the message.
    Buffer(ArrayBuffer),
    /// Still in the file: the worker reads it in slices.
    Blob(Blob),
}

/// The message fields each kind travels in.
const BUFFER_FIELD: &str = "buffer";
const BLOB_FIELD: &str = "blob";

impl FileBytes {
    /// The size in bytes.
    pub fn len(&self) -> u64 {
        match self {
            FileBytes::Buffer(b) => u64::from(b.byte_length()),
            FileBytes::Blob(b) => b.size() as u64,
        }
    }

    /// Whether there are no bytes.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Puts the bytes in `message`; returns what must be transferred with
    /// it (a Blob is cloned as a handle, its bytes are not copied).
    pub fn attach(&self, message: &Object) -> Option<Array> {
        match self {
            FileBytes::Buffer(b) => {
                let _ = Reflect::set(message, &BUFFER_FIELD.into(), b);
                Some(Array::of1(b))
            }
            FileBytes::Blob(b) => {
                let _ = Reflect::set(message, &BLOB_FIELD.into(), b);
                None
            }
        }
    }

    /// The bytes a load message carries, if any.
    pub fn from_message(message: &Object) -> Option<FileBytes> {
        let field = |name: &str| Reflect::get(message, &name.into()).ok();
        if let Some(b) = field(BUFFER_FIELD).and_then(|b| b.dyn_into::<ArrayBuffer>().ok()) {
            return Some(FileBytes::Buffer(b));
        }
        field(BLOB_FIELD).and_then(|b| b.dyn_into::<Blob>().ok()).map(FileBytes::Blob)
    }
}
