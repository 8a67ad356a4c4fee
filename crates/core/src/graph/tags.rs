//! Sample labels summed per graph node (pprof's LabelTags and NumericTags),
//! drawn as "nodelets" in the DOT graph and counted when picking the nodes
//! of a drawn graph.
//!
//! Only string labels and the numeric label "bytes" become tags, as in pprof;
//! the `pprof::base` label of diffs is left out. Tags need each sample's own
//! labels, so they come from a pass over the samples, made only for graphs.

use std::collections::HashMap;

use crate::model::{LabelSet, LabelValue, Profile};
use crate::tags::KeyFilter;
use crate::{gomath, units};

use super::build::Walker;
use super::{Graph, NodeTable};

/// A label value (or a numeric label's formatted value) with the weight of
/// the samples carrying it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tag {
    /// The label text, or a formatted number such as "48B".
    pub name: String,
    /// The numeric label's unit, "" for string labels.
    pub unit: String,
    /// The numeric value, 0 for string labels.
    pub value: i64,
    /// Weight of samples whose leaf is the node.
    pub flat: i64,
    /// Weight of samples through the node.
    pub cum: i64,
}

/// The tags of one node.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NodeTags {
    /// String label sets, each joined as "key:value\nkey:value" (pprof's
    /// literal backslash-n), with their weights.
    pub labels: Vec<Tag>,
    /// Numeric tags grouped by the string label set they came with ("" for
    /// none).
    pub numeric: Vec<(String, Vec<Tag>)>,
}

impl NodeTags {
    /// pprof's countTags: tags with a flat weight.
    pub(crate) fn count_flat(&self) -> usize {
        self.labels.iter().filter(|t| t.flat != 0).count()
            + self.numeric.iter().flat_map(|(_, ts)| ts).filter(|t| t.flat != 0).count()
    }

    /// pprof's TrimLowFrequencyTags.
    pub(crate) fn trim(&mut self, cutoff: i64) {
        let keep = |t: &Tag| gomath::abs(t.flat) >= cutoff || gomath::abs(t.cum) >= cutoff;
        self.labels.retain(keep);
        for (_, ts) in &mut self.numeric {
            ts.retain(keep);
        }
    }
}

/// What one label set contributes: its joined string labels and its
/// formatted "bytes" values.
struct SetTags {
    joined: String,
    bytes: Vec<(String, i64)>,
}

fn set_tags(
    profile: &Profile,
    set: LabelSet,
    keys: &KeyFilter,
    bytes_unit: &str,
    output_unit: &str,
) -> SetTags {
    let mut strings: Vec<String> = Vec::new();
    let mut bytes = Vec::new();
    for l in profile.label_sets.get(set).iter().filter(|l| keys.shows(l.key)) {
        let key = profile.str(l.key);
        match l.value {
            LabelValue::Str(v) if key != "pprof::base" => strings.push(format!("{key}:{}", profile.str(v))),
            LabelValue::Num { value, .. } if key == "bytes" => {
                bytes.push((units::scaled_label(value, bytes_unit, output_unit), value))
            }
            _ => {}
        }
    }
    strings.sort();
    SetTags { joined: strings.join("\\n"), bytes }
}

#[derive(Default)]
struct Acc {
    labels: HashMap<String, Tag>,
    numeric: HashMap<String, HashMap<String, Tag>>,
}

impl Acc {
    fn add(&mut self, tags: &SetTags, unit: &str, w: i64, flat: bool) {
        let bump = |t: &mut Tag| {
            if flat {
                t.flat = gomath::add(t.flat, w);
            } else {
                t.cum = gomath::add(t.cum, w);
            }
        };
        if !tags.joined.is_empty() {
            let t = self.labels.entry(tags.joined.clone()).or_insert_with(|| Tag {
                name: tags.joined.clone(),
                unit: String::new(),
                value: 0,
                flat: 0,
                cum: 0,
            });
            bump(t);
        }
        let group = self.numeric.entry(tags.joined.clone()).or_default();
        for (name, value) in &tags.bytes {
            let t = group.entry(name.clone()).or_insert_with(|| Tag {
                name: name.clone(),
                unit: unit.to_string(),
                value: *value,
                flat: 0,
                cum: 0,
            });
            bump(t);
        }
    }

    fn finish(self) -> NodeTags {
        let mut labels: Vec<Tag> = self.labels.into_values().collect();
        labels.sort_by(|a, b| a.name.cmp(&b.name));
        let mut numeric: Vec<(String, Vec<Tag>)> = self
            .numeric
            .into_iter()
            .map(|(k, m)| {
                let mut ts: Vec<Tag> = m.into_values().collect();
                ts.sort_by(|a, b| a.name.cmp(&b.name));
                (k, ts)
            })
            .collect();
        numeric.sort_by(|a, b| a.0.cmp(&b.0));
        NodeTags { labels, numeric }
    }
}

/// Computes the tags of every node of `graph`, as pprof's graph builder
/// does: each sample adds its weight once to each distinct node on its stack
/// (cum) and to its leaf-most node when no pruned node is below it (flat).
pub(crate) fn compute_tags(
    walker: &Walker<'_>,
    table: &NodeTable<'_>,
    value_index: usize,
    output_unit: &str,
    graph: &mut Graph,
) {
    let profile = walker.profile;
    let bytes_unit = bytes_label_unit(profile);
    let sets: Vec<Option<SetTags>> = profile
        .label_sets
        .ids()
        .map(|set| {
            let t = set_tags(profile, set, &walker.keys, &bytes_unit, output_unit);
            (!t.joined.is_empty() || !t.bytes.is_empty()).then_some(t)
        })
        .collect();
    let mut index = vec![u32::MAX; table.infos.len()];
    for (i, n) in graph.nodes.iter().enumerate() {
        if let Some(id) = table.id_of(&n.info) {
            index[id as usize] = i as u32;
        }
    }
    let mut acc: Vec<Acc> = (0..graph.nodes.len()).map(|_| Acc::default()).collect();
    let mut seen = vec![u32::MAX; graph.nodes.len()];
    let view = &walker.view;
    let samples = &profile.samples;
    let mut locations = Vec::new();
    for s in 0..samples.len() {
        let Some(tags) = &sets[samples.labels[s].index()] else { continue };
        let node = samples.stack[s];
        let w = samples.value(s, value_index);
        if w == 0 || !walker.sums.sample_included(profile, s) {
            continue;
        }
        locations.clear();
        locations.extend(profile.stacks.frames(node));
        let (mut last, mut residual, mut found) = (u32::MAX, false, !view.show_from_active);
        for &loc in locations.iter().rev() {
            if view.hidden[loc] {
                continue;
            }
            if !found {
                if !view.show_from[loc] {
                    continue;
                }
                found = true;
            }
            for i in view.frame_range(loc).rev() {
                let g = index[walker.frame_nodes[i] as usize];
                if g == u32::MAX {
                    residual = true;
                    continue;
                }
                if seen[g as usize] != s as u32 {
                    seen[g as usize] = s as u32;
                    acc[g as usize].add(tags, &bytes_unit, w, false);
                }
                last = g;
                residual = false;
            }
        }
        if last != u32::MAX && !residual {
            acc[last as usize].add(tags, &bytes_unit, w, true);
        }
    }
    for (n, a) in graph.nodes.iter_mut().zip(acc) {
        n.tags = a.finish();
    }
}

/// The unit of the "bytes" numeric label: the first unit any sample gives
/// it, else "bytes" (pprof's NumLabelUnits).
fn bytes_label_unit(profile: &Profile) -> String {
    for s in 0..profile.samples.len() {
        for l in profile.label_sets.get(profile.samples.labels[s]) {
            if let LabelValue::Num { unit, .. } = l.value {
                if profile.str(l.key) == "bytes" && !unit.is_empty() {
                    return profile.str(unit).to_string();
                }
            }
        }
    }
    "bytes".to_string()
}
