//! Heap and allocs profiles from a snapshot of the sampled tables.

use std::fmt::Write as _;

use proflens_profile::encode::LabelSpec;

use super::tables::Bucket;
use super::Snapshot;
use crate::symbols::hygiene::{heap_drop_frames, is_allocator_plumbing, is_sampler_entry};
use crate::symbols::{location_addresses, Pcs, StackWriter, Symbolizer};

/// Which of Go's two memory profiles.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `heap`: opens on inuse_space.
    Heap,
    /// `allocs`: the same data with alloc_space as the default.
    Allocs,
}

/// Sampled counts of one bucket (or of a difference of two snapshots).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Counts {
    pub allocs: i64,
    pub alloc_bytes: i64,
    pub inuse: i64,
    pub inuse_bytes: i64,
}

impl Counts {
    fn of(b: &Bucket) -> Self {
        let allocs = b.allocs as i64;
        let alloc_bytes = b.alloc_bytes as i64;
        Counts {
            allocs,
            alloc_bytes,
            inuse: allocs - b.frees as i64,
            inuse_bytes: alloc_bytes - b.free_bytes as i64,
        }
    }

    fn minus(self, o: Counts) -> Self {
        Counts {
            allocs: self.allocs - o.allocs,
            alloc_bytes: self.alloc_bytes - o.alloc_bytes,
            inuse: self.inuse - o.inuse,
            inuse_bytes: self.inuse_bytes - o.inuse_bytes,
        }
    }

    fn is_zero(&self) -> bool {
        *self == Counts::default()
    }
}

/// Go's unbiasing (`scaleHeapSample`): a sampled allocation of average size
/// s stands for 1 / (1 - exp(-s/rate)) allocations.
pub(crate) fn scale(count: i64, bytes: i64, rate: usize) -> (i64, i64) {
    if count == 0 || bytes == 0 {
        return (0, 0);
    }
    if rate <= 1 {
        return (count, bytes);
    }
    let avg = bytes as f64 / count as f64;
    let s = 1.0 / (1.0 - (-avg / rate as f64).exp());
    ((count as f64 * s) as i64, (bytes as f64 * s) as i64)
}

/// The per-bucket counts of `now`, minus `base` when given (a delta).
pub(crate) fn counts(now: &Snapshot, base: Option<&Snapshot>) -> Vec<(usize, Counts)> {
    now.buckets
        .iter()
        .enumerate()
        .filter_map(|(i, b)| {
            let c = Counts::of(b);
            let c = match base.and_then(|s| s.buckets.get(i)) {
                Some(old) => c.minus(Counts::of(old)),
                None => c,
            };
            let keep = if base.is_some() { !c.is_zero() } else { c.allocs != 0 };
            keep.then_some((i, c))
        })
        .collect()
}

/// Where a heap stack's own frames begin: (index of the first address
/// kept, inlined frames of it to leave out). Stacks are captured from the
/// sampler's entry point on; the frames inlined into it (the sampler's
/// bookkeeping) are left out. If the capture could not find its entry
/// point, everything up to it is cut here by name. Address-only profiles
/// keep the stack as captured (`drop_frames` covers the sampler's names).
fn heap_start(sym: Option<&mut Symbolizer>, addrs: &[usize]) -> (usize, usize) {
    let Some(sym) = sym else { return (0, 0) };
    for (i, &a) in addrs.iter().enumerate() {
        if let Some(k) = sym.resolve(a).iter().rposition(|f| is_sampler_entry(&f.name)) {
            return (i, k);
        }
    }
    (0, 0)
}

/// The profile.proto (gzipped) of `now`, or of `now - base`; `symbolize`:
/// with functions and lines, or addresses only.
pub(crate) fn proto(
    kind: Kind,
    now: &Snapshot,
    base: Option<&Snapshot>,
    time_nanos: i64,
    duration_nanos: i64,
    symbolize: bool,
) -> Vec<u8> {
    let mut sw = StackWriter::new(
        &[
            ("alloc_objects", "count"),
            ("alloc_space", "bytes"),
            ("inuse_objects", "count"),
            ("inuse_space", "bytes"),
        ],
        symbolize,
    );
    sw.w.set_period("space", "bytes", now.rate as i64);
    // Go's conventions: heap opens on inuse_space (Go leaves it implicit as
    // the last type; it is named here so that every viewer agrees), allocs
    // on alloc_space.
    sw.w.set_default_sample_type(match kind {
        Kind::Heap => "inuse_space",
        Kind::Allocs => "alloc_space",
    });
    sw.w.set_time(time_nanos, duration_nanos);
    // The allocator's frames: viewers attribute each allocation to the code
    // that asked for the memory (Go's heap profiles leave malloc out too).
    sw.w.set_drop_frames(&heap_drop_frames(), "");
    if now.dropped > 0 {
        sw.w.add_comment(&format!("{} samples not recorded (table limits or memory)", now.dropped));
    }
    for (i, c) in counts(now, base) {
        let Some(b) = now.buckets.get(i) else { continue };
        let addrs = location_addresses(now.stack(b), Pcs::ReturnAddresses);
        let symbols = if sw.symbolizes() { Some(&mut sw.symbols) } else { None };
        let first = heap_start(symbols, &addrs);
        let locs = sw.stack(&addrs, first);
        let (ao, ab) = scale(c.allocs, c.alloc_bytes, now.rate);
        let (io, ib) = scale(c.inuse, c.inuse_bytes, now.rate);
        let size = b.size as i64;
        let labels = [LabelSpec::Num("bytes", size, "")];
        sw.w.add_sample(&locs, &[ao, ab, io, ib], if size != 0 { &labels } else { &[] });
    }
    sw.finish()
}

/// Go's legacy text form (`debug=1`), with raw (unscaled) sampled counts as
/// Go writes them, so that `go tool pprof` can read it too.
pub(crate) fn text(now: &Snapshot) -> String {
    let mut rows = counts(now, None);
    rows.sort_by(|a, b| b.1.inuse_bytes.cmp(&a.1.inuse_bytes).then(a.0.cmp(&b.0)));
    let total = rows.iter().fold(Counts::default(), |t, (_, c)| Counts {
        allocs: t.allocs + c.allocs,
        alloc_bytes: t.alloc_bytes + c.alloc_bytes,
        inuse: t.inuse + c.inuse,
        inuse_bytes: t.inuse_bytes + c.inuse_bytes,
    });
    let mut sym = Symbolizer::new();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "heap profile: {}: {} [{}: {}] @ heap/{}",
        total.inuse,
        total.inuse_bytes,
        total.allocs,
        total.alloc_bytes,
        2 * now.rate
    );
    for (i, c) in &rows {
        let Some(b) = now.buckets.get(*i) else { continue };
        let addrs = location_addresses(now.stack(b), Pcs::ReturnAddresses);
        // Leave out the allocator's own frames, as viewers of the proto
        // form do by its drop_frames.
        let (first, _) = heap_start(Some(&mut sym), &addrs);
        let addrs = addrs.get(first..).unwrap_or(&[]);
        let own = addrs
            .iter()
            .take_while(|&&a| {
                let frames = sym.resolve(a);
                !frames.is_empty() && frames.iter().all(|f| is_allocator_plumbing(&f.name))
            })
            .count();
        let addrs = addrs.get(own..).unwrap_or(&[]);
        let _ = write!(out, "{}: {} [{}: {}] @", c.inuse, c.inuse_bytes, c.allocs, c.alloc_bytes);
        for a in addrs {
            let _ = write!(out, " {:#x}", a + 1);
        }
        out.push('\n');
        write_frames(&mut out, &mut sym, addrs);
        out.push('\n');
    }
    let _ = writeln!(out, "# proflens-agent");
    let _ = writeln!(out, "# SampleRate = {}", now.rate);
    let _ = writeln!(out, "# LiveSampledAllocations = {}", now.live);
    let _ = writeln!(out, "# Records = {}", now.buckets.len());
    let _ = writeln!(out, "# DroppedSamples = {}", now.dropped);
    out
}

/// Go's `printStackRecord` lines: `#\t<pc>\t<func>+<offset>\t<file>:<line>`.
pub(crate) fn write_frames(out: &mut String, sym: &mut Symbolizer, addrs: &[usize]) {
    for &a in addrs {
        let frames = sym.resolve(a);
        if frames.is_empty() {
            let _ = writeln!(out, "#\t{a:#x}");
        }
        for f in frames.iter() {
            let off = if f.entry != 0 && a >= f.entry { a - f.entry } else { 0 };
            let _ = writeln!(out, "#\t{:#x}\t{}+{:#x}\t{}:{}", a, f.name, off, f.file, f.line);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unbiasing_matches_go() {
        // A 512 KiB allocation at rate 512 KiB: scale 1/(1-e^-1) = 1.582.
        assert_eq!(scale(1, 524288, 524288), (1, 829_411));
        assert_eq!(scale(10, 160, 1), (10, 160));
        assert_eq!(scale(0, 0, 4096), (0, 0));
        // Tiny objects scale by about rate/size.
        let (n, b) = scale(1, 16, 524288);
        assert_eq!(n, 32768);
        assert_eq!(b, 524_296);
    }
}
