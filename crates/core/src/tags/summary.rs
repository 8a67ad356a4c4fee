//! The Labels panel's numbers: every label key with its values and their
//! share of the selected sample type, after the name filters. Numeric keys
//! become a histogram in their unit (one bar per value, or per power-of-two
//! range when there are many). Each value carries the tagfocus text that
//! selects exactly its samples, so the page never builds filters itself.
//!
//! The tag filters are left out of the summary (all values stay visible to
//! pick from); tagshow/taghide only mark keys as hidden.

use std::collections::HashMap;

use crate::error::Error;
use crate::gomath;
use crate::model::{LabelValue, Profile, Str};
use crate::report::ReportOptions;
use crate::units;

use super::{numeric_label_units, KeyFilter};

/// Numeric keys with more distinct values than this are binned.
const MAX_BARS: usize = 24;

/// String values kept per key, heaviest first: a key such as a request id
/// can have a value per sample, which no panel can list.
pub const MAX_VALUES: usize = 500;

/// One value (or numeric range) of a label key.
#[derive(Clone, Debug, PartialEq)]
pub struct LabelValueShare {
    /// The value, or the range ("48B", "1kB–2kB").
    pub text: String,
    /// The summed sample value of the samples carrying it.
    pub value: i64,
    /// `value` formatted in the sample type's unit.
    pub value_text: String,
    /// `value` as a percentage of the profile's total ("12.50%").
    pub percent: String,
    /// `value` relative to the key's largest value, for bar widths (0..=1).
    pub fraction: f64,
    /// The tagfocus / tagignore text selecting exactly this value ("" when
    /// pprof's syntax cannot express it).
    pub filter: String,
}

/// One label key.
#[derive(Clone, Debug, PartialEq)]
pub struct LabelKeySummary {
    /// The key.
    pub key: String,
    /// Numeric (a histogram in `unit`) rather than string values.
    pub numeric: bool,
    /// The numeric unit ("" for string keys).
    pub unit: String,
    /// The summed sample value of the samples with this key.
    pub value: i64,
    /// `value` as a percentage of the profile's total.
    pub percent: String,
    /// Hidden by tagshow/taghide.
    pub hidden: bool,
    /// String values heaviest first (at most [`MAX_VALUES`]); numeric
    /// ones in increasing order.
    pub values: Vec<LabelValueShare>,
    /// How many lighter values were left out.
    pub more: usize,
}

/// Every label key of a profile, heaviest first.
#[derive(Clone, Debug, PartialEq)]
pub struct LabelSummary {
    /// The keys.
    pub keys: Vec<LabelKeySummary>,
    /// The profile's total, formatted.
    pub total_text: String,
}

/// pprof's regexp syntax for a literal string: metacharacters escaped, and
/// ',' written as `\x2c` since tag filters split regexps at commas.
fn literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    for c in text.chars() {
        match c {
            '\\' | '.' | '+' | '*' | '?' | '(' | ')' | '|' | '[' | ']' | '{' | '}' | '^' | '$' => {
                out.push('\\');
                out.push(c);
            }
            ',' => out.push_str("\\x2c"),
            _ => out.push(c),
        }
    }
    out
}

/// A numeric bound as the range syntax takes it: digits then the unit,
/// which must be letters only (else None).
fn bound(value: i64, unit: &str) -> Option<String> {
    (!unit.is_empty() && unit.bytes().all(|b| b.is_ascii_alphabetic())).then(|| format!("{value}{unit}"))
}

/// Sums the labels of the samples that `options`' name filters keep.
pub fn label_summary(profile: &Profile, options: &ReportOptions) -> Result<LabelSummary, Error> {
    let keys_filter = KeyFilter::new(profile, &options.tag_show, &options.tag_hide)?;
    let unfiltered = ReportOptions {
        tag_focus: String::new(),
        tag_ignore: String::new(),
        tag_show: String::new(),
        tag_hide: String::new(),
        ..options.clone()
    };
    let ctx = crate::report::context_for_summary(profile, &unfiltered)?;
    let label_units = numeric_label_units(profile);
    let mut strings: HashMap<Str, HashMap<Str, i64>> = HashMap::new();
    let mut numbers: HashMap<Str, HashMap<i64, i64>> = HashMap::new();
    let samples = &profile.samples;
    for s in 0..samples.len() {
        if !ctx.walker.sums.sample_included(profile, s) {
            continue;
        }
        let w = samples.value(s, ctx.value_index);
        for l in profile.label_sets.get(samples.labels[s]) {
            let slot = match l.value {
                LabelValue::Str(v) => strings.entry(l.key).or_default().entry(v).or_insert(0),
                LabelValue::Num { value, .. } => numbers.entry(l.key).or_default().entry(value).or_insert(0),
            };
            *slot = gomath::add(*slot, w);
        }
    }
    let total = ctx.total;
    let share = |text: String, value: i64, filter: String| LabelValueShare {
        text,
        value,
        value_text: ctx.format_value(value),
        percent: units::percentage(value, total).trim().to_string(),
        fraction: 0.0,
        filter,
    };
    let mut keys = Vec::new();
    for (key, values) in strings {
        let name = profile.str(key);
        let key_part = if name.contains('=') { None } else { Some(name) };
        let mut shares: Vec<LabelValueShare> = values
            .into_iter()
            .map(|(v, w)| {
                let text = profile.str(v).to_string();
                let filter = key_part.map_or(String::new(), |k| format!("{k}=^{}$", literal(&text)));
                share(text, w, filter)
            })
            .collect();
        shares.sort_by(|a, b| {
            gomath::abs(b.value).cmp(&gomath::abs(a.value)).then_with(|| a.text.cmp(&b.text))
        });
        keys.push((key, false, String::new(), shares));
    }
    for (key, values) in numbers {
        let name = profile.str(key);
        let unit = label_units.get(name).cloned().unwrap_or_default();
        let key_ok = !name.contains('=');
        let mut values: Vec<(i64, i64)> = values.into_iter().collect();
        values.sort_unstable();
        let shares = if values.len() <= MAX_BARS {
            values
                .into_iter()
                .map(|(v, w)| {
                    let filter =
                        bound(v, &unit).filter(|_| key_ok).map_or(String::new(), |b| format!("{name}={b}"));
                    share(units::label(v, &unit), w, filter)
                })
                .collect()
        } else {
            binned(&values)
                .into_iter()
                .map(|(lo, hi, w)| {
                    let filter = match (bound(lo, &unit), bound(hi, &unit)) {
                        (Some(lo), Some(hi)) if key_ok => format!("{name}={lo}:{hi}"),
                        _ => String::new(),
                    };
                    let text = format!("{}–{}", units::label(lo, &unit), units::label(hi, &unit));
                    share(text, w, filter)
                })
                .collect()
        };
        keys.push((key, true, unit, shares));
    }
    let mut keys: Vec<LabelKeySummary> = keys
        .into_iter()
        .map(|(key, numeric, unit, mut values)| {
            let value = gomath::sum(values.iter().map(|v| v.value));
            let more = values.len().saturating_sub(MAX_VALUES);
            values.truncate(MAX_VALUES);
            let max = values.iter().map(|v| gomath::abs(v.value)).max().unwrap_or(0);
            for v in &mut values {
                v.fraction = if max > 0 { (gomath::abs(v.value) as f64 / max as f64).min(1.0) } else { 0.0 };
            }
            LabelKeySummary {
                key: profile.str(key).to_string(),
                numeric,
                unit,
                value,
                percent: units::percentage(value, total).trim().to_string(),
                hidden: !keys_filter.shows(key),
                values,
                more,
            }
        })
        .collect();
    keys.sort_by(|a, b| {
        gomath::abs(b.value)
            .cmp(&gomath::abs(a.value))
            .then_with(|| a.key.cmp(&b.key))
            .then(a.numeric.cmp(&b.numeric))
    });
    Ok(LabelSummary { keys, total_text: ctx.format_value(total) })
}

/// Sorted (value, weight) pairs grouped into ranges: values up to 0 in one,
/// positive ones by power of two, [2^k, 2^(k+1) - 1]. Returns (low, high,
/// weight) of the non-empty ranges.
fn binned(values: &[(i64, i64)]) -> Vec<(i64, i64, i64)> {
    let mut bins: Vec<(i64, i64, i64)> = Vec::new();
    for &(v, w) in values {
        let (lo, hi) = if v <= 0 {
            (values[0].0.min(0), 0)
        } else {
            let k = 63 - v.leading_zeros();
            let lo = 1i64 << k;
            (lo, lo.checked_mul(2).map_or(i64::MAX, |h| h - 1))
        };
        match bins.last_mut() {
            Some(b) if b.0 == lo => b.2 = gomath::add(b.2, w),
            _ => bins.push((lo, hi, w)),
        }
    }
    bins
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_survive_tag_filter_syntax() {
        assert_eq!(literal("a.b,c(d)"), "a\\.b\\x2cc\\(d\\)");
    }

    #[test]
    fn bins_are_powers_of_two() {
        let bins = binned(&[(-3, 1), (0, 1), (1, 2), (3, 4), (5, 1), (7, 1), (8, 1)]);
        assert_eq!(bins, [(-3, 0, 2), (1, 1, 2), (2, 3, 4), (4, 7, 2), (8, 15, 1)]);
    }
}
