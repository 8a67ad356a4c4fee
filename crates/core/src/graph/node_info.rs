//! What identifies a graph node at a granularity, and how pprof names it.

use foldhash::{HashMap, HashMapExt};

use crate::filter::NO_LINE;
use crate::model::{LocationIndex, Profile, Str};

/// How finely samples are grouped into nodes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Granularity {
    /// One node per function (pprof's default).
    #[default]
    Functions,
    /// One node per function and source file.
    FileFunctions,
    /// One node per source file.
    Files,
    /// One node per source line.
    Lines,
    /// One node per instruction address.
    Addresses,
}

impl Granularity {
    /// pprof's name for the granularity.
    pub fn name(self) -> &'static str {
        match self {
            Granularity::Functions => "functions",
            Granularity::FileFunctions => "filefunctions",
            Granularity::Files => "files",
            Granularity::Lines => "lines",
            Granularity::Addresses => "addresses",
        }
    }

    /// Parses pprof's name for a granularity.
    pub fn parse(name: &str) -> Option<Self> {
        [Self::Functions, Self::FileFunctions, Self::Files, Self::Lines, Self::Addresses]
            .into_iter()
            .find(|g| g.name() == name)
    }
}

/// Which attributes of a frame survive aggregation (pprof's Aggregate).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Aggregation {
    pub function: bool,
    pub filename: bool,
    pub line: bool,
    pub column: bool,
    pub address: bool,
    pub inlines: bool,
}

impl Aggregation {
    pub(crate) fn new(granularity: Granularity, noinlines: bool) -> Self {
        let inlines = !noinlines;
        let only = |function, filename, line, address| Aggregation {
            function,
            filename,
            line,
            column: false,
            address,
            inlines,
        };
        match granularity {
            // pprof leaves the profile untouched here, columns included.
            Granularity::Addresses if inlines => Aggregation {
                function: true,
                filename: true,
                line: true,
                column: true,
                address: true,
                inlines,
            },
            Granularity::Addresses => only(true, true, true, true),
            Granularity::Lines => only(true, true, true, false),
            Granularity::Files => only(false, true, false, false),
            Granularity::Functions => only(true, false, false, false),
            Granularity::FileFunctions => only(true, true, false, false),
        }
    }
}

/// A source file name after path trimming and cleaning, interned per report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct FileName(pub(crate) u32);

/// The identity of a graph node, field for field pprof's NodeInfo.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct NodeInfo {
    /// Function name, or empty.
    pub name: Str,
    /// System (e.g. mangled) name; proflens reports leave it empty, as pprof's do.
    pub orig_name: Str,
    /// Instruction address, 0 unless grouping by address.
    pub address: u64,
    /// Cleaned source file, or the empty file name.
    pub file: FileName,
    /// Function start line, set only when the node has no name.
    pub start_line: i64,
    /// Source line, 0 unless grouping by line or address.
    pub lineno: i64,
    /// Source column.
    pub columnno: i64,
    /// Mapping file, set only when the node has no name.
    pub objfile: Str,
}

/// Interns node infos and the file names they use, and names nodes.
pub(crate) struct NodeTable<'p> {
    profile: &'p Profile,
    pub infos: Vec<NodeInfo>,
    index: HashMap<NodeInfo, u32>,
    file_names: Vec<String>,
    file_index: HashMap<String, FileName>,
    /// Cleaned, trimmed file name per function.
    function_file: Vec<FileName>,
    aggregation: Aggregation,
    obj_names: bool,
}

impl<'p> NodeTable<'p> {
    /// `obj_names` keeps mapping names on every node (pprof does so for
    /// source listings). `paths` trims source paths as pprof's trim_path and
    /// source_path options do; None leaves them untrimmed (traces).
    pub(crate) fn new(
        profile: &'p Profile,
        aggregation: Aggregation,
        obj_names: bool,
        paths: Option<(&str, &str)>,
    ) -> Self {
        let mut table = NodeTable {
            profile,
            infos: Vec::new(),
            index: HashMap::new(),
            file_names: vec![String::new()],
            file_index: HashMap::from_iter([(String::new(), FileName(0))]),
            function_file: Vec::with_capacity(profile.functions.len()),
            aggregation,
            obj_names,
        };
        let mut cleaned: HashMap<Str, FileName> = HashMap::new();
        for f in &profile.functions {
            let file = *cleaned.entry(f.filename).or_insert_with(|| {
                let raw = profile.str(f.filename);
                if raw.is_empty() {
                    return FileName(0);
                }
                let trimmed = match paths {
                    Some((trim_path, source_path)) => trim_source_path(raw, trim_path, source_path),
                    None => raw,
                };
                if trimmed.is_empty() {
                    return FileName(0);
                }
                let clean = clean_path(trimmed);
                let next = FileName(table.file_names.len() as u32);
                let id = *table.file_index.entry(clean.clone()).or_insert(next);
                if id == next {
                    table.file_names.push(clean);
                }
                id
            });
            table.function_file.push(file);
        }
        table
    }

    /// The node id of frame `frame` (a line index or `NO_LINE`) of `loc`.
    pub(crate) fn node_for(&mut self, loc: LocationIndex, frame: u32) -> u32 {
        let info = self.info_for(loc, frame);
        let next = self.infos.len() as u32;
        let id = *self.index.entry(info).or_insert(next);
        if id == next {
            self.infos.push(info);
        }
        id
    }

    fn info_for(&self, loc: LocationIndex, frame: u32) -> NodeInfo {
        let p = self.profile;
        let a = &self.aggregation;
        let location = &p.locations[loc];
        let objfile = match location.mapping {
            Some(m) => p.mappings[m].file,
            None => Str::EMPTY,
        };
        let address = if a.address { location.address } else { 0 };
        if frame == NO_LINE {
            return NodeInfo {
                name: Str::EMPTY,
                orig_name: Str::EMPTY,
                address,
                file: FileName(0),
                start_line: 0,
                lineno: 0,
                columnno: 0,
                objfile,
            };
        }
        let line = &p.lines[frame as usize];
        let function = &p.functions[line.function];
        let name = if a.function { function.name } else { Str::EMPTY };
        let mut info = NodeInfo {
            name,
            orig_name: Str::EMPTY,
            address,
            file: if a.filename { self.function_file[line.function] } else { FileName(0) },
            start_line: 0,
            lineno: if a.line { line.line } else { 0 },
            columnno: if a.line && a.column { line.column } else { 0 },
            objfile: Str::EMPTY,
        };
        if self.obj_names || name.is_empty() {
            info.objfile = objfile;
            info.start_line = function.start_line;
        }
        info
    }

    /// The id of an interned node info.
    pub(crate) fn id_of(&self, info: &NodeInfo) -> Option<u32> {
        self.index.get(info).copied()
    }

    /// The cleaned text of a file name.
    pub(crate) fn file_name(&self, f: FileName) -> &str {
        &self.file_names[f.0 as usize]
    }

    /// pprof's printable name: address, function, file:line, as available.
    pub(crate) fn printable_name(&self, info: &NodeInfo) -> String {
        let p = self.profile;
        let mut parts: Vec<String> = Vec::with_capacity(3);
        if info.address != 0 {
            parts.push(format!("{:016x}", info.address));
        }
        let name = p.str(info.name);
        if !name.is_empty() {
            parts.push(name.to_string());
        }
        let file = self.file_name(info.file);
        if info.lineno != 0 {
            let mut s = format!("{file}:{}", info.lineno);
            if info.columnno != 0 {
                s.push_str(&format!(":{}", info.columnno));
            }
            parts.push(s);
        } else if !file.is_empty() {
            parts.push(file.to_string());
        } else if !name.is_empty() {
        } else if !info.objfile.is_empty() {
            parts.push(format!("[{}]", base_name(p.str(info.objfile))));
        } else {
            parts.push("<unknown>".to_string());
        }
        parts.join(" ")
    }

    /// The node info as Go's `%v` prints it; pprof's last-resort tie-break.
    pub(crate) fn go_struct_text(&self, info: &NodeInfo) -> String {
        let p = self.profile;
        format!(
            "{{{} {} {} {} {} {} {} {}}}",
            p.str(info.name),
            p.str(info.orig_name),
            info.address,
            self.file_name(info.file),
            info.start_line,
            info.lineno,
            info.columnno,
            p.str(info.objfile)
        )
    }
}

/// The last element of a path, as Go's filepath.Base.
pub(crate) fn base_name(path: &str) -> &str {
    if path.is_empty() {
        return ".";
    }
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        return "/";
    }
    match trimmed.rfind('/') {
        Some(i) => &trimmed[i + 1..],
        None => trimmed,
    }
}

/// Lexical path cleaning, as Go's filepath.Clean on Unix.
pub(crate) fn clean_path(path: &str) -> String {
    if path.is_empty() {
        return ".".to_string();
    }
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|p| *p != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            other => parts.push(other),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_string(),
        (false, false) => joined,
    }
}

/// pprof's trimPath: strips a build-machine prefix from source paths.
pub fn trim_source_path<'a>(path: &'a str, trim_path: &str, source_path: &str) -> &'a str {
    if trim_path.is_empty() {
        // Guess: cut everything up to a search path's last element.
        for dir in source_path.split(':').filter(|d| !d.is_empty()) {
            let want = format!("/{}/", base_name(dir));
            if let Some(found) = path.find(&want) {
                return &path[found + want.len()..];
            }
        }
    }
    let mut prefixes: Vec<String> =
        trim_path.split(':').filter(|p| !p.is_empty()).map(String::from).collect();
    prefixes.push("/proc/self/cwd/./".into());
    prefixes.push("/proc/self/cwd/".into());
    for mut prefix in prefixes {
        if !prefix.ends_with('/') {
            prefix.push('/');
        }
        if let Some(rest) = path.strip_prefix(prefix.as_str()) {
            return rest;
        }
    }
    path
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_clean_like_go() {
        assert_eq!(clean_path("a//b/./c/../d"), "a/b/d");
        assert_eq!(clean_path("/../x"), "/x");
        assert_eq!(clean_path("../../x"), "../../x");
        assert_eq!(clean_path("./"), ".");
        assert_eq!(base_name("/usr/bin/leak"), "leak");
        assert_eq!(base_name("dir/"), "dir");
        assert_eq!(trim_source_path("/proc/self/cwd/src/main.go", "", ""), "src/main.go");
        assert_eq!(trim_source_path("/build/x/proj/a.go", "", "/home/me/proj"), "a.go");
    }
}
