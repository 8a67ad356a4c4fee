//! A streaming reader for the top level of a protobuf message.
//!
//! The profile is read field by field from any `BufRead` (a byte slice, a
//! file, a gzip decoder), so the whole decompressed profile never has to sit
//! in memory at once. It also enforces the decompressed-size cap, keeps the
//! first bytes for format sniffing, and reports progress.

use std::io::{self, BufRead};

use crate::error::Error;

/// How many leading bytes are kept for sniffing the format after a failure.
const SNIFF_LEN: usize = 512;

/// Protobuf wire types.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum WireType {
    Varint,
    Fixed64,
    Len,
    Fixed32,
}

/// Reads tags, varints and length-delimited payloads from a stream.
pub(crate) struct WireReader<'p, R> {
    inner: R,
    offset: u64,
    limit: u64,
    is_gzip: bool,
    sniff: Vec<u8>,
    progress: &'p mut dyn FnMut(u64),
    next_report: u64,
}

/// Bytes between two progress reports.
const PROGRESS_STEP: u64 = 1 << 20;

impl<'p, R: BufRead> WireReader<'p, R> {
    pub(crate) fn new(inner: R, limit: u64, is_gzip: bool, progress: &'p mut dyn FnMut(u64)) -> Self {
        WireReader {
            inner,
            offset: 0,
            limit,
            is_gzip,
            sniff: Vec::new(),
            progress,
            next_report: PROGRESS_STEP,
        }
    }

    /// Bytes consumed so far.
    pub(crate) fn offset(&self) -> u64 {
        self.offset
    }

    /// The first bytes of the stream, for sniffing the format.
    pub(crate) fn sniffed(&self) -> &[u8] {
        &self.sniff
    }

    /// The bytes buffered at the start of the stream, not consumed: enough
    /// to recognise a text format.
    pub(crate) fn head(&mut self) -> Result<&[u8], Error> {
        self.fill()
    }

    /// The rest of the stream, within the size cap (text formats are parsed
    /// whole).
    pub(crate) fn read_to_end(&mut self) -> Result<Vec<u8>, Error> {
        let mut out = Vec::new();
        loop {
            let buf = self.fill()?;
            if buf.is_empty() {
                return Ok(out);
            }
            let n = buf.len();
            out.extend_from_slice(buf);
            self.consume(n)?;
        }
    }

    /// An error at the current offset.
    pub(crate) fn malformed(&self, detail: impl Into<String>) -> Error {
        Error::Protobuf { offset: self.offset, detail: detail.into() }
    }

    fn io_error(&self, e: io::Error) -> Error {
        let truncated = e.kind() == io::ErrorKind::UnexpectedEof;
        if self.is_gzip {
            Error::Gzip { detail: e.to_string(), truncated }
        } else {
            self.malformed(e.to_string())
        }
    }

    /// The buffered bytes, refilling when empty; empty at end of stream.
    fn fill(&mut self) -> Result<&[u8], Error> {
        loop {
            match self.inner.fill_buf() {
                Ok(_) => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(self.io_error(e)),
            }
        }
        let buf = self.inner.fill_buf().unwrap_or(&[]);
        if self.offset == 0 && self.sniff.is_empty() {
            // Keep the head of the stream so a failure can say what it is.
            self.sniff.extend_from_slice(&buf[..buf.len().min(SNIFF_LEN)]);
        }
        Ok(buf)
    }

    fn consume(&mut self, n: usize) -> Result<(), Error> {
        self.inner.consume(n);
        self.offset += n as u64;
        if self.offset > self.limit {
            return Err(Error::TooLarge { limit: self.limit });
        }
        if self.offset >= self.next_report {
            self.next_report = self.offset + PROGRESS_STEP;
            (self.progress)(self.offset);
        }
        Ok(())
    }

    /// Reads a varint; None when the stream ends cleanly before its first byte.
    pub(crate) fn read_varint_or_eof(&mut self) -> Result<Option<u64>, Error> {
        let (available, fast) = {
            let buf = self.fill()?;
            (buf.len(), decode_varint_prefix(buf))
        };
        if available == 0 {
            return Ok(None);
        }
        match fast {
            Some(Ok((value, len))) => {
                self.consume(len)?;
                return Ok(Some(value));
            }
            Some(Err(())) => return Err(self.malformed("a varint is longer than 10 bytes")),
            None => {}
        }
        // Slow path: the varint straddles buffer refills.
        let mut value = 0u64;
        for i in 0..10 {
            let byte = self.fill()?.first().copied();
            let Some(b) = byte else {
                return Err(self.truncated());
            };
            self.consume(1)?;
            value |= u64::from(b & 0x7f) << (7 * i);
            if b & 0x80 == 0 {
                return Ok(Some(value));
            }
        }
        Err(self.malformed("a varint is longer than 10 bytes"))
    }

    /// Reads a varint that must be present.
    pub(crate) fn read_varint(&mut self) -> Result<u64, Error> {
        match self.read_varint_or_eof()? {
            Some(v) => Ok(v),
            None => Err(self.truncated()),
        }
    }

    fn truncated(&self) -> Error {
        if self.is_gzip {
            self.malformed("the data ends inside a field; the profile inside the gzip stream is truncated")
        } else {
            self.malformed("the data ends inside a field; the file is probably truncated")
        }
    }

    /// Reads a field key; None at the clean end of the message.
    pub(crate) fn read_key(&mut self) -> Result<Option<(u64, WireType)>, Error> {
        let Some(key) = self.read_varint_or_eof()? else {
            return Ok(None);
        };
        let field = key >> 3;
        let wire = match key & 7 {
            0 => WireType::Varint,
            1 => WireType::Fixed64,
            2 => WireType::Len,
            5 => WireType::Fixed32,
            other => return Err(self.malformed(format!("unknown wire type {other} for field {field}"))),
        };
        if field == 0 {
            return Err(self.malformed("field number 0 is invalid"));
        }
        Ok(Some((field, wire)))
    }

    /// Reads a length prefix and then that many bytes into `buf`.
    #[cfg(test)]
    pub(crate) fn read_len_delimited(&mut self, buf: &mut Vec<u8>) -> Result<(), Error> {
        let len = self.read_len()?;
        self.read_bytes(len, buf)
    }

    /// Reads the length prefix of a length-delimited field, refusing one
    /// longer than what may remain.
    pub(crate) fn read_len(&mut self) -> Result<u64, Error> {
        let len = self.read_varint()?;
        if len > self.limit.saturating_sub(self.offset) {
            if !self.is_gzip {
                // Raw input this large would have hit the limit byte by
                // byte; a length prefix this large is corruption.
                return Err(self.malformed(format!(
                    "a field claims {len} bytes, more than the whole profile may hold; the file is corrupt"
                )));
            }
            return Err(Error::TooLarge { limit: self.limit });
        }
        Ok(len)
    }

    /// Reads the `len` bytes of a field's payload into `buf`.
    pub(crate) fn read_bytes(&mut self, len: u64, buf: &mut Vec<u8>) -> Result<(), Error> {
        buf.clear();
        let mut remaining = len as usize;
        // Grow as data arrives: a bogus length on truncated input must not
        // allocate its claimed size up front. Growth doubles but stops at
        // the length, so the buffer never holds more than it.
        while remaining > 0 {
            let take = {
                let chunk = self.fill()?;
                let take = chunk.len().min(remaining);
                if buf.capacity() - buf.len() < take {
                    let want = (2 * buf.capacity()).max(buf.len() + take).min(len as usize);
                    buf.reserve_exact(want - buf.len());
                }
                buf.extend_from_slice(&chunk[..take]);
                take
            };
            if take == 0 {
                return Err(self.truncated());
            }
            self.consume(take)?;
            remaining -= take;
        }
        Ok(())
    }

    /// Skips the payload of a field of the given wire type.
    pub(crate) fn skip(&mut self, wire: WireType) -> Result<(), Error> {
        let mut n = match wire {
            WireType::Varint => {
                self.read_varint()?;
                return Ok(());
            }
            WireType::Fixed64 => 8,
            WireType::Fixed32 => 4,
            WireType::Len => self.read_varint()?,
        };
        while n > 0 {
            let take = (self.fill()?.len() as u64).min(n) as usize;
            if take == 0 {
                return Err(self.truncated());
            }
            self.consume(take)?;
            n -= take as u64;
        }
        Ok(())
    }
}

/// Decodes a varint wholly inside `buf`: Some(Ok((value, length))), Some(Err)
/// when it is over-long, None when `buf` ends first.
fn decode_varint_prefix(buf: &[u8]) -> Option<Result<(u64, usize), ()>> {
    let mut value = 0u64;
    for (i, &b) in buf.iter().take(10).enumerate() {
        value |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            return Some(Ok((value, i + 1)));
        }
    }
    if buf.len() >= 10 {
        Some(Err(()))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reader(bytes: &[u8]) -> (Vec<(u64, WireType)>, Result<(), Error>) {
        let mut progress = |_| {};
        let mut r = WireReader::new(bytes, u64::MAX, false, &mut progress);
        let mut keys = Vec::new();
        let result = (|| {
            while let Some((field, wire)) = r.read_key()? {
                keys.push((field, wire));
                r.skip(wire)?;
            }
            Ok(())
        })();
        (keys, result)
    }

    #[test]
    fn reads_keys_and_skips_payloads() {
        // field 9 varint 300, field 6 "ab", field 1 fixed32.
        let bytes = [0x48, 0xac, 0x02, 0x32, 2, b'a', b'b', 0x0d, 1, 2, 3, 4];
        let (keys, result) = reader(&bytes);
        assert!(result.is_ok());
        assert_eq!(keys, vec![(9, WireType::Varint), (6, WireType::Len), (1, WireType::Fixed32)]);
    }

    #[test]
    fn truncation_is_reported_with_offset() {
        let (_, result) = reader(&[0x32, 5, b'a']);
        match result {
            Err(Error::Protobuf { offset, detail }) => {
                assert_eq!(offset, 3);
                assert!(detail.contains("truncated"));
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn size_cap_stops_reading() {
        let bytes = [0x32, 5, b'a', b'b', b'c', b'd', b'e'];
        let mut progress = |_| {};
        let mut r = WireReader::new(&bytes[..], 4, true, &mut progress);
        r.read_key().unwrap();
        let mut buf = Vec::new();
        assert_eq!(r.read_len_delimited(&mut buf), Err(Error::TooLarge { limit: 4 }));
    }
}
