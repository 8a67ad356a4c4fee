//! The source listing (pprof's -list): per-line flat and cum for the
//! functions whose name matches a regexp.
//!
//! Core does no I/O, so the listing is computed as line numbers and values;
//! the source text comes from a [`SourceFiles`] provider (the CLI reads the
//! disk, the page uses files the user dropped).

use std::collections::BTreeMap;

use crate::pattern::Pattern;

use crate::error::Error;
use crate::graph::{EdgeScope, Graph};
use crate::model::Profile;
use crate::{gomath, units};

use super::context::{ReportContext, ReportKind};
use super::ReportOptions;

/// Lines shown around the sampled ones (pprof's margin).
const MARGIN: i64 = 5;

/// Where source text comes from.
pub trait SourceFiles {
    /// The lines of `path` (a file name as the profile gives it), or why it
    /// cannot be read, worded for the listing's " Error: " line.
    fn lines(&self, path: &str) -> Result<Vec<String>, String>;
}

/// One sampled source line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListedLine {
    /// Line number.
    pub line: i64,
    /// Flat value of the line.
    pub flat: i64,
    /// Cumulative value of the line.
    pub cum: i64,
}

/// A function's part in one source file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListedFile {
    /// The file name, as the profile gives it (trimmed and cleaned).
    pub file: String,
    /// Sum of the lines' flat values.
    pub flat: i64,
    /// Sum of the lines' cum values.
    pub cum: i64,
    /// First line pprof shows (the function's start, or 5 lines before the
    /// first sampled line).
    pub start: i64,
    /// Last line pprof shows (5 lines after the last sampled one).
    pub end: i64,
    /// The sampled lines, in line order.
    pub lines: Vec<ListedLine>,
}

/// A function matching the regexp.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListedFunction {
    /// Its name.
    pub name: String,
    /// Its source files; empty when the profile has none.
    pub files: Vec<ListedFile>,
}

/// The source listing.
#[derive(Clone, Debug, PartialEq)]
pub struct ListReport {
    /// Functions in name order.
    pub functions: Vec<ListedFunction>,
    /// The report total.
    pub total: i64,
    sample_unit: String,
    output_unit: String,
}

impl ListReport {
    /// A value as pprof prints it in listings.
    pub fn format_value(&self, v: i64) -> String {
        units::scaled_label(v, &self.sample_unit, &self.output_unit)
    }

    /// The listing as `go tool pprof -list` prints it, with source text from
    /// `sources`.
    pub fn to_text(&self, sources: &dyn SourceFiles) -> String {
        let dot = |v: i64| if v == 0 { ".".to_string() } else { self.format_value(v) };
        let mut out = format!("Total: {}\n", self.format_value(self.total));
        for f in &self.functions {
            if f.files.is_empty() {
                out.push_str(&format!("No source information for {}\n", f.name));
                continue;
            }
            for file in &f.files {
                out.push_str(&format!("ROUTINE ======================== {} in {}\n", f.name, file.file));
                out.push_str(&format!(
                    "{:>10} {:>10} (flat, cum) {} of Total\n",
                    self.format_value(file.flat),
                    self.format_value(file.cum),
                    units::percentage(file.cum, self.total)
                ));
                let text = match sources.lines(&file.file) {
                    Ok(text) => text,
                    Err(e) => {
                        out.push_str(&format!(" Error: {e}\n"));
                        continue;
                    }
                };
                let values: BTreeMap<i64, &ListedLine> = file.lines.iter().map(|l| (l.line, l)).collect();
                for n in file.start..=file.end {
                    // Like pprof, stop at the end of the file.
                    let Some(source) = usize::try_from(n - 1).ok().and_then(|i| text.get(i)) else { break };
                    let (flat, cum) = values.get(&n).map_or((0, 0), |l| (l.flat, l.cum));
                    out.push_str(&format!("{:>10} {:>10} {n:>6}:{source}\n", dot(flat), dot(cum)));
                }
            }
        }
        out
    }
}

/// Computes the listing for the functions whose name matches `regex`.
pub fn list(profile: &Profile, options: &ReportOptions, regex: &str) -> Result<ListReport, Error> {
    let rx = Pattern::new(regex).map_err(|detail| Error::Regex { option: "list", detail })?;
    let ctx = ReportContext::new(profile, options, ReportKind::List)?;
    let table = &ctx.walker.nodes;
    let g = Graph::from_walk(&ctx.walker.walk(None, EdgeScope::None), table, options.drop_negative);
    // Group the nodes by function name, then by file.
    let mut by_function: BTreeMap<String, BTreeMap<String, Vec<usize>>> = BTreeMap::new();
    for (i, n) in g.nodes.iter().enumerate() {
        let name = profile.str(n.info.name);
        if !rx.is_match(name) {
            continue;
        }
        let files = by_function.entry(name.to_string()).or_default();
        let file = table.file_name(n.info.file);
        if file.is_empty() {
            continue;
        }
        files.entry(file.to_string()).or_default().push(i);
    }
    if by_function.is_empty() {
        return Err(Error::NoMatches { regex: regex.to_string() });
    }
    let functions = by_function
        .into_iter()
        .map(|(name, files)| ListedFunction {
            name,
            files: files.into_iter().map(|(file, nodes)| listed_file(&g, file, &nodes)).collect(),
        })
        .collect();
    Ok(ListReport {
        functions,
        total: ctx.total,
        sample_unit: ctx.sample_unit.clone(),
        output_unit: ctx.output_unit.clone(),
    })
}

/// pprof's getSourceFromFile range: from the function's start line (or the
/// first sampled line less the margin) to the last sampled line plus it.
fn listed_file(g: &Graph, file: String, nodes: &[usize]) -> ListedFile {
    let first = &g.nodes[nodes[0]].info;
    // Line numbers are int in pprof: they wrap too.
    let mut start = if first.start_line != 0 { first.start_line } else { gomath::sub(first.lineno, MARGIN) };
    let mut end = gomath::add(first.lineno, MARGIN);
    let mut lines: BTreeMap<i64, (i64, i64)> = BTreeMap::new();
    let (mut flat, mut cum) = (0i64, 0i64);
    for &i in nodes {
        let n = &g.nodes[i];
        let node_start =
            if n.info.start_line != 0 { n.info.start_line } else { gomath::sub(n.info.lineno, MARGIN) };
        let node_end = gomath::add(n.info.lineno, MARGIN);
        if node_start < start {
            start = node_start;
        } else if node_end > end {
            end = node_end;
        }
        let e = lines.entry(n.info.lineno).or_default();
        e.0 = gomath::add(e.0, n.flat);
        e.1 = gomath::add(e.1, n.cum);
        flat = gomath::add(flat, n.flat);
        cum = gomath::add(cum, n.cum);
    }
    ListedFile {
        file,
        flat,
        cum,
        start: start.max(1),
        end,
        lines: lines.into_iter().map(|(line, (flat, cum))| ListedLine { line, flat, cum }).collect(),
    }
}
