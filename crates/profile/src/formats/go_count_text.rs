//! Go's `?debug=1` count profiles (goroutine, threadcreate) without the
//! binary. Counts and addresses are read as pprof's legacy parser reads them
//! (each address minus one, one location per address, one sample per
//! record); frames are then named from the `#` comment lines Go writes
//! under each record, which pprof ignores:
//!
//! ```text
//! goroutine profile: total 72
//! 32 @ 0x47026e 0x406c9c 0x406872 0x6eb9ed 0x477fe1
//! #    0x6eb9ec    main.idleWorker+0x4c    gen/leak/main.go:327
//! ```
//!
//! Addresses Go printed no `#` line for (the runtime frames it hides) stay
//! unnamed, as pprof shows them without the binary (see go_comments.rs).

use super::build::{Label, StackProfile};
use super::go_comments::{CommentNames, NAMED_FROM_COMMENTS};
use super::Naming;
use crate::error::Error;

/// The profile type of a `NAME profile: total N` first line.
pub(crate) fn profile_type(first_line: &str) -> Option<&str> {
    let (kind, total) = first_line.trim_end().split_once(" profile: total ")?;
    let valid = !kind.is_empty()
        && !kind.contains(char::is_whitespace)
        && !total.is_empty()
        && total.bytes().all(|b| b.is_ascii_digit());
    valid.then_some(kind)
}

struct Record {
    count: i64,
    addresses: Vec<u64>,
    labels: Vec<Label>,
}

/// Parses the text; an error names the line that is not pprof's form.
pub(crate) fn parse(text: &str, budget: u64, naming: Naming) -> Result<StackProfile, Error> {
    let mut lines = text.lines().enumerate().skip_while(|(_, l)| is_space_or_comment(l));
    let first = lines.next().map(|(_, l)| l).unwrap_or_default();
    let Some(kind) = profile_type(first) else {
        return Err(malformed(1, "the first line is not `NAME profile: total N`"));
    };
    let mut records: Vec<Record> = Vec::new();
    let mut names = CommentNames::default();
    for (n, line) in lines {
        if line.starts_with("---") {
            break; // pprof reads no further either (memory maps follow)
        }
        if let Some(comment) = line.trim_start().strip_prefix('#') {
            if let (Some(record), Some(json)) = (records.last_mut(), comment.trim().strip_prefix("labels:")) {
                record.labels = parse_labels(json.trim());
            } else {
                names.read(comment);
            }
            continue;
        }
        names.end_block();
        if line.trim().is_empty() {
            continue;
        }
        records.push(record(line).ok_or_else(|| malformed(n + 1, "expected `COUNT @ 0xADDR ...`"))?);
    }
    let mut profile = StackProfile::new(&[(kind, "count")]);
    profile.set_budget(budget);
    profile.writer().set_period(kind, "count", 1);
    if naming == Naming::AddressesOnly {
        names.clear();
    } else {
        profile.writer().add_comment(NAMED_FROM_COMMENTS);
    }
    for r in records {
        profile.check()?;
        let stack = r
            .addresses
            .iter()
            .map(|&a| {
                // pprof moves each address back one byte, onto the call; Go's
                // `#` lines already show that address.
                let address = a.wrapping_sub(1);
                profile.location(address, names.frames(address))
            })
            .collect();
        // One sample per record, as pprof keeps them (Go writes equal
        // stacks apart when their labels differ). pprof's parser drops the
        // `# labels:` lines, so the addresses-only form (pprof's reading)
        // does too.
        let labels = if naming == Naming::AddressesOnly { Vec::new() } else { r.labels };
        profile.add_separate(stack, labels, &[r.count]);
    }
    Ok(profile)
}

fn malformed(line: usize, what: &str) -> Error {
    Error::NotAProfile { hint: format!("Go ?debug=1 text, line {line}: {what}") }
}

fn is_space_or_comment(line: &str) -> bool {
    let t = line.trim();
    t.is_empty() || t.starts_with('#')
}

/// `32 @ 0x47026e 0x406c9c`: the count and the addresses.
fn record(line: &str) -> Option<Record> {
    let (count, addresses) = line.split_once(" @ ")?;
    let count = count.trim().parse().ok()?;
    let addresses = addresses
        .split_whitespace()
        .map(|a| a.strip_prefix("0x").and_then(|h| u64::from_str_radix(h, 16).ok()))
        .collect::<Option<Vec<u64>>>()?;
    if addresses.is_empty() {
        return None;
    }
    Some(Record { count, addresses, labels: Vec::new() })
}

/// `{"parked":"receiver"}`: Go's labels, keys and values as quoted strings.
/// Anything else gives no labels.
fn parse_labels(json: &str) -> Vec<Label> {
    let mut labels = Vec::new();
    let Some(inner) = json.strip_prefix('{').and_then(|j| j.strip_suffix('}')) else {
        return labels;
    };
    let mut rest = inner.trim();
    while !rest.is_empty() {
        let Some((key, after)) = quoted(rest) else { return Vec::new() };
        let Some(after) = after.trim_start().strip_prefix(':') else { return Vec::new() };
        let Some((value, after)) = quoted(after.trim_start()) else { return Vec::new() };
        labels.push(Label::Str(key, value));
        rest = after.trim_start();
        rest = rest.strip_prefix(',').unwrap_or(rest).trim_start();
        if !after.trim_start().starts_with(',') && !rest.is_empty() {
            return Vec::new();
        }
    }
    labels.sort_by(|a, b| format!("{a:?}").cmp(&format!("{b:?}")));
    labels
}

/// A double-quoted string with backslash escapes, and what follows it.
fn quoted(s: &str) -> Option<(String, &str)> {
    let body = s.strip_prefix('"')?;
    let mut out = String::new();
    let mut chars = body.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some((out, &body[i + 1..])),
            '\\' => match chars.next()?.1 {
                'n' => out.push('\n'),
                't' => out.push('\t'),
                other => out.push(other),
            },
            c => out.push(c),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_lines() {
        assert_eq!(profile_type("goroutine profile: total 72"), Some("goroutine"));
        assert_eq!(profile_type("threadcreate profile: total 7\r"), Some("threadcreate"));
        assert_eq!(profile_type("heap profile: 1: 2 [3: 4] @ heap/1048576"), None);
        assert_eq!(profile_type("goroutine profile: total"), None);
    }

    #[test]
    fn label_comments() {
        assert_eq!(
            parse_labels(r#"{"parked":"receiver", "a\"b":"c"}"#),
            vec![Label::Str("a\"b".into(), "c".into()), Label::Str("parked".into(), "receiver".into())]
        );
        assert!(parse_labels("{nope}").is_empty());
    }
}
