//! pprof's legacy profile forms, read with the semantics of pprof's
//! `legacy_profile.go`: Go's and gperftools' heap text (heap.rs), Go's
//! mutex and block text (contention.rs) and gperftools' binary CPU
//! profiles (cpu.rs). Each parser fills a [`LegacyProfile`] (samples of
//! raw addresses plus the memory map); [`LegacyProfile::finish`] then
//! applies pprof's mapping rules and writes the profile.proto message.

pub(crate) mod contention;
pub(crate) mod cpu;
pub(crate) mod heap;
pub(crate) mod maps;

use std::collections::HashMap;

use super::go_comments::{CommentNames, NAMED_FROM_COMMENTS};
use crate::encode::{LabelSpec, ProfileWriter};
use crate::error::Error;

/// Approximate heap bytes per sample beyond its addresses and values.
const SAMPLE_OVERHEAD: usize = 96;

/// One sample: its addresses (leaf first, already adjusted as pprof
/// adjusts them), one value per sample type, and the heap block size
/// pprof records as the numeric label `bytes`.
#[derive(Debug)]
pub(crate) struct Sample {
    pub addresses: Vec<u64>,
    pub values: Vec<i64>,
    pub block_size: Option<i64>,
}

/// A legacy profile as pprof's parser builds it, before the mappings.
pub(crate) struct LegacyProfile {
    pub sample_types: Vec<(&'static str, &'static str)>,
    pub period_type: (&'static str, &'static str),
    pub period: i64,
    pub duration_nanos: i64,
    pub samples: Vec<Sample>,
    pub mappings: Vec<maps::Mapping>,
    /// pprof's `cleanupDuplicateLocations`, done after the mappings are
    /// assigned (CPU profiles only).
    pub drop_duplicate_leaf: bool,
    budget: usize,
    used: usize,
}

impl LegacyProfile {
    /// An empty profile whose tables may take about `budget` bytes.
    pub fn new(
        sample_types: Vec<(&'static str, &'static str)>,
        period_type: (&'static str, &'static str),
        budget: u64,
    ) -> Self {
        LegacyProfile {
            sample_types,
            period_type,
            period: 0,
            duration_nanos: 0,
            samples: Vec::new(),
            mappings: Vec::new(),
            drop_duplicate_leaf: false,
            budget: usize::try_from(budget).unwrap_or(usize::MAX),
            used: 0,
        }
    }

    /// Adds a sample, refusing the input once the tables outgrow the budget.
    pub fn add(&mut self, sample: Sample) -> Result<(), Error> {
        self.used =
            self.used.saturating_add(SAMPLE_OVERHEAD + 8 * (sample.addresses.len() + sample.values.len()));
        if self.used > self.budget {
            return Err(Error::TooMany {
                what: "bytes of tables built from the legacy profile",
                limit: self.budget as u64,
            });
        }
        self.samples.push(sample);
        Ok(())
    }

    /// The profile.proto message: locations numbered by first use (pprof's
    /// `remapLocationIDs`), mappings as pprof's `ParseMemoryMap` leaves them,
    /// frames named from `names` when given (Go's `#` comment lines), and
    /// pprof's drop_frames for the profile's kind.
    pub fn finish(mut self, names: Option<&CommentNames>) -> Result<ProfileWriter, Error> {
        let mut location_of: HashMap<u64, usize> = HashMap::new();
        let mut addresses: Vec<u64> = Vec::new();
        for s in &self.samples {
            for &a in &s.addresses {
                location_of.entry(a).or_insert_with(|| {
                    addresses.push(a);
                    addresses.len() - 1
                });
            }
        }
        let massaged = maps::massage(std::mem::take(&mut self.mappings));
        let (mappings, mapping_of) = maps::assign(massaged, &addresses);
        if self.drop_duplicate_leaf {
            for s in &mut self.samples {
                // The leaf twice: once from the signal context, once
                // unwound and moved back a byte; the second goes.
                if s.addresses.len() > 1 && s.addresses[0] == s.addresses[1].wrapping_add(1) {
                    s.addresses.remove(1);
                }
            }
        }

        let mut w = ProfileWriter::new(&self.sample_types);
        w.set_period(self.period_type.0, self.period_type.1, self.period);
        if self.duration_nanos != 0 {
            w.set_time(0, self.duration_nanos);
        }
        let (drop, keep) = drop_frames(&self.sample_types);
        w.set_drop_frames(drop, keep);
        let named = names.filter(|n| addresses.iter().any(|&a| !n.frames(a).is_empty()));
        if named.is_some() {
            w.add_comment(NAMED_FROM_COMMENTS);
        }
        let mapping_ids: Vec<u64> = mappings
            .iter()
            .map(|m| {
                let id = w.add_mapping(&m.file, &m.build_id, m.start, m.limit);
                w.set_mapping_offset(id, m.offset);
                // Addresses only: what pprof symbolizes from the binary.
                w.set_mapping_flags(id, false, false, false, false);
                id
            })
            .collect();
        let mut functions: HashMap<(&str, &str), u64> = HashMap::new();
        let mut location_ids = Vec::with_capacity(addresses.len());
        for (i, &a) in addresses.iter().enumerate() {
            let frames = named.map_or(&[][..], |n| n.frames(a));
            let lines: Vec<(u64, i64)> = frames
                .iter()
                .map(|f| {
                    let id = *functions
                        .entry((f.name.as_str(), f.file.as_str()))
                        .or_insert_with(|| w.add_function_with_system_name(&f.name, "", &f.file, 0));
                    (id, f.line)
                })
                .collect();
            let mapping = mapping_of[i].map(|m| mapping_ids[m]);
            location_ids.push(w.add_location(mapping, a, &lines));
        }
        let mut stack = Vec::new();
        for s in &self.samples {
            stack.clear();
            stack.extend(s.addresses.iter().map(|a| location_ids[location_of[a]]));
            // With its unit written out, a block size of 0 survives a
            // profile.proto round trip (pprof drops a numeric label with
            // neither number nor unit), as pprof's own reading keeps it.
            let labels: Vec<LabelSpec<'_>> =
                s.block_size.map(|b| LabelSpec::Num("bytes", b, "bytes")).into_iter().collect();
            w.add_sample(&stack, &s.values, &labels);
        }
        Ok(w)
    }
}

/// pprof's `addLegacyFrameInfo`: the allocator, lock or profiler frames
/// its reports drop from the leaf end, by the profile's sample types.
fn drop_frames(types: &[(&str, &str)]) -> (&'static str, &'static str) {
    let names: Vec<&str> = types.iter().map(|t| t.0).collect();
    let heap: [&[&str]; 5] = [
        &["allocations", "size"],
        &["objects", "space"],
        &["inuse_objects", "inuse_space"],
        &["alloc_objects", "alloc_space"],
        &["alloc_objects", "alloc_space", "inuse_objects", "inuse_space"],
    ];
    if heap.contains(&names.as_slice()) {
        (ALLOC_FRAMES, ALLOC_KEEP_FRAMES)
    } else if names == ["contentions", "delay"] {
        (LOCK_FRAMES, "")
    } else {
        (CPU_PROFILER_FRAMES, "")
    }
}

const ALLOC_FRAMES: &str = concat!(
    r"calloc|cfree|malloc|free|memalign|do_memalign|(__)?posix_memalign|pvalloc|valloc|realloc|",
    r"tcmalloc::.*|tc_calloc|tc_cfree|tc_malloc|tc_free|tc_memalign|tc_posix_memalign|tc_pvalloc|",
    r"tc_valloc|tc_realloc|tc_new|tc_delete|tc_newarray|tc_deletearray|tc_new_nothrow|",
    r"tc_newarray_nothrow|malloc_zone_malloc|malloc_zone_calloc|malloc_zone_valloc|",
    r"malloc_zone_realloc|malloc_zone_memalign|malloc_zone_free|runtime\..*|BaseArena::.*|",
    r"(::)?do_malloc_no_errno|(::)?do_malloc_pages|(::)?do_malloc|DoSampledAllocation|",
    r"MallocedMemBlock::MallocedMemBlock|_M_allocate|__builtin_(vec_)?delete|__builtin_(vec_)?new|",
    r"__gnu_cxx::new_allocator::allocate|__libc_malloc|__malloc_alloc_template::allocate|allocate|",
    r"cpp_alloc|operator new(\[\])?|simple_alloc::allocate"
);

const ALLOC_KEEP_FRAMES: &str = r"runtime\.panic|runtime\.reflectcall|runtime\.call[0-9]*";

const CPU_PROFILER_FRAMES: &str =
    r"ProfileData::Add|ProfileData::prof_handler|CpuProfiler::prof_handler|__pthread_sighandler|__restore";

const LOCK_FRAMES: &str = concat!(
    r"RecordLockProfileData|(base::)?RecordLockProfileData.*|(base::)?SubmitMutexProfileData.*|",
    r"(base::)?SubmitSpinLockProfileData.*|(base::Mutex::)?AwaitCommon.*|(base::Mutex::)?Unlock.*|",
    r"(base::Mutex::)?UnlockSlow.*|(base::Mutex::)?ReaderUnlock.*|(base::MutexLock::)?~MutexLock.*|",
    r"(Mutex::)?AwaitCommon.*|(Mutex::)?Unlock.*|(Mutex::)?UnlockSlow.*|(Mutex::)?ReaderUnlock.*|",
    r"(MutexLock::)?~MutexLock.*|(SpinLock::)?Unlock.*|(SpinLock::)?SlowUnlock.*|",
    r"(SpinLockHolder::)?~SpinLockHolder.*"
);

/// The error for a line of a legacy text that is not pprof's form.
pub(crate) fn malformed(what: &str, line: usize, detail: &str) -> Error {
    Error::NotAProfile { hint: format!("{what}, line {line}: {detail}") }
}

/// Every `0x…` hex number in `s` (pprof's `parseHexAddresses`); None when
/// one does not fit in 64 bits.
pub(crate) fn hex_addresses(s: &str) -> Option<Vec<u64>> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(i) = rest.find("0x") {
        let digits = &rest[i + 2..];
        let end = digits.find(|c: char| !matches!(c, '0'..='9' | 'a'..='f')).unwrap_or(digits.len());
        if end == 0 {
            rest = &rest[i + 1..];
            continue;
        }
        out.push(u64::from_str_radix(&digits[..end], 16).ok()?);
        rest = &digits[end..];
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_numbers() {
        assert_eq!(hex_addresses(" 0x10 0xab 0x 0xg1x0x2"), Some(vec![0x10, 0xab, 0x2]));
        assert_eq!(hex_addresses("0x10000000000000000"), None);
    }
}
