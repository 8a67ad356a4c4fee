//! Heap profiles in text: Go's `?debug=1` heap (`heap profile: A: B [C: D]
//! @ heap/RATE`, then `# runtime.MemStats` comments) and gperftools'
//! (`@ heapprofile`, `@ heap_v2/RATE`, growth and fragmentation forms,
//! with a `MAPPED_LIBRARIES:` memory map). Read as pprof's `parseHeap`
//! reads them: alloc types first when the header shows allocations, values
//! unsampled for the v2 forms (pprof's `scaleHeapSample`, rate and all,
//! including its halving of Go's rate), each address moved back one byte
//! onto its call, the block size as the numeric label `bytes`.

use std::sync::OnceLock;

use crate::pattern::Regex;

use super::{hex_addresses, malformed, maps, LegacyProfile, Sample};
use crate::encode::ProfileWriter;
use crate::error::Error;
use crate::formats::go_comments::CommentNames;
use crate::formats::Naming;
use crate::gomath;

const WHAT: &str = "heap profile text";

fn header_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"heap profile: *([0-9]+): *([0-9]+) *\[ *([0-9]+): *([0-9]+) *\] *@ *(heap[_a-z0-9]*)/?([0-9]*)",
        )
        .expect("the heap header pattern compiles")
    })
}

fn other_header_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"heap profile: *[0-9]+: *[0-9]+ *\[ *[0-9]+: *[0-9]+ *\] @ (growthz?|fragmentationz?)")
            .expect("the growth header pattern compiles")
    })
}

fn sample_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"(-?[0-9]+): *(-?[0-9]+) *\[ *([0-9]+): *([0-9]+) *\] @([ x0-9a-f]*)")
            .expect("the heap sample pattern compiles")
    })
}

/// Whether `first_line` (the input's very first line) is a heap header.
pub(crate) fn is_header(first_line: &str) -> bool {
    header_re().is_match(first_line) || other_header_re().is_match(first_line)
}

/// How a header says values were sampled.
struct Header {
    /// Unsample each value with pprof's `scaleHeapSample` at `period`.
    v2: bool,
    period: i64,
    has_alloc: bool,
}

fn header(line: &str) -> Result<Header, Error> {
    let Some(c) = header_re().captures(line) else {
        if other_header_re().is_match(line) {
            return Ok(Header { v2: false, period: 1, has_alloc: false });
        }
        return Err(malformed(WHAT, 1, "the first line is not `heap profile: A: B [C: D] @ heap...`"));
    };
    let group = |i: usize| c.get(i).map_or("", |m| m.as_str());
    let rate = match group(6) {
        "" => 0,
        digits => digits
            .parse::<i64>()
            .map_err(|_| malformed(WHAT, 1, "the sampling rate does not fit in 64 bits"))?,
    };
    // Allocation counts that differ from the in-use ones (and are not 0).
    let has_alloc = (group(3) != group(1) && group(3) != "0") || (group(4) != group(2) && group(4) != "0");
    let (v2, period) = match group(5) {
        "heapz_v2" | "heap_v2" => (true, rate),
        "heapprofile" => (false, 1),
        // Go writes twice the rate pprof unsamples with.
        "heap" => (true, rate / 2),
        other => return Err(malformed(WHAT, 1, &format!("unknown heap profile kind {other:?}"))),
    };
    Ok(Header { v2, period, has_alloc })
}

/// Parses the whole text; an error names the line.
pub(crate) fn parse(text: &str, budget: u64, naming: Naming) -> Result<ProfileWriter, Error> {
    let mut lines = text.lines().enumerate();
    let first = lines.next().map(|(_, l)| l).unwrap_or_default();
    let h = header(first)?;
    let types = if h.has_alloc {
        // Alloc before inuse, so that pprof's default picks inuse_space.
        vec![
            ("alloc_objects", "count"),
            ("alloc_space", "bytes"),
            ("inuse_objects", "count"),
            ("inuse_space", "bytes"),
        ]
    } else {
        vec![("objects", "count"), ("space", "bytes")]
    };
    let mut profile = LegacyProfile::new(types, ("space", "bytes"), budget);
    profile.period = h.period;
    let mut names = CommentNames::default();
    let mut lines = lines.peekable();
    while let Some(&(n, raw)) = lines.peek() {
        let line = raw.trim();
        if let Some(comment) = line.strip_prefix('#') {
            names.read(comment);
            lines.next();
            continue;
        }
        names.end_block();
        if line.is_empty() {
            lines.next();
            continue;
        }
        if maps::is_sentinel(line) {
            break;
        }
        profile.add(sample(line, &h).map_err(|e| malformed(WHAT, n + 1, &e))?)?;
        lines.next();
    }
    profile.mappings = maps::after_sentinel(lines.map(|(_, l)| l));
    let names = (naming == Naming::FromComments).then_some(&names);
    profile.finish(names)
}

/// `a: b [c: d] @ 0x.. 0x..`: in-use and allocated objects and bytes.
fn sample(line: &str, h: &Header) -> Result<Sample, String> {
    let c = sample_re().captures(line).ok_or("expected `OBJECTS: BYTES [OBJECTS: BYTES] @ 0xADDR ...`")?;
    let group = |i: usize| c.get(i).map_or("", |m| m.as_str());
    let mut values = Vec::with_capacity(4);
    let mut block_size = 0;
    let mut add = |count: &str, size: &str, what: &str| -> Result<(), String> {
        let number =
            |s: &str| s.parse::<i64>().map_err(|_| format!("{what} value {s} does not fit in 64 bits"));
        let (mut count, mut size) = (number(count)?, number(size)?);
        if count == 0 && size != 0 {
            return Err(format!("{what} count is 0 but {what} bytes is {size}"));
        }
        if count != 0 {
            block_size = gomath::div(size, count);
            if h.v2 {
                (count, size) = unsample(count, size, h.period);
            }
        }
        values.extend([count, size]);
        Ok(())
    };
    if h.has_alloc {
        add(group(3), group(4), "allocation")?;
    }
    add(group(1), group(2), "inuse")?;
    let addresses = hex_addresses(group(5)).ok_or("an address does not fit in 64 bits")?;
    // Each address is a return address: one byte back lands on the call.
    let addresses = addresses.into_iter().map(|a| a.wrapping_sub(1)).collect();
    Ok(Sample { addresses, values, block_size: Some(block_size) })
}

/// pprof's `scaleHeapSample`: divides by the probability 1-exp(-S/R) that
/// an allocation of average size S was sampled at rate R.
fn unsample(count: i64, size: i64, rate: i64) -> (i64, i64) {
    if count == 0 || size == 0 {
        return (0, 0);
    }
    if rate <= 1 {
        return (count, size);
    }
    let average = size as f64 / count as f64;
    let scale = 1.0 / (1.0 - (-average / rate as f64).exp());
    (gomath::f64_to_i64(count as f64 * scale), gomath::f64_to_i64(size as f64 * scale))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers() {
        let h = header("heap profile: 500: 3977880 [6391: 1492889192] @ heap/1048576").unwrap();
        assert!(h.v2 && h.has_alloc && h.period == 524288);
        let h = header("heap profile:    144:  8498176 [   144:  8498176] @ heapprofile").unwrap();
        assert!(!h.v2 && !h.has_alloc && h.period == 1);
        let h = header("heap profile: 1: 2 [0: 0] @ heap_v2/524288").unwrap();
        assert!(h.v2 && !h.has_alloc && h.period == 524288);
        assert!(header("heap profile: 1: 2 [3: 4] @ growthz").is_ok());
        assert!(header("heap profile: 1: 2 [3: 4] @ heap/99999999999999999999").is_err());
        assert!(header("heap profile: 1: 2 [3: 4] @ heapfoo/1").is_err());
        assert!(!is_header("goroutine profile: total 3"));
    }

    #[test]
    fn unsampling_is_pprofs() {
        assert_eq!(unsample(0, 5, 10), (0, 0));
        assert_eq!(unsample(3, 30, 1), (3, 30));
        // One 512 KiB object at rate 512 KiB: probability 1-1/e.
        let (c, s) = unsample(1, 524288, 524288);
        assert_eq!((c, s), ((1.0 / (1.0 - (-1f64).exp())) as i64, (524288.0 / (1.0 - (-1f64).exp())) as i64));
    }

    #[test]
    fn samples() {
        let h = Header { v2: false, period: 1, has_alloc: true };
        let s = sample("1: 32 [2: 64] @ 0x10 0x20", &h).unwrap();
        assert_eq!(s.values, [2, 64, 1, 32]);
        assert_eq!(s.addresses, [0xf, 0x1f]);
        assert_eq!(s.block_size, Some(32));
        assert!(sample("0: 32 [2: 64] @ 0x10", &h).unwrap_err().contains("inuse count is 0"));
        assert!(sample("1: 32 @ 0x10", &h).is_err());
    }
}
