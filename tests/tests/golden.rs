//! proflens against go tool pprof: replays tests/golden/cases.tsv (written by
//! `cargo xtask golden`, see tests/golden/README.md) through the CLI in
//! process and requires the output to equal Go's, byte for byte.
//!
//! Go is never run here; the golden files hold what it printed.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Once;

use proflens_cli::{run_args, Outcome};
use proflens_tests::cases::{self, shell_quote, CaseRow};
use proflens_tests::tests_dir;

/// One golden case: a row of cases.tsv.
#[derive(Debug)]
struct Case(CaseRow);

impl Case {
    /// The proflens command line, program name first.
    fn args(&self) -> Vec<String> {
        let mut args = vec!["proflens".to_string(), self.report.clone()];
        if self.takes_regexp() {
            args.push(self.regexp.clone());
        }
        let tests = tests_dir().display().to_string();
        args.extend(self.options.iter().map(|o| o.replace("{tests}", &tests)));
        args.push(tests_dir().join(&self.fixture).display().to_string());
        args
    }

    /// The command line as a person would type it from the workspace root.
    fn display(&self) -> String {
        let mut words = vec!["proflens".to_string(), self.report.clone()];
        if self.takes_regexp() {
            words.push(shell_quote(&self.regexp));
        }
        words.extend(self.options.iter().map(|o| shell_quote(o)));
        words.push(format!("tests/{}", self.fixture));
        words.join(" ")
    }

    fn golden_path(&self) -> PathBuf {
        golden_dir().join(format!("{}.txt", self.name))
    }
}

impl std::ops::Deref for Case {
    type Target = CaseRow;
    fn deref(&self) -> &CaseRow {
        &self.0
    }
}

fn golden_dir() -> PathBuf {
    tests_dir().join("golden")
}

/// Parses cases.tsv; panics on a malformed line.
fn load_cases() -> Vec<Case> {
    let path = golden_dir().join("cases.tsv");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("reading {}: {e} (run `cargo xtask golden`)", path.display()));
    cases::parse(&text).unwrap_or_else(|e| panic!("{e}")).into_iter().map(Case).collect()
}

/// Runs proflens with the golden environment: the `Time:` line uses the
/// system time zone, and the golden files were made with TZ=UTC.
fn proflens(args: &[String]) -> Outcome {
    static UTC: Once = Once::new();
    UTC.call_once(|| {
        // Before the first report, so jiff's system time zone is UTC.
        std::env::set_var("TZ", "UTC");
    });
    run_args(args)
}

/// The differing middle of two texts, unified-diff style: common leading
/// and trailing lines are skipped, a little context is kept, and long runs
/// are cut.
fn diff(expected: &str, actual: &str) -> String {
    const CONTEXT: usize = 3;
    const MAX: usize = 20;
    let e: Vec<&str> = expected.split_inclusive('\n').collect();
    let a: Vec<&str> = actual.split_inclusive('\n').collect();
    let prefix = e.iter().zip(&a).take_while(|(x, y)| x == y).count();
    let suffix = e[prefix..].iter().rev().zip(a[prefix..].iter().rev()).take_while(|(x, y)| x == y).count();
    let start = prefix.saturating_sub(CONTEXT);
    let mut out = format!(
        "@@ -{},{} +{},{} @@ (first difference at line {})\n",
        start + 1,
        e.len() - suffix - start,
        start + 1,
        a.len() - suffix - start,
        prefix + 1
    );
    let show = |line: &str| {
        let body = line.strip_suffix('\n').unwrap_or(line);
        let eol = if line.ends_with('\n') { "" } else { "  (no newline at end)" };
        let visible = if body.ends_with(' ') { format!("{body}⏎") } else { body.to_string() };
        format!("{visible}{eol}\n")
    };
    for line in &e[start..prefix] {
        out.push_str(&format!("  {}", show(line)));
    }
    for (sign, lines) in [('-', &e[prefix..e.len() - suffix]), ('+', &a[prefix..a.len() - suffix])] {
        for line in lines.iter().take(MAX) {
            out.push_str(&format!("{sign} {}", show(line)));
        }
        if lines.len() > MAX {
            out.push_str(&format!("{sign} ... {} more lines\n", lines.len() - MAX));
        }
    }
    for line in e[e.len() - suffix..].iter().take(CONTEXT) {
        out.push_str(&format!("  {}", show(line)));
    }
    out
}

/// The first few lines of a text, indented, for messages.
fn head(text: &str) -> String {
    let mut out: String = text.lines().take(4).map(|l| format!("    | {l}\n")).collect();
    if text.lines().count() > 4 {
        out.push_str("    | ...\n");
    }
    out
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

/// Checks one case; returns a description of what went wrong.
fn check(case: &Case) -> Result<(), String> {
    let golden = std::fs::read_to_string(case.golden_path())
        .map_err(|e| format!("cannot read {}: {e}", case.golden_path().display()))?;
    let outcome = proflens(&case.args());
    match (case.expect_ok, outcome) {
        (true, Outcome::Output(text)) if text == golden => Ok(()),
        // A DOT graph is a set of node and edge statements: Go orders edges
        // of equal weight between equally named nodes unstably, so compare
        // the statements as a multiset.
        (true, Outcome::Output(text)) if case.report == "dot" && same_lines(&text, &golden) => Ok(()),
        (true, Outcome::Output(text)) => {
            Err(format!("output differs from Go's (- Go, + proflens):\n{}", diff(&golden, &text)))
        }
        (true, Outcome::Failed { message, status }) => {
            Err(format!("Go printed a report but proflens failed (status {status}): {message}"))
        }
        // A runtime error, as Go's; status 2 would mean proflens did not
        // even take the command line.
        (false, Outcome::Failed { status: 1, .. }) => Ok(()),
        (false, Outcome::Failed { message, status }) => Err(format!(
            "Go failed with {:?}; proflens failed with status {status}: {message}",
            golden.trim_end()
        )),
        (false, Outcome::Output(text)) => Err(format!(
            "Go failed with {:?} but proflens printed a report:\n{}",
            golden.trim_end(),
            head(&text)
        )),
        (_, Outcome::Info(text)) => {
            Err(format!("proflens printed help instead of a report:\n{}", head(&text)))
        }
    }
}

#[test]
fn proflens_matches_go_tool_pprof() {
    let cases = load_cases();
    let mut failures = Vec::new();
    for case in &cases {
        if let Err(why) = check(case) {
            eprintln!(
                "\n=== golden case {} FAILED\n    proflens: {}\n    go:       {}\n{why}",
                case.name,
                case.display(),
                case.go_command
            );
            failures.push(case.name.as_str());
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} golden cases differ from go tool pprof (details above):\n  {}",
        failures.len(),
        cases.len(),
        failures.join("\n  ")
    );
}

#[test]
fn case_list_is_broad() {
    let cases = load_cases();
    assert!(cases.len() >= 80, "only {} golden cases", cases.len());

    let reports: BTreeSet<&str> = cases.iter().map(|c| c.report.as_str()).collect();
    assert_eq!(reports, BTreeSet::from(["dot", "list", "peek", "tags", "top", "traces", "tree"]));
    for c in &cases {
        assert_eq!(c.takes_regexp(), !c.regexp.is_empty(), "case {}: regexp column", c.name);
    }

    // Every report option of the CLI that go tool pprof has, at least once.
    let used: BTreeSet<&str> =
        cases.iter().flat_map(|c| &c.options).map(|o| o.split('=').next().unwrap_or(o)).collect();
    for option in [
        "--sample-index",
        "--cum",
        "--nodecount",
        "--nodefraction",
        "--edgefraction",
        "--no-trim",
        "--granularity",
        "--noinlines",
        "--focus",
        "--ignore",
        "--hide",
        "--show",
        "--show-from",
        "--unit",
        "--relative-percentages",
        "--drop-negative",
        "--trim-path",
        "--source-path",
        "--tagfocus",
        "--tagignore",
        "--tagshow",
        "--taghide",
        "--tagroot",
        "--tagleaf",
    ] {
        assert!(used.contains(option), "no golden case uses {option}");
    }
    let options: BTreeSet<&str> = cases.iter().flat_map(|c| &c.options).map(String::as_str).collect();
    for g in ["functions", "filefunctions", "files", "lines", "addresses"] {
        assert!(
            options.contains(format!("--granularity={g}").as_str()),
            "no golden case uses --granularity={g}"
        );
    }

    // Names are unique, fixtures and golden files exist, and both
    // outcomes are represented.
    let names: BTreeSet<&str> = cases.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names.len(), cases.len(), "duplicate case names");
    for c in &cases {
        assert!(tests_dir().join(&c.fixture).is_file(), "case {}: no fixture {}", c.name, c.fixture);
        assert!(c.golden_path().is_file(), "case {}: no golden file", c.name);
        assert!(c.go_command.starts_with("go tool pprof "), "case {}: go command column", c.name);
    }
    assert!(cases.iter().any(|c| !c.expect_ok), "no expected-failure case");
    let fixtures: BTreeSet<&str> = cases.iter().map(|c| c.fixture.as_str()).collect();
    assert!(fixtures.iter().any(|f| f.starts_with("fixtures/synthetic/")), "no synthetic fixture used");
}

#[test]
fn diff_shows_the_first_difference() {
    let d = diff("a\nb\nc\nd\n", "a\nb\nX\nd\n");
    assert!(d.contains("first difference at line 3"), "{d}");
    assert!(d.contains("- c\n") && d.contains("+ X\n"), "{d}");
    let d = diff("a\n", "a\nmore\n");
    assert!(d.contains("+ more\n"), "{d}");
}
