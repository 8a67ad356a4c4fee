//! Go goroutine dumps: `/debug/pprof/goroutine?debug=2` and the tracebacks
//! a panic (or SIGQUIT) prints. Each goroutine is one sample of
//! `goroutine`/`count`; goroutines with the same stack and labels are
//! grouped.
//!
//! ```text
//! goroutine 5 [chan receive, 1 minutes, locked to thread]:
//! main.waitForever(0xa34320?)
//!         gen/leak/capture.go:60 +0x15
//! created by main.parkKnownGoroutines in goroutine 19
//!         gen/leak/capture.go:87 +0x45
//! ```

use super::build::{Frame, Label, StackProfile};
use crate::error::Error;

/// True when `line` opens a goroutine: `goroutine N [STATE]:`, with the
/// optional `gp=… m=…` words newer runtimes print under GOTRACEBACK=system.
pub(crate) fn is_header(line: &str) -> bool {
    header(line).is_some()
}

/// What a goroutine header says.
struct Header<'a> {
    state: &'a str,
    wait_minutes: Option<i64>,
    locked: bool,
}

fn header(line: &str) -> Option<Header<'_>> {
    let rest = line.trim_end().strip_prefix("goroutine ")?;
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return None;
    }
    let rest = &rest[digits..];
    let open = rest.find(" [")?;
    // Between the id and the bracket only `key=value` words may stand.
    if !rest[..open].split_whitespace().all(|w| w.contains('=')) {
        return None;
    }
    let inside = rest[open + 2..].strip_suffix("]:")?;
    let mut parts = inside.split(", ");
    let state = parts.next().unwrap_or_default().trim();
    let mut h = Header { state, wait_minutes: None, locked: false };
    for part in parts {
        let part = part.trim();
        if part == "locked to thread" {
            h.locked = true;
        } else if let Some(n) = part.strip_suffix(" minutes").and_then(|n| n.parse().ok()) {
            h.wait_minutes = Some(n);
        }
    }
    Some(h)
}

/// The function a frame line names: `pkg.(*T).m(0x1, {0x2, 0x3})` gives
/// `pkg.(*T).m`. Go prints only hex words, braces, `...`, `?` and `_` as
/// arguments, so the argument list starts at the last `(`.
fn function_name(line: &str) -> &str {
    let line = line.trim_end();
    match line.rfind('(') {
        Some(open) if line.ends_with(')') && open > 0 => &line[..open],
        _ => line,
    }
}

/// `\tpath/file.go:123 +0x15` (maybe with ` fp=… sp=… pc=…`) as file and line.
fn file_line(line: &str) -> (String, i64) {
    let place = line.trim().split(' ').next().unwrap_or_default();
    match place.rsplit_once(':') {
        Some((file, n)) => match n.parse() {
            Ok(n) => (file.to_string(), n),
            Err(_) => (place.to_string(), 0),
        },
        None => (place.to_string(), 0),
    }
}

/// One goroutine being read.
struct Goroutine {
    frames: Vec<Frame>,
    labels: Vec<Label>,
    created_by: Option<String>,
    /// After `[originating from goroutine N]:` the ancestors' stacks follow;
    /// they are not this goroutine's frames.
    in_ancestors: bool,
}

/// Parses a goroutine dump.
pub(crate) fn parse(text: &str, budget: u64) -> Result<StackProfile, Error> {
    let mut profile = StackProfile::new(&[("goroutine", "count")]);
    profile.set_budget(budget);
    profile.writer().set_period("goroutine", "count", 1);
    let mut goroutines = 0u64;
    let mut current: Option<Goroutine> = None;
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        profile.check()?;
        if let Some(h) = header(line) {
            if let Some(g) = current.take() {
                finish(&mut profile, g);
            }
            goroutines += 1;
            let mut labels = vec![Label::Str("state".into(), h.state.to_string())];
            if let Some(minutes) = h.wait_minutes {
                labels.push(Label::Num("wait".into(), minutes, "minutes".into()));
            }
            if h.locked {
                labels.push(Label::Str("locked".into(), "true".into()));
            }
            current = Some(Goroutine { frames: Vec::new(), labels, created_by: None, in_ancestors: false });
            continue;
        }
        let Some(g) = current.as_mut() else { continue };
        if line.trim().is_empty() {
            finish(&mut profile, current.take().expect("checked above"));
            continue;
        }
        if line.starts_with('\t') || line.starts_with(' ') {
            continue; // a file line without a function line, or a note
        }
        if line.starts_with("[originating from goroutine") {
            g.in_ancestors = true;
            continue;
        }
        // A function or `created by` line is followed by its file line.
        let file = match lines.peek() {
            Some(next) if next.starts_with('\t') => file_line(lines.next().unwrap_or_default()),
            _ => continue, // "...additional frames elided...", or text after the dump
        };
        if g.in_ancestors {
            continue;
        }
        if let Some(creator) = line.strip_prefix("created by ") {
            let creator = creator.split(" in goroutine ").next().unwrap_or(creator);
            g.created_by = Some(creator.trim().to_string());
            continue;
        }
        g.frames.push(Frame { name: function_name(line).to_string(), file: file.0, line: file.1 });
    }
    if let Some(g) = current.take() {
        finish(&mut profile, g);
    }
    if goroutines == 0 {
        return Err(Error::NotAProfile { hint: "the goroutine dump holds no goroutine".into() });
    }
    profile.writer().add_comment(&format!("Goroutine dump: {goroutines} goroutines"));
    Ok(profile)
}

fn finish(profile: &mut StackProfile, mut g: Goroutine) {
    if g.frames.is_empty() {
        g.frames.push(Frame::named("<stack unavailable>"));
    }
    let stack = g.frames.iter().map(|f| profile.frame(f)).collect();
    if let Some(creator) = g.created_by {
        g.labels.push(Label::Str("created_by".into(), creator));
    }
    g.labels.sort_by(|a, b| label_key(a).cmp(label_key(b)));
    profile.add(stack, g.labels, 0, 1);
}

fn label_key(l: &Label) -> &str {
    match l {
        Label::Str(k, _) | Label::Num(k, _, _) => k,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers() {
        let h = header("goroutine 5 [chan receive, 1 minutes, locked to thread]:").unwrap();
        assert_eq!((h.state, h.wait_minutes, h.locked), ("chan receive", Some(1), true));
        let h = header("goroutine 12 gp=0xc000007 m=nil [GC worker (idle)]:").unwrap();
        assert_eq!((h.state, h.wait_minutes, h.locked), ("GC worker (idle)", None, false));
        assert!(header("goroutine profile: total 3").is_none());
        assert!(header("goroutine x [running]:").is_none());
        assert!(header("goroutine 1 [").is_none());
    }

    #[test]
    fn names_and_places() {
        assert_eq!(
            function_name("net/http.(*conn).serve(0xc0000e0990, {0x813748, 0xc00007e1e0})"),
            "net/http.(*conn).serve"
        );
        assert_eq!(function_name("main.Map[...](...)"), "main.Map[...]");
        assert_eq!(function_name("main.main()"), "main.main");
        assert_eq!(function_name("(weird"), "(weird");
        assert_eq!(file_line("\tgen/leak/main.go:390 +0xe32"), ("gen/leak/main.go".to_string(), 390));
        assert_eq!(file_line("\t/x/y.go:12 fp=0x1 sp=0x2 pc=0x3"), ("/x/y.go".to_string(), 12));
        assert_eq!(file_line("\t?"), ("?".to_string(), 0));
    }
}
