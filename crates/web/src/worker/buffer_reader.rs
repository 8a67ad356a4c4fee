//! Reads a transferred ArrayBuffer into the decoder in chunks, so the
//! worker's wasm memory never holds a copy of the whole file (for a 100 MB
//! profile, a third of the load's peak).

use std::io::{self, BufRead, Read};

use js_sys::{ArrayBuffer, Uint8Array};

/// Bytes copied into wasm memory at a time.
const CHUNK: u32 = 1 << 20;

/// A `BufRead` over a JavaScript ArrayBuffer.
pub struct BufferReader {
    source: Uint8Array,
    /// Where the next chunk starts in `source`.
    next: u32,
    chunk: Vec<u8>,
    /// Unconsumed bytes of `chunk`.
    start: usize,
}

impl BufferReader {
    /// A reader of `buffer`'s bytes.
    pub fn new(buffer: &ArrayBuffer) -> Self {
        BufferReader { source: Uint8Array::new(buffer), next: 0, chunk: Vec::new(), start: 0 }
    }

    /// The buffer's length in bytes.
    pub fn total_bytes(&self) -> u64 {
        u64::from(self.source.length())
    }
}

impl Read for BufferReader {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(out.len());
        out[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl BufRead for BufferReader {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.start == self.chunk.len() {
            let end = self.source.length().min(self.next.saturating_add(CHUNK));
            self.chunk.resize((end - self.next) as usize, 0);
            self.source.subarray(self.next, end).copy_to(&mut self.chunk);
            self.next = end;
            self.start = 0;
        }
        Ok(&self.chunk[self.start..])
    }

    fn consume(&mut self, n: usize) {
        self.start = (self.start + n).min(self.chunk.len());
    }
}
