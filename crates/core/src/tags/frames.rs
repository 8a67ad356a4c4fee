//! tagroot and tagleaf, as pprof's `addLabelNodes`: every sample gets one
//! pseudo-frame per listed key, at the root (the first key outermost) or at
//! the leaf (the last key innermost). The frame's function is named by the
//! sample's values for the key joined by "," (numeric ones formatted in the
//! report's unit; "" when the sample has none, which reports print as
//! `<unknown>`) and its file is the key.
//!
//! pprof rewrites the profile before any filter runs, so the pseudo-frames
//! are ordinary frames to focus, ignore, hide and the reports. Here the
//! profile is written out with them and decoded again, so the result is
//! validated like a file.

use std::borrow::Cow;
use std::collections::HashMap;

use crate::decode::{decode, DecodeOptions};
use crate::encode::{dense_ids, encode_profile};
use crate::error::Error;
use crate::model::{LabelValue, Profile, Str};
use crate::proto;
use crate::report::ReportOptions;
use crate::units;

use prost::Message as _;

/// A profile with label pseudo-frames.
#[derive(Debug)]
pub struct LabelFrames {
    /// The rewritten profile.
    pub profile: Profile,
    /// Whether some sample has a label of a tagroot key.
    pub root_matched: bool,
    /// Whether some sample has a label of a tagleaf key.
    pub leaf_matched: bool,
}

/// The keys of a tagroot/tagleaf option: comma-separated, empty ones dropped.
fn keys(option: &str) -> Vec<&str> {
    option.split(',').filter(|k| !k.is_empty()).collect()
}

/// The values of `key` in a sample's labels, as pprof's formatLabelValues:
/// string values first, then numeric ones in `output_unit` (plain numbers
/// when none of the key's numeric labels has a unit).
fn label_values(profile: &Profile, labels: &[crate::model::Label], key: &str, output_unit: &str) -> String {
    let mut values: Vec<String> = Vec::new();
    let mut numbers: Vec<(i64, Str)> = Vec::new();
    for l in labels.iter().filter(|l| profile.str(l.key) == key) {
        match l.value {
            LabelValue::Str(v) => values.push(profile.str(v).to_string()),
            LabelValue::Num { value, unit } => numbers.push((value, unit)),
        }
    }
    let any_unit = numbers.iter().any(|&(_, u)| !profile.str(u).is_empty());
    for (value, unit) in numbers {
        values.push(if any_unit {
            units::scaled_label(value, profile.str(unit), output_unit)
        } else {
            units::scaled_label(value, "", "")
        });
    }
    values.join(",")
}

/// Adds the pseudo-frames of `tagroot` and `tagleaf` (comma-separated label
/// keys) to every sample; numeric values are printed in `unit` (the report's
/// unit option). `Ok(None)` when both list no key.
pub fn label_frames(
    profile: &Profile,
    tagroot: &str,
    tagleaf: &str,
    unit: &str,
) -> Result<Option<LabelFrames>, Error> {
    let (root_keys, leaf_keys) = (keys(tagroot), keys(tagleaf));
    if root_keys.is_empty() && leaf_keys.is_empty() {
        return Ok(None);
    }
    let mut msg = encode_profile(profile, &dense_ids);
    let mut strings: HashMap<String, i64> = HashMap::new();
    let mut frames: HashMap<(String, String), u64> = HashMap::new();
    let mut next_function = msg.function.len() as u64 + 1;
    let mut next_location = msg.location.len() as u64 + 1;
    let (mut root_matched, mut leaf_matched) = (false, false);
    // Each label set's frames, computed once: samples share sets.
    let mut by_set: HashMap<usize, (Vec<u64>, Vec<u64>)> = HashMap::new();
    for s in 0..profile.samples.len() {
        let set = profile.samples.labels[s];
        let (leaves, roots) = match by_set.get(&set.index()) {
            Some(f) => f.clone(),
            None => {
                let labels = profile.label_sets.get(set);
                let mut pseudo = |keys: &[&str], matched: &mut bool| -> Vec<u64> {
                    // Backwards: the first key ends nearest the root, the last nearest the leaf.
                    keys.iter()
                        .rev()
                        .map(|&key| {
                            let name = label_values(profile, labels, key, unit);
                            *matched |= !name.is_empty() || labels.iter().any(|l| profile.str(l.key) == key);
                            let frame = (name, key.to_string());
                            if let Some(&id) = frames.get(&frame) {
                                return id;
                            }
                            let mut string = |s: &str| -> i64 {
                                if let Some(&i) = strings.get(s) {
                                    return i;
                                }
                                let i = msg.string_table.len() as i64;
                                msg.string_table.push(s.to_string());
                                strings.insert(s.to_string(), i);
                                i
                            };
                            let (name, file) = (string(&frame.0), string(&frame.1));
                            msg.function.push(proto::Function {
                                id: next_function,
                                name,
                                filename: file,
                                ..Default::default()
                            });
                            msg.location.push(proto::Location {
                                id: next_location,
                                line: vec![proto::Line { function_id: next_function, ..Default::default() }],
                                ..Default::default()
                            });
                            next_function += 1;
                            next_location += 1;
                            frames.insert(frame, next_location - 1);
                            next_location - 1
                        })
                        .collect()
                };
                let roots = pseudo(&root_keys, &mut root_matched);
                let leaves = pseudo(&leaf_keys, &mut leaf_matched);
                by_set.insert(set.index(), (leaves.clone(), roots.clone()));
                (leaves, roots)
            }
        };
        let sample = &mut msg.sample[s];
        let mut ids = leaves;
        ids.extend_from_slice(&sample.location_id);
        ids.extend_from_slice(&roots);
        sample.location_id = ids;
    }
    let bytes = msg.encode_to_vec();
    let profile = decode(&bytes, &DecodeOptions { all_frames: true, ..DecodeOptions::default() })?;
    Ok(Some(LabelFrames { profile, root_matched, leaf_matched }))
}

/// `profile` with the pseudo-frames `options` ask for (tagroot, tagleaf),
/// or as it is when they ask for none. Front ends call this before the
/// reports, as pprof rewrites the profile before it filters.
pub fn apply_label_frames<'p>(
    profile: &'p Profile,
    options: &ReportOptions,
) -> Result<Cow<'p, Profile>, Error> {
    Ok(match label_frames(profile, &options.tag_root, &options.tag_leaf, &options.unit)? {
        Some(f) => Cow::Owned(f.profile),
        None => Cow::Borrowed(profile),
    })
}
