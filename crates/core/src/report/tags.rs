//! The tags report (pprof's -tags): for every label key, the values its
//! samples carry and their share of the key's total, string labels by
//! value and numeric ones formatted in their unit.

use std::collections::{BTreeMap, HashMap};

use crate::error::Error;
use crate::gomath;
use crate::model::LabelValue;
use crate::model::Profile;
use crate::tags::numeric_label_units;
use crate::units;

use super::context::{ReportContext, ReportKind};
use super::tabwriter::align_right;
use super::ReportOptions;

/// One label value and the weight of the samples carrying it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TagValue {
    /// The value, numeric ones formatted in their unit ("48B").
    pub name: String,
    /// The summed sample value.
    pub value: i64,
}

/// One label key with its values, heaviest first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TagKey {
    /// The key.
    pub key: String,
    /// The sum of its values' weights.
    pub total: i64,
    /// Its values, by |weight| descending then name.
    pub values: Vec<TagValue>,
}

/// The tags report: label keys in name order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TagsReport {
    /// The keys.
    pub keys: Vec<TagKey>,
    /// The sample type's unit.
    pub sample_unit: String,
    /// The output unit option.
    pub output_unit: String,
}

/// Sums the selected sample value of the filtered samples per label key and
/// value, as `go tool pprof -tags` does.
pub fn tags(profile: &Profile, options: &ReportOptions) -> Result<TagsReport, Error> {
    let ctx = ReportContext::new(profile, options, ReportKind::Tags)?;
    let label_units = numeric_label_units(profile);
    let walker = &ctx.walker;
    let mut by_key: BTreeMap<String, HashMap<String, i64>> = BTreeMap::new();
    let samples = &profile.samples;
    for s in 0..samples.len() {
        if !walker.sums.sample_included(profile, s) {
            continue;
        }
        let w = samples.value(s, ctx.value_index);
        for l in profile.label_sets.get(samples.labels[s]).iter().filter(|l| walker.keys.shows(l.key)) {
            let key = profile.str(l.key);
            let name = match l.value {
                LabelValue::Str(v) => profile.str(v).to_string(),
                LabelValue::Num { value, .. } => {
                    let unit = label_units.get(key).map_or("", String::as_str);
                    units::scaled_label(value, unit, &options.unit)
                }
            };
            let values = match by_key.get_mut(key) {
                Some(values) => values,
                None => by_key.entry(key.to_string()).or_default(),
            };
            let v = values.entry(name).or_insert(0);
            *v = gomath::add(*v, w);
        }
    }
    let keys = by_key
        .into_iter()
        .map(|(key, values)| {
            let total = gomath::sum(values.values().copied());
            let mut values: Vec<TagValue> =
                values.into_iter().map(|(name, value)| TagValue { name, value }).collect();
            values.sort_by(|a, b| {
                gomath::abs(b.value).cmp(&gomath::abs(a.value)).then_with(|| a.name.cmp(&b.name))
            });
            TagKey { key, total, values }
        })
        .collect();
    Ok(TagsReport { keys, sample_unit: ctx.sample_unit.clone(), output_unit: options.unit.clone() })
}

impl TagsReport {
    /// A value scaled to the output unit with one decimal, as pprof prints
    /// the tags report: "1.3s", "650.6kB".
    fn amount(&self, v: i64) -> String {
        let (f, u) = units::scale(v, &self.sample_unit, &self.output_unit);
        format!("{}{u}", units::go_format_f(f, 1))
    }

    /// The report as `go tool pprof -tags` prints it.
    pub fn to_text(&self) -> String {
        let mut cells = String::new();
        for k in &self.keys {
            cells.push_str(&format!("{}:\t Total {}\n", k.key, self.amount(k.total)));
            for t in &k.values {
                if k.total > 0 {
                    let pct = units::percentage(t.value, k.total);
                    cells.push_str(&format!(" \t{} ({pct}):\t {}\n", self.amount(t.value), t.name));
                } else {
                    cells.push_str(&format!(" \t{}:\t {}\n", self.amount(t.value), t.name));
                }
            }
            cells.push('\n');
        }
        align_right(&cells, 1)
    }
}
