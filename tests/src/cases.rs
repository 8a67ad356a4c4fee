//! The format of `tests/golden/cases.tsv`, in one place: `cargo xtask golden`
//! writes it and `tests/tests/golden.rs` reads it back.
//!
//! One case a line, tab-separated, no quoting or escaping; lines starting
//! with `#` are comments. See [`HEADER`] for the columns.

use std::fmt;

/// The comment block that opens cases.tsv and documents its columns.
pub const HEADER: &str = "\
# Golden cases: proflens against go tool pprof. Written by `cargo xtask golden`; do not edit.
# One case a line, tab-separated, no quoting or escaping (no field contains a tab or newline).
# Lines starting with '#' are comments.
# Columns: case, fixture (relative to tests/), report (top|traces|tree|peek|dot|list|tags), regexp (empty
# unless peek or list), expect (ok: tests/golden/<case>.txt is Go's stdout; fail: Go exited non-zero and
# <case>.txt is the first line of its stderr), go command line (for people; shell-quoted, run from
# tests/), then zero or more proflens options, one command-line argument per column.
# The proflens command line is: proflens <report> [<regexp>] <options...> <fixture>; `{tests}` in an
# option stands for the absolute path of tests/.
";

/// One line of cases.tsv.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseRow {
    /// The case name; the golden file is `<name>.txt`.
    pub name: String,
    /// The profile, relative to `tests/`.
    pub fixture: String,
    /// The report: `top`, `traces`, `tree`, `peek`, `dot` or `list`.
    pub report: String,
    /// The regexp of peek and list ("" for other reports).
    pub regexp: String,
    /// Whether Go printed a report (`ok`) or failed (`fail`).
    pub expect_ok: bool,
    /// The go command line, for people.
    pub go_command: String,
    /// proflens's options, one command-line argument each.
    pub options: Vec<String>,
}

impl CaseRow {
    /// Whether the report takes a regexp before the options (peek, list).
    pub fn takes_regexp(&self) -> bool {
        self.report == "peek" || self.report == "list"
    }
}

impl fmt::Display for CaseRow {
    /// The row as written to cases.tsv, with its newline.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let expect = if self.expect_ok { "ok" } else { "fail" };
        let fixed = [&self.name, &self.fixture, &self.report, &self.regexp, expect, &self.go_command];
        let cols: Vec<&str> = fixed.into_iter().chain(self.options.iter().map(String::as_str)).collect();
        writeln!(f, "{}", cols.join("\t"))
    }
}

/// Parses cases.tsv; the error names the line that is malformed.
pub fn parse(text: &str) -> Result<Vec<CaseRow>, String> {
    let mut rows = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        if cols.len() < 6 {
            return Err(format!("cases.tsv line {}: expected at least 6 columns, got {}", n + 1, cols.len()));
        }
        let expect_ok = match cols[4] {
            "ok" => true,
            "fail" => false,
            other => {
                return Err(format!("cases.tsv line {}: expect must be ok or fail, not {other:?}", n + 1))
            }
        };
        rows.push(CaseRow {
            name: cols[0].to_string(),
            fixture: cols[1].to_string(),
            report: cols[2].to_string(),
            regexp: cols[3].to_string(),
            expect_ok,
            go_command: cols[5].to_string(),
            options: cols[6..].iter().map(|s| s.to_string()).collect(),
        });
    }
    Ok(rows)
}

/// Single-quotes `s` for a POSIX shell when it holds anything special.
pub fn shell_quote(s: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_=./,:+@%".contains(c);
    if !s.is_empty() && s.chars().all(plain) {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_round_trip() {
        let row = CaseRow {
            name: "heap2_peek_main".into(),
            fixture: "fixtures/go/heap2.pb.gz".into(),
            report: "peek".into(),
            regexp: "main\\.".into(),
            expect_ok: false,
            go_command: "go tool pprof '-peek=main\\.' fixtures/go/heap2.pb.gz".into(),
            options: vec!["--cum".into(), "--show-from=a b".into()],
        };
        let text = format!("{HEADER}{row}");
        assert_eq!(parse(&text), Ok(vec![row]));
    }

    #[test]
    fn malformed_lines_are_named() {
        assert_eq!(parse("# c\na\tb\n"), Err("cases.tsv line 2: expected at least 6 columns, got 2".into()));
        let bad = "a\tb\ttop\t\tmaybe\tgo\n";
        assert!(parse(bad).unwrap_err().contains("expect must be ok or fail"));
    }

    #[test]
    fn quoting() {
        assert_eq!(shell_quote("-top"), "-top");
        assert_eq!(shell_quote("a b"), "'a b'");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
        assert_eq!(shell_quote(""), "''");
    }
}
