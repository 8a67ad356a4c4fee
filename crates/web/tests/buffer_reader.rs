//! The worker's chunked reader, in a real dedicated worker (where it runs,
//! and where `FileReaderSync` exists), over both kinds of load bytes: a
//! transferred ArrayBuffer and a dropped file's Blob. Every byte arrives in
//! order across chunk boundaries, a profile decodes through it exactly as
//! from a byte slice, and a load message carries either kind.

#![cfg(target_arch = "wasm32")]

use std::io::{BufRead, Read};

use js_sys::{Array, Object, Uint8Array};
use proflens_web::file_bytes::FileBytes;
use proflens_web::worker::buffer_reader::BufferReader;
use proflens_web::worker::engine::Engine;
use wasm_bindgen_test::*;
use web_sys::Blob;

wasm_bindgen_test_configure!(run_in_dedicated_worker);

fn array_buffer(bytes: &[u8]) -> FileBytes {
    FileBytes::Buffer(Uint8Array::from(bytes).buffer())
}

fn blob(bytes: &[u8]) -> FileBytes {
    FileBytes::Blob(Blob::new_with_u8_array_sequence(&Array::of1(&Uint8Array::from(bytes))).unwrap())
}

/// Makes load bytes of one kind.
type Source = fn(&[u8]) -> FileBytes;

/// Both kinds, made from the same bytes.
const SOURCES: [(&str, Source); 2] = [("ArrayBuffer", array_buffer), ("Blob", blob)];

#[wasm_bindgen_test]
fn reads_every_byte_across_chunks() {
    // 2.5 chunks of a sequence that shows any reordering or repeat.
    let bytes: Vec<u8> = (0..(5u32 << 19) + 7).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    for (kind, source) in SOURCES {
        let mut reader = BufferReader::new(source(&bytes));
        assert_eq!(reader.total_bytes(), bytes.len() as u64, "{kind}");
        // Small reads and consumes mixed, as the decoder does.
        let mut out = Vec::new();
        let mut small = [0u8; 1000];
        let n = reader.read(&mut small).unwrap();
        out.extend_from_slice(&small[..n]);
        let head = reader.fill_buf().unwrap().len();
        assert!(head > 0, "{kind}");
        let part = reader.fill_buf().unwrap()[..10].to_vec();
        out.extend_from_slice(&part);
        reader.consume(10);
        reader.read_to_end(&mut out).unwrap();
        assert_eq!(out.len(), bytes.len(), "{kind}");
        assert!(out == bytes, "{kind}: the bytes come back in order");
        assert!(reader.fill_buf().unwrap().is_empty(), "{kind}: then the end");
    }
}

#[wasm_bindgen_test]
fn profiles_decode_through_it_as_from_a_slice() {
    let file = include_bytes!("../../../tests/fixtures/go/heap2.pb.gz");
    let sliced = Engine::load(0, "heap2.pb.gz", file, 1 << 30, &mut |_| {}).unwrap();
    for (kind, source) in SOURCES {
        let reader = BufferReader::new(source(file));
        let total = reader.total_bytes();
        let streamed = Engine::load_from(0, "heap2.pb.gz", reader, total, 1 << 30, &mut |_| {}).unwrap();
        assert_eq!(streamed.summary(), sliced.summary(), "{kind}");
        let bad = BufferReader::new(source(b"not a profile"));
        assert!(Engine::load_from(0, "x", bad, 13, 1 << 30, &mut |_| {}).is_err(), "{kind}");
    }
}

#[wasm_bindgen_test]
fn a_load_message_carries_a_blob_or_a_transferred_buffer() {
    let message = Object::new();
    assert!(blob(b"abc").attach(&message).is_none(), "a Blob is cloned as a handle, not transferred");
    assert!(matches!(FileBytes::from_message(&message), Some(FileBytes::Blob(b)) if b.size() == 3.0));
    let message = Object::new();
    assert_eq!(
        array_buffer(b"abcd").attach(&message).map(|t| t.length()),
        Some(1),
        "the buffer is transferred"
    );
    assert!(matches!(FileBytes::from_message(&message), Some(FileBytes::Buffer(b)) if b.byte_length() == 4));
    assert!(FileBytes::from_message(&Object::new()).is_none());
}
