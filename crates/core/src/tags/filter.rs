//! tagfocus and tagignore, as pprof's `compileTagFilter`.
//!
//! `key=value` restricts a filter to one label key; without a key, string
//! regexps match `key:value` of any string label and ranges any numeric
//! label. A value that parses as a numeric range ([`super::range`]) is one;
//! otherwise it is comma-separated regexps: with a key, any of them matching
//! any value of the key selects a sample; without one, every regexp must
//! match some label.

use std::collections::HashMap;

use crate::error::Error;
use crate::filter::compile_option;
use crate::model::{LabelSet, LabelValue, Profile};
use crate::pattern::Pattern;

use super::range::{parse_range, NumRange};

/// What a tag filter matches.
#[derive(Clone, Debug)]
enum Matcher {
    /// Numeric labels within a range.
    Range(NumRange),
    /// String labels matching regexps.
    Regexps(Vec<Pattern>),
}

/// One compiled tagfocus or tagignore option.
#[derive(Clone, Debug)]
pub struct TagFilter {
    /// The label key the filter is restricted to.
    key: Option<String>,
    matcher: Matcher,
}

impl TagFilter {
    /// Compiles `value` for `option` ("tagfocus" or "tagignore"); "" is no
    /// filter. Returns the filter and pprof's notice when the value was read
    /// as a numeric range.
    pub fn compile(option: &'static str, value: &str) -> Result<Option<(TagFilter, Option<String>)>, Error> {
        if value.is_empty() {
            return Ok(None);
        }
        let (key, value) = match value.split_once('=') {
            Some((k, v)) => ((!k.is_empty()).then(|| k.to_string()), v),
            None => (None, value),
        };
        if let Some(range) = parse_range(option, value)? {
            let notice = format!("{option}:Interpreted '{value}' as range, not regexp");
            return Ok(Some((TagFilter { key, matcher: Matcher::Range(range) }, Some(notice))));
        }
        let mut regexps = Vec::new();
        for part in value.split(',') {
            // An empty regexp matches everything, as in Go.
            let re = compile_option(option, part)?.map_or_else(|| Pattern::new(""), Ok);
            regexps.push(re.map_err(|detail| Error::Regex { option, detail })?);
        }
        Ok(Some((TagFilter { key, matcher: Matcher::Regexps(regexps) }, None)))
    }

    /// Whether a sample with the labels of `set` matches; `units` are the
    /// numeric label units of the profile.
    pub fn matches(&self, profile: &Profile, set: LabelSet, units: &HashMap<String, String>) -> bool {
        let labels = profile.label_sets.get(set);
        let key_is = |k| self.key.as_deref().is_none_or(|want| profile.str(k) == want);
        match &self.matcher {
            Matcher::Range(range) => labels.iter().any(|l| match l.value {
                LabelValue::Num { value, .. } if key_is(l.key) => {
                    let key = profile.str(l.key);
                    range.contains(value, units.get(key).map_or("", String::as_str))
                }
                _ => false,
            }),
            Matcher::Regexps(regexps) if self.key.is_some() => labels.iter().any(|l| match l.value {
                LabelValue::Str(v) if key_is(l.key) => {
                    let v = profile.str(v);
                    regexps.iter().any(|re| re.is_match(v))
                }
                _ => false,
            }),
            Matcher::Regexps(regexps) => regexps.iter().all(|re| {
                labels.iter().any(|l| match l.value {
                    LabelValue::Str(v) => re.is_match(&format!("{}:{}", profile.str(l.key), profile.str(v))),
                    LabelValue::Num { .. } => false,
                })
            }),
        }
    }
}

/// The tagfocus and tagignore of a report.
#[derive(Clone, Debug, Default)]
pub struct TagFilters {
    /// Keep samples matching this.
    pub focus: Option<TagFilter>,
    /// Drop samples matching this.
    pub ignore: Option<TagFilter>,
    /// pprof's "Interpreted ... as range" notices.
    pub notices: Vec<String>,
}

impl TagFilters {
    /// Compiles both options; "" means unset.
    pub fn compile(focus: &str, ignore: &str) -> Result<TagFilters, Error> {
        let mut filters = TagFilters::default();
        for (option, value) in [("tagfocus", focus), ("tagignore", ignore)] {
            if let Some((filter, notice)) = TagFilter::compile(option, value)? {
                filters.notices.extend(notice);
                if option == "tagfocus" {
                    filters.focus = Some(filter);
                } else {
                    filters.ignore = Some(filter);
                }
            }
        }
        Ok(filters)
    }

    /// Whether any filter is set.
    pub fn is_active(&self) -> bool {
        self.focus.is_some() || self.ignore.is_some()
    }

    /// Per label set of `profile`: (kept, focused, ignored). Labels are
    /// interned by set, so each set is matched once however many samples
    /// share it.
    pub fn set_verdicts(&self, profile: &Profile) -> Vec<(bool, bool, bool)> {
        let units = super::numeric_label_units(profile);
        profile
            .label_sets
            .ids()
            .map(|set| {
                let focused = self.focus.as_ref().is_none_or(|f| f.matches(profile, set, &units));
                let ignored = self.ignore.as_ref().is_some_and(|f| f.matches(profile, set, &units));
                (focused && !ignored, focused, ignored)
            })
            .collect()
    }

    /// Per label set: whether its samples survive the filters; empty when
    /// no filter is set.
    pub fn kept_sets(&self, profile: &Profile) -> Vec<bool> {
        if !self.is_active() {
            return Vec::new();
        }
        self.set_verdicts(profile).into_iter().map(|(kept, _, _)| kept).collect()
    }
}
