//! Reads a load's bytes into the decoder in chunks, so the worker's wasm
//! memory never holds a copy of the whole file (for a 100 MB profile, a
//! third of the load's peak): from a transferred ArrayBuffer, or from a
//! dropped file's Blob with `FileReaderSync`, one slice at a time.

use std::io::{self, BufRead, Read};

use js_sys::Uint8Array;
use web_sys::FileReaderSync;

use crate::file_bytes::FileBytes;

/// Bytes copied into wasm memory at a time.
const CHUNK: u64 = 1 << 20;

/// A `BufRead` over a load's bytes.
pub struct BufferReader {
    source: FileBytes,
    total: u64,
    /// Reads Blob slices (workers may read files synchronously).
    reader: Option<FileReaderSync>,
    /// Where the next chunk starts in `source`.
    next: u64,
    chunk: Vec<u8>,
    /// Unconsumed bytes of `chunk`.
    start: usize,
}

impl BufferReader {
    /// A reader of `source`'s bytes.
    pub fn new(source: FileBytes) -> Self {
        let total = source.len();
        BufferReader { source, total, reader: None, next: 0, chunk: Vec::new(), start: 0 }
    }

    /// The length in bytes.
    pub fn total_bytes(&self) -> u64 {
        self.total
    }

    /// Copies bytes `next..end` of the source into `chunk`.
    fn read_chunk(&mut self, end: u64) -> io::Result<()> {
        let failed = |what: &str, e: wasm_bindgen::JsValue| {
            io::Error::other(format!("{what}: {}", crate::ui::fetch::js_error_text(&e)))
        };
        let bytes = match &self.source {
            FileBytes::Buffer(b) => Uint8Array::new(b).subarray(self.next as u32, end as u32),
            FileBytes::Blob(blob) => {
                if self.reader.is_none() {
                    self.reader = Some(FileReaderSync::new().map_err(|e| failed("cannot read the file", e))?);
                }
                let reader = self.reader.as_ref().expect("set above");
                let slice = blob
                    .slice_with_f64_and_f64(self.next as f64, end as f64)
                    .map_err(|e| failed("cannot read the file", e))?;
                let buffer = reader
                    .read_as_array_buffer(&slice)
                    .map_err(|e| failed("the file could not be read (was it moved or changed?)", e))?;
                Uint8Array::new(&buffer)
            }
        };
        self.chunk.resize(bytes.length() as usize, 0);
        bytes.copy_to(&mut self.chunk);
        Ok(())
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
        if self.start == self.chunk.len() && self.next < self.total {
            let end = self.total.min(self.next + CHUNK);
            self.read_chunk(end)?;
            self.next = end;
            self.start = 0;
        }
        Ok(&self.chunk[self.start..])
    }

    fn consume(&mut self, n: usize) {
        self.start = (self.start + n).min(self.chunk.len());
    }
}
