//! Sample labels summed per graph node (pprof's LabelTags and NumericTags),
//! drawn as "nodelets" in the DOT graph and counted when picking the nodes
//! of a drawn graph.
//!
//! Only string labels and the numeric label "bytes" become tags, as in pprof;
//! the `pprof::base` label of diffs is left out. Tags need each sample's own
//! labels, so they come from a pass over the samples, made only for graphs.

use std::collections::HashMap;

use crate::fastmap::U64Map;
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

/// A tag every node may carry, found once per label set (not per sample
/// and node, which made the graph of a big labelled profile take seconds).
enum TagDef {
    /// A joined string label set.
    Label(String),
    /// The group of numeric tags of a joined string label set (pprof keeps
    /// the group even when it holds none).
    Group(String),
    /// A formatted "bytes" value within its group.
    Numeric { group: u32, name: String },
}

/// The distinct tags of every label set, and per label set the tags it
/// carries with their numeric values.
struct TagDefs {
    defs: Vec<TagDef>,
    per_set: Vec<Vec<(u32, i64)>>,
}

impl TagDefs {
    fn new(profile: &Profile, keys: &KeyFilter, bytes_unit: &str, output_unit: &str) -> TagDefs {
        let mut defs = Vec::new();
        let mut labels: HashMap<String, u32> = HashMap::new();
        let mut groups: HashMap<String, u32> = HashMap::new();
        let mut numerics: HashMap<(u32, String), u32> = HashMap::new();
        let intern = |map: &mut HashMap<String, u32>, defs: &mut Vec<TagDef>, key: &str, def: TagDef| {
            *map.entry(key.to_string()).or_insert_with(|| {
                defs.push(def);
                defs.len() as u32 - 1
            })
        };
        let mut per_set = Vec::new();
        for set in profile.label_sets.ids() {
            let t = set_tags(profile, set, keys, bytes_unit, output_unit);
            let mut carried = Vec::new();
            if !t.joined.is_empty() || !t.bytes.is_empty() {
                if !t.joined.is_empty() {
                    let id = intern(&mut labels, &mut defs, &t.joined, TagDef::Label(t.joined.clone()));
                    carried.push((id, 0));
                }
                let group = intern(&mut groups, &mut defs, &t.joined, TagDef::Group(t.joined.clone()));
                carried.push((group, 0));
                for (name, value) in t.bytes {
                    let id = *numerics.entry((group, name.clone())).or_insert_with(|| {
                        defs.push(TagDef::Numeric { group, name });
                        defs.len() as u32 - 1
                    });
                    carried.push((id, value));
                }
            }
            per_set.push(carried);
        }
        TagDefs { defs, per_set }
    }
}

/// Tag weights per (graph node, tag), in a flat table.
#[derive(Default)]
struct Acc {
    index: U64Map,
    /// (node, tag, numeric value of the first sample, flat, cum).
    entries: Vec<(u32, u32, i64, i64, i64)>,
}

impl Acc {
    fn add(&mut self, node: u32, carried: &[(u32, i64)], w: i64, flat: bool) {
        for &(tag, value) in carried {
            let key = (u64::from(node) << 32) | u64::from(tag);
            let e = self.index.get_or_insert(key, self.entries.len() as u32) as usize;
            if e == self.entries.len() {
                self.entries.push((node, tag, value, 0, 0));
            }
            let entry = &mut self.entries[e];
            if flat {
                entry.3 = gomath::add(entry.3, w);
            } else {
                entry.4 = gomath::add(entry.4, w);
            }
        }
    }

    /// The tags of each of `nodes` graph nodes, sorted as pprof prints them.
    fn finish(self, defs: &TagDefs, nodes: usize, unit: &str) -> Vec<NodeTags> {
        let mut tags: Vec<NodeTags> = (0..nodes).map(|_| NodeTags::default()).collect();
        // Groups first, so numeric tags find theirs.
        let mut group_at: HashMap<(u32, u32), usize> = HashMap::new();
        for &(node, tag, ..) in &self.entries {
            if let TagDef::Group(key) = &defs.defs[tag as usize] {
                let t = &mut tags[node as usize];
                group_at.insert((node, tag), t.numeric.len());
                t.numeric.push((key.clone(), Vec::new()));
            }
        }
        for (node, tag, value, flat, cum) in self.entries {
            let t = &mut tags[node as usize];
            match &defs.defs[tag as usize] {
                TagDef::Label(name) => {
                    t.labels.push(Tag { name: name.clone(), unit: String::new(), value: 0, flat, cum })
                }
                TagDef::Group(_) => {}
                TagDef::Numeric { group, name } => {
                    let at = group_at[&(node, *group)];
                    t.numeric[at].1.push(Tag {
                        name: name.clone(),
                        unit: unit.to_string(),
                        value,
                        flat,
                        cum,
                    });
                }
            }
        }
        for t in &mut tags {
            t.labels.sort_by(|a, b| a.name.cmp(&b.name));
            for (_, ts) in &mut t.numeric {
                ts.sort_by(|a, b| a.name.cmp(&b.name));
            }
            t.numeric.sort_by(|a, b| a.0.cmp(&b.0));
        }
        tags
    }
}

/// Computes the tags of the `first` nodes of `graph` (the others get none),
/// as pprof's graph builder does: each sample adds its weight once to each
/// distinct node on its stack (cum) and to its leaf-most node when no pruned
/// node is below it (flat).
pub(crate) fn compute_tags(
    walker: &Walker<'_>,
    table: &NodeTable<'_>,
    value_index: usize,
    output_unit: &str,
    graph: &mut Graph,
    first: usize,
) {
    let profile = walker.profile;
    let bytes_unit = bytes_label_unit(profile);
    let defs = TagDefs::new(profile, &walker.keys, &bytes_unit, output_unit);
    if defs.defs.is_empty() {
        for n in &mut graph.nodes {
            n.tags = NodeTags::default();
        }
        return;
    }
    let mut index = vec![u32::MAX; table.infos.len()];
    for (i, n) in graph.nodes.iter().enumerate().take(first) {
        if let Some(id) = table.id_of(&n.info) {
            index[id as usize] = i as u32;
        }
    }
    let mut acc = Acc::default();
    let mut seen = vec![u32::MAX; graph.nodes.len()];
    let view = &walker.view;
    let samples = &profile.samples;
    let mut locations = Vec::new();
    for s in 0..samples.len() {
        let carried = &defs.per_set[samples.labels[s].index()];
        if carried.is_empty() {
            continue;
        }
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
                    acc.add(g, carried, w, false);
                }
                last = g;
                residual = false;
            }
        }
        if last != u32::MAX && !residual {
            acc.add(last, carried, w, true);
        }
    }
    let tags = acc.finish(&defs, graph.nodes.len(), &bytes_unit);
    for (n, t) in graph.nodes.iter_mut().zip(tags) {
        n.tags = t;
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
