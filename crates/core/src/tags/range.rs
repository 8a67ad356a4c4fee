//! Numeric tag ranges, as pprof's `parseTagFilterRange`: "32kb" (equal),
//! ":64kb" (at most), "4mb:" (at least), "12kb:64mb" (between, inclusive).
//! A value is compared after scaling it to the range's unit; a value whose
//! unit cannot be scaled to it never matches.

use crate::error::Error;
use crate::units;

/// A numeric range parsed from a tag filter.
#[derive(Clone, Debug, PartialEq)]
pub struct NumRange {
    /// The lower bound, in `unit`.
    pub min: Option<f64>,
    /// The upper bound, in `unit`.
    pub max: Option<f64>,
    /// The canonical unit of the bounds ("kB", "ms", or "" for plain numbers).
    pub unit: String,
}

/// One match of pprof's `([+-]?[[:digit:]]+)([[:alpha:]]+)?`: the whole
/// text, the number and the unit.
struct NumberMatch<'a> {
    whole: &'a str,
    number: &'a str,
    unit: &'a str,
}

/// The first two matches of the number pattern in `text`, leftmost first.
fn number_matches(text: &str) -> Vec<NumberMatch<'_>> {
    let b = text.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while i < b.len() && found.len() < 2 {
        let signed = matches!(b[i], b'+' | b'-') && b.get(i + 1).is_some_and(u8::is_ascii_digit);
        if !signed && !b[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        let mut j = if signed { i + 1 } else { i };
        while j < b.len() && b[j].is_ascii_digit() {
            j += 1;
        }
        let digits_end = j;
        while j < b.len() && b[j].is_ascii_alphabetic() {
            j += 1;
        }
        found.push(NumberMatch {
            whole: &text[start..j],
            number: &text[start..digits_end],
            unit: &text[digits_end..j],
        });
        i = j;
    }
    found
}

fn parse_number(option: &'static str, text: &str) -> Result<i64, Error> {
    text.parse::<i64>()
        .map_err(|_| Error::InvalidOption { option, detail: format!("{text} is not a 64-bit integer") })
}

/// Parses `filter` as a range, or `Ok(None)` when it is not one (pprof then
/// reads it as regexps). pprof panics on numbers beyond int64; this is an
/// error instead.
pub fn parse_range(option: &'static str, filter: &str) -> Result<Option<NumRange>, Error> {
    let matches = number_matches(filter);
    let Some(first) = matches.first() else { return Ok(None) };
    let v = parse_number(option, first.number)?;
    let (low, unit) = units::scale(v, first.unit, first.unit);
    let unit = unit.into_owned();
    if matches.len() == 1 {
        let m = first.whole;
        let range = if filter == m {
            NumRange { min: Some(low), max: Some(low), unit }
        } else if filter.strip_suffix(':') == Some(m) {
            NumRange { min: Some(low), max: None, unit }
        } else if filter.strip_prefix(':') == Some(m) {
            NumRange { min: None, max: Some(low), unit }
        } else {
            return Ok(None);
        };
        return Ok(Some(range));
    }
    let second = &matches[1];
    if filter != format!("{}:{}", first.whole, second.whole) {
        return Ok(None);
    }
    let v2 = parse_number(option, second.number)?;
    let (high, unit2) = units::scale(v2, second.unit, &unit);
    if unit2 != unit {
        return Ok(None);
    }
    Ok(Some(NumRange { min: Some(low), max: Some(high), unit }))
}

impl NumRange {
    /// Whether `value` in `value_unit` lies in the range.
    pub fn contains(&self, value: i64, value_unit: &str) -> bool {
        let (v, u) = units::scale(value, value_unit, &self.unit);
        u == self.unit.as_str() && self.min.is_none_or(|m| v >= m) && self.max.is_none_or(|m| v <= m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(s: &str) -> Option<NumRange> {
        parse_range("tagfocus", s).unwrap()
    }

    #[test]
    fn ranges_in_pprof_syntax() {
        let r = range("1kb:").unwrap();
        assert_eq!((r.min, r.max, r.unit.as_str()), (Some(1.0), None, "kB"));
        assert!(r.contains(1024, "bytes") && r.contains(4096, "B") && !r.contains(1023, "bytes"));
        let r = range(":64b").unwrap();
        assert!(r.contains(64, "bytes") && !r.contains(65, "bytes"));
        let r = range("12kb:64mb").unwrap();
        assert_eq!((r.min, r.max), (Some(12.0), Some(65536.0)));
        let r = range("32").unwrap();
        assert!(r.contains(32, "count_key") && !r.contains(32, "bytes"));
    }

    #[test]
    fn not_ranges_are_regexps() {
        for s in ["sort", "req123", "1kb:2kb:3kb", "a1", "1:2kb", "1kb-", "", ":"] {
            assert_eq!(range(s), None, "{s}");
        }
        assert!(parse_range("tagfocus", "99999999999999999999").is_err());
    }
}
