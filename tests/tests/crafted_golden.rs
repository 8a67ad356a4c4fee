//! Crafted profiles through go tool pprof's reports: proflens must print
//! what go tool pprof prints. Sample values at the edges of int64 (pprof
//! adds, divides and takes absolute values as wrapping Go int64s), and
//! bracket-heavy C++-looking names (pprof simplifies them).
//!
//! The profiles are generated here (`proflens_tests::crafted`), so no
//! binary fixture is committed; the golden files in tests/golden/crafted/
//! hold Go's output. Regenerate them (needs Go; `GO=/path/to/go` if `go`
//! is not /usr/lib/go-1.23/bin/go) with
//! `cargo test -p proflens-tests --test crafted_golden -- --ignored regenerate`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Once;

use proflens_cli::{run_args, Outcome};
use proflens_core::encode::{LabelSpec, ProfileWriter};
use proflens_tests::{crafted, tests_dir};

/// A generated profile, by file name.
fn profiles() -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("extreme.pb.gz", crafted::extreme_values().encode_gzip()),
        ("extreme_negated.pb.gz", negated().encode_gzip()),
        ("wrapping.pb.gz", wrapping().encode_gzip()),
        ("wrapping_negated.pb.gz", negate(wrapping()).encode_gzip()),
        ("nested_names.pb.gz", crafted::nested_cpp_names(40, 60, 3)),
    ]
}

/// The extreme profile with every value negated (wrapping), as a base.
fn negated() -> ProfileWriter {
    negate(crafted::extreme_values())
}

/// `w` with every value negated (wrapping).
fn negate(mut w: ProfileWriter) -> ProfileWriter {
    for s in &mut w.proto_mut().sample {
        for v in &mut s.value {
            *v = v.wrapping_neg();
        }
    }
    w
}

/// Sums that wrap: flat and cum of one function overflow, a total of 0
/// from values that are not, and a MinInt64 node next to small ones.
fn wrapping() -> ProfileWriter {
    let mut w = ProfileWriter::new(&[("alloc_space", "bytes"), ("cpu", "nanoseconds")]);
    w.set_period("cpu", "nanoseconds", 10_000_000);
    w.set_time(1_700_000_000_000_000_000, 5_000_000_000);
    let names = ["main.main", "main.hot", "main.cold", "main.zero", "runtime.mallocgc"];
    let f: Vec<u64> = names.iter().enumerate().map(|(i, n)| w.add_function(n, "main.go", i as i64)).collect();
    let l: Vec<u64> = f
        .iter()
        .enumerate()
        .map(|(i, &f)| w.add_location(None, 0x100 * (i as u64 + 1), &[(f, 10 + i as i64)]))
        .collect();
    let big = i64::MAX / 2 + 1;
    w.add_sample(&[l[1], l[0]], &[big, big], &[LabelSpec::Str("worker", "a")]);
    w.add_sample(&[l[1], l[0]], &[big, big], &[LabelSpec::Str("worker", "b")]);
    w.add_sample(&[l[4], l[1], l[0]], &[big, 3], &[LabelSpec::Num("bytes", 64, "bytes")]);
    w.add_sample(&[l[2], l[0]], &[i64::MIN, i64::MIN], &[]);
    w.add_sample(&[l[3], l[2], l[0]], &[7, -7], &[]);
    w.add_sample(&[l[3], l[0]], &[-7, 7], &[]);
    w.add_sample(&[l[4], l[0]], &[1, i64::MAX], &[]);
    w
}

/// One report of a profile: the case name, the profile, and the proflens
/// arguments after the report name (options, then nothing: the profile
/// path is appended). Go gets the same options, spelled its way.
struct Case {
    name: &'static str,
    profile: &'static str,
    report: &'static str,
    regex: &'static str,
    options: &'static [&'static str],
    base: Option<&'static str>,
}

const fn case(name: &'static str, profile: &'static str, report: &'static str) -> Case {
    Case { name, profile, report, regex: "", options: &[], base: None }
}

fn cases() -> Vec<Case> {
    let mut out = Vec::new();
    for profile in ["extreme.pb.gz", "wrapping.pb.gz"] {
        let stem = profile.trim_end_matches(".pb.gz");
        let leak = |s: String| -> &'static str { Box::leak(s.into_boxed_str()) };
        for report in ["top", "tree", "traces", "dot"] {
            out.push(case(leak(format!("{stem}_{report}")), profile, report));
            for (suffix, options) in [
                ("sample_index-0", &["--sample-index=0"][..]),
                ("cum_nodecount-2", &["--cum", "--nodecount=2"][..]),
                ("lines_drop_negative", &["--granularity=lines", "--drop-negative"][..]),
                ("focus-main.b_relative", &["--focus=main.b|main.hot", "--relative-percentages"][..]),
                (
                    "unit-auto_nodefraction-0.3",
                    &["--unit=auto", "--nodefraction=0.3", "--edgefraction=0.2"][..],
                ),
            ] {
                if report == "traces" && suffix.starts_with("cum") {
                    continue;
                }
                out.push(Case {
                    options,
                    ..case(leak(format!("{stem}_{report}_{suffix}")), profile, report)
                });
            }
        }
        out.push(Case { regex: "main", ..case(leak(format!("{stem}_peek_main")), profile, "peek") });
        out.push(Case {
            regex: "main",
            options: &["--source-path=/nonexistent"],
            ..case(leak(format!("{stem}_list_main")), profile, "list")
        });
    }
    out.push(case("nested_names_top", "nested_names.pb.gz", "top"));
    out.push(case("nested_names_traces", "nested_names.pb.gz", "traces"));
    out.push(Case {
        options: &["--granularity=addresses"],
        ..case("nested_names_top_addresses", "nested_names.pb.gz", "top")
    });
    for report in ["top", "tree", "dot"] {
        let leak = |s: String| -> &'static str { Box::leak(s.into_boxed_str()) };
        out.push(Case {
            base: Some("extreme_negated.pb.gz"),
            ..case(leak(format!("extreme_{report}_diff_base-negated")), "extreme.pb.gz", report)
        });
        out.push(Case {
            base: Some("extreme_negated.pb.gz"),
            options: &["--normalize"],
            ..case(leak(format!("extreme_{report}_diff_base-negated_normalize")), "extreme.pb.gz", report)
        });
        out.push(Case {
            base: Some("wrapping_negated.pb.gz"),
            options: &["--normalize"],
            ..case(leak(format!("wrapping_{report}_diff_base-negated_normalize")), "wrapping.pb.gz", report)
        });
    }
    out
}

/// Writes the generated profiles once; returns their directory.
fn profile_dir() -> PathBuf {
    static WRITE: Once = Once::new();
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("crafted");
    WRITE.call_once(|| {
        std::fs::create_dir_all(&dir).unwrap();
        for (name, bytes) in profiles() {
            std::fs::write(dir.join(name), bytes).unwrap();
        }
    });
    dir
}

fn golden_path(case: &Case) -> PathBuf {
    tests_dir().join("golden/crafted").join(format!("{}.txt", case.name))
}

fn proflens_args(case: &Case, dir: &Path) -> Vec<String> {
    let mut args = vec!["proflens".to_string(), case.report.to_string()];
    if !case.regex.is_empty() {
        args.push(case.regex.to_string());
    }
    args.extend(case.options.iter().map(|o| o.to_string()));
    if let Some(base) = case.base {
        args.push(format!("--diff-base={}", dir.join(base).display()));
    }
    args.push(dir.join(case.profile).display().to_string());
    args
}

/// pprof's spelling of the same options.
fn go_args(case: &Case, dir: &Path) -> Vec<String> {
    let mut args = vec!["tool".to_string(), "pprof".to_string()];
    if case.regex.is_empty() {
        args.push(format!("-{}", case.report));
    } else {
        args.push(format!("-{}={}", case.report, case.regex));
    }
    for o in case.options {
        let o = o.trim_start_matches("--").replace('-', "_");
        let o = o.strip_prefix("granularity=").map_or(o.clone(), str::to_string);
        args.push(format!("-{o}"));
    }
    if let Some(base) = case.base {
        args.push(format!("-diff_base={}", dir.join(base).display()));
    }
    args.push(dir.join(case.profile).display().to_string());
    args
}

fn proflens(args: &[String]) -> Outcome {
    static UTC: Once = Once::new();
    UTC.call_once(|| std::env::set_var("TZ", "UTC"));
    run_args(args)
}

fn sorted_lines(s: &str) -> Vec<&str> {
    let mut lines: Vec<&str> = s.lines().collect();
    lines.sort_unstable();
    lines
}

#[test]
fn crafted_profiles_print_what_go_tool_pprof_prints() {
    let dir = profile_dir();
    let mut failures = Vec::new();
    for case in cases() {
        let golden = std::fs::read_to_string(golden_path(&case))
            .unwrap_or_else(|e| panic!("{}: {e} (regenerate, see the top of this file)", case.name));
        let args = proflens_args(&case, &dir);
        let Ok(outcome) = std::panic::catch_unwind(|| proflens(&args)) else {
            failures.push(format!("{} (panicked)", case.name));
            continue;
        };
        let ok = match outcome {
            // pprof prints DOT edges and nodelets in map order.
            Outcome::Output(text) if case.report == "dot" => sorted_lines(&text) == sorted_lines(&golden),
            Outcome::Output(text) => text == golden,
            Outcome::Failed { message, .. } => golden.starts_with("FAILED:") && !message.contains('\n'),
            Outcome::Info(text) => panic!("{}: {text}", case.name),
        };
        if !ok {
            failures.push(case.name.to_string());
        }
    }
    assert!(failures.is_empty(), "differ from go tool pprof: {failures:?}");
}

/// Runs go tool pprof on every case and writes the golden files.
#[test]
#[ignore = "needs Go; writes tests/golden/crafted"]
fn regenerate() {
    let go = std::env::var("GO").unwrap_or_else(|_| "/usr/lib/go-1.23/bin/go".to_string());
    let dir = profile_dir();
    let sandbox = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("crafted-go");
    for sub in ["home", "tmp", "work"] {
        std::fs::create_dir_all(sandbox.join(sub)).unwrap();
    }
    let out_dir = tests_dir().join("golden/crafted");
    std::fs::create_dir_all(&out_dir).unwrap();
    for case in cases() {
        let out = Command::new(&go)
            .args(go_args(&case, &dir))
            .current_dir(sandbox.join("work"))
            .env_clear()
            .env("PATH", "/usr/local/bin:/usr/bin:/bin")
            .env("TZ", "UTC")
            .env("LANG", "C")
            .env("HOME", sandbox.join("home"))
            .env("PPROF_TMPDIR", sandbox.join("tmp"))
            .env("PPROF_BINARY_PATH", sandbox.join("no-binaries"))
            .env("GOTOOLCHAIN", "local")
            .env("GOFLAGS", "")
            .output()
            .unwrap_or_else(|e| panic!("running {go}: {e}"));
        let text = if out.status.success() {
            String::from_utf8(out.stdout).unwrap()
        } else {
            let err = String::from_utf8_lossy(&out.stderr);
            format!("FAILED: {}\n", err.lines().next().unwrap_or(""))
        };
        std::fs::write(golden_path(&case), text).unwrap();
    }
}
