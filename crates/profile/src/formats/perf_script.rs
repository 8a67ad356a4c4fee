//! `perf script` output (Linux perf, `cargo flamegraph`): an event line per
//! sample, then its stack leaf first, then a blank line.
//!
//! ```text
//! myapp 4242/4243 [001] 1234.567890:     250000 cycles:u:
//!         55d0c0de1234 work+0x14 (/usr/bin/myapp)
//!         ffffffff8100c2ad do_syscall_64+0x3d ([kernel.kallsyms])
//!         7f53389994d0 [unknown] ([unknown])
//! ```
//!
//! Stacks are read the way inferno's `collapse-perf` reads them (and the
//! FlameGraph script before it), so the collapsed view equals its output:
//! the process name (spaces as `_`) is the root frame, symbol offsets and
//! argument lists are dropped, `[unknown]` symbols take the name of their
//! module, and the period is the value when the line has one (else 1). Each
//! event becomes a sample type (the first is the default, as inferno keeps
//! only the first); `comm`, `pid` and `tid` are labels.

use std::collections::HashMap;

use super::build::{Label, StackProfile};
use crate::error::Error;

/// What an event line says.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Event<'a> {
    /// The process (thread) name.
    pub comm: &'a str,
    /// The process id, when the line has `pid/tid`.
    pub pid: Option<&'a str>,
    /// The thread id.
    pub tid: &'a str,
    /// The event name, modifiers dropped (`cycles` of `cycles:u`).
    pub event: Option<&'a str>,
    /// The sample period, when the line has one.
    pub period: Option<u64>,
    /// A frame written on the event line itself (one-frame stacks).
    pub inline_frame: Option<&'a str>,
}

/// Splits `comm [pid/]tid [cpu] time: [period] event: [frame]`. The comm
/// (which may hold spaces) ends before the first all-digit word.
pub(crate) fn event_line(line: &str) -> Option<Event<'_>> {
    let bytes = line.as_bytes();
    let mut word_start = 0;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b' ' {
            if i > word_start && word_start > 0 {
                let word = &line[word_start..i];
                if let Some((pid, tid)) = id_word(word) {
                    return Some(event_rest(line[..word_start - 1].trim(), pid, tid, &line[i + 1..]));
                }
            }
            word_start = i + 1;
        }
        i += 1;
    }
    None
}

/// `123` or `123/456` (pid/tid): digits with slashes.
fn id_word(word: &str) -> Option<(Option<&str>, &str)> {
    if !word.bytes().all(|b| b.is_ascii_digit() || b == b'/') || !word.bytes().any(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(match word.rsplit_once('/') {
        Some((pid, tid)) => (Some(pid), tid),
        None => (None, word),
    })
}

fn event_rest<'a>(comm: &'a str, pid: Option<&'a str>, tid: &'a str, rest: &'a str) -> Event<'a> {
    // `[cpu] time` : `period event` : `modifiers` [frame]
    let mut parts = rest.splitn(3, ':').skip(1);
    let mut e = Event { comm, pid, tid, event: None, period: None, inline_frame: None };
    if let Some(period_event) = parts.next() {
        let mut words = period_event.rsplit(' ');
        e.event = words.next();
        e.period = words.next().and_then(|p| p.parse().ok());
    }
    if let Some(after) = parts.next() {
        let start = after.find([':', ' ']).map_or(0, |i| i + 1);
        let frame = after[start..].trim();
        if !frame.is_empty() {
            e.inline_frame = Some(frame);
        }
    }
    e
}

/// A stack line `ADDRESS SYMBOL+0xOFF (MODULE)`: address, symbol, module.
pub(crate) fn stack_line(line: &str) -> Option<(&str, &str, &str)> {
    let (pc, rest) = line.trim_start().split_once(' ')?;
    let (symbol, module) = rest.rsplit_once(' ')?;
    let module = module.strip_prefix('(')?.strip_suffix(')')?;
    let symbol = match symbol.trim() {
        "" => " ",
        s => s,
    };
    Some((pc.trim_end(), symbol, module))
}

/// The frame names a stack line stands for, caller first (Java inlining
/// writes `caller->callee` on one line). Empty when the line is skipped.
fn frame_names(symbol: &str, module: &str, java: bool) -> Vec<String> {
    let mut symbol = symbol;
    if let Some(plus) = symbol.rfind("+0x") {
        if symbol[plus + 3..].bytes().all(|b| b.is_ascii_hexdigit()) {
            symbol = &symbol[..plus];
        }
    }
    if symbol.starts_with('(') {
        return Vec::new();
    }
    let symbol = super::rust_names::undo_partial_demangling(symbol);
    symbol
        .split("->")
        .enumerate()
        .map(|(i, f)| {
            let mut name = tidy(&module_fallback(f, module));
            if java && name.starts_with('L') && name.contains('/') {
                name.remove(0);
            }
            if i > 0 && !name.contains("_[i]") {
                name.push_str("_[i]");
            }
            name
        })
        .collect()
}

/// `[unknown]` symbols are named after their module's file, in brackets.
fn module_fallback(symbol: &str, module: &str) -> String {
    if symbol != "[unknown]" || module == "[unknown]" {
        return symbol.to_string();
    }
    let base = module.rsplit('/').next().unwrap_or(module);
    format!("[{base}]")
}

/// `;` would split the frame, so it becomes `:`; a top-level argument list
/// goes, except Go's `.(*T)` receivers and C++'s `(anonymous namespace)`.
fn tidy(name: &str) -> String {
    let name = name.replace(';', ":");
    let mut depth = 0i64;
    let mut after_dot = None;
    for (i, c) in name.char_indices() {
        match c {
            '<' | '{' | '[' => depth += 1,
            '>' | '}' | ']' | ')' => depth -= 1,
            '(' => {
                let receiver = after_dot == Some(i);
                let anonymous = name[i..].starts_with("(anonymous namespace)");
                if depth == 0 && !receiver && !anonymous {
                    return name[..i].to_string();
                }
                depth += 1;
            }
            '.' => after_dot = Some(i + 1),
            _ => {}
        }
    }
    name
}

/// The unit of an event's period.
fn unit(event: &str, has_period: bool) -> &'static str {
    match event {
        "cpu-clock" | "task-clock" if has_period => "nanoseconds",
        _ => "count",
    }
}

/// Reads the samples of one perf script.
struct Reader {
    profile: StackProfile,
    types: HashMap<String, usize>,
    /// The current event: its sample type, value, root frame and labels.
    current: Option<(usize, i64, String, Vec<Label>)>,
    /// The current stack's frames, leaf first.
    frames: Vec<String>,
    java: bool,
}

impl Reader {
    fn start(&mut self, e: &Event<'_>) {
        let name = e.event.unwrap_or("samples");
        let index = match self.types.get(name) {
            Some(&i) => i,
            None => {
                let i = self.profile.add_sample_type(name, unit(name, e.period.is_some()));
                if i == 0 {
                    self.profile.writer().set_default_sample_type(name);
                }
                self.types.insert(name.to_string(), i);
                i
            }
        };
        let mut labels = vec![Label::Str("comm".into(), e.comm.to_string())];
        if let Some(pid) = e.pid {
            labels.push(Label::Str("pid".into(), pid.to_string()));
        }
        labels.push(Label::Str("tid".into(), e.tid.to_string()));
        let value = e.period.map_or(1, |p| p as i64);
        self.java = e.comm.starts_with("java");
        self.current = Some((index, value, e.comm.replace(' ', "_"), labels));
        self.frames.clear();
    }

    fn frame(&mut self, line: &str) {
        if let Some((_, symbol, module)) = stack_line(line) {
            // Lines come leaf first; a line's own frames are caller first.
            self.frames.extend(frame_names(symbol, module, self.java).into_iter().rev());
        }
    }

    fn end(&mut self) {
        let Some((index, value, root, labels)) = self.current.take() else { return };
        if self.frames.is_empty() {
            return;
        }
        let mut stack: Vec<u64> = Vec::with_capacity(self.frames.len() + 1);
        for f in self.frames.drain(..) {
            stack.push(self.profile.named(&f));
        }
        stack.push(self.profile.named(&root));
        self.profile.add(stack, labels, index, value);
    }
}

/// Parses `perf script` output.
pub(crate) fn parse(text: &str, budget: u64) -> Result<StackProfile, Error> {
    let mut profile = StackProfile::new(&[]);
    profile.set_budget(budget);
    let mut r = Reader { profile, types: HashMap::new(), current: None, frames: Vec::new(), java: false };
    for line in text.lines() {
        r.profile.check()?;
        if line.starts_with('#') {
            continue;
        }
        let line = line.trim_end();
        if line.is_empty() {
            r.end();
        } else if r.current.is_some() {
            r.frame(line);
        } else if let Some(e) = event_line(line) {
            r.start(&e);
            if let Some(frame) = e.inline_frame {
                r.frame(frame);
                r.end();
            }
        }
    }
    r.end();
    if r.profile.sample_count() == 0 {
        return Err(Error::NotAProfile { hint: "the perf script output holds no stack".into() });
    }
    Ok(r.profile)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_lines() {
        let e = event_line("V8 WorkerThread 24636/25607 [000] 94564.109216: cycles:").unwrap();
        assert_eq!(
            (e.comm, e.pid, e.tid, e.event, e.period),
            ("V8 WorkerThread", Some("24636"), "25607", Some("cycles"), None)
        );
        let e = event_line("vote   913    72.176760:     257597 cycles:uppp:").unwrap();
        assert_eq!(
            (e.comm, e.tid, e.event, e.period, e.inline_frame),
            ("vote", "913", Some("cycles"), Some(257597), None)
        );
        let e = event_line(
            "false 64414 20110.539270:      34467 cycles:u:  ffffffff9aa3c8de [unknown] ([unknown])",
        )
        .unwrap();
        assert_eq!(e.inline_frame, Some("ffffffff9aa3c8de [unknown] ([unknown])"));
        assert!(event_line("\tffffffff8103ce3b native_safe_halt ([kernel.kallsyms])").is_none());
        assert!(event_line("12345").is_none());
    }

    #[test]
    fn stack_lines() {
        assert_eq!(
            stack_line("\t7f53389994d0 [unknown] ([unknown])"),
            Some(("7f53389994d0", "[unknown]", "[unknown]"))
        );
        assert_eq!(stack_line("\t7f1e2215d058  (/lib/libc.so)"), Some(("7f1e2215d058", " ", "/lib/libc.so")));
        assert_eq!(stack_line("\t7f1e2215d058 (/lib/libc.so)"), None);
        assert_eq!(frame_names("[unknown]", "/usr/lib/libc.so.6", false), vec!["[libc.so.6]"]);
        assert_eq!(frame_names("main.(*T).m+0x1f", "/bin/x", false), vec!["main.(*T).m"]);
        assert_eq!(frame_names("foo(int, char)", "/bin/x", false), vec!["foo"]);
        assert_eq!(
            frame_names("ns::(anonymous namespace)::f(int)", "/bin/x", false),
            vec!["ns::(anonymous namespace)::f"]
        );
        // A symbol that starts with `(` is dropped, as the FlameGraph script does.
        assert!(frame_names("(anonymous namespace)::f(int)", "/bin/x", false).is_empty());
        assert_eq!(frame_names("a;b->c", "/bin/x", false), vec!["a:b", "c_[i]"]);
        assert!(frame_names("(/tmp/x)", "/bin/x", false).is_empty());
    }
}
