//! A wasm32 module for timing gunzip and decode from Node: the host copies a
//! profile into memory with `alloc` and calls the exported functions; the
//! timing happens in JavaScript.

use std::io::Read;

/// Allocates `len` bytes for the host to fill; never freed (one-shot tool).
#[no_mangle]
pub extern "C" fn alloc(len: usize) -> *mut u8 {
    let mut v = Vec::<u8>::with_capacity(len);
    let p = v.as_mut_ptr();
    std::mem::forget(v);
    p
}

fn input<'a>(ptr: *const u8, len: usize) -> &'a [u8] {
    // SAFETY: the host wrote `len` bytes at `ptr`, which `alloc` returned.
    unsafe { std::slice::from_raw_parts(ptr, len) }
}

/// Inflates gzip input; returns the inflated size.
#[no_mangle]
pub extern "C" fn gunzip(ptr: *const u8, len: usize) -> u32 {
    let mut out = Vec::new();
    match flate2::read::GzDecoder::new(input(ptr, len)).read_to_end(&mut out) {
        Ok(n) => n as u32,
        Err(_) => u32::MAX,
    }
}

/// Decodes a profile; returns its sample count.
#[no_mangle]
pub extern "C" fn decode(ptr: *const u8, len: usize) -> u32 {
    match proflens_core::decode(input(ptr, len), &Default::default()) {
        Ok(p) => p.samples.len() as u32,
        Err(_) => u32::MAX,
    }
}

/// Decodes a profile and computes the top report; returns the row count.
#[no_mangle]
pub extern "C" fn decode_top(ptr: *const u8, len: usize) -> u32 {
    let Ok(p) = proflens_core::decode(input(ptr, len), &Default::default()) else {
        return u32::MAX;
    };
    match proflens_core::report::top(&p, &Default::default()) {
        Ok(r) => r.rows.len() as u32,
        Err(_) => u32::MAX,
    }
}
