//! The traces report (pprof's -traces): every sample with its labels, value
//! and stack, after filtering.

use std::collections::HashMap;

use crate::error::Error;
use crate::model::{LabelValue, Profile, Str};
use crate::tags::{numeric_label_units, KeyFilter};
use crate::units;

use super::context::{ReportContext, ReportKind};
use super::legend::profile_labels;
use super::ReportOptions;

const SEPARATOR: &str = "-----------+-------------------------------------------------------";

/// Computes the traces report as `go tool pprof -traces` prints it.
pub fn traces(profile: &Profile, options: &ReportOptions) -> Result<String, Error> {
    let ctx = ReportContext::new(profile, options, ReportKind::Traces)?;
    let label_units = numeric_label_units(profile);
    let mut out = String::new();
    for line in profile_labels(&ctx) {
        out.push_str(&line);
        out.push('\n');
    }
    let walker = &ctx.walker;
    let view = &walker.view;
    let mut stack: Vec<(String, bool)> = Vec::new();
    let samples = &profile.samples;
    let mut locations = Vec::new();
    for s in 0..samples.len() {
        if !walker.sums.sample_included(profile, s) {
            continue;
        }
        view.shown_locations(profile, samples.stack[s], &mut locations);
        stack.clear();
        for &loc in &locations {
            let range = view.frame_range(loc);
            let count = range.len();
            for (i, node) in range.enumerate() {
                let id = walker.frame_nodes[node];
                let info = walker.nodes.infos[id as usize];
                stack.push((walker.nodes.printable_name(&info), i != count - 1));
            }
        }
        if stack.is_empty() {
            continue;
        }
        out.push_str(SEPARATOR);
        out.push('\n');
        out.push_str(&label_lines(profile, s, &walker.keys, &label_units));
        let value = ctx.format_value(samples.value(s, ctx.value_index));
        for (i, (name, inline)) in stack.iter().enumerate() {
            let v = if i == 0 { value.as_str() } else { "" };
            let inline = if *inline { " (inline)" } else { "" };
            out.push_str(&format!("{v:>10}   {name}{inline}\n"));
        }
    }
    out.push_str(SEPARATOR);
    out.push('\n');
    Ok(out)
}

/// A sample's labels, string labels then numeric ones, each block sorted.
fn label_lines(
    profile: &Profile,
    sample: usize,
    keys: &KeyFilter,
    units: &HashMap<String, String>,
) -> String {
    // Values by key, keys in the order they come; the index finds a key's
    // entry without a scan (a sample may carry thousands of keys).
    type Block = (Vec<(String, Vec<String>)>, HashMap<Str, usize>);
    let (mut strings, mut numbers): (Block, Block) = Default::default();
    let add = |(list, index): &mut Block, key: Str, value: String| match index.get(&key) {
        Some(&i) => list[i].1.push(value),
        None => {
            index.insert(key, list.len());
            list.push((profile.str(key).to_string(), vec![value]));
        }
    };
    for l in profile.label_sets.get(profile.samples.labels[sample]).iter().filter(|l| keys.shows(l.key)) {
        let key = profile.str(l.key);
        match l.value {
            LabelValue::Str(v) => add(&mut strings, l.key, profile.str(v).to_string()),
            LabelValue::Num { value, .. } => {
                let unit = units.get(key).map_or(key, String::as_str);
                add(&mut numbers, l.key, units::label(value, unit));
            }
        }
    }
    let block = |(list, _): Block| {
        let mut lines: Vec<String> =
            list.into_iter().map(|(k, vs)| format!("{k:>10}:  {}\n", vs.join(" "))).collect();
        lines.sort();
        lines.concat()
    };
    block(strings) + &block(numbers)
}
