//! Golden cases of pprof's label options (issue 15): the -tags report, and
//! tagfocus, tagignore, tagshow, taghide, tagroot and tagleaf alone and
//! combined with the name filters and the other reports, on the Go CPU
//! profile (pprof.Do labels `worker` and `id`), the Go heap profiles
//! (numeric `bytes`) and the synthetic labels profile (string and numeric
//! labels, implied and conflicting units).

use super::{Report, Table, CPU, DIFFBASE, HEAP1, HEAP2, LABELS, MULTITYPE};

/// Appends the label cases.
pub(super) fn tag_cases(t: &mut Table) {
    // The -tags report itself.
    for f in [CPU, HEAP1, HEAP2, LABELS, DIFFBASE, MULTITYPE] {
        t.tags(f, &[]);
    }
    t.tags(CPU, &["unit=ms"]);
    t.tags(CPU, &["sample_index=samples"]);
    t.tags(HEAP2, &["sample_index=alloc_objects"]);
    t.tags(HEAP2, &["sample_index=alloc_space", "unit=kb"]);
    t.tags(LABELS, &["unit=ms"]);
    t.tags(CPU, &["focus=sortWorker"]);
    t.tags(CPU, &["tagfocus=worker=sort"]);
    t.tags(CPU, &["tagignore=id=c1"]);
    t.tags(HEAP2, &["tagfocus=bytes=1kb:"]);
    t.tags(LABELS, &["tagshow=worker|bytes"]);
    t.tags(LABELS, &["taghide=^w"]);
    t.tags(CPU, &["hide=runtime"]);

    // tagfocus / tagignore: key=regexp, bare regexps, several regexps.
    for tf in [
        "worker=sort",
        "worker=^s",
        "sort",
        "worker:hash",
        "worker=sort,hash",
        "worker:sort,id:c",
        "id=c[12]",
        "nomatch",
        "worker=",
    ] {
        t.top(CPU, &[&format!("tagfocus={tf}")]);
    }
    t.top(CPU, &["tagignore=worker=sort"]);
    t.top(CPU, &["tagignore=contender"]);
    t.top(CPU, &["tagfocus=worker=sort|hash", "tagignore=worker=hash"]);
    t.top(CPU, &["tagfocus=worker=sort", "focus=partition", "ignore=runtime", "cum"]);
    t.top(CPU, &["tagfocus=worker=hash", "relative_percentages"]);
    t.top(CPU, &["tagfocus=worker=sort", "hide=runtime", "show_from=main"]);
    t.traces(CPU, &["tagfocus=id=c1"]);
    t.tree(CPU, &["tagfocus=worker=hash", "nodecount=10"]);
    t.peek(CPU, "main\\.sortRecords$", &["tagfocus=worker=sort"]);
    t.dot(CPU, &["tagfocus=worker=sort", "nodecount=20"]);
    t.list(CPU, "main\\.(sort|hash)Worker", &["source_path={tests}/fixtures/go/src", "tagfocus=worker=hash"]);

    // Numeric ranges with units, with and without a key.
    for tf in ["bytes=1kb:", "bytes=:64b", "bytes=48b", "bytes=16b:48b", "1kb:", ":32", "bytes=1:2kb"] {
        t.top(HEAP2, &[&format!("tagfocus={tf}")]);
    }
    t.top(HEAP2, &["tagignore=bytes=:1kb"]);
    t.top(HEAP2, &["tagfocus=bytes=1kb:", "sample_index=alloc_space", "relative_percentages"]);
    t.traces(HEAP2, &["tagfocus=bytes=256kb:1mb"]);
    t.dot(HEAP2, &["tagfocus=bytes=:1kb"]);
    for tf in ["request=1kb:2kb", "wait=1ms:", "size=2mb", "bytes=:1kb", "pid=4242", "4kb", "worker=hash"] {
        t.top(LABELS, &[&format!("tagfocus={tf}")]);
    }
    t.traces(LABELS, &["tagignore=worker=sort"]);

    // tagshow / taghide: which labels traces, dot and tags show.
    t.traces(CPU, &["taghide=id"]);
    t.traces(CPU, &["tagshow=nomatch"]);
    t.traces(LABELS, &["tagshow=worker|bytes"]);
    t.traces(LABELS, &["taghide=^(wait|size)$", "tagfocus=worker=sort"]);
    t.dot(LABELS, &["taghide=worker"]);
    t.dot(HEAP2, &["tagshow=nomatch", "nodecount=10"]);
    t.top(CPU, &["tagshow=worker", "taghide=worker"]);

    // tagroot / tagleaf: pseudo-frames for one or several keys.
    t.top(CPU, &["tagroot=worker", "cum"]);
    t.top(CPU, &["tagroot=worker,id", "cum", "nodecount=12"]);
    t.top(CPU, &["tagleaf=worker"]);
    t.top(CPU, &["tagroot=nokey", "cum", "nodecount=5"]);
    t.tree(CPU, &["tagroot=worker", "nodecount=10"]);
    t.traces(CPU, &["tagleaf=worker,id", "tagroot=id"]);
    t.peek(CPU, "^(sort|hash)$", &["tagroot=worker"]);
    t.dot(CPU, &["tagroot=worker", "nodecount=15"]);
    t.top(CPU, &["tagroot=worker", "focus=^sort$", "cum", "nodecount=8"]);
    t.top(CPU, &["tagroot=worker", "ignore=^contender$", "tagfocus=id=c", "cum"]);
    t.top(CPU, &["tagroot=worker", "granularity=filefunctions", "cum", "nodecount=8"]);
    t.top(HEAP2, &["tagleaf=bytes"]);
    t.top(HEAP2, &["tagroot=bytes", "unit=kb", "cum", "nodecount=12"]);
    t.traces(HEAP2, &["tagleaf=bytes", "tagfocus=bytes=1kb:"]);
    t.top(LABELS, &["tagroot=bytes,worker", "cum"]);
    t.traces(LABELS, &["tagroot=request,wait", "tagleaf=span,pid"]);
    t.top(LABELS, &["tagleaf=wait", "unit=ms"]);
    t.add(LABELS, Report::Tree, "", &["tagroot=worker", "tagleaf=size"]);
}
