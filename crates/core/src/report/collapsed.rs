//! The collapsed ("folded") stacks of a profile: one `root;caller;leaf N`
//! line per distinct stack, sorted, as inferno and the FlameGraph scripts
//! write them. Filters and hiding apply as for traces. At function
//! granularity frames are the functions' full names (folded tools do not
//! shorten C++ or Rust names as pprof's nodes do); at the others they are
//! the report's node names. N is the summed value of the selected sample
//! type; stacks summing to 0 are left out.

use std::collections::BTreeMap;

use crate::error::Error;
use crate::filter::NO_LINE;
use crate::gomath;
use crate::graph::Granularity;
use crate::model::Profile;

use super::context::{ReportContext, ReportKind};
use super::ReportOptions;

/// Computes the collapsed stacks, one line each.
pub fn collapsed(profile: &Profile, options: &ReportOptions) -> Result<String, Error> {
    let ctx = ReportContext::new(profile, options, ReportKind::Traces)?;
    let walker = &ctx.walker;
    let view = &walker.view;
    let samples = &profile.samples;
    let mut stacks: BTreeMap<String, i64> = BTreeMap::new();
    let mut names: Vec<String> = Vec::new();
    let full_names = options.granularity == Granularity::Functions;
    let mut locations = Vec::new();
    for s in 0..samples.len() {
        if !walker.sums.sample_included(profile, s) {
            continue;
        }
        view.shown_locations(profile, samples.stack[s], &mut locations);
        names.clear();
        for &loc in &locations {
            let range = view.frame_range(loc);
            for (i, &line) in view.frames(loc).iter().enumerate() {
                if full_names && line != NO_LINE {
                    let function = profile.lines[line as usize].function;
                    names.push(profile.str(profile.functions[function].name).to_string());
                } else {
                    let info = walker.nodes.infos[walker.frame_nodes[range.start + i] as usize];
                    names.push(walker.nodes.printable_name(&info));
                }
            }
        }
        if names.is_empty() {
            continue;
        }
        // Frames come leaf first; collapsed lines are root first.
        names.reverse();
        let sum = stacks.entry(names.join(";")).or_insert(0);
        *sum = gomath::add(*sum, samples.value(s, ctx.value_index));
    }
    let mut out = String::new();
    for (stack, value) in stacks {
        if value != 0 {
            out.push_str(&format!("{stack} {value}\n"));
        }
    }
    Ok(out)
}
