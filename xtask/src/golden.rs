//! `cargo xtask golden`: regenerates tests/golden from go tool pprof.
//!
//! 1. Writes the synthetic fixtures (tests/fixtures/synthetic, see
//!    `synthetic.rs`).
//! 2. Runs `go tool pprof` for every case of the case table below, in an
//!    isolated environment, and writes `tests/golden/<case>.txt`, the case
//!    list `tests/golden/cases.tsv` and `tests/golden/README.md`.
//!
//! The test `tests/tests/golden.rs` replays cases.tsv through proflens and
//! compares byte for byte; it never needs Go.
//!
//! Options:
//! - `--go PATH`: the go command (default: `$GO`, else `go` on PATH, else
//!   /usr/lib/go-1.23/bin/go).
//! - `--fixtures-only`: write the synthetic fixtures and stop (no Go).
//! - `--formats-only`: only the text formats' and legacy forms' golden
//!   files (formats.rs, legacy.rs).
//! - `--check`: write nothing; fail if any fixture or golden file would
//!   change.

mod formats;
mod legacy;
mod symbolize;
mod synthetic;
mod tags;

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use proflens_tests::cases::{self, shell_quote, CaseRow};

/// Where Debian/Ubuntu's golang-1.23 package puts go.
const FALLBACK_GO: &str = "/usr/lib/go-1.23/bin/go";

/// The command-line options of `cargo xtask golden`.
struct Flags {
    go: String,
    fixtures_only: bool,
    formats_only: bool,
    check: bool,
}

/// Regenerates the synthetic fixtures and the golden files.
pub fn run(root: &Path, args: &[String]) -> Result<(), String> {
    let flags = parse_flags(args)?;
    let tests = root.join("tests");
    let mut stale = Vec::new();

    let fixture_dir = tests.join("fixtures/synthetic");
    let fixtures = synthetic::fixtures();
    for f in &fixtures {
        put(&fixture_dir.join(f.file), &f.bytes, flags.check, &mut stale)?;
    }
    if !flags.check {
        println!("wrote {} synthetic fixtures to {}", fixtures.len(), fixture_dir.display());
    }
    if flags.fixtures_only {
        return Ok(());
    }
    if flags.formats_only {
        formats::generate(&flags.go, &tests, flags.check, &mut stale)?;
        legacy::generate(&flags.go, &tests, flags.check, &mut stale)?;
        symbolize::generate(&flags.go, &tests, flags.check, &mut stale)?;
        return match stale.is_empty() {
            true => {
                println!(
                    "the text formats' golden files are {}",
                    if flags.check { "up to date" } else { "written" }
                );
                Ok(())
            }
            false => Err(format!("out of date (run `cargo xtask golden`):\n  {}", stale.join("\n  "))),
        };
    }

    let cases = cases();
    validate(&tests, &cases)?;
    let go_version = go_version(&flags.go)?;
    let sandbox = Sandbox::new()?;
    let results = run_all(&flags.go, &sandbox, &tests, &cases);
    sandbox.remove();
    let results = results?;

    let golden_dir = tests.join("golden");
    let mut tsv = String::from(cases::HEADER);
    let mut failures = 0;
    for (case, result) in cases.iter().zip(&results) {
        let (expect_ok, text) = match result {
            GoResult::Ok(stdout) => (true, stdout.clone()),
            GoResult::Failed(first_line) => {
                failures += 1;
                (false, format!("{first_line}\n"))
            }
        };
        let path = golden_dir.join(format!("{}.txt", case.name));
        // Go orders DOT edges of equal weight unstably (the golden test
        // compares DOT as a set of lines): a reordering is not a change.
        let reordered = matches!(case.report, Report::Dot)
            && std::fs::read_to_string(&path).is_ok_and(|old| same_lines(&old, &text));
        if !reordered {
            put(&path, text.as_bytes(), flags.check, &mut stale)?;
        }
        tsv.push_str(&case.tsv_row(expect_ok).to_string());
    }
    put(&golden_dir.join("cases.tsv"), tsv.as_bytes(), flags.check, &mut stale)?;
    remove_orphans(&golden_dir, &cases, flags.check, &mut stale)?;
    formats::generate(&flags.go, &tests, flags.check, &mut stale)?;
    legacy::generate(&flags.go, &tests, flags.check, &mut stale)?;
    symbolize::generate(&flags.go, &tests, flags.check, &mut stale)?;
    if flags.check {
        if stale.is_empty() {
            println!("{} golden cases and {} fixtures are up to date", cases.len(), fixtures.len());
            return Ok(());
        }
        return Err(format!("out of date (run `cargo xtask golden`):\n  {}", stale.join("\n  ")));
    }
    let readme = readme(&go_version, cases.len(), failures, &fixtures);
    std::fs::write(golden_dir.join("README.md"), readme).map_err(|e| e.to_string())?;
    let bytes: u64 = results.iter().map(|r| r.len() as u64).sum();
    println!(
        "wrote {} golden cases ({} expected failures, {} KiB) to {} with {}",
        cases.len(),
        failures,
        bytes / 1024,
        golden_dir.display(),
        go_version
    );
    Ok(())
}

fn parse_flags(args: &[String]) -> Result<Flags, String> {
    let mut flags = Flags { go: default_go(), fixtures_only: false, formats_only: false, check: false };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--go" => flags.go = it.next().ok_or("--go needs a path")?.clone(),
            "--fixtures-only" => flags.fixtures_only = true,
            "--formats-only" => flags.formats_only = true,
            "--check" => flags.check = true,
            other => {
                return Err(format!(
                "unknown option {other}; usage: cargo xtask golden [--go PATH] [--fixtures-only] [--formats-only] [--check]"
            ))
            }
        }
    }
    Ok(flags)
}

/// The go command: $GO, else `go` on PATH, else Go 1.23 from Debian.
pub fn default_go() -> String {
    if let Ok(go) = std::env::var("GO") {
        if !go.is_empty() {
            return go;
        }
    }
    let on_path = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).any(|d| d.join("go").is_file()))
        .unwrap_or(false);
    if on_path {
        "go".to_string()
    } else {
        FALLBACK_GO.to_string()
    }
}

/// Writes `bytes` to `path` unless it already holds them; in check mode
/// only records that it would change.
fn put(path: &Path, bytes: &[u8], check: bool, stale: &mut Vec<String>) -> Result<(), String> {
    if std::fs::read(path).ok().as_deref() == Some(bytes) {
        return Ok(());
    }
    if check {
        stale.push(path.display().to_string());
        return Ok(());
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    }
    std::fs::write(path, bytes).map_err(|e| format!("writing {}: {e}", path.display()))
}

/// Whether `a` and `b` hold the same lines, in any order.
fn same_lines(a: &str, b: &str) -> bool {
    fn sorted(s: &str) -> Vec<&str> {
        let mut lines: Vec<&str> = s.lines().collect();
        lines.sort_unstable();
        lines
    }
    sorted(a) == sorted(b)
}

/// Deletes golden files of cases no longer in the table.
fn remove_orphans(dir: &Path, cases: &[Case], check: bool, stale: &mut Vec<String>) -> Result<(), String> {
    let names: BTreeSet<String> = cases.iter().map(|c| format!("{}.txt", c.name)).collect();
    let entries = std::fs::read_dir(dir).map_err(|e| format!("reading {}: {e}", dir.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| e.to_string())?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".txt") && !names.contains(&name) {
            if check {
                stale.push(format!("{} (no longer a case)", entry.path().display()));
            } else {
                std::fs::remove_file(entry.path()).map_err(|e| e.to_string())?;
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// The case table.

/// A report kind: the CLI subcommand and go tool pprof's output flag.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Report {
    Top,
    Traces,
    Tree,
    Peek,
    Dot,
    List,
    Tags,
}

impl Report {
    fn name(self) -> &'static str {
        match self {
            Report::Top => "top",
            Report::Traces => "traces",
            Report::Tree => "tree",
            Report::Peek => "peek",
            Report::Dot => "dot",
            Report::List => "list",
            Report::Tags => "tags",
        }
    }
}

/// One golden case: a fixture, a report and options.
struct Case {
    name: String,
    /// Relative to tests/.
    fixture: String,
    report: Report,
    /// The peek regexp ("" for other reports).
    peek: String,
    /// Options in pprof's spelling without the dash: "cum", "nodecount=10",
    /// "granularity=lines" (pprof's -lines), "trim=false".
    opts: Vec<String>,
}

impl Case {
    /// go tool pprof's arguments, except the profile path.
    fn go_args(&self) -> Vec<String> {
        let mut args = vec![match self.report {
            Report::Peek => format!("-peek={}", self.peek),
            Report::List => format!("-list={}", self.peek),
            r => format!("-{}", r.name()),
        }];
        for o in &self.opts {
            match o.split_once('=') {
                // Another profile to merge: a path (cases put these last).
                _ if o.starts_with("{tests}/") => args.push(o.clone()),
                Some(("granularity", g)) => args.push(format!("-{g}")),
                _ => args.push(format!("-{o}")),
            }
        }
        args
    }

    /// proflens's options, one command-line argument each.
    fn proflens_args(&self) -> Vec<String> {
        self.opts
            .iter()
            .map(|o| match o.split_once('=') {
                // Another profile to merge: a path, as it is.
                _ if o.starts_with("{tests}/") => o.clone(),
                Some(("trim", "false")) => "--no-trim".to_string(),
                Some((k, v)) => format!("--{}={v}", k.replace('_', "-")),
                None => format!("--{}", o.replace('_', "-")),
            })
            .collect()
    }

    /// The go command line as a shell would take it, run from tests/.
    fn go_command(&self) -> String {
        let mut words = vec!["go".to_string(), "tool".to_string(), "pprof".to_string()];
        words.extend(self.go_args().iter().map(|a| shell_quote(a)));
        words.push(shell_quote(&self.fixture));
        words.join(" ")
    }

    /// The case's row of cases.tsv.
    fn tsv_row(&self, expect_ok: bool) -> CaseRow {
        CaseRow {
            name: self.name.clone(),
            fixture: self.fixture.clone(),
            report: self.report.name().to_string(),
            regexp: self.peek.clone(),
            expect_ok,
            go_command: self.go_command(),
            options: self.proflens_args(),
        }
    }
}

/// A filename-safe slug: letters, digits, '_', '.' and '-' stay; runs of
/// anything else become one '-'.
fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() || "_.-".contains(c) {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches(|c| c == '-' || c == '.').to_string()
}

/// Builds the case table, naming each case after its fixture, report and
/// options.
#[derive(Default)]
struct Table {
    cases: Vec<Case>,
}

impl Table {
    fn add(&mut self, fixture: &str, report: Report, peek: &str, opts: &[&str]) {
        let alias = fixture_alias(fixture);
        let mut name = format!("{alias}_{}", report.name());
        if matches!(report, Report::Peek | Report::List) {
            name = format!("{name}_{}", slug(peek));
        }
        for o in opts {
            let o = o.strip_prefix("granularity=").unwrap_or(o);
            // Other profiles (bases, merged files) by their short names.
            let o = match o.split_once("{tests}/") {
                Some((option @ ("" | "base=" | "diff_base="), path)) => {
                    format!("{option}{}", fixture_alias(path))
                }
                _ => o.to_string(),
            };
            name = format!("{name}_{}", slug(&o));
        }
        self.cases.push(Case {
            name,
            fixture: fixture.to_string(),
            report,
            peek: peek.to_string(),
            opts: opts.iter().map(|s| s.to_string()).collect(),
        });
    }

    fn top(&mut self, fixture: &str, opts: &[&str]) {
        self.add(fixture, Report::Top, "", opts);
    }

    fn traces(&mut self, fixture: &str, opts: &[&str]) {
        self.add(fixture, Report::Traces, "", opts);
    }

    fn tree(&mut self, fixture: &str, opts: &[&str]) {
        self.add(fixture, Report::Tree, "", opts);
    }

    fn peek(&mut self, fixture: &str, regex: &str, opts: &[&str]) {
        self.add(fixture, Report::Peek, regex, opts);
    }

    fn dot(&mut self, fixture: &str, opts: &[&str]) {
        self.add(fixture, Report::Dot, "", opts);
    }

    fn list(&mut self, fixture: &str, regex: &str, opts: &[&str]) {
        self.add(fixture, Report::List, regex, opts);
    }

    fn tags(&mut self, fixture: &str, opts: &[&str]) {
        self.add(fixture, Report::Tags, "", opts);
    }

    /// top, traces, tree and peek with default options.
    fn all_reports(&mut self, fixture: &str, peek: &str) {
        self.top(fixture, &[]);
        self.traces(fixture, &[]);
        self.tree(fixture, &[]);
        self.peek(fixture, peek, &[]);
    }
}

/// The short name of a fixture in case names: its file name up to the
/// first dot ("heap2", "large", "inline"), or "crash" for
/// go.nomappings.crash.
fn fixture_alias(fixture: &str) -> String {
    let file = fixture.rsplit('/').next().unwrap_or(fixture);
    if file == "go.nomappings.crash" {
        return "crash".to_string();
    }
    file.split('.').next().unwrap_or(file).to_string()
}

const HEAP1: &str = "fixtures/go/heap1.pb.gz";
const HEAP2: &str = "fixtures/go/heap2.pb.gz";
const CPU: &str = "fixtures/go/cpu.pb.gz";
const LARGE: &str = "fixtures/pprof/large.cpu";
const SAMPLE: &str = "fixtures/pprof/sample.cpu";
const CRASH: &str = "fixtures/pprof/go.nomappings.crash";
const INLINE: &str = "fixtures/synthetic/inline.pb.gz";
const RECURSION: &str = "fixtures/synthetic/recursion.pb.gz";
const LABELS: &str = "fixtures/synthetic/labels.pb.gz";
const MULTITYPE: &str = "fixtures/synthetic/multitype.pb.gz";
const LEGACYHEAP: &str = "fixtures/synthetic/legacyheap.pb.gz";
const NOMAPPINGS: &str = "fixtures/synthetic/nomappings.pb";
const SPARSEIDS: &str = "fixtures/synthetic/sparseids.pb.gz";
const NEGATIVE: &str = "fixtures/synthetic/negative.pb.gz";
const DIFFBASE: &str = "fixtures/synthetic/diffbase.pb.gz";
const DROPFRAMES: &str = "fixtures/synthetic/dropframes.pb.gz";
const ZEROS: &str = "fixtures/synthetic/zeros.pb.gz";
const EMPTY: &str = "fixtures/synthetic/empty.pb.gz";
const MAPPINGS: &str = "fixtures/synthetic/mappings.pb.gz";
const SERIES3: &str = "fixtures/synthetic/heapseries3.pb.gz";

/// Every case. Append freely; names must stay unique.
fn cases() -> Vec<Case> {
    let mut t = Table::default();

    // Go heap profiles: every report, every sample type by name and number,
    // and the legacy names that pprof does not accept for them.
    t.all_reports(HEAP1, "WithValue|ResetLogId");
    t.top(HEAP1, &["sample_index=alloc_space"]);
    t.tree(HEAP1, &["sample_index=inuse_objects"]);
    t.all_reports(HEAP2, "WithValue|ResetLogId");
    for si in ["alloc_objects", "alloc_space", "inuse_objects", "inuse_space", "0", "1", "2", "3"] {
        t.top(HEAP2, &[&format!("sample_index={si}")]);
    }
    for bad in ["space", "objects", "cpu", "4", "-1"] {
        t.top(HEAP2, &[&format!("sample_index={bad}")]);
    }
    t.tree(HEAP2, &["sample_index=alloc_space"]);
    t.traces(HEAP2, &["sample_index=1"]);
    t.peek(HEAP2, "main\\.", &["sample_index=alloc_objects"]);
    t.peek(HEAP2, "WithValue", &["granularity=lines"]);
    t.top(HEAP2, &["cum"]);
    t.top(HEAP2, &["nodecount=10"]);
    t.top(HEAP2, &["nodecount=0"]);
    t.top(HEAP2, &["nodefraction=0.05"]);
    t.top(HEAP2, &["nodefraction=0", "sample_index=alloc_space"]);
    t.top(HEAP2, &["trim=false", "sample_index=alloc_objects"]);
    for g in ["functions", "filefunctions", "files", "lines", "addresses"] {
        t.top(HEAP2, &[&format!("granularity={g}")]);
    }
    t.top(HEAP2, &["noinlines"]);
    for unit in ["minimum", "auto", "B", "kB", "MB", "GB", "furlongs"] {
        t.top(HEAP2, &[&format!("unit={unit}")]);
    }
    t.top(HEAP2, &["unit=kB", "sample_index=alloc_space", "granularity=lines", "nodecount=15"]);
    t.top(HEAP2, &["focus=main"]);
    t.top(HEAP2, &["focus=nomatchxyz"]);
    t.top(HEAP2, &["focus=("]);
    t.top(HEAP2, &["ignore=runtime"]);
    t.top(HEAP2, &["hide=runtime"]);
    t.top(HEAP2, &["show=main"]);
    t.top(HEAP2, &["show_from=main\\.flushEvent"]);
    t.top(HEAP2, &["focus=main", "ignore=flushEvent"]);
    t.top(HEAP2, &["focus=main", "hide=context", "relative_percentages"]);
    t.top(HEAP2, &["relative_percentages", "focus=ResetLogId", "cum"]);
    t.top(HEAP2, &["drop_negative"]);
    t.top(HEAP2, &["trim_path=/src"]);
    t.tree(HEAP2, &["edgefraction=0.05"]);
    t.tree(HEAP2, &["nodecount=5", "sample_index=alloc_space"]);
    t.tree(HEAP2, &["trim=false", "focus=ResetLogId"]);
    t.tree(HEAP2, &["show_from=main\\.flushEvent", "unit=MB"]);
    t.traces(HEAP2, &["focus=ResetLogId", "hide=runtime"]);
    t.traces(HEAP2, &["show=main", "sample_index=alloc_objects"]);
    t.peek(HEAP2, "nomatchxyz", &[]);

    // The Go CPU profile.
    t.all_reports(CPU, "main\\.");
    t.top(CPU, &["cum"]);
    t.top(CPU, &["nodecount=5", "cum"]);
    t.top(CPU, &["nodefraction=0", "edgefraction=0", "nodecount=40"]);
    t.top(CPU, &["trim=false"]);
    for g in ["filefunctions", "files", "lines", "addresses"] {
        t.top(CPU, &[&format!("granularity={g}"), "nodecount=25"]);
    }
    t.top(CPU, &["noinlines"]);
    for unit in ["auto", "ms", "s", "us", "ns", "minute"] {
        t.top(CPU, &[&format!("unit={unit}"), "nodecount=12"]);
    }
    t.top(CPU, &["sample_index=0"]);
    t.top(CPU, &["sample_index=samples", "nodecount=10"]);
    t.top(CPU, &["focus=http"]);
    t.top(CPU, &["ignore=runtime"]);
    t.top(CPU, &["hide=runtime"]);
    t.top(CPU, &["show=main"]);
    t.top(CPU, &["show_from=main"]);
    t.top(CPU, &["focus=sha256", "relative_percentages"]);
    t.top(CPU, &["focus=main", "ignore=sort", "hide=runtime", "cum", "nodecount=20"]);
    t.top(CPU, &["source_path=/nonexistent"]);
    t.tree(CPU, &["nodecount=10"]);
    t.tree(CPU, &["focus=main"]);
    t.tree(CPU, &["nodefraction=0.01", "edgefraction=0.01"]);
    t.tree(CPU, &["granularity=lines", "nodecount=20"]);
    t.tree(CPU, &["noinlines", "nodecount=15"]);
    t.tree(CPU, &["show=main", "cum"]);
    t.traces(CPU, &["focus=sha256"]);
    t.traces(CPU, &["show_from=main\\.handle", "hide=runtime"]);
    t.traces(CPU, &["granularity=lines", "focus=sortRecords"]);
    t.traces(CPU, &["noinlines", "focus=partition"]);
    t.traces(CPU, &["sample_index=samples", "focus=ResetLogId", "unit=s"]);
    t.peek(CPU, "runtime\\.m", &["granularity=lines"]);
    t.peek(CPU, "sha256", &["focus=main", "ignore=hashRecords"]);
    t.peek(CPU, "context\\.value", &["noinlines", "unit=s"]);

    // pprof's own test profiles.
    t.top(LARGE, &[]);
    t.tree(LARGE, &[]);
    t.peek(LARGE, "math/rand\\.Int$|time\\.now", &[]);
    t.top(LARGE, &["cum", "nodefraction=0.001"]);
    t.top(LARGE, &["granularity=lines", "nodecount=30"]);
    t.top(LARGE, &["noinlines", "nodefraction=0.001"]);
    t.top(LARGE, &["show_from=main\\.main", "unit=ms"]);
    t.tree(LARGE, &["nodefraction=0.001", "nodecount=12"]);
    t.traces(LARGE, &["focus=math/rand\\.Int$"]);
    t.all_reports(SAMPLE, "runtime\\.map");
    for g in ["filefunctions", "files", "lines", "addresses"] {
        t.top(SAMPLE, &[&format!("granularity={g}")]);
    }
    t.top(SAMPLE, &["noinlines"]);
    t.tree(SAMPLE, &["noinlines"]);
    t.traces(SAMPLE, &["noinlines"]);
    t.traces(SAMPLE, &["granularity=addresses"]);
    t.top(SAMPLE, &["hide=runtime", "unit=ms"]);
    t.top(SAMPLE, &["focus=mapassign", "relative_percentages"]);
    t.top(SAMPLE, &["trim=false", "cum"]);
    t.all_reports(CRASH, ".");
    t.top(CRASH, &["granularity=addresses"]);
    t.top(CRASH, &["granularity=lines"]);
    t.top(CRASH, &["sample_index=inuse_objects"]);

    // Synthetic fixtures.
    t.all_reports(INLINE, "main\\.parse");
    for g in ["filefunctions", "files", "lines", "addresses"] {
        t.top(INLINE, &[&format!("granularity={g}")]);
    }
    t.top(INLINE, &["noinlines"]);
    t.tree(INLINE, &["noinlines"]);
    t.traces(INLINE, &["noinlines"]);
    t.traces(INLINE, &["granularity=lines"]);
    t.tree(INLINE, &["granularity=lines"]);
    t.peek(INLINE, "main\\.parse", &["granularity=lines"]);
    t.top(INLINE, &["focus=strings\\.Index"]);
    t.top(INLINE, &["hide=strings"]);
    t.top(INLINE, &["show_from=main\\.handle", "cum"]);
    t.top(INLINE, &["unit=ms"]);
    t.top(INLINE, &["sample_index=samples"]);

    t.all_reports(RECURSION, "main\\.fib");
    t.top(RECURSION, &["cum"]);
    t.peek(RECURSION, "main\\.(even|odd)", &[]);
    t.peek(RECURSION, "main\\.walk", &["granularity=lines"]);
    t.top(RECURSION, &["granularity=lines"]);
    t.tree(RECURSION, &["noinlines"]);
    t.top(RECURSION, &["focus=main\\.odd"]);
    t.top(RECURSION, &["show=main\\.(fib|main)"]);
    t.tree(RECURSION, &["hide=main\\.fib"]);
    t.top(RECURSION, &["ignore=walk"]);
    t.traces(RECURSION, &["show_from=main\\.even"]);
    t.top(RECURSION, &["unit=auto", "sample_index=wall"]);

    t.all_reports(LABELS, "Lock");
    t.traces(LABELS, &["sample_index=contentions"]);
    t.traces(LABELS, &["focus=hash", "unit=ms"]);
    t.top(LABELS, &["unit=ms"]);

    t.all_reports(MULTITYPE, "bufio");
    for si in ["0", "2", "3", "samples", "alloc", "goroutines"] {
        t.top(MULTITYPE, &[&format!("sample_index={si}")]);
    }
    t.traces(MULTITYPE, &["sample_index=alloc"]);
    t.tree(MULTITYPE, &["sample_index=alloc", "unit=kB"]);
    t.top(MULTITYPE, &["sample_index=4"]);
    t.top(MULTITYPE, &["sample_index=alloc_space"]);

    t.all_reports(LEGACYHEAP, "push_back");
    for si in ["inuse_space", "inuse_objects", "space", "objects", "alloc_space"] {
        t.top(LEGACYHEAP, &[&format!("sample_index={si}")]);
    }
    t.top(LEGACYHEAP, &["unit=MB"]);

    t.all_reports(NOMAPPINGS, "main\\.run");
    t.top(NOMAPPINGS, &["granularity=addresses"]);
    t.top(NOMAPPINGS, &["granularity=lines"]);
    t.top(NOMAPPINGS, &["granularity=files"]);
    t.traces(NOMAPPINGS, &["granularity=addresses"]);

    t.all_reports(SPARSEIDS, "alpha");
    t.top(SPARSEIDS, &["granularity=lines"]);
    t.top(SPARSEIDS, &["granularity=addresses"]);
    t.top(SPARSEIDS, &["noinlines"]);

    t.all_reports(NEGATIVE, "main\\.parse");
    t.top(NEGATIVE, &["drop_negative"]);
    t.tree(NEGATIVE, &["drop_negative"]);
    t.peek(NEGATIVE, "main\\.render", &["drop_negative"]);
    t.tree(NEGATIVE, &["drop_negative", "nodefraction=0.2"]);
    t.tree(NEGATIVE, &["drop_negative", "edgefraction=0.1"]);
    t.tree(NEGATIVE, &["drop_negative", "nodecount=2"]);
    t.top(NEGATIVE, &["drop_negative", "cum", "nodefraction=0"]);
    t.tree(NEGATIVE, &["edgefraction=0.2"]);
    t.tree(NEGATIVE, &["sample_index=alloc_objects", "drop_negative"]);
    t.top(NEGATIVE, &["cum"]);
    t.top(NEGATIVE, &["sample_index=alloc_objects"]);
    t.top(NEGATIVE, &["unit=kB"]);
    t.top(NEGATIVE, &["focus=render", "relative_percentages"]);

    t.all_reports(DIFFBASE, "cache");
    t.top(DIFFBASE, &["drop_negative"]);
    t.tree(DIFFBASE, &["drop_negative"]);
    t.peek(DIFFBASE, "parse", &["drop_negative"]);
    t.top(DIFFBASE, &["cum", "sample_index=alloc_objects"]);

    t.all_reports(DROPFRAMES, "Alloc");
    t.top(DROPFRAMES, &["granularity=lines"]);
    t.top(DROPFRAMES, &["sample_index=objects"]);

    t.all_reports(ZEROS, "main\\.b");
    t.top(ZEROS, &["sample_index=samples"]);
    t.top(ZEROS, &["sample_index=alloc"]);
    t.traces(ZEROS, &["sample_index=alloc"]);
    t.tree(ZEROS, &["sample_index=alloc"]);
    t.top(ZEROS, &["nodefraction=0", "trim=false"]);

    t.all_reports(EMPTY, "main");
    t.top(EMPTY, &["trim=false"]);

    t.all_reports(MAPPINGS, "conn");
    for g in ["filefunctions", "files", "lines", "addresses"] {
        t.top(MAPPINGS, &[&format!("granularity={g}")]);
    }
    t.traces(MAPPINGS, &["granularity=addresses"]);
    t.tree(MAPPINGS, &["granularity=files"]);
    t.top(MAPPINGS, &["noinlines"]);
    t.top(MAPPINGS, &["trim_path=/src/proxy", "granularity=files"]);
    t.top(MAPPINGS, &["source_path=/src", "hide=read"]);
    t.top(MAPPINGS, &["source_path=/home/me/proxy", "granularity=lines"]);
    t.tree(MAPPINGS, &["trim_path=/nowhere:/src", "granularity=filefunctions"]);
    t.traces(MAPPINGS, &["trim_path=/src/proxy"]);
    t.top(INLINE, &["trim_path=/usr/lib/go/src:/src/app", "granularity=lines"]);

    // The drawn call graph (-dot): node and edge sets, labels, nodelets.
    for f in [HEAP1, HEAP2, CPU, LARGE, SAMPLE, CRASH] {
        t.dot(f, &[]);
    }
    t.dot(HEAP2, &["sample_index=alloc_space"]);
    t.dot(HEAP2, &["focus=main"]);
    t.dot(HEAP2, &["hide=runtime", "nodecount=10"]);
    t.dot(HEAP2, &["granularity=lines"]);
    t.dot(HEAP2, &["show_from=main\\.flushEvent"]);
    t.dot(CPU, &["nodecount=20"]);
    t.dot(CPU, &["ignore=runtime", "cum"]);
    t.dot(CPU, &["nodefraction=0.05", "edgefraction=0.01"]);
    t.dot(CPU, &["noinlines"]);
    t.dot(CPU, &["granularity=files"]);
    t.dot(CPU, &["trim=false"]);
    t.dot(LARGE, &["nodecount=30"]);
    for f in [INLINE, RECURSION, LABELS, MULTITYPE, NEGATIVE, DIFFBASE, SPARSEIDS, MAPPINGS, DROPFRAMES] {
        t.dot(f, &[]);
    }
    t.dot(NEGATIVE, &["drop_negative"]);
    t.dot(LABELS, &["nodecount=3"]);

    // Source listings (-list), with the Go service's source beside its profiles.
    let src = "source_path={tests}/fixtures/go/src";
    t.list(HEAP2, "main\\.", &[src]);
    t.list(HEAP2, "SetCtxValue", &[src]);
    t.list(HEAP2, "^main\\.(flushEvent|ResetLogId)$", &[src, "sample_index=alloc_space"]);
    t.list(HEAP1, "main\\.", &[src, "focus=flushEvent"]);
    t.list(CPU, "main\\.(sort|hash)", &[src]);
    t.list(CPU, "main\\.flush$", &[src, "noinlines"]);
    t.list(HEAP2, "nomatchxyz", &[src]);

    // Comparing and merging: -diff_base, -base, -normalize, several files.
    let heap1 = "diff_base={tests}/fixtures/go/heap1.pb.gz";
    for opts in [
        vec![heap1],
        vec![heap1, "sample_index=alloc_space"],
        vec![heap1, "sample_index=inuse_objects"],
        vec![heap1, "cum"],
        vec![heap1, "normalize"],
        vec![heap1, "drop_negative"],
        vec![heap1, "focus=flushEvent"],
        vec![heap1, "granularity=lines"],
        vec!["base={tests}/fixtures/go/heap1.pb.gz"],
        vec!["base={tests}/fixtures/go/heap1.pb.gz", "normalize"],
        vec!["{tests}/fixtures/go/heap1.pb.gz"],
    ] {
        t.top(HEAP2, &opts);
    }
    for report in [Report::Traces, Report::Tree, Report::Dot] {
        t.add(HEAP2, report, "", &[heap1]);
    }
    t.peek(HEAP2, "ResetLogId", &[heap1]);
    t.list(HEAP2, "main\\.", &[src, heap1]);
    t.top(HEAP2, &["base={tests}/fixtures/go/heap2.pb.gz"]);
    t.top(CPU, &[heap1]);
    t.top(CPU, &["{tests}/fixtures/go/heap1.pb.gz"]);
    let series1 = "diff_base={tests}/fixtures/synthetic/heapseries1.pb.gz";
    for opts in [
        vec![series1],
        vec![series1, "sample_index=inuse_objects"],
        vec![series1, "sample_index=alloc_space"],
        vec![series1, "normalize"],
        vec!["base={tests}/fixtures/synthetic/heapseries1.pb.gz"],
        vec!["{tests}/fixtures/synthetic/heapseries1.pb.gz", "{tests}/fixtures/synthetic/heapseries2.pb.gz"],
    ] {
        t.top(SERIES3, &opts);
    }
    t.traces(SERIES3, &[series1]);
    t.dot(SERIES3, &[series1]);
    tags::tag_cases(&mut t);
    t.cases
}

/// Refuses case tables that cases.tsv could not represent faithfully.
fn validate(tests: &Path, cases: &[Case]) -> Result<(), String> {
    let mut names = BTreeSet::new();
    for c in cases {
        if !names.insert(c.name.as_str()) {
            return Err(format!("two cases are named {}", c.name));
        }
        if !tests.join(&c.fixture).is_file() {
            return Err(format!("case {}: no fixture {}", c.name, c.fixture));
        }
        let fields = [&c.name, &c.fixture, &c.peek].into_iter().chain(&c.opts);
        if fields.into_iter().any(|f| f.contains(['\t', '\n', '\r'])) {
            return Err(format!("case {}: a field holds a tab or newline", c.name));
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Running Go.

/// What go tool pprof did for a case.
enum GoResult {
    /// Exit status 0: its stdout.
    Ok(String),
    /// Non-zero exit: the first line of stderr.
    Failed(String),
}

impl GoResult {
    fn len(&self) -> usize {
        match self {
            GoResult::Ok(s) | GoResult::Failed(s) => s.len(),
        }
    }
}

/// A scratch directory for Go: its HOME, PPROF_TMPDIR and working
/// directory, so that nothing from the user's setup leaks in and no
/// local binary is found for symbolization.
struct Sandbox {
    dir: PathBuf,
}

impl Sandbox {
    fn new() -> Result<Sandbox, String> {
        let dir = std::env::temp_dir().join(format!("proflens-golden-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("home")).map_err(|e| format!("creating {}: {e}", dir.display()))?;
        std::fs::create_dir_all(dir.join("work")).map_err(|e| e.to_string())?;
        std::fs::create_dir_all(dir.join("tmp")).map_err(|e| e.to_string())?;
        Ok(Sandbox { dir })
    }

    /// `go args...` with the golden environment.
    fn command(&self, go: &str, args: &[String]) -> Command {
        let mut cmd = Command::new(go);
        cmd.args(args)
            .current_dir(self.dir.join("work"))
            .env_clear()
            .env("PATH", "/usr/local/bin:/usr/bin:/bin")
            .env("TZ", "UTC")
            .env("LANG", "C")
            .env("HOME", self.dir.join("home"))
            .env("PPROF_TMPDIR", self.dir.join("tmp"))
            .env("PPROF_BINARY_PATH", self.dir.join("no-binaries"))
            .env("GOTOOLCHAIN", "local")
            .env("GOFLAGS", "");
        cmd
    }

    fn remove(&self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// What `go version` prints.
pub fn go_version(go: &str) -> Result<String, String> {
    let out = Command::new(go)
        .arg("version")
        .env("GOTOOLCHAIN", "local")
        .output()
        .map_err(|e| format!("cannot run `{go} version` (install Go or pass --go PATH): {e}"))?;
    if !out.status.success() {
        return Err(format!("`{go} version` failed: {}", String::from_utf8_lossy(&out.stderr)));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Runs every case through go tool pprof, a few at a time.
fn run_all(go: &str, sandbox: &Sandbox, tests: &Path, cases: &[Case]) -> Result<Vec<GoResult>, String> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Result<GoResult, String>>>> =
        Mutex::new((0..cases.len()).map(|_| None).collect());
    let workers = std::thread::available_parallelism().map_or(4, |n| n.get().min(8));
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(case) = cases.get(i) else { break };
                let r = run_case(go, sandbox, tests, case);
                results.lock().unwrap()[i] = Some(r);
            });
        }
    });
    results.into_inner().unwrap().into_iter().map(|r| r.expect("every case ran")).collect()
}

fn run_case(go: &str, sandbox: &Sandbox, tests: &Path, case: &Case) -> Result<GoResult, String> {
    let mut args = vec!["tool".to_string(), "pprof".to_string()];
    // Options may name paths under tests/ as {tests}/...
    let tests_text = tests.display().to_string();
    args.extend(case.go_args().into_iter().map(|a| a.replace("{tests}", &tests_text)));
    args.push(tests.join(&case.fixture).display().to_string());
    let out = sandbox
        .command(go, &args)
        .output()
        .map_err(|e| format!("case {}: cannot run {go}: {e}", case.name))?;
    let stdout = String::from_utf8(out.stdout)
        .map_err(|_| format!("case {}: go tool pprof printed invalid UTF-8", case.name))?;
    if out.status.success() {
        return Ok(GoResult::Ok(stdout));
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !stdout.is_empty() {
        return Err(format!("case {}: go tool pprof failed after printing a report: {stderr}", case.name));
    }
    let first = stderr.lines().find(|l| !l.trim().is_empty()).unwrap_or("(no message)");
    Ok(GoResult::Failed(first.trim_end().to_string()))
}

// ---------------------------------------------------------------------------
// README.

fn readme(go_version: &str, cases: usize, failures: usize, fixtures: &[synthetic::Fixture]) -> String {
    let mut s = String::new();
    let _ = write!(
        s,
        "# Golden files: go tool pprof's output

Written by `cargo xtask golden` (xtask/src/golden.rs); do not edit by hand.

- Generated: {date} (UTC)
- Reference: `{go_version}` (`go tool pprof`, the google/pprof vendored in that release)
- Cases: {cases}, of which {failures} are expected failures

The test `tests/tests/golden.rs` (`cargo test -p proflens-tests --test golden`)
runs every case through the proflens CLI (`proflens_cli::run_args`, in
process) and requires its output to equal the golden file byte for byte. It
never runs Go.

## Files

- `cases.tsv`: the case list. Tab-separated, one case a line, no quoting or
  escaping (the generator refuses fields with tabs or newlines); lines
  starting with `#` are comments. Columns:
  1. case name (the golden file is `<case>.txt`);
  2. fixture, relative to `tests/`;
  3. report: `top`, `traces`, `tree`, `peek`, `dot`, `list` or `tags`;
  4. the peek regexp (empty for other reports);
  5. `ok` or `fail`;
  6. the go command line, shell-quoted, as run from `tests/` (for people;
     the generator passes an absolute fixture path);
  7. and on: proflens options, one command-line argument per column
     (`--cum`, `--focus=main`, ...).

  The proflens command line of a case is
  `proflens <report> [<peek regexp>] <options...> tests/<fixture>`.
- `<case>.txt`: for `ok` cases, exactly what `go tool pprof` printed on
  stdout. For `fail` cases, the first line of Go's stderr (Go printed
  nothing on stdout and exited non-zero); the test then only requires that
  proflens fails too, since the messages are worded differently.

## Environment

Go runs with an empty environment except `PATH=/usr/local/bin:/usr/bin:/bin`,
`TZ=UTC`, `LANG=C`, `GOTOOLCHAIN=local`, `GOFLAGS=`, `HOME` and
`PPROF_TMPDIR` set to a fresh temporary directory,
`PPROF_BINARY_PATH` set to a directory that does not exist, and a fresh
empty working directory, so that no local binary is ever found for
symbolization. The test sets `TZ=UTC` for proflens likewise (the `Time:`
line is printed in the local time zone).

## Regenerating

```sh
cargo xtask golden                 # needs Go; writes fixtures, goldens, this file
cargo xtask golden --go /path/to/go
cargo xtask golden --check         # writes nothing, fails if anything would change
cargo xtask golden --fixtures-only # only the synthetic fixtures, no Go needed
cargo test -p proflens-tests --test golden
```

To add a case, append it to `cases()` in xtask/src/golden.rs (case names
are derived from fixture, report and options) and regenerate. Review the
diff of `tests/golden` before committing: a changed golden file means Go's
output changed.

## Fixtures

The real profiles are described in `tests/fixtures/go/README.md` and
`tests/fixtures/pprof/NOTICE`. The synthetic ones, written by
xtask/src/golden/synthetic.rs with proflens-core's `ProfileWriter`:

| file | what it covers |
|---|---|
",
        date = utc_date(),
    );
    for f in fixtures {
        let _ = writeln!(
            s,
            "| `synthetic/{}` | {} |",
            f.file,
            f.about.split_whitespace().collect::<Vec<_>>().join(" ")
        );
    }
    s.push_str(
        "
## Not covered

- `--all-frames` has no go tool pprof counterpart (pprof always applies
  drop_frames), so it has no golden case.
- The legacy-format files in `tests/fixtures/pprof` (cppbench.cpu,
  go.crc32.cpu, cppbench.heap, gobench.heap) and Go's `?debug=1` heap,
  mutex and block texts have their own golden files in `legacy/`
  (xtask/src/golden/legacy.rs); java.cpu is not read.
",
    );
    s
}

/// Today's date as YYYY-MM-DD in UTC.
fn utc_date() -> String {
    jiff::Timestamp::now().strftime("%Y-%m-%d").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_in_both_spellings() {
        let mut t = Table::default();
        t.peek(HEAP2, "main\\.", &["granularity=lines", "trim=false", "show_from=a b", "cum"]);
        let c = &t.cases[0];
        assert_eq!(c.name, "heap2_peek_main_lines_trim-false_show_from-a-b_cum");
        assert_eq!(c.go_args(), ["-peek=main\\.", "-lines", "-trim=false", "-show_from=a b", "-cum"]);
        assert_eq!(c.proflens_args(), ["--granularity=lines", "--no-trim", "--show-from=a b", "--cum"]);
        assert_eq!(
            c.go_command(),
            "go tool pprof '-peek=main\\.' -lines -trim=false '-show_from=a b' -cum fixtures/go/heap2.pb.gz"
        );
    }

    #[test]
    fn case_names_are_unique() {
        let cases = cases();
        let names: BTreeSet<&str> = cases.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names.len(), cases.len());
    }
}
