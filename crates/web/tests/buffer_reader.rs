//! The worker's chunked reader of a transferred ArrayBuffer, in a real
//! browser: every byte arrives in order across chunk boundaries, and a
//! profile decodes through it exactly as from a byte slice.

#![cfg(target_arch = "wasm32")]

use std::io::{BufRead, Read};

use js_sys::Uint8Array;
use proflens_web::file_bytes::FileBytes;
use proflens_web::worker::buffer_reader::BufferReader;
use proflens_web::worker::engine::Engine;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn array_buffer(bytes: &[u8]) -> FileBytes {
    FileBytes::Buffer(Uint8Array::from(bytes).buffer())
}

#[wasm_bindgen_test]
fn reads_every_byte_across_chunks() {
    // 2.5 chunks of a sequence that shows any reordering or repeat.
    let bytes: Vec<u8> = (0..(5u32 << 19) + 7).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    let mut reader = BufferReader::new(array_buffer(&bytes));
    assert_eq!(reader.total_bytes(), bytes.len() as u64);
    // Small reads and consumes mixed, as the decoder does.
    let mut out = Vec::new();
    let mut small = [0u8; 1000];
    let n = reader.read(&mut small).unwrap();
    out.extend_from_slice(&small[..n]);
    let head = reader.fill_buf().unwrap().len();
    assert!(head > 0);
    let part = reader.fill_buf().unwrap()[..10].to_vec();
    out.extend_from_slice(&part);
    reader.consume(10);
    reader.read_to_end(&mut out).unwrap();
    assert_eq!(out.len(), bytes.len());
    assert!(out == bytes, "the bytes come back in order");
    assert!(reader.fill_buf().unwrap().is_empty(), "then the end");
}

#[wasm_bindgen_test]
fn profiles_decode_through_it_as_from_a_slice() {
    let file = include_bytes!("../../../tests/fixtures/go/heap2.pb.gz");
    let buffer = array_buffer(file);
    let reader = BufferReader::new(buffer);
    let total = reader.total_bytes();
    let streamed = Engine::load_from(0, "heap2.pb.gz", reader, total, 1 << 30, &mut |_| {}).unwrap();
    let sliced = Engine::load(0, "heap2.pb.gz", file, 1 << 30, &mut |_| {}).unwrap();
    assert_eq!(streamed.summary(), sliced.summary());
    assert!(Engine::load_from(
        0,
        "x",
        BufferReader::new(array_buffer(b"not a profile")),
        13,
        1 << 30,
        &mut |_| {}
    )
    .is_err());
}
