//! The synthetic fixtures under tests/fixtures/synthetic: small profiles
//! built with proflens-core's `ProfileWriter`, each aimed at one corner of
//! the format or of pprof's reports that the captured Go profiles do not
//! reach. Everything here is deterministic: the same code writes the same
//! bytes.

use proflens_core::encode::{LabelSpec, ProfileWriter};
use proflens_core::proto;

/// 2024-02-29 13:05:00 UTC, in nanoseconds (a "pm" time on a leap day).
const LEAP_DAY_PM: i64 = 1_709_211_900_000_000_000;
/// 2024-01-01 00:07:00 UTC, in nanoseconds (pprof prints it as "12:07am").
const NEW_YEAR_AM: i64 = 1_704_067_620_000_000_000;
const MS: i64 = 1_000_000;
const SECOND: i64 = 1_000_000_000;

/// A synthetic fixture: its file name under tests/fixtures/synthetic and
/// its bytes.
pub struct Fixture {
    pub file: &'static str,
    pub bytes: Vec<u8>,
    /// What it is for, for the README.
    pub about: &'static str,
}

/// Every synthetic fixture, in a stable order.
pub fn fixtures() -> Vec<Fixture> {
    vec![
        Fixture {
            file: "inline.pb.gz",
            bytes: inline().encode_gzip(),
            about: "locations with inlined frames (several lines), columns, one function at many \
                    lines and addresses; CPU profile with period, time and duration",
        },
        Fixture {
            file: "recursion.pb.gz",
            bytes: recursion().encode_gzip(),
            about: "direct recursion, mutual recursion and recursion through an inlined frame; \
                    a function several times in one stack",
        },
        Fixture {
            file: "labels.pb.gz",
            bytes: labels().encode_gzip(),
            about: "string labels (one key with two values), numeric labels with units, with \
                    implied units (`request`, a key with no unit) and with conflicting units",
        },
        Fixture {
            file: "multitype.pb.gz",
            bytes: multitype().encode_gzip(),
            about: "four sample types with default_sample_type naming the second",
        },
        Fixture {
            file: "legacyheap.pb.gz",
            bytes: legacy_heap().encode_gzip(),
            about: "old-style heap sample types `objects`/`space` (pprof maps `inuse_space` to \
                    `space`), C++ names, a duration on a non-time profile",
        },
        Fixture {
            file: "nomappings.pb",
            bytes: no_mappings().encode(),
            about: "raw (not gzipped) protobuf with no mappings, and locations with an address \
                    but no lines",
        },
        Fixture {
            file: "sparseids.pb.gz",
            bytes: sparse_ids().encode_gzip(),
            about: "ids far from dense (around 1<<40 and 1<<33), listed in reverse order",
        },
        Fixture {
            file: "negative.pb.gz",
            bytes: negative().encode_gzip(),
            about: "negative sample values, some nodes negative overall, one node whose samples \
                    cancel out to zero",
        },
        Fixture {
            file: "heapseries1.pb.gz",
            bytes: proflens_core::synth::heap_series(0).encode_gzip(),
            about: "the first of three Go-style heap snapshots a minute apart (`synth::heap_series`): \
                    a planted leak, a growing buffer, steady churn, a site that grows then shrinks, \
                    a new site and a freed one; each maps the binary at another address",
        },
        Fixture {
            file: "heapseries2.pb.gz",
            bytes: proflens_core::synth::heap_series(1).encode_gzip(),
            about: "the second heap snapshot of the series",
        },
        Fixture {
            file: "heapseries3.pb.gz",
            bytes: proflens_core::synth::heap_series(2).encode_gzip(),
            about: "the third heap snapshot of the series",
        },
        Fixture {
            file: "diffbase.pb.gz",
            bytes: diff_base().encode_gzip(),
            about: "a diff as `-diff_base` builds it: base samples negated and labelled \
                    `pprof::base`",
        },
        Fixture {
            file: "dropframes.pb.gz",
            bytes: drop_frames().encode_gzip(),
            about: "drop_frames and keep_frames, pruning whole locations, part of an inlined \
                    location, and C++ names with argument lists",
        },
        Fixture {
            file: "zeros.pb.gz",
            bytes: zeros().encode_gzip(),
            about: "zero-valued samples, samples with empty stacks, and a sample type that is \
                    zero everywhere",
        },
        Fixture {
            file: "empty.pb.gz",
            bytes: empty().encode_gzip(),
            about: "sample types, functions and locations but not a single sample",
        },
        Fixture {
            file: "mappings.pb.gz",
            bytes: mappings().encode_gzip(),
            about: "four mappings with build ids, comments (one starting with '#'), a doc_url, \
                    unsymbolized locations, a nameless function, a function named only by its \
                    system_name and a file-less function",
        },
    ]
}

fn inline() -> ProfileWriter {
    let mut w = ProfileWriter::new(&[("samples", "count"), ("cpu", "nanoseconds")]);
    w.set_period("cpu", "nanoseconds", 10 * MS);
    w.set_time(LEAP_DAY_PM, 2 * SECOND);
    let m = w.add_mapping("/opt/app/bin/server", "5f0c2a9e71d3", 0x40_0000, 0x80_0000);
    let main = w.add_function("main.main", "/src/app/main.go", 10);
    let handle = w.add_function("main.handle", "/src/app/handler.go", 20);
    let parse = w.add_function("main.parse", "/src/app/parse.go", 5);
    let index = w.add_function("strings.Index", "/usr/lib/go/src/strings/strings.go", 100);
    let sum = w.add_function("main.checksum", "/src/app/parse.go", 40);
    let write = w.add_function("syscall.write", "/usr/lib/go/src/syscall/zsyscall_linux_amd64.go", 900);
    let l1 = w.add_location(Some(m), 0x40_1000, &[(index, 110), (parse, 8), (handle, 25)]);
    let l2 = w.add_location(Some(m), 0x40_1010, &[(index, 112), (parse, 9), (handle, 25)]);
    let l3 = w.add_location(Some(m), 0x40_1100, &[(handle, 27)]);
    let l4 = w.add_location(Some(m), 0x40_1200, &[(sum, 44), (handle, 30)]);
    let l5 = w.add_location(Some(m), 0x40_2000, &[(main, 14)]);
    let l6 = w.add_location(Some(m), 0x40_2010, &[(main, 15)]);
    let l7 = w.add_location(Some(m), 0x40_3000, &[(write, 905)]);
    let l8 = w.add_location(Some(m), 0x40_1300, &[(handle, 33)]);
    for (stack, n) in [
        (&[l1, l5][..], 3),
        (&[l2, l5], 2),
        (&[l3, l5], 1),
        (&[l4, l6], 4),
        (&[l7, l8, l6], 5),
        (&[l1, l6], 1),
    ] {
        w.add_sample(stack, &[n, n * 10 * MS], &[]);
    }
    // Columns on the inlined strings.Index frames (pprof prints file:line:col).
    for loc in &mut w.proto_mut().location[..2] {
        loc.line[0].column = 7;
    }
    w
}

fn recursion() -> ProfileWriter {
    let mut w = ProfileWriter::new(&[("samples", "count"), ("wall", "nanoseconds")]);
    let m = w.add_mapping("/usr/local/bin/recur", "", 0x1000, 0x9000);
    let main = w.add_function("main.main", "recur.go", 3);
    let fib = w.add_function("main.fib", "recur.go", 10);
    let even = w.add_function("main.even", "parity.go", 20);
    let odd = w.add_function("main.odd", "parity.go", 30);
    let walk = w.add_function("main.walk", "tree.go", 40);
    let copy = w.add_function("runtime.memmove", "memmove_amd64.s", 1);
    let lm = w.add_location(Some(m), 0x1100, &[(main, 5)]);
    let lf1 = w.add_location(Some(m), 0x1200, &[(fib, 12)]);
    let lf2 = w.add_location(Some(m), 0x1210, &[(fib, 13)]);
    let le = w.add_location(Some(m), 0x1300, &[(even, 21)]);
    let lo = w.add_location(Some(m), 0x1400, &[(odd, 31)]);
    // walk calling itself through an inlined copy of itself.
    let lw = w.add_location(Some(m), 0x1500, &[(walk, 41), (walk, 45)]);
    let lw2 = w.add_location(Some(m), 0x1510, &[(walk, 47)]);
    let leaf = w.add_location(Some(m), 0x1600, &[(copy, 1)]);
    for (stack, n) in [
        (&[lf1, lf2, lf1, lf2, lm][..], 4),
        (&[lf1, lm], 1),
        (&[leaf, lf2, lf1, lm], 2),
        (&[le, lo, le, lo, le, lm], 3),
        (&[lo, le, lm], 2),
        (&[leaf, lw, lw2, lw, lm], 5),
        (&[leaf, lo, le, lf1, lm], 1),
    ] {
        w.add_sample(stack, &[n, n * MS + 250_000], &[]);
    }
    w
}

fn labels() -> ProfileWriter {
    use LabelSpec::{Num, Str};
    let mut w = ProfileWriter::new(&[("contentions", "count"), ("delay", "nanoseconds")]);
    w.set_period("contentions", "count", 1);
    w.set_time(NEW_YEAR_AM, 0);
    let m = w.add_mapping("/srv/worker", "b1d", 0x1000, 0x10_0000);
    let main = w.add_function("main.main", "main.go", 1);
    let worker = w.add_function("main.worker", "main.go", 20);
    let lock = w.add_function("sync.(*Mutex).Lock", "sync/mutex.go", 80);
    let hash = w.add_function("main.hash", "hash.go", 5);
    let sort = w.add_function("main.sort", "sort.go", 7);
    let lm = w.add_location(Some(m), 0x1100, &[(main, 9)]);
    let lw = w.add_location(Some(m), 0x1200, &[(worker, 25)]);
    let ll = w.add_location(Some(m), 0x1300, &[(lock, 81)]);
    let lh = w.add_location(Some(m), 0x1400, &[(hash, 6)]);
    let ls = w.add_location(Some(m), 0x1500, &[(sort, 8)]);
    w.add_sample(
        &[ll, lh, lw, lm],
        &[3, 4 * MS],
        &[Str("worker", "hash"), Num("bytes", 4096, "bytes"), Num("request", 1536, "")],
    );
    w.add_sample(
        &[ll, ls, lw, lm],
        &[2, 15 * MS],
        &[Str("worker", "sort"), Str("worker", "hash"), Num("bytes", 1 << 20, "bytes")],
    );
    w.add_sample(
        &[ll, lw, lm],
        &[1, 1_500_000],
        &[Str("span", "a1"), Num("pid", 4242, ""), Num("wait", 1_500_000, "nanoseconds")],
    );
    w.add_sample(&[lh, lw, lm], &[5, 120_000], &[]);
    w.add_sample(&[ls, lw, lm], &[1, 2 * SECOND], &[Num("bytes", 100, "bytes"), Num("bytes", 200, "bytes")]);
    w.add_sample(&[ll, lm], &[2, 700], &[Num("size", 2048, "kilobytes"), Num("wait", 3, "seconds")]);
    w
}

fn multitype() -> ProfileWriter {
    let mut w = ProfileWriter::new(&[
        ("samples", "count"),
        ("wall", "nanoseconds"),
        ("alloc", "bytes"),
        ("goroutines", "count"),
    ]);
    w.set_period("wall", "nanoseconds", MS);
    w.set_time(LEAP_DAY_PM, 10 * SECOND);
    w.set_default_sample_type("wall");
    let m = w.add_mapping("/usr/bin/multi", "feedface", 0x1000, 0x10_0000);
    let main = w.add_function("main.main", "main.go", 1);
    let serve = w.add_function("net/http.(*Server).Serve", "net/http/server.go", 3000);
    let read = w.add_function("bufio.(*Reader).Read", "bufio/bufio.go", 200);
    let alloc = w.add_function("main.newBuffer", "buf.go", 12);
    let sleep = w.add_function("time.Sleep", "time/sleep.go", 1);
    let lm = w.add_location(Some(m), 0x1100, &[(main, 4)]);
    let ls = w.add_location(Some(m), 0x1200, &[(serve, 3100)]);
    let lr = w.add_location(Some(m), 0x1300, &[(read, 240)]);
    let la = w.add_location(Some(m), 0x1400, &[(alloc, 14)]);
    let lz = w.add_location(Some(m), 0x1500, &[(sleep, 2)]);
    w.add_sample(&[lr, ls, lm], &[12, 12 * MS, 0, 3], &[]);
    w.add_sample(&[la, lr, ls, lm], &[2, 2 * MS, 96 << 20, 1], &[]);
    w.add_sample(&[la, lm], &[1, MS, 3 << 10, 0], &[]);
    w.add_sample(&[lz, lm], &[40, 0, 0, 12], &[]);
    w.add_sample(&[ls, lm], &[3, 3 * MS, 512, 40], &[]);
    w
}

fn legacy_heap() -> ProfileWriter {
    let mut w = ProfileWriter::new(&[("objects", "count"), ("space", "bytes")]);
    w.set_period("space", "bytes", 524_288);
    w.set_time(LEAP_DAY_PM, 30 * SECOND);
    let m = w.add_mapping("/usr/bin/cppserver", "0123456789abcdef", 0x40_0000, 0x90_0000);
    let main = w.add_function("main", "server.cc", 10);
    let push =
        w.add_function("std::vector<int, std::allocator<int> >::push_back(int const&)", "vector.h", 1000);
    let cache = w.add_function("Cache::Insert(std::string const&, Entry*)", "cache.cc", 55);
    let new = w.add_function("operator new(unsigned long)", "new_op.cc", 1);
    let lm = w.add_location(Some(m), 0x40_1000, &[(main, 20)]);
    let lp = w.add_location(Some(m), 0x40_2000, &[(push, 1010)]);
    let lc = w.add_location(Some(m), 0x40_3000, &[(cache, 60)]);
    let ln = w.add_location(Some(m), 0x40_4000, &[(new, 2)]);
    w.add_sample(&[ln, lp, lm], &[1200, 1200 * 64], &[]);
    w.add_sample(&[ln, lc, lm], &[35, 35 * 4096 + 17], &[]);
    w.add_sample(&[ln, lp, lc, lm], &[8, 8 << 20], &[]);
    w
}

fn no_mappings() -> ProfileWriter {
    let mut w = ProfileWriter::new(&[("samples", "count"), ("cpu", "nanoseconds")]);
    w.set_period("cpu", "nanoseconds", 10 * MS);
    let main = w.add_function("main.main", "main.go", 1);
    let run = w.add_function("main.run", "main.go", 10);
    let lm = w.add_location(None, 0, &[(main, 3)]);
    let lr = w.add_location(None, 0, &[(run, 12)]);
    let lr2 = w.add_location(None, 0, &[(run, 14)]);
    let bare1 = w.add_location(None, 0x7f00_dead, &[]);
    let bare2 = w.add_location(None, 0x7f00_beef, &[]);
    w.add_sample(&[bare1, lr, lm], &[4, 40 * MS], &[]);
    w.add_sample(&[bare2, bare1, lr2, lm], &[2, 20 * MS], &[]);
    w.add_sample(&[lr, lm], &[1, 10 * MS], &[]);
    w.add_sample(&[bare2], &[3, 30 * MS], &[]);
    w
}

fn sparse_ids() -> ProfileWriter {
    let mut w = ProfileWriter::new(&[("samples", "count"), ("cpu", "nanoseconds")]);
    w.set_time(LEAP_DAY_PM, SECOND);
    let m1 = w.add_mapping("/bin/sparse", "5ba125e", 0x1000, 0x8000);
    let m2 = w.add_mapping("/lib/libsparse.so", "", 0x7f00_0000, 0x7f10_0000);
    let main = w.add_function("main.main", "main.go", 1);
    let a = w.add_function("main.alpha", "a.go", 1);
    let b = w.add_function("main.beta", "b.go", 1);
    let c = w.add_function("lib.gamma", "lib.c", 1);
    let lm = w.add_location(Some(m1), 0x1100, &[(main, 2)]);
    let la = w.add_location(Some(m1), 0x1200, &[(a, 3)]);
    let lb = w.add_location(Some(m1), 0x1300, &[(b, 4), (a, 5)]);
    let lc = w.add_location(Some(m2), 0x7f00_1000, &[(c, 6)]);
    w.add_sample(&[lc, lb, lm], &[5, 50 * MS], &[]);
    w.add_sample(&[la, lm], &[2, 20 * MS], &[]);
    w.add_sample(&[lc, la, lm], &[1, 10 * MS], &[]);
    w.add_sample(&[lb, la, lm], &[3, 30 * MS], &[]);

    // Renumber: mappings near 1<<40, functions descending multiples of
    // 1<<33, locations scattered; then list every table in reverse.
    let map_id = |id: u64| (1u64 << 40) + 7 * id;
    let fn_id = |id: u64| (1u64 << 33) * (100 - id);
    let loc_id = |id: u64| (1u64 << 40) + 1_000_003 * ((id * 37) % 101) + id;
    let p: &mut proto::Profile = w.proto_mut();
    for m in &mut p.mapping {
        m.id = map_id(m.id);
    }
    for f in &mut p.function {
        f.id = fn_id(f.id);
    }
    for l in &mut p.location {
        l.id = loc_id(l.id);
        if l.mapping_id != 0 {
            l.mapping_id = map_id(l.mapping_id);
        }
        for line in &mut l.line {
            line.function_id = fn_id(line.function_id);
        }
    }
    for s in &mut p.sample {
        for id in &mut s.location_id {
            *id = loc_id(*id);
        }
    }
    p.mapping.reverse();
    p.function.reverse();
    p.location.reverse();
    w
}

/// Shared by `negative` and `diff_base`: a small allocation profile.
struct AllocSites {
    w: ProfileWriter,
    main: u64,
    parse: u64,
    render: u64,
    cache: u64,
    grow: u64,
}

fn alloc_sites() -> AllocSites {
    let mut w = ProfileWriter::new(&[("alloc_objects", "count"), ("alloc_space", "bytes")]);
    w.set_period("space", "bytes", 524_288);
    w.set_time(LEAP_DAY_PM, 0);
    let m = w.add_mapping("/usr/bin/diffy", "d1ff", 0x1000, 0x10_0000);
    let f_main = w.add_function("main.main", "main.go", 1);
    let f_parse = w.add_function("main.parse", "parse.go", 1);
    let f_render = w.add_function("main.render", "render.go", 1);
    let f_cache = w.add_function("main.(*cache).put", "cache.go", 1);
    let f_grow = w.add_function("runtime.growslice", "slice.go", 1);
    let main = w.add_location(Some(m), 0x1100, &[(f_main, 5)]);
    let parse = w.add_location(Some(m), 0x1200, &[(f_parse, 9)]);
    let render = w.add_location(Some(m), 0x1300, &[(f_render, 9)]);
    let cache = w.add_location(Some(m), 0x1400, &[(f_cache, 9)]);
    let grow = w.add_location(Some(m), 0x1500, &[(f_grow, 9)]);
    AllocSites { w, main, parse, render, cache, grow }
}

fn negative() -> ProfileWriter {
    let AllocSites { mut w, main, parse, render, cache, grow } = alloc_sites();
    const MB: i64 = 1 << 20;
    w.add_sample(&[grow, parse, main], &[40, 4 * MB], &[]);
    w.add_sample(&[grow, render, main], &[-60, -6 * MB], &[]);
    w.add_sample(&[cache, parse, main], &[-10, -MB], &[]);
    w.add_sample(&[cache, render, main], &[20, 2 * MB], &[]);
    w.add_sample(&[parse, main], &[-5, -(MB / 2)], &[]);
    w.add_sample(&[render, main], &[3, 300_000], &[]);
    // main.(*cache).flush cancels out to zero: pprof leaves the node out
    // but keeps the edge from main.main to it.
    let f_flush = w.add_function("main.(*cache).flush", "cache.go", 30);
    let flush = w.add_location(Some(1), 0x1600, &[(f_flush, 31)]);
    w.add_sample(&[flush, main], &[7, 2 * MB], &[]);
    w.add_sample(&[flush, main], &[-7, -2 * MB], &[]);
    w
}

fn diff_base() -> ProfileWriter {
    let AllocSites { mut w, main, parse, render, cache, grow } = alloc_sites();
    const KB: i64 = 1 << 10;
    let base = [LabelSpec::Str("pprof::base", "true")];
    // The new profile.
    w.add_sample(&[grow, parse, main], &[50, 800 * KB], &[]);
    w.add_sample(&[cache, render, main], &[20, 300 * KB], &[]);
    w.add_sample(&[render, main], &[4, 64 * KB], &[]);
    // The base profile, negated.
    w.add_sample(&[grow, parse, main], &[-30, -500 * KB], &base);
    w.add_sample(&[cache, render, main], &[-25, -400 * KB], &base);
    w.add_sample(&[cache, parse, main], &[-2, -10 * KB], &base);
    w
}

fn drop_frames() -> ProfileWriter {
    let mut w = ProfileWriter::new(&[("objects", "count"), ("space", "bytes")]);
    w.set_drop_frames(
        r"operator new|malloc|runtime\..*|\(anonymous namespace\)::helper",
        r"runtime\.mallocgc",
    );
    let m = w.add_mapping("/usr/bin/dropper", "d40f", 0x1000, 0x10_0000);
    let f_main = w.add_function("main", "main.cc", 1);
    let f_alloc = w.add_function("Alloc(int)", "alloc.cc", 1);
    let f_new = w.add_function("operator new(unsigned long)", "new.cc", 1);
    let f_malloc = w.add_function("malloc", "malloc.c", 1);
    let f_tc = w.add_function("tc_malloc_internal", "tcmalloc.cc", 1);
    let f_helper = w.add_function("(anonymous namespace)::helper(int)", "helper.cc", 1);
    let f_mgc = w.add_function("runtime.mallocgc", "malloc.go", 1);
    let f_clr = w.add_function("runtime.memclrNoHeapPointers", "memclr.s", 1);
    let f_make = w.add_function("main.makeBuf", "buf.go", 1);
    let f_copy = w.add_function("main.copyBuf", "buf.go", 20);
    let f_move = w.add_function("runtime.memmove", "memmove.s", 1);
    let f_park = w.add_function("runtime.park", "proc.go", 1);
    let f_goexit = w.add_function("runtime.goexit", "asm.s", 1);
    let f_worker = w.add_function("main.worker", "worker.go", 1);
    let main = w.add_location(Some(m), 0x1100, &[(f_main, 2)]);
    let alloc = w.add_location(Some(m), 0x1200, &[(f_alloc, 2)]);
    let new = w.add_location(Some(m), 0x1300, &[(f_new, 2)]);
    let malloc = w.add_location(Some(m), 0x1400, &[(f_malloc, 2)]);
    let tc = w.add_location(Some(m), 0x1500, &[(f_tc, 2)]);
    let helper = w.add_location(Some(m), 0x1600, &[(f_helper, 2)]);
    let mgc = w.add_location(Some(m), 0x1700, &[(f_mgc, 2)]);
    let clr = w.add_location(Some(m), 0x1800, &[(f_clr, 2)]);
    let make = w.add_location(Some(m), 0x1900, &[(f_make, 2)]);
    // runtime.memmove inlined into main.copyBuf: only the inner line goes.
    let copy = w.add_location(Some(m), 0x1a00, &[(f_move, 2), (f_copy, 22)]);
    let park = w.add_location(Some(m), 0x1b00, &[(f_park, 2)]);
    let goexit = w.add_location(Some(m), 0x1c00, &[(f_goexit, 2)]);
    let worker = w.add_location(Some(m), 0x1d00, &[(f_worker, 2)]);
    w.add_sample(&[tc, malloc, new, alloc, main], &[10, 640], &[]);
    w.add_sample(&[new, alloc, main], &[3, 96], &[]);
    w.add_sample(&[helper, alloc, main], &[1, 4096], &[]);
    w.add_sample(&[clr, mgc, make, main], &[7, 7 << 10], &[]);
    w.add_sample(&[copy, main], &[2, 300], &[]);
    w.add_sample(&[park, worker, goexit], &[4, 0], &[]);
    // Everything matches drop_frames: nothing before the first user frame
    // is pruned, so the stack survives whole.
    w.add_sample(&[malloc, new], &[1, 1], &[]);
    w
}

fn zeros() -> ProfileWriter {
    let mut w = ProfileWriter::new(&[("samples", "count"), ("cpu", "nanoseconds"), ("alloc", "bytes")]);
    w.set_period("cpu", "nanoseconds", 10 * MS);
    w.set_time(NEW_YEAR_AM, SECOND);
    w.set_default_sample_type("cpu");
    let m = w.add_mapping("/usr/bin/zero", "", 0x1000, 0x10_0000);
    let f_main = w.add_function("main.main", "main.go", 1);
    let f_a = w.add_function("main.a", "a.go", 1);
    let f_b = w.add_function("main.b", "b.go", 1);
    let f_c = w.add_function("main.c", "c.go", 1);
    let main = w.add_location(Some(m), 0x1100, &[(f_main, 2)]);
    let a = w.add_location(Some(m), 0x1200, &[(f_a, 2)]);
    let b = w.add_location(Some(m), 0x1300, &[(f_b, 2)]);
    let c = w.add_location(Some(m), 0x1400, &[(f_c, 2)]);
    w.add_sample(&[a, main], &[3, 30 * MS, 0], &[]);
    w.add_sample(&[b, main], &[0, 0, 0], &[]);
    w.add_sample(&[], &[2, 20 * MS, 0], &[]);
    w.add_sample(&[], &[0, 0, 0], &[]);
    w.add_sample(&[c, b, main], &[1, 0, 0], &[]);
    w.add_sample(&[a, b, main], &[1, 10 * MS, 0], &[LabelSpec::Str("phase", "idle")]);
    w
}

fn empty() -> ProfileWriter {
    let mut w = ProfileWriter::new(&[("samples", "count"), ("cpu", "nanoseconds")]);
    w.set_period("cpu", "nanoseconds", 10 * MS);
    w.set_time(LEAP_DAY_PM, 5 * SECOND);
    let m = w.add_mapping("/usr/bin/idle", "1d1e", 0x1000, 0x2000);
    let f = w.add_function("main.main", "main.go", 1);
    w.add_location(Some(m), 0x1100, &[(f, 2)]);
    w
}

fn mappings() -> ProfileWriter {
    let mut w = ProfileWriter::new(&[("samples", "count"), ("cpu", "nanoseconds")]);
    w.set_period("cpu", "nanoseconds", 10 * MS);
    w.set_time(LEAP_DAY_PM, 3 * SECOND);
    w.add_comment("proxy build r1234");
    w.add_comment("# comments starting with '#' are not shown");
    w.add_comment("captured by proflens xtask");
    let bin = w.add_mapping("/usr/sbin/proxy", "9a3f5b7c11d2e4f6", 0x55_0000_0000, 0x55_0010_0000);
    let libc = w.add_mapping("/lib/x86_64-linux-gnu/libc.so.6", "c0ffee0123", 0x7f_0000_0000, 0x7f_0020_0000);
    let ssl = w.add_mapping("/usr/lib/libssl.so.3", "55173", 0x7f_1000_0000, 0x7f_1010_0000);
    let vdso = w.add_mapping("[vdso]", "", 0x7fff_f000_0000, 0x7fff_f000_2000);
    let doc = w.string("https://example.com/proxy-profiles");
    w.proto_mut().doc_url = doc;
    let f_main = w.add_function("main.main", "/src/proxy/main.go", 1);
    let f_conn = w.add_function("main.(*conn).serve", "/src/proxy/conn.go", 50);
    let f_read = w.add_function("read", "io/read.c", 10);
    let f_ssl = w.add_function("SSL_read", "ssl/ssl_lib.c", 2000);
    let f_clock = w.add_function("__vdso_clock_gettime", "", 0);
    let f_anon = w.add_function("", "/src/proxy/gen.go", 0);
    // A name only in system_name: pprof shows the system name.
    let f_sys = w.add_function("main.systemNameOnly", "/proc/self/cwd/./sys.go", 0);
    w.proto_mut().function[f_sys as usize - 1].name = 0;
    let main = w.add_location(Some(bin), 0x55_0000_1000, &[(f_main, 3)]);
    let conn = w.add_location(Some(bin), 0x55_0000_2000, &[(f_conn, 60)]);
    let conn2 = w.add_location(Some(bin), 0x55_0000_2040, &[(f_conn, 64)]);
    let anon = w.add_location(Some(bin), 0x55_0000_3000, &[(f_anon, 7)]);
    let read = w.add_location(Some(libc), 0x7f_0000_4000, &[(f_read, 12)]);
    let libc_bare = w.add_location(Some(libc), 0x7f_0000_5000, &[]);
    let ssl_read = w.add_location(Some(ssl), 0x7f_1000_6000, &[(f_ssl, 2010)]);
    let ssl_bare = w.add_location(Some(ssl), 0x7f_1000_7000, &[]);
    let clock = w.add_location(Some(vdso), 0x7fff_f000_0800, &[(f_clock, 0)]);
    let sys = w.add_location(Some(bin), 0x55_0000_4000, &[(f_sys, 9)]);
    for (stack, n) in [
        (&[read, ssl_read, conn, main][..], 6),
        (&[libc_bare, read, conn2, main], 2),
        (&[ssl_bare, ssl_read, conn, main], 3),
        (&[clock, conn2, main], 1),
        (&[anon, main], 2),
        (&[libc_bare, ssl_bare, anon, main], 1),
        (&[sys, conn2, main], 4),
    ] {
        w.add_sample(stack, &[n, n * 10 * MS], &[]);
    }
    w
}
