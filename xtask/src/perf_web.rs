//! `cargo xtask perf-web [RUNS] [--sizes MB,MB]`: times the release page
//! in headless Chromium (tests/e2e/timing.mjs) on large.cpu and generated
//! profiles of 20, 100 and 400 MB raw, then speedscope (npm, installed
//! under .tools/) on the same files the same way (tests/e2e/speedscope.mjs),
//! then `go tool pprof -http`'s server on them (tests/e2e/gotool-http.mjs,
//! when Go is installed), and rewrites the perf-web section of
//! docs/PERFORMANCE.md with the figures, the ratios against speedscope and
//! pprof, and issue 14's targets. `cargo xtask perf-web --render` rewrites
//! the section from the last run's JSON in target/perf without running
//! anything.

use std::fmt::Write as _;
use std::path::Path;

use serde_json::Value;

use crate::perf::{command_output, machine_description, synthetic_profile, write_section};
use crate::setup;
use crate::util::{path_str, run, which};
use crate::web::trunk_build;

const BEGIN: &str = "<!-- BEGIN xtask perf-web -->";
const END: &str = "<!-- END xtask perf-web -->";

/// Targets of the page (issue 14): first Top row after the drop.
const LARGE_TARGET_MS: f64 = 150.0;
const SYNTHETIC_TARGET_MS: f64 = 2000.0;
const HUGE_TARGET_MS: f64 = 8000.0;
/// Graph, full Graph and Flame Graph first paint after switching.
const VIEW_TARGET_MS: f64 = 500.0;
const LARGE_FLAME_TARGET_MS: f64 = 150.0;
/// The worker's wasm memory, as a multiple of the raw profile.
const MEMORY_TARGET_RATIO: f64 = 2.0;
const TASK_TARGET_MS: f64 = 50.0;
const GZIP_TARGET_BYTES: u64 = 600 * 1000;

/// The speedscope release timed beside proflens (npm, dev-only).
const SPEEDSCOPE_VERSION: &str = "1.25.0";

/// Where each script leaves its JSON, under the workspace root.
const WEB_JSON: &str = "target/perf/web.json";
const SPEEDSCOPE_JSON: &str = "target/perf/speedscope.json";
const GOTOOL_JSON: &str = "target/perf/gotool-http.json";

/// Runs the timing scripts (proflens, then speedscope on the same files)
/// and writes the section. `cargo xtask perf-web [RUNS] [--sizes MB,MB]`:
/// the generated profiles default to 20, 100 and 400 MB raw.
pub fn run_perf(root: &Path, args: &[String]) -> Result<(), String> {
    let mut runs = 3usize;
    let mut sizes = vec![20usize, 100, 400];
    let mut rest = args.iter();
    while let Some(a) = rest.next() {
        if a == "--render" {
            return render_saved(root);
        } else if a == "--sizes" {
            let list = rest.next().ok_or("--sizes needs a list such as 20,100")?;
            sizes = list
                .split(',')
                .map(|n| n.trim().parse().map_err(|_| format!("bad size {n}")))
                .collect::<Result<_, _>>()?;
        } else {
            runs = a.parse().map_err(|_| {
                format!("usage: cargo xtask perf-web [RUNS] [--sizes MB,MB] | --render; got {a}")
            })?;
        }
    }
    setup::setup(root, setup::ALL)?;
    trunk_build(root, true)?;
    let speedscope = install_speedscope(root)?;
    let mut profiles = vec![format!("large.cpu={}", path_str(&root.join("tests/fixtures/pprof/large.cpu"))?)];
    for &mb in &sizes {
        let file = if mb == 100 { synthetic_profile(root)? } else { synthetic_of_size(root, mb)? };
        profiles.push(format!("synthetic {mb} MB={}", path_str(&file)?));
    }
    let json_path = root.join(WEB_JSON);
    let speedscope_json = root.join(SPEEDSCOPE_JSON);
    let mut timing: Vec<String> = vec![
        "tests/e2e/timing.mjs".into(),
        "--dist".into(),
        "dist".into(),
        "--runs".into(),
        runs.to_string(),
        "--json".into(),
        path_str(&json_path)?.into(),
    ];
    timing.extend(profiles.iter().cloned());
    run(root, "node", &timing.iter().map(String::as_str).collect::<Vec<_>>())?;
    let mut theirs: Vec<String> = vec![
        "tests/e2e/speedscope.mjs".into(),
        "--speedscope".into(),
        path_str(&speedscope)?.into(),
        "--runs".into(),
        runs.to_string(),
        "--json".into(),
        path_str(&speedscope_json)?.into(),
    ];
    theirs.extend(profiles.iter().cloned());
    run(root, "node", &theirs.iter().map(String::as_str).collect::<Vec<_>>())?;
    let gotool = run_gotool(root, &profiles, runs);
    let date = command_output("date", &["-u", "+%Y-%m-%d %H:%M UTC"]);
    let section = render(&read_json(&json_path)?, &read_json(&speedscope_json)?, &gotool, runs, &date)?;
    println!("{section}");
    write_section(root, BEGIN, END, &section)
}

fn read_json(p: &Path) -> Result<Value, String> {
    let text = std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", p.display()))
}

/// `go tool pprof -http` on the same files (tests/e2e/gotool-http.mjs). It
/// never fails the run: without Go the script says so in its JSON, and a
/// script that breaks is reported in the table.
fn run_gotool(root: &Path, profiles: &[String], runs: usize) -> Value {
    install_graphviz();
    let out = root.join(GOTOOL_JSON);
    let _ = std::fs::remove_file(&out);
    let mut args: Vec<String> = vec!["tests/e2e/gotool-http.mjs".into(), "--runs".into(), runs.to_string()];
    args.extend(["--json".into(), out.to_string_lossy().into_owned()]);
    args.extend(profiles.iter().cloned());
    match run(root, "node", &args.iter().map(String::as_str).collect::<Vec<_>>())
        .and_then(|()| read_json(&out))
    {
        Ok(v) => v,
        Err(e) => serde_json::json!({ "error": format!("failed: {e}") }),
    }
}

/// pprof's Graph view runs Graphviz's `dot`: installed with apt-get when
/// missing and the machine allows it; otherwise the table says the Graph
/// could not be drawn.
fn install_graphviz() {
    if which("dot").is_some() {
        return;
    }
    if !setup::can_apt_install() {
        eprintln!(
            "Graphviz's dot is missing (apt-get install graphviz): go tool pprof's Graph cannot be timed"
        );
        return;
    }
    if let Err(e) = setup::apt_install(&["graphviz"]) {
        eprintln!("installing Graphviz failed ({e}): go tool pprof's Graph cannot be timed");
    }
}

/// `--render`: the section again from the JSON the last run left in
/// target/perf, without running anything. Its date is when speedscope.json
/// was written (pprof's JSON carries its own).
fn render_saved(root: &Path) -> Result<(), String> {
    let json = read_json(&root.join(WEB_JSON))?;
    let speedscope = root.join(SPEEDSCOPE_JSON);
    let gotool = read_json(&root.join(GOTOOL_JSON))
        .unwrap_or_else(|e| serde_json::json!({ "error": format!("not run ({e})") }));
    let date = std::fs::metadata(&speedscope)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| command_output("date", &["-u", "-d", &format!("@{}", d.as_secs()), "+%Y-%m-%d %H:%M UTC"]))
        .unwrap_or_else(|| "?".into());
    let runs = json.get("runs").and_then(Value::as_u64).unwrap_or(1) as usize;
    let section = render(&json, &read_json(&speedscope)?, &gotool, runs, &date)?;
    println!("{section}");
    write_section(root, BEGIN, END, &section)
}

/// speedscope's release files, installed from npm under the git-ignored
/// .tools/ when missing.
fn install_speedscope(root: &Path) -> Result<std::path::PathBuf, String> {
    let prefix = root.join(".tools/speedscope");
    let release = prefix.join("node_modules/speedscope/dist/release");
    let installed = std::fs::read_to_string(prefix.join("node_modules/speedscope/package.json"))
        .is_ok_and(|p| p.contains(&format!("\"version\": \"{SPEEDSCOPE_VERSION}\"")));
    if !installed {
        std::fs::create_dir_all(&prefix).map_err(|e| e.to_string())?;
        run(
            root,
            "npm",
            &[
                "install",
                "--no-save",
                "--no-audit",
                "--no-fund",
                "--prefix",
                path_str(&prefix)?,
                &format!("speedscope@{SPEEDSCOPE_VERSION}"),
            ],
        )?;
    }
    Ok(release)
}

/// A generated profile of about `mb` MB raw, of the 100 MB one's shape
/// (fewer functions and locations below 100 MB, as real profiles have).
fn synthetic_of_size(root: &Path, mb: usize) -> Result<std::path::PathBuf, String> {
    let file = root.join(format!("target/perf/synthetic-{mb}MB.pb"));
    if !file.exists() {
        std::fs::create_dir_all(root.join("target/perf")).map_err(|e| e.to_string())?;
        let (functions, locations) = if mb >= 100 { (50_000, 300_000) } else { (20_000, 120_000) };
        let samples = (8_500 * mb).to_string();
        run(
            root,
            "cargo",
            &[
                "run",
                "--release",
                "-p",
                "proflens-core",
                "--example",
                "synth",
                "--",
                path_str(&file)?,
                &samples,
                &functions.to_string(),
                &locations.to_string(),
            ],
        )?;
    }
    Ok(file)
}

fn num(v: &Value, key: &str) -> Option<f64> {
    v.get(key).and_then(Value::as_f64)
}

fn mark(ok: bool) -> &'static str {
    if ok {
        "met"
    } else {
        "**missed**"
    }
}

fn ms(v: f64) -> String {
    if v >= 1000.0 {
        format!("{:.2} s", v / 1000.0)
    } else {
        format!("{v:.0} ms")
    }
}

fn mib(bytes: f64) -> String {
    format!("{:.1} MiB", bytes / 1024.0 / 1024.0)
}

fn kb(bytes: u64) -> String {
    format!("{:.1} kB", bytes as f64 / 1000.0)
}

/// A dist/ file name with trunk's content hash replaced by `<hash>`, so
/// the table does not change with every build.
fn without_hash(name: &str) -> String {
    let (stem, rest) = name.split_once(['_', '.']).map_or((name, ""), |(s, _)| (s, &name[s.len()..]));
    match stem.rsplit_once('-') {
        Some((base, hash)) if hash.len() >= 12 && hash.chars().all(|c| c.is_ascii_hexdigit()) => {
            format!("{base}-<hash>{rest}")
        }
        _ => name.to_string(),
    }
}

/// The Markdown section for the timing script's JSON.
fn render(
    json: &Value,
    speedscope: &Value,
    gotool: &Value,
    runs: usize,
    date: &str,
) -> Result<String, String> {
    let profiles = json.get("profiles").and_then(Value::as_array).ok_or("timing JSON has no profiles")?;
    let mut s = String::new();
    let w = &mut s;
    let _ = writeln!(w, "{BEGIN}");
    let _ = writeln!(w, "### The page in Chromium (generated by `cargo xtask perf-web {runs}`)\n");
    let _ = writeln!(w, "- Date: {date}");
    let _ = writeln!(w, "- Machine: {}", machine_description());
    let _ = writeln!(
        w,
        "- Browser: {}, headless, 1280×800, driven by playwright-core from Node {}",
        json.get("chromium").and_then(Value::as_str).unwrap_or("?"),
        json.get("node").and_then(Value::as_str).unwrap_or("?")
    );
    let _ = writeln!(
        w,
        "- Build: `cargo xtask dist` (trunk release build: cargo profile wasm-small, wasm-opt 132)"
    );
    let _ = writeln!(
        w,
        "- Method (tests/e2e/timing.mjs): a fresh browser per run; the profile is first fetched into a \
         `File` in the page (not timed); a `PerformanceObserver` for `longtask` is registered; then a \
         `drop` event carrying the file is dispatched on the dropzone. *First row* is when a \
         `MutationObserver` sees the first Top row in the DOM, *painted* the next animation frame after \
         that. The longest task is the longest `longtask` entry (tasks over 50 ms) overlapping the \
         load, over all runs. Times are medians of {runs} runs.\n"
    );

    let _ = writeln!(
        w,
        "| profile | drop → first row | painted | target | longest main-thread task | target (≤ 50 ms) |"
    );
    let _ = writeln!(w, "|---|---|---|---|---|---|");
    for p in profiles {
        let label = p.get("label").and_then(Value::as_str).unwrap_or("?");
        let bytes = num(p, "bytes").unwrap_or(0.0);
        let raw = num(p, "rawBytes").unwrap_or(bytes);
        let size = if raw != bytes {
            format!("gzip {:.1} MB, {:.1} MB raw", bytes / 1e6, raw / 1e6)
        } else {
            format!("raw, {:.1} MB", raw / 1e6)
        };
        let m = p.get("median").ok_or("profile without median")?;
        let painted = num(m, "paintedMs").unwrap_or(f64::NAN);
        let first = num(m, "firstRowMs").unwrap_or(f64::NAN);
        let target = first_row_target(label, raw);
        let task = num(m, "longestTaskMsMax").unwrap_or(0.0);
        let task_text = if task > 0.0 { ms(task) } else { "none over 50 ms".to_string() };
        let _ = writeln!(
            w,
            "| {label} ({size}) | {} | {} | under {}: {} | {task_text} | {} |",
            ms(first),
            ms(painted),
            ms(target),
            mark(painted < target),
            mark(task <= TASK_TARGET_MS)
        );
    }

    let _ = writeln!(
        w,
        "\nWhere the time goes (the median run; when each stage first showed, after the drop):\n"
    );
    let _ = writeln!(w, "| profile | Reading | Decoding | Resolving | Aggregating | first row |");
    let _ = writeln!(w, "|---|---|---|---|---|---|");
    for p in profiles {
        let label = p.get("label").and_then(Value::as_str).unwrap_or("?");
        let m = &p["median"];
        let stage = |name: &str| m["stages"].get(name).and_then(Value::as_f64).map(ms).unwrap_or("–".into());
        let _ = writeln!(
            w,
            "| {label} | {} | {} | {} | {} | {} |",
            stage("Reading"),
            stage("Decoding"),
            stage("Resolving"),
            stage("Aggregating"),
            num(m, "firstRowMs").map(ms).unwrap_or_default()
        );
    }

    let _ = writeln!(w, "\nMemory (medians):\n");
    let _ = writeln!(w, "| profile | worker wasm memory | / raw profile size | renderer process peak RSS |");
    let _ = writeln!(w, "|---|---|---|---|");
    for p in profiles {
        let label = p.get("label").and_then(Value::as_str).unwrap_or("?");
        let raw = num(p, "rawBytes").or_else(|| num(p, "bytes")).unwrap_or(1.0);
        let m = &p["median"];
        let wasm = num(m, "wasmBytes");
        let rss = num(m, "rendererPeakKiB");
        let _ = writeln!(
            w,
            "| {label} | {} | {} | {} |",
            wasm.map(mib).unwrap_or("n/a".into()),
            wasm.map(|b| format!("{:.1}×", b / raw)).unwrap_or_default(),
            rss.map(|k| mib(k * 1024.0)).unwrap_or("n/a".into())
        );
    }
    let _ = writeln!(
        w,
        "\nThe worker's wasm memory is the size of its linear memory once the first row is shown, read \
         in the worker (wasm memory never shrinks, so this is its peak during the load); the dropped \
         file is read from its Blob 1 MiB at a time, so neither thread holds its bytes whole (the \
         timing page made the `File` from fetched bytes, which the renderer holds as it would a \
         dropped file's). The renderer's peak RSS \
         is VmHWM from /proc for the renderer process (page, worker and V8 together), found with CDP's \
         `SystemInfo.getProcessInfo`.\n"
    );

    render_views(w, profiles);
    render_speedscope(w, profiles, speedscope);
    render_gotool(w, profiles, gotool);
    render_targets(w, profiles);

    let dist = json.get("dist").ok_or("timing JSON has no dist sizes")?;
    let _ = writeln!(w, "Download size of dist/ (gzip -9):\n");
    let _ = writeln!(w, "| file | raw | gzip |");
    let _ = writeln!(w, "|---|---|---|");
    for f in dist.get("files").and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[]) {
        let _ = writeln!(
            w,
            "| {} | {} | {} |",
            without_hash(f["name"].as_str().unwrap_or("?")),
            kb(f["raw"].as_u64().unwrap_or(0)),
            kb(f["gzip"].as_u64().unwrap_or(0))
        );
    }
    let total = |k: &str, f: &str| dist[k][f].as_u64().unwrap_or(0);
    let all_gzip = total("all", "gzip");
    let _ = writeln!(
        w,
        "| **wasm + JS** | **{}** | **{}** (target ≤ 600 kB: {}) |",
        kb(total("all", "raw")),
        kb(all_gzip),
        mark(all_gzip <= GZIP_TARGET_BYTES)
    );
    let _ = writeln!(w, "{END}");
    Ok(s)
}

/// The first-row target for a profile of `raw` bytes.
fn first_row_target(label: &str, raw: f64) -> f64 {
    if label.starts_with("large") {
        LARGE_TARGET_MS
    } else if raw > 200e6 {
        HUGE_TARGET_MS
    } else {
        SYNTHETIC_TARGET_MS
    }
}

/// proflens against speedscope on the same files, as ratios.
fn render_speedscope(w: &mut String, profiles: &[Value], speedscope: &Value) {
    let version = speedscope.get("speedscope").and_then(Value::as_str).unwrap_or("?");
    let _ = writeln!(
        w,
        "Against speedscope {version} (npm release, tests/e2e/speedscope.mjs), same machine, same run, same \
         method: the file is fetched into a `File` first, then dropped on speedscope's landing page; its \
         *first paint* is the animation frame after speedscope titles the page with the profile's name \
         (it has imported the profile and draws its flame chart). *×* is speedscope's time or memory \
         divided by proflens's: how many times faster or leaner proflens is. proflens's *first paint* is \
         its first Top row; its Flame Graph column is the time to switch to it after that.\n"
    );
    let _ = writeln!(
        w,
        "| profile | proflens first row | proflens Flame Graph | speedscope first paint | × (time) | proflens renderer peak | speedscope renderer peak | × (memory) |"
    );
    let _ = writeln!(w, "|---|---|---|---|---|---|---|---|");
    let theirs = speedscope.get("profiles").and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[]);
    for p in profiles {
        let label = p.get("label").and_then(Value::as_str).unwrap_or("?");
        let m = &p["median"];
        let ours_ms = num(m, "paintedMs");
        let ours_kib = num(m, "rendererPeakKiB");
        let other = theirs.iter().find(|t| t.get("label").and_then(Value::as_str) == Some(label));
        let (their_ms, their_kib, failed) = match other {
            Some(t) if t["median"].is_object() => {
                (num(&t["median"], "paintedMs"), num(&t["median"], "rendererPeakKiB"), None)
            }
            Some(t) => (None, None, t.get("error").and_then(Value::as_str).map(str::to_string)),
            None => (None, None, Some("not run".to_string())),
        };
        let their_time = match (&failed, their_ms) {
            (Some(e), _) => format!("failed: {e}"),
            (None, Some(t)) => ms(t),
            _ => "–".into(),
        };
        let _ = writeln!(
            w,
            "| {label} | {} | {} | {their_time} | {} | {} | {} | {} |",
            ours_ms.map(ms).unwrap_or("–".into()),
            num(m, "flameMs").map(ms).unwrap_or("–".into()),
            times(their_ms, ours_ms),
            ours_kib.map(|k| mib(k * 1024.0)).unwrap_or("n/a".into()),
            their_kib.map(|k| mib(k * 1024.0)).unwrap_or("n/a".into()),
            times(their_kib, ours_kib),
        );
    }
    let _ = writeln!(w);
}

/// `theirs / ours` as "N×", or "–" when either is missing.
fn times(theirs: Option<f64>, ours: Option<f64>) -> String {
    match (theirs, ours) {
        (Some(a), Some(b)) if b > 0.0 => format!("{:.1}×", a / b),
        _ => "–".to_string(),
    }
}

/// proflens against `go tool pprof -http`'s server on the same files.
fn render_gotool(w: &mut String, profiles: &[Value], gotool: &Value) {
    let text = |key: &str| gotool.get(key).and_then(Value::as_str);
    let cap = num(gotool, "maxMemoryGiB").unwrap_or(8.0);
    let timeout = num(gotool, "timeoutS").unwrap_or(120.0);
    let _ = writeln!(
        w,
        "Against `go tool pprof -http` ({}, tests/e2e/gotool-http.mjs{}): a fresh pprof server per run \
         on the same file, started as `go tool pprof -http=127.0.0.1:PORT -no_browser FILE` starts it, \
         with nothing to symbolize with. *Ready* is from starting it until it answers HTTP (pprof parses \
         the whole profile before it listens: its load time). Then one GET of each view, body read: \
         Top (`/ui/top`), Graph (`/ui/`, pprof's defaults, Graphviz's `dot -Tsvg` included), Graph nf=0 \
         (`/ui/?nf=0`, filled to nodecount's 80) and Flame Graph (`/ui/flamegraph`). These are server \
         times only: the browser would still parse and draw pprof's page, so they are a lower bound of \
         what pprof's user waits for, while proflens's figures run until its page has drawn. pprof \
         re-parses the profile for every view, as it does for every request; proflens's views reuse the \
         decoded profile and Top's walk. *×* is pprof's figure divided by proflens's: ready + Top against \
         proflens's first Top row painted (from having the file to seeing Top), each view against \
         proflens's switch to the same view, pprof's peak RSS (VmHWM of the server process; Graphviz \
         not counted) against proflens's renderer peak. The server is capped at {cap} GiB resident \
         (killed past it) and {timeout} s a view; a view that fails is shown with the reason, and the \
         server is restarted for the next one. Times are medians of the runs up to the first failure, \
         peak RSS the highest of them.\n",
        text("go").unwrap_or("go tool pprof"),
        text("date")
            .map(|d| format!(", run {}", d.get(..16).unwrap_or(d).replace('T', " ") + " UTC"))
            .unwrap_or_default(),
    );
    let _ = writeln!(
        w,
        "| profile | ready | Top | ready + Top (× proflens first row) | Graph (×) | Graph nf=0 (×) | Flame Graph (×) | peak RSS (× proflens renderer peak) |"
    );
    let _ = writeln!(w, "|---|---|---|---|---|---|---|---|");
    let theirs = gotool.get("profiles").and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[]);
    for p in profiles {
        let label = p.get("label").and_then(Value::as_str).unwrap_or("?");
        let ours = &p["median"];
        let other = theirs.iter().find(|t| t.get("label").and_then(Value::as_str) == Some(label));
        let whole = match (text("error"), other) {
            (Some(e), _) => Some(e.to_string()),
            (None, None) => Some("not run".to_string()),
            (None, Some(t)) => t.get("error").and_then(Value::as_str).map(|e| format!("failed: {e}")),
        };
        let (Some(t), None) = (other, &whole) else {
            let why = whole.unwrap_or_default();
            let _ = writeln!(w, "| {label} | {why} | – | – | – | – | – | – |");
            continue;
        };
        let m = &t["median"];
        let failed = |key: &str| {
            let e = t.get("errors").and_then(|e| e.get(key))?;
            let after = num(e, "afterMs").map(|a| format!(" after {}", ms(a))).unwrap_or_default();
            Some(format!("failed{after}: {}", e.get("error").and_then(Value::as_str).unwrap_or("?")))
        };
        let view = |key: &str, ours_key: &str| match failed(key) {
            Some(f) => f,
            None => match num(m, &format!("{key}Ms")) {
                Some(v) => format!("{} ({})", ms(v), times(Some(v), num(ours, ours_key))),
                None => "–".into(),
            },
        };
        let ready = num(m, "readyMs");
        let top = num(m, "topMs");
        let first = match (ready, top, failed("top")) {
            (Some(r), Some(t), None) => {
                format!("{} ({})", ms(r + t), times(Some(r + t), num(ours, "paintedMs")))
            }
            _ => "–".into(),
        };
        let capped = ["top", "graph", "graphFull", "flame"]
            .iter()
            .any(|k| failed(k).is_some_and(|f| f.contains("GiB resident") || f.contains("out of memory")));
        let peak = num(m, "peakRssKiB");
        let rss = match peak {
            Some(k) => {
                let ratio = times(Some(k), num(ours, "rendererPeakKiB"));
                if capped {
                    format!("≥ {} (the cap; ≥ {ratio})", mib(k * 1024.0))
                } else {
                    format!("{} ({ratio})", mib(k * 1024.0))
                }
            }
            None => "n/a".into(),
        };
        let _ = writeln!(
            w,
            "| {label} | {} | {} | {first} | {} | {} | {} | {rss} |",
            ready.map(ms).unwrap_or("–".into()),
            failed("top").unwrap_or_else(|| top.map(ms).unwrap_or("–".into())),
            view("graph", "graphMs"),
            view("graphFull", "graphFullMs"),
            view("flame", "flameMs"),
        );
    }
    if let Some(note) = text("note") {
        let _ = writeln!(w, "\nNote: {note}.");
    }
    if gotool.get("error").is_none_or(Value::is_null) && text("graphviz").is_none() {
        let _ = writeln!(w, "\nGraphviz's `dot` was not installed, so pprof could not draw its Graph views.");
    }
    let _ = writeln!(w);
}

/// Issue 14's targets, each marked met or missed from this run's medians.
fn render_targets(w: &mut String, profiles: &[Value]) {
    let _ = writeln!(w, "Issue 14's targets in this run:\n");
    let _ = writeln!(w, "| profile | first row | Graph | Graph nf=0 | Flame Graph first paint | zoom (60 Hz) | wasm memory ≤ 2× raw |");
    let _ = writeln!(w, "|---|---|---|---|---|---|---|");
    for p in profiles {
        let label = p.get("label").and_then(Value::as_str).unwrap_or("?");
        let raw = num(p, "rawBytes").or_else(|| num(p, "bytes")).unwrap_or(1.0);
        let m = &p["median"];
        let check = |key: &str, target: f64| match num(m, key) {
            Some(v) => format!("{} ≤ {}: {}", ms(v), ms(target), mark(v <= target)),
            None => "–".into(),
        };
        let flame_target = if label.starts_with("large") { LARGE_FLAME_TARGET_MS } else { VIEW_TARGET_MS };
        let zoom = match num(m, "zoomFrameMedianMs") {
            Some(v) => format!("median {v:.1} ms: {}", mark(v <= 17.0)),
            None => "–".into(),
        };
        let memory = match num(m, "wasmBytes") {
            Some(b) => format!("{:.1}×: {}", b / raw, mark(b / raw <= MEMORY_TARGET_RATIO)),
            None => "–".into(),
        };
        let _ = writeln!(
            w,
            "| {label} | {} | {} | {} | {} | {zoom} | {memory} |",
            check("paintedMs", first_row_target(label, raw)),
            check("graphMs", VIEW_TARGET_MS),
            check("graphFullMs", VIEW_TARGET_MS),
            check("flameMs", flame_target),
        );
    }
    let _ = writeln!(w);
}

/// The Graph and Flame Graph table: switch times, layout, zoom frames.
fn render_views(w: &mut String, profiles: &[Value]) {
    let _ = writeln!(
        w,
        "Views, on the same page once Top is shown (medians). *Graph* is the time from switching the \
         fragment to `#graph` until the first node is in the DOM plus one animation frame: the worker \
         builds the graph, the page lays it out and draws the SVG. *Layout* is the page's own timing of \
         the layered layout alone. *nf=0* then switches to `#graph?nf=0`, which fills the graph to its \
         80-node limit. *Flame* is the time from `#flamegraph` until the canvas has pixels. *Zoom* \
         clicks the middle of the first row and records animation-frame intervals for a second (the \
         zoom animates over 250 ms; 16.7 ms is a full 60 Hz frame).\n"
    );
    let _ = writeln!(
        w,
        "| profile | Graph (nodes) | layout | Graph nf=0 (nodes) | layout | Flame first paint | zoom frame median | zoom frame max |"
    );
    let _ = writeln!(w, "|---|---|---|---|---|---|---|---|");
    for p in profiles {
        let label = p.get("label").and_then(Value::as_str).unwrap_or("?");
        let m = &p["median"];
        let cell = |key: &str| num(m, key).map(ms).unwrap_or("–".into());
        let count = |key: &str| num(m, key).map(|n| format!("{n:.0}")).unwrap_or("?".into());
        let frame = |key: &str| num(m, key).map(|v| format!("{v:.1} ms")).unwrap_or("–".into());
        let _ = writeln!(
            w,
            "| {label} | {} ({}) | {} | {} ({}) | {} | {} | {} | {} |",
            cell("graphMs"),
            count("graphNodes"),
            cell("layoutMs"),
            cell("graphFullMs"),
            count("graphFullNodes"),
            cell("layoutFullMs"),
            cell("flameMs"),
            frame("zoomFrameMedianMs"),
            frame("zoomFrameMaxMs")
        );
    }
    let _ = writeln!(w);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_hashes_are_hidden() {
        assert_eq!(without_hash("proflens-web-238357b48010f0d_bg.wasm"), "proflens-web-<hash>_bg.wasm");
        assert_eq!(without_hash("proflens-web-238357b48010f0d.js"), "proflens-web-<hash>.js");
        assert_eq!(without_hash("proflens-worker_loader.js"), "proflens-worker_loader.js");
        assert_eq!(without_hash("proflens-worker.js"), "proflens-worker.js");
    }

    /// proflens's side as timing.mjs writes it (only the fields the pprof
    /// table reads).
    fn ours() -> Vec<Value> {
        serde_json::from_str(
            r#"[
              {"label": "large.cpu", "median": {"paintedMs": 240, "graphMs": 50, "graphFullMs": 120,
                "flameMs": 260, "rendererPeakKiB": 230000}},
              {"label": "synthetic 20 MB", "median": {"paintedMs": 1400, "graphMs": 500, "graphFullMs": 600,
                "flameMs": 450, "rendererPeakKiB": 287000}},
              {"label": "synthetic 400 MB", "median": {"paintedMs": 30000}}
            ]"#,
        )
        .unwrap()
    }

    #[test]
    fn gotool_table_sets_pprof_beside_proflens() {
        let gotool: Value = serde_json::from_str(
            r#"{
              "date": "2026-12-04T19:50:01.123Z", "go": "go version go1.23.5 linux/amd64",
              "graphviz": "dot - graphviz version 2.43.0 (0)", "maxMemoryGiB": 8, "timeoutS": 120, "error": null,
              "profiles": [
                {"label": "large.cpu", "error": null, "errors": {},
                 "median": {"readyMs": 260, "topMs": 220, "graphMs": 700, "graphFullMs": 1020,
                   "flameMs": 20560, "peakRssKiB": 1591000}},
                {"label": "synthetic 20 MB", "error": null,
                 "errors": {"flame": {"error": "over 8 GiB resident (killed at 8.0 GiB)", "afterMs": 48200}},
                 "median": {"readyMs": 1640, "topMs": 12250, "graphMs": 10940, "graphFullMs": 11960,
                   "flameMs": null, "peakRssKiB": 8402000}}
              ]
            }"#,
        )
        .unwrap();
        let mut s = String::new();
        render_gotool(&mut s, &ours(), &gotool);
        assert!(
            s.contains(
                "go version go1.23.5 linux/amd64, tests/e2e/gotool-http.mjs, run 2026-12-04 19:50 UTC"
            ),
            "{s}"
        );
        let row =
            |label: &str| s.lines().find(|l| l.starts_with(&format!("| {label} |"))).unwrap().to_string();
        assert_eq!(
            row("large.cpu"),
            "| large.cpu | 260 ms | 220 ms | 480 ms (2.0×) | 700 ms (14.0×) | 1.02 s (8.5×) | 20.56 s (79.1×) | 1553.7 MiB (6.9×) |"
        );
        assert_eq!(
            row("synthetic 20 MB"),
            "| synthetic 20 MB | 1.64 s | 12.25 s | 13.89 s (9.9×) | 10.94 s (21.9×) | 11.96 s (19.9×) | \
             failed after 48.20 s: over 8 GiB resident (killed at 8.0 GiB) | ≥ 8205.1 MiB (the cap; ≥ 29.3×) |"
        );
        assert_eq!(row("synthetic 400 MB"), "| synthetic 400 MB | not run | – | – | – | – | – | – |");
        assert!(!s.contains("Graphviz's `dot` was not installed"));
    }

    #[test]
    fn gotool_table_without_go() {
        let gotool = serde_json::json!({
            "go": null, "error": "go tool pprof not installed (no Go at /usr/lib/go-1.23/bin/go; set GO=/path/to/go)",
            "profiles": []
        });
        let mut s = String::new();
        render_gotool(&mut s, &ours(), &gotool);
        assert!(s.contains("| large.cpu | go tool pprof not installed (no Go at"), "{s}");
        assert_eq!(s.matches("go tool pprof not installed").count(), 3);
        assert!(!s.contains("could not draw its Graph"), "{s}");
    }
}
