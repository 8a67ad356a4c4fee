//! Sample labels as pprof's tag options see them: `tagfocus` / `tagignore`
//! select samples by label ([`filter`]), `tagshow` / `taghide` choose which
//! label keys reports show ([`keys`]), and `tagroot` / `tagleaf` turn labels
//! into pseudo-frames at the root or leaf of every stack ([`frames`]);
//! [`summary`] sums every label's share for the page's Labels panel, and
//! [`compare`] sets two values of a key against each other as a diff.

pub mod compare;
pub mod filter;
pub mod frames;
pub mod keys;
pub mod range;
pub mod summary;

use std::collections::{HashMap, HashSet};

use crate::error::Error;
use crate::model::{LabelValue, Profile, Str};

pub use compare::{compare_tag_values, restrict};
pub use filter::{TagFilter, TagFilters};
pub use frames::{apply_label_frames, label_frames, LabelFrames};
pub use keys::KeyFilter;
pub use summary::{label_summary, LabelKeySummary, LabelSummary, LabelValueShare};

/// The unit of each numeric label key, as pprof's `NumLabelUnits`: the first
/// unit any sample gives it, else "bytes" for the keys "alignment" and
/// "request", else the key itself.
pub fn numeric_label_units(profile: &Profile) -> HashMap<String, String> {
    let mut units: HashMap<String, String> = HashMap::new();
    let mut seen: Vec<String> = Vec::new();
    let mut seen_keys: HashSet<Str> = HashSet::new();
    for s in 0..profile.samples.len() {
        for l in profile.label_sets.get(profile.samples.labels[s]) {
            if let LabelValue::Num { unit, .. } = l.value {
                let key = profile.str(l.key);
                if seen_keys.insert(l.key) {
                    seen.push(key.to_string());
                }
                let unit = profile.str(unit);
                if !unit.is_empty() && !units.contains_key(key) {
                    units.insert(key.to_string(), unit.to_string());
                }
            }
        }
    }
    for key in seen {
        units.entry(key.clone()).or_insert_with(|| match key.as_str() {
            "alignment" | "request" => "bytes".to_string(),
            _ => key.clone(),
        });
    }
    units
}

/// pprof's notices about numeric label keys given several units: "For tag
/// K used unit U, also encountered unit(s) V, W" (keys in order; pprof's
/// order is its map's).
pub fn unit_conflicts(profile: &Profile) -> Vec<String> {
    let mut first: HashMap<Str, Str> = HashMap::new();
    let mut others: HashMap<Str, Vec<String>> = HashMap::new();
    for s in 0..profile.samples.len() {
        for l in profile.label_sets.get(profile.samples.labels[s]) {
            let LabelValue::Num { unit, .. } = l.value else { continue };
            let name = profile.str(unit);
            if name.is_empty() {
                continue;
            }
            let used = *first.entry(l.key).or_insert(unit);
            if profile.str(used) != name {
                let seen = others.entry(l.key).or_default();
                if !seen.iter().any(|u| u == name) {
                    seen.push(name.to_string());
                }
            }
        }
    }
    let mut notices: Vec<(String, String)> = others
        .into_iter()
        .map(|(key, mut units)| {
            units.sort();
            let (key, used) = (profile.str(key), profile.str(first[&key]));
            (
                key.to_string(),
                format!("For tag {key} used unit {used}, also encountered unit(s) {}", units.join(", ")),
            )
        })
        .collect();
    notices.sort();
    notices.into_iter().map(|(_, notice)| notice).collect()
}

/// A profile ready for the reports of some options, and what pprof would
/// print on stderr on the way.
#[derive(Debug)]
pub struct Prepared {
    /// The profile, with tagroot/tagleaf pseudo-frames when asked for.
    pub profile: Profile,
    /// pprof's notices: "Interpreted ... as range", "... matched no samples".
    pub notices: Vec<String>,
}

/// Applies tagroot and tagleaf to `profile` and collects pprof's notices
/// about label units and the tag options, in pprof's order. Unlike pprof, the "matched no
/// samples" checks of tagfocus and tagignore look at every sample, before
/// the name filters.
pub fn prepare(profile: Profile, options: &crate::report::ReportOptions) -> Result<Prepared, Error> {
    let mut notices = unit_conflicts(&profile);
    let profile = match label_frames(&profile, &options.tag_root, &options.tag_leaf, &options.unit)? {
        Some(f) => {
            if !options.tag_root.is_empty() && !f.root_matched {
                notices.push("TagRoot expression matched no samples".to_string());
            }
            if !options.tag_leaf.is_empty() && !f.leaf_matched {
                notices.push("TagLeaf expression matched no samples".to_string());
            }
            f.profile
        }
        None => profile,
    };
    let filters = TagFilters::compile(&options.tag_focus, &options.tag_ignore)?;
    notices.extend(filters.notices.iter().cloned());
    if filters.is_active() {
        let verdicts = filters.set_verdicts(&profile);
        let (mut focused, mut ignored) = (false, false);
        for s in 0..profile.samples.len() {
            let (_, f, i) = verdicts[profile.samples.labels[s].index()];
            focused |= f;
            ignored |= i;
        }
        if filters.focus.is_some() && !focused {
            notices.push("TagFocus expression matched no samples".to_string());
        }
        if filters.ignore.is_some() && !ignored {
            notices.push("TagIgnore expression matched no samples".to_string());
        }
    }
    let keys = KeyFilter::new(&profile, &options.tag_show, &options.tag_hide)?;
    if !options.tag_show.is_empty() && !keys.show_matched {
        notices.push("TagShow expression matched no samples".to_string());
    }
    if !options.tag_hide.is_empty() && !keys.hide_matched {
        notices.push("TagHide expression matched no samples".to_string());
    }
    Ok(Prepared { profile, notices })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encode::{LabelSpec, ProfileWriter};
    use crate::report::ReportOptions;
    use crate::{decode, DecodeOptions};

    /// Two samples on one stack that differ only in their labels.
    fn profile() -> Profile {
        let mut w = ProfileWriter::new(&[("alloc_space", "bytes")]);
        let f = w.add_function("main.alloc", "main.go", 1);
        let l = w.add_location(None, 0, &[(f, 3)]);
        w.add_sample(
            &[l],
            &[100],
            &[LabelSpec::Str("worker", "a,b"), LabelSpec::Num("bytes", 2048, "bytes")],
        );
        w.add_sample(&[l], &[7], &[LabelSpec::Str("worker", "c"), LabelSpec::Num("bytes", 16, "bytes")]);
        decode(&w.encode(), &DecodeOptions::default()).unwrap()
    }

    fn kept(focus: &str, ignore: &str) -> Vec<bool> {
        let p = profile();
        let sets = TagFilters::compile(focus, ignore).unwrap().kept_sets(&p);
        (0..p.samples.len()).map(|s| sets[p.samples.labels[s].index()]).collect()
    }

    #[test]
    fn filters_select_samples_of_one_stack_by_their_labels() {
        assert_eq!(kept("worker=^c$", ""), [false, true]);
        assert_eq!(kept("worker:a", ""), [true, false], "bare regexps match key:value");
        assert_eq!(kept("bytes=1kb:", ""), [true, false]);
        assert_eq!(kept("", ":1kb"), [true, false], "no key: any numeric label");
        assert_eq!(kept("worker:a,bytes", ""), [false, false], "every bare regexp must match a string label");
        assert_eq!(kept("worker=zzz,c", "bytes=16b"), [false, false]);
    }

    #[test]
    fn notices_are_pprofs() {
        let options = ReportOptions {
            tag_focus: "bytes=1kb:".into(),
            tag_ignore: "nomatch".into(),
            tag_root: "nokey".into(),
            tag_hide: "zzz".into(),
            ..ReportOptions::default()
        };
        let prepared = prepare(profile(), &options).unwrap();
        assert_eq!(
            prepared.notices,
            [
                "TagRoot expression matched no samples",
                "tagfocus:Interpreted '1kb:' as range, not regexp",
                "TagIgnore expression matched no samples",
                "TagHide expression matched no samples",
            ]
        );
    }

    #[test]
    fn label_frames_join_values_and_keep_commas() {
        let framed = label_frames(&profile(), "worker", "bytes", "minimum").unwrap().unwrap();
        let p = &framed.profile;
        let names: Vec<&str> = p.functions.iter().map(|f| p.str(f.name)).collect();
        assert_eq!(names, ["main.alloc", "a,b", "2kB", "c", "16B"]);
        assert!(framed.root_matched && framed.leaf_matched);
        let first: Vec<usize> = p.stacks.frames(p.samples.stack[0]).collect();
        assert_eq!(first.len(), 3, "leaf pseudo-frame, the frame, root pseudo-frame");
    }

    #[test]
    fn the_summary_gives_shares_and_filters_that_select_each_value() {
        let p = profile();
        let options = ReportOptions { tag_hide: "bytes".into(), ..ReportOptions::default() };
        let summary = label_summary(&p, &options).unwrap();
        let keys: Vec<(&str, bool, bool)> =
            summary.keys.iter().map(|k| (k.key.as_str(), k.numeric, k.hidden)).collect();
        assert_eq!(keys, [("bytes", true, true), ("worker", false, false)]);
        let worker = &summary.keys[1];
        let values: Vec<(&str, &str, &str)> =
            worker.values.iter().map(|v| (v.text.as_str(), v.percent.as_str(), v.filter.as_str())).collect();
        assert_eq!(values, [("a,b", "93.46%", "worker=^a\\x2cb$"), ("c", "6.54%", "worker=^c$")]);
        let bytes: Vec<(&str, &str)> =
            summary.keys[0].values.iter().map(|v| (v.text.as_str(), v.filter.as_str())).collect();
        assert_eq!(bytes, [("16B", "bytes=16bytes"), ("2kB", "bytes=2048bytes")]);
        // Each filter selects exactly the samples of its value.
        for (focus, want) in [("worker=^a\\x2cb$", [true, false]), ("bytes=16bytes", [false, true])] {
            assert_eq!(kept(focus, ""), want, "{focus}");
        }
    }

    #[test]
    fn two_values_of_a_key_compare_as_a_diff() {
        let p = profile();
        let options = ReportOptions { tag_focus: "worker=^c$".into(), ..ReportOptions::default() };
        let diff = compare_tag_values(&p, &options, "worker=^a").unwrap();
        let top = crate::report::top(&diff, &ReportOptions::default()).unwrap();
        // pprof -diff_base: the source's 7 against the base's 100.
        assert_eq!((top.rows[0].flat, top.rows[0].name.as_str()), (-93, "main.alloc"));
        assert!(top.to_text().contains("of 100B total"), "{}", top.to_text());
    }

    #[test]
    fn the_summary_lists_the_heaviest_values_of_a_crowded_key() {
        let mut w = ProfileWriter::new(&[("samples", "count")]);
        let f = w.add_function("main.serve", "main.go", 1);
        let l = w.add_location(None, 0, &[(f, 3)]);
        for i in 0..600i64 {
            let id = format!("req{i}");
            w.add_sample(&[l], &[i + 1], &[LabelSpec::Str("request", &id)]);
        }
        let p = decode(&w.encode(), &DecodeOptions::default()).unwrap();
        let summary = label_summary(&p, &ReportOptions::default()).unwrap();
        let request = &summary.keys[0];
        assert_eq!((request.values.len(), request.more), (summary::MAX_VALUES, 100));
        assert_eq!(request.values[0].text, "req599");
    }

    #[test]
    fn keys_with_several_units_are_noticed_as_pprof_does() {
        let mut w = ProfileWriter::new(&[("samples", "count")]);
        let f = w.add_function("main.wait", "main.go", 1);
        let l = w.add_location(None, 0, &[(f, 3)]);
        w.add_sample(&[l], &[1], &[LabelSpec::Num("wait", 3, "nanoseconds")]);
        w.add_sample(&[l], &[1], &[LabelSpec::Num("wait", 2, "seconds"), LabelSpec::Num("wait", 1, "")]);
        w.add_sample(&[l], &[1], &[LabelSpec::Num("wait", 4, "ms"), LabelSpec::Num("size", 1, "bytes")]);
        let p = decode(&w.encode(), &DecodeOptions::default()).unwrap();
        assert_eq!(
            unit_conflicts(&p),
            ["For tag wait used unit nanoseconds, also encountered unit(s) ms, seconds"]
        );
    }
}
