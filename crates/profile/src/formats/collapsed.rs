//! Collapsed ("folded") stacks, as inferno, pprof-rs and the FlameGraph
//! scripts write them: one `root;caller;leaf COUNT` line per stack. The
//! count is optional (1 when missing); blank lines and `#` comments are
//! skipped. One sample type: `samples`/`count`.

use super::build::StackProfile;
use crate::error::Error;

/// A collapsed line split into its frames (root first) and count; None when
/// the line is blank or a comment; Err when its count does not fit.
pub(crate) fn line(text: &str) -> Option<Result<(Vec<&str>, i64), ()>> {
    let text = text.trim();
    if text.is_empty() || text.starts_with('#') {
        return None;
    }
    let (stack, count) = match text.rsplit_once(' ') {
        Some((stack, count)) if !count.is_empty() && count.bytes().all(|b| b.is_ascii_digit()) => {
            match count.parse::<i64>() {
                Ok(n) => (stack.trim_end(), n),
                Err(_) => return Some(Err(())),
            }
        }
        _ => (text, 1),
    };
    let frames: Vec<&str> = stack.split(';').filter(|f| !f.is_empty()).collect();
    if frames.is_empty() {
        return None;
    }
    Some(Ok((frames, count)))
}

/// True when a complete line looks collapsed: a count at the end, or two
/// frames joined by `;`.
pub(crate) fn looks_collapsed(text: &str) -> bool {
    let t = text.trim();
    let (stack, counted) = match t.rsplit_once(' ') {
        Some((stack, count)) if !count.is_empty() && count.bytes().all(|b| b.is_ascii_digit()) => {
            (stack, true)
        }
        _ => (t, false),
    };
    let frames = stack.split(';').filter(|f| !f.trim().is_empty()).count();
    let joined = frames >= 2 && !stack.starts_with(';');
    (counted && frames >= 1) || joined
}

/// Parses collapsed stacks.
pub(crate) fn parse(text: &str, budget: u64) -> Result<StackProfile, Error> {
    let mut profile = StackProfile::new(&[("samples", "count")]);
    profile.set_budget(budget);
    for (n, l) in text.lines().enumerate() {
        profile.check()?;
        let Some(parsed) = line(l) else { continue };
        let (frames, count) = parsed.map_err(|()| Error::NotAProfile {
            hint: format!("collapsed stacks, line {}: the count does not fit in 64 bits", n + 1),
        })?;
        let stack = frames.iter().rev().map(|f| profile.named(f)).collect();
        profile.add(stack, Vec::new(), 0, count);
    }
    if profile.sample_count() == 0 {
        return Err(Error::NotAProfile { hint: "the collapsed stacks hold no stack".into() });
    }
    Ok(profile)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines() {
        assert_eq!(line("main;a;b 12"), Some(Ok((vec!["main", "a", "b"], 12))));
        assert_eq!(line("main;a b"), Some(Ok((vec!["main", "a b"], 1))));
        assert_eq!(line("std::vec::Vec<T, A>::push 3"), Some(Ok((vec!["std::vec::Vec<T, A>::push"], 3))));
        assert_eq!(line("# comment"), None);
        assert_eq!(line("   "), None);
        assert_eq!(line("a 99999999999999999999"), Some(Err(())));
        assert!(looks_collapsed("a;b"));
        assert!(!looks_collapsed(";U"));
        assert!(!looks_collapsed("a;"));
        assert!(looks_collapsed("main 3"));
        assert!(!looks_collapsed("Apache License"));
        assert!(!looks_collapsed("hello world"));
    }
}
