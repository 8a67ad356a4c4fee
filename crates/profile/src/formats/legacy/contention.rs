//! Contention profiles in text: Go's `?debug=1` mutex and block profiles
//! (`--- mutex:` / `--- contention:`, then `cycles/second=` and `sampling
//! period=` lines) and the C++ `--- contentionz` form. Read as pprof's
//! `parseContention` reads them: sample types contentions/count and
//! delay/nanoseconds; delays (written in cycles) scaled by the period and
//! cycles per second, counts by the period; each address moved back one
//! byte onto its call.

use std::sync::OnceLock;

use crate::pattern::Regex;

use super::{hex_addresses, malformed, maps, LegacyProfile, Sample};
use crate::encode::ProfileWriter;
use crate::error::Error;
use crate::formats::go_comments::CommentNames;
use crate::formats::Naming;
use crate::gomath;

const WHAT: &str = "contention profile text";

fn sample_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"([0-9]+) *([0-9]+) @([ x0-9a-f]*)").expect("the contention sample pattern compiles")
    })
}

/// Whether `first_line` (the input's very first line) starts a contention
/// profile.
pub(crate) fn is_header(first_line: &str) -> bool {
    ["--- contentionz ", "--- mutex:", "--- contention:"].iter().any(|p| first_line.starts_with(p))
}

/// Parses the whole text; an error names the line.
pub(crate) fn parse(text: &str, budget: u64, naming: Naming) -> Result<ProfileWriter, Error> {
    let mut lines = text.lines().enumerate().peekable();
    match lines.next() {
        Some((_, first)) if is_header(first) => {}
        _ => return Err(malformed(WHAT, 1, "the first line is not `--- mutex:` or `--- contention:`")),
    }
    let types = vec![("contentions", "count"), ("delay", "nanoseconds")];
    let mut profile = LegacyProfile::new(types, ("contentions", "count"), budget);
    profile.period = 1;
    let mut cycles_per_second: i64 = 0;
    // `name = value` attributes, up to the first line that is none.
    while let Some(&(n, raw)) = lines.peek() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            lines.next();
            continue;
        }
        let Some((key, value)) = line.split_once('=') else { break };
        if line.starts_with("---") {
            break;
        }
        let number = || {
            parse_go_int(value.trim())
                .ok_or_else(|| malformed(WHAT, n + 1, &format!("{} is not a 64-bit integer", key.trim())))
        };
        match key.trim() {
            "cycles/second" => cycles_per_second = number()?,
            "sampling period" => profile.period = number()?,
            "ms since reset" => profile.duration_nanos = gomath::mul(number()?, 1_000_000),
            "discarded samples" => {}
            // C++ contentionz attributes pprof refuses too.
            other => return Err(malformed(WHAT, n + 1, &format!("unknown attribute {other:?}"))),
        }
        lines.next();
    }
    let mut names = CommentNames::default();
    let mut rest = Vec::new();
    for (n, raw) in lines.by_ref() {
        let line = raw.trim();
        if line.starts_with("---") {
            rest.push(raw);
            break;
        }
        if let Some(comment) = line.strip_prefix('#') {
            names.read(comment);
            continue;
        }
        names.end_block();
        if line.is_empty() {
            continue;
        }
        let s = sample(line, profile.period, cycles_per_second).map_err(|e| malformed(WHAT, n + 1, &e))?;
        profile.add(s)?;
    }
    // pprof reads a memory map after its sentinel line, if there is one.
    profile.mappings = maps::after_sentinel(rest.into_iter().chain(lines.map(|(_, l)| l)));
    let names = (naming == Naming::FromComments).then_some(&names);
    profile.finish(names)
}

/// `DELAY COUNT @ 0x.. 0x..`, unsampled as pprof does.
fn sample(line: &str, period: i64, cycles_per_second: i64) -> Result<Sample, String> {
    let c = sample_re().captures(line).ok_or("expected `CYCLES COUNT @ 0xADDR ...`")?;
    let group = |i: usize| c.get(i).map_or("", |m| m.as_str());
    let number = |s: &str| s.parse::<i64>().map_err(|_| format!("{s} does not fit in 64 bits"));
    let (mut delay, mut count) = (number(group(1))?, number(group(2))?);
    if period > 0 {
        if cycles_per_second > 0 {
            let giga_hertz = cycles_per_second as f64 / 1e9;
            delay = gomath::f64_to_i64(delay as f64 * period as f64 / giga_hertz);
        }
        count = gomath::mul(count, period);
    }
    let addresses = hex_addresses(group(3)).ok_or("an address does not fit in 64 bits")?;
    let addresses = addresses.into_iter().map(|a| a.wrapping_sub(1)).collect();
    Ok(Sample { addresses, values: vec![count, delay], block_size: None })
}

/// Go's `strconv.ParseInt(s, 0, 64)`: decimal, `0x` hex, `0o`/`0` octal,
/// `0b` binary, an optional sign and `_` between digits.
fn parse_go_int(s: &str) -> Option<i64> {
    let (negative, body) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let lower = body.to_ascii_lowercase();
    let (radix, digits, prefixed) = if let Some(d) = lower.strip_prefix("0x") {
        (16, d, true)
    } else if let Some(d) = lower.strip_prefix("0b") {
        (2, d, true)
    } else if let Some(d) = lower.strip_prefix("0o") {
        (8, d, true)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, &lower[1..], true)
    } else {
        (10, lower.as_str(), false)
    };
    // Underscores only between digits (or after a base prefix).
    if digits.starts_with('_') && !prefixed || digits.ends_with('_') || digits.contains("__") {
        return None;
    }
    let digits: String = digits.chars().filter(|&c| c != '_').collect();
    if digits.is_empty() || digits.starts_with(['+', '-']) {
        return None;
    }
    let magnitude = u64::from_str_radix(&digits, radix).ok()?;
    if negative {
        (magnitude <= 1 << 63).then(|| (magnitude as i64).wrapping_neg())
    } else {
        i64::try_from(magnitude).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_integers() {
        assert_eq!(parse_go_int("2596134175"), Some(2596134175));
        assert_eq!(parse_go_int("0x10"), Some(16));
        assert_eq!(parse_go_int("010"), Some(8));
        assert_eq!(parse_go_int("-9223372036854775808"), Some(i64::MIN));
        assert_eq!(parse_go_int("9223372036854775808"), None);
        assert_eq!(parse_go_int("1_000"), Some(1000));
        assert_eq!(parse_go_int(""), None);
        assert_eq!(parse_go_int("x"), None);
    }

    #[test]
    fn samples_are_unsampled() {
        let s = sample("2596134175 3 @ 0x10 0x20", 2, 2596134175).unwrap();
        assert_eq!(s.values, [6, 2_000_000_000]);
        assert_eq!(s.addresses, [0xf, 0x1f]);
        let s = sample("100 3 @ 0x10", 0, 2596134175).unwrap();
        assert_eq!(s.values, [3, 100], "no period: raw values");
    }
}
