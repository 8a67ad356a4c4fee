//! A series of Go-style heap profiles with known allocation sites, for
//! testing comparisons and the leak report: one planted leak among steady
//! churn, a growing buffer, a site that grows then shrinks, a new site and
//! one being freed.
//!
//! Snapshots are a minute apart, and each maps the binary at another
//! address (as ASLR does), so merging has to match mappings by identity.

use crate::encode::ProfileWriter;

const MIB: i64 = 1 << 20;
/// 2024-02-29 13:05:00 UTC.
const START_NANOS: i64 = 1_709_211_900_000_000_000;
const MINUTE_NANOS: i64 = 60_000_000_000;

/// One site: its stack (function names, leaf first) and, per snapshot,
/// (inuse objects, inuse bytes).
struct Site {
    stack: &'static [&'static str],
    inuse: [(i64, i64); 3],
}

const SITES: &[Site] = &[
    // The leak: objects kept alive, more every minute.
    Site {
        stack: &["main.newEntry", "main.remember", "main.handle", "main.main"],
        inuse: [(100, MIB), (200, 2 * MIB), (300, 3 * MIB)],
    },
    // A buffer that keeps growing: one object, more bytes.
    Site {
        stack: &["main.(*buffer).grow", "main.collect", "main.main"],
        inuse: [(1, MIB / 2), (1, MIB), (1, 2 * MIB)],
    },
    // Steady churn: the same every time.
    Site {
        stack: &["main.parse", "main.handle", "main.main"],
        inuse: [(50, 5 * MIB), (50, 5 * MIB), (50, 5 * MIB)],
    },
    // Up, then down: not monotonic.
    Site {
        stack: &["main.render", "main.handle", "main.main"],
        inuse: [(10, MIB), (30, 3 * MIB), (20, 2 * MIB)],
    },
    // New after the first snapshot.
    Site { stack: &["main.warmup", "main.main"], inuse: [(0, 0), (5, MIB / 4), (5, MIB / 4)] },
    // Being freed.
    Site { stack: &["main.loadConfig", "main.main"], inuse: [(40, 2 * MIB), (20, MIB), (0, 0)] },
];

/// The heap profile of `snapshot` (0, 1 or 2; later ones repeat the last).
/// Sample types are Go's: alloc_objects, alloc_space, inuse_objects,
/// inuse_space; allocations are the inuse values plus what was freed, so
/// they only grow.
pub fn heap_series(snapshot: usize) -> ProfileWriter {
    let snapshot = snapshot.min(2);
    let mut w = ProfileWriter::new(&[
        ("alloc_objects", "count"),
        ("alloc_space", "bytes"),
        ("inuse_objects", "count"),
        ("inuse_space", "bytes"),
    ]);
    w.set_period("space", "bytes", 512 * 1024);
    w.set_time(START_NANOS + snapshot as i64 * MINUTE_NANOS, 0);
    let shift = snapshot as u64 * 0x10_0000;
    let mapping = w.add_mapping("/usr/bin/service", "5e71ce", 0x40_0000 + shift, 0x80_0000 + shift);
    let mut locations: Vec<(&str, u64)> = Vec::new();
    for site in SITES {
        let mut stack = Vec::new();
        for name in site.stack {
            let location = match locations.iter().find(|(n, _)| n == name) {
                Some(&(_, id)) => id,
                None => {
                    let f = w.add_function(name, "/src/service/main.go", 10);
                    // Addresses relative to the mapping stay the same.
                    let address = 0x40_1000 + shift + 0x10 * locations.len() as u64;
                    let id = w.add_location(Some(mapping), address, &[(f, 10 + locations.len() as i64)]);
                    locations.push((name, id));
                    id
                }
            };
            stack.push(location);
        }
        let (objects, bytes) = site.inuse[snapshot];
        // Allocated so far: the most this site ever held, plus churn.
        let (max_objects, max_bytes) = site.inuse[..=snapshot]
            .iter()
            .fold((0, 0), |(o, b), &(io, ib)| (i64::max(o, io), i64::max(b, ib)));
        let churn = snapshot as i64 + 1;
        w.add_sample(&stack, &[max_objects + churn, max_bytes + churn * 1024, objects, bytes], &[]);
    }
    w
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{decode, DecodeOptions};

    #[test]
    fn snapshots_decode_with_their_times() {
        for i in 0..3 {
            let p = decode(&heap_series(i).encode(), &DecodeOptions::default()).unwrap();
            assert_eq!(p.samples.len(), SITES.len());
            assert_eq!(p.time_nanos, START_NANOS + i as i64 * MINUTE_NANOS);
        }
    }
}
