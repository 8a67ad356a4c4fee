//! gperftools' legacy binary CPU profiles (pprof's `parseCPU`): native
//! words, 32- or 64-bit, little- or big-endian, tried in pprof's order. A
//! header (0, 3, 0, period in microseconds, 0), then samples (count, depth,
//! addresses), an end marker (0, 1, 0), and the process's
//! `/proc/self/maps` as text.
//!
//! As pprof: every address but the leaf moves back one byte onto its call;
//! a second frame shared by nearly all samples (the signal handler's) is
//! stripped, up to twice; a leaf duplicated by the unwinder is dropped.

use std::collections::HashMap;

use super::{maps, LegacyProfile, Sample};
use crate::encode::ProfileWriter;
use crate::error::Error;
use crate::gomath;

/// How the profile's words are stored, in the order pprof tries them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Word {
    Little32,
    Big32,
    Little64,
    Big64,
}

impl Word {
    const ALL: [Word; 4] = [Word::Little32, Word::Big32, Word::Little64, Word::Big64];

    fn size(self) -> usize {
        match self {
            Word::Little32 | Word::Big32 => 4,
            Word::Little64 | Word::Big64 => 8,
        }
    }

    /// The word at `at`, if the input holds all of it.
    fn read(self, bytes: &[u8], at: usize) -> Option<u64> {
        let b = bytes.get(at..at.checked_add(self.size())?)?;
        let mut word = [0u8; 8];
        Some(match self {
            Word::Little32 => u64::from(u32::from_le_bytes([b[0], b[1], b[2], b[3]])),
            Word::Big32 => u64::from(u32::from_be_bytes([b[0], b[1], b[2], b[3]])),
            Word::Little64 => {
                word.copy_from_slice(b);
                u64::from_le_bytes(word)
            }
            Word::Big64 => {
                word.copy_from_slice(b);
                u64::from_be_bytes(word)
            }
        })
    }
}

/// The header's word layout and third word (0 for C++, 1 for Java).
fn header(bytes: &[u8]) -> Option<(Word, u64, u64)> {
    Word::ALL.into_iter().find_map(|w| {
        let n: Vec<u64> = (0..5).map(|i| w.read(bytes, i * w.size())).collect::<Option<_>>()?;
        (n[0] == 0 && n[1] == 3 && n[3] > 0 && n[4] == 0 && n[2] <= 1).then_some((w, n[2], n[3]))
    })
}

/// Whether the bytes are a C++ legacy CPU profile.
pub(crate) fn is_cpu(bytes: &[u8]) -> bool {
    header(bytes).is_some_and(|(_, kind, _)| kind == 0)
}

/// Whether the bytes are a Java legacy CPU profile (not read).
pub(crate) fn is_java(bytes: &[u8]) -> bool {
    header(bytes).is_some_and(|(_, kind, _)| kind == 1)
}

fn malformed(at: usize, detail: &str) -> Error {
    Error::NotAProfile { hint: format!("legacy binary CPU profile, byte {at}: {detail}") }
}

/// Parses the whole profile.
pub(crate) fn parse(bytes: &[u8], budget: u64) -> Result<ProfileWriter, Error> {
    let Some((word, 0, period_us)) = header(bytes) else {
        return Err(malformed(0, "the header is not the words 0, 3, 0, PERIOD, 0"));
    };
    let size = word.size();
    let types = vec![("samples", "count"), ("cpu", "nanoseconds")];
    let mut profile = LegacyProfile::new(types, ("cpu", "nanoseconds"), budget);
    profile.period = gomath::mul(period_us as i64, 1000);
    profile.drop_duplicate_leaf = true;
    let mut at = 5 * size;
    // Where the memory map text starts: after the end marker, or nowhere
    // when the samples run to the end of the input.
    let mut trailer = bytes.len();
    while at < bytes.len() {
        let sample_at = at;
        let (Some(count), Some(depth)) = (word.read(bytes, at), word.read(bytes, at + size)) else {
            return Err(malformed(sample_at, "the input ends inside a sample's count and depth"));
        };
        at += 2 * size;
        let remaining = bytes.len() - at;
        // pprof's bound (in 4-byte units whatever the word size); missing
        // words of a 64-bit stack then read as 0, as pprof reads them.
        if depth > (remaining / 4) as u64 {
            return Err(malformed(
                sample_at,
                &format!("the sample claims {depth} frames but {remaining} bytes remain"),
            ));
        }
        let depth = depth as usize;
        let mut addresses = Vec::with_capacity(depth.min(remaining / size));
        let mut truncated = false;
        for _ in 0..depth {
            match word.read(bytes, at) {
                Some(a) if !truncated => {
                    addresses.push(a);
                    at += size;
                }
                _ => {
                    truncated = true;
                    addresses.push(0);
                }
            }
        }
        if truncated {
            at = bytes.len();
        }
        if count == 0 && depth == 1 && addresses[0] == 0 {
            trailer = at;
            break;
        }
        for a in addresses.iter_mut().skip(1) {
            *a = a.wrapping_sub(1);
        }
        let count = count as i64;
        profile.add(Sample {
            addresses,
            values: vec![count, gomath::mul(count, profile.period)],
            block_size: None,
        })?;
    }
    strip_signal_frames(&mut profile.samples);
    let text = String::from_utf8_lossy(&bytes[trailer.min(bytes.len())..]);
    profile.mappings = maps::parse(text.lines());
    profile.finish(None)
}

/// When nearly every sample (all but one in 32) has the same second frame,
/// it is the signal handler's, not the program's: removed, twice at most.
fn strip_signal_frames(samples: &mut [Sample]) {
    let margin = samples.len() / 32;
    for _ in 0..2 {
        let mut counts: HashMap<u64, usize> = HashMap::new();
        for s in samples.iter().filter(|s| s.addresses.len() > 1) {
            *counts.entry(s.addresses[1]).or_default() += 1;
        }
        // At most one address can reach the threshold.
        let Some((&frame, _)) = counts.iter().find(|&(_, &n)| n >= samples.len() - margin) else { continue };
        for s in samples.iter_mut() {
            if s.addresses.len() > 1 && s.addresses[1] == frame {
                s.addresses.remove(1);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words64(w: &[u64]) -> Vec<u8> {
        w.iter().flat_map(|x| x.to_be_bytes()).collect()
    }

    #[test]
    fn headers_in_every_layout() {
        let le32: Vec<u8> = [0u32, 3, 0, 10000, 0].iter().flat_map(|x| x.to_le_bytes()).collect();
        assert_eq!(header(&le32).map(|h| h.0), Some(Word::Little32));
        assert_eq!(header(&words64(&[0, 3, 0, 100, 0])).map(|h| h.0), Some(Word::Big64));
        assert!(is_java(&words64(&[0, 3, 1, 100, 0])));
        assert!(!is_cpu(&words64(&[0, 3, 0, 0, 0])), "a period of 0 is no header");
        assert!(!is_cpu(&[0, 0, 0, 0]));
    }

    #[test]
    fn big_endian_samples_and_marker() {
        // Two samples with different callers: no frame is the signal handler's.
        let mut bytes = words64(&[0, 3, 0, 100, 0, 5, 2, 0x1000, 0x2001, 1, 2, 0x1000, 0x2801, 0, 1, 0]);
        bytes.extend_from_slice(b"1000-3000 r-xp 00000000 00:00 1 /bin/app\n");
        let mut w = parse(&bytes, u64::MAX).unwrap();
        let p = w.proto_mut();
        assert_eq!(p.period, 100_000);
        assert_eq!(p.sample.len(), 2);
        assert_eq!(p.sample[0].value, [5, 500_000]);
        let addresses: Vec<u64> = p.location.iter().map(|l| l.address).collect();
        assert_eq!(addresses, [0x1000, 0x2000, 0x2800], "callers moved back a byte, the leaf not");
        assert_eq!(p.mapping.len(), 1);
        assert!(parse(&words64(&[0, 3, 0, 100, 0, 5, 99]), u64::MAX).is_err());
    }

    #[test]
    fn signal_frame_is_stripped() {
        let mut samples: Vec<Sample> = (0..40)
            .map(|i| Sample { addresses: vec![i, 7, 100 + i], values: vec![1, 1], block_size: None })
            .collect();
        strip_signal_frames(&mut samples);
        assert!(samples.iter().all(|s| s.addresses.len() == 2 && s.addresses[1] >= 100));
    }
}
