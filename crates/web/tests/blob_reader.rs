//! The worker's reader of a dropped file's Blob, in a real dedicated
//! worker (`FileReaderSync` exists only there): every byte arrives in order
//! across 1 MiB slices, a profile decodes through it exactly as from a
//! byte slice, and a Blob passed through a load message comes back as one.

#![cfg(target_arch = "wasm32")]

use std::io::{BufRead, Read};

use js_sys::{Array, Object, Uint8Array};
use proflens_web::file_bytes::FileBytes;
use proflens_web::worker::buffer_reader::BufferReader;
use proflens_web::worker::engine::Engine;
use wasm_bindgen_test::*;
use web_sys::Blob;

wasm_bindgen_test_configure!(run_in_dedicated_worker);

fn blob(bytes: &[u8]) -> Blob {
    Blob::new_with_u8_array_sequence(&Array::of1(&Uint8Array::from(bytes))).unwrap()
}

#[wasm_bindgen_test]
fn reads_every_byte_of_a_blob_across_slices() {
    // 2.5 slices of a sequence that shows any reordering or repeat.
    let bytes: Vec<u8> = (0..(5u32 << 19) + 7).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    let mut reader = BufferReader::new(FileBytes::Blob(blob(&bytes)));
    assert_eq!(reader.total_bytes(), bytes.len() as u64);
    let mut out = Vec::new();
    let mut small = [0u8; 1000];
    let n = reader.read(&mut small).unwrap();
    out.extend_from_slice(&small[..n]);
    let part = reader.fill_buf().unwrap()[..10].to_vec();
    out.extend_from_slice(&part);
    reader.consume(10);
    reader.read_to_end(&mut out).unwrap();
    assert_eq!(out.len(), bytes.len());
    assert!(out == bytes, "the bytes come back in order");
    assert!(reader.fill_buf().unwrap().is_empty(), "then the end");
}

#[wasm_bindgen_test]
fn a_profile_decodes_from_its_blob_as_from_a_slice() {
    let file = include_bytes!("../../../tests/fixtures/go/heap2.pb.gz");
    let reader = BufferReader::new(FileBytes::Blob(blob(file)));
    let total = reader.total_bytes();
    let streamed = Engine::load_from(0, "heap2.pb.gz", reader, total, 1 << 30, &mut |_| {}).unwrap();
    let sliced = Engine::load(0, "heap2.pb.gz", file, 1 << 30, &mut |_| {}).unwrap();
    assert_eq!(streamed.summary(), sliced.summary());
    let bad = BufferReader::new(FileBytes::Blob(blob(b"not a profile")));
    assert!(Engine::load_from(0, "x", bad, 13, 1 << 30, &mut |_| {}).is_err());
}

#[wasm_bindgen_test]
fn a_load_message_carries_a_blob_or_a_transferred_buffer() {
    let message = Object::new();
    let sent = FileBytes::Blob(blob(b"abc"));
    assert!(sent.attach(&message).is_none(), "a Blob is cloned as a handle, not transferred");
    assert!(matches!(FileBytes::from_message(&message), Some(FileBytes::Blob(b)) if b.size() == 3.0));
    let message = Object::new();
    let sent = FileBytes::Buffer(Uint8Array::from(&b"abcd"[..]).buffer());
    assert_eq!(sent.attach(&message).map(|t| t.length()), Some(1), "the buffer is transferred");
    assert!(matches!(FileBytes::from_message(&message), Some(FileBytes::Buffer(b)) if b.byte_length() == 4));
    assert!(FileBytes::from_message(&Object::new()).is_none());
}
