//! Comparing and merging profiles, as `go tool pprof` does with several
//! files, `-base`, `-diff_base` and `-normalize`.
//!
//! The steps follow pprof's driver:
//! 1. the sources are merged into one profile, and the bases into another
//!    (each group keeping only the sample types all its profiles share);
//! 2. with `-diff_base`, every base sample gets the label `pprof::base`, so
//!    reports take their percentages of the base total;
//! 3. with `-normalize`, the source is scaled so each sample type's total
//!    equals the base's;
//! 4. the base is scaled by -1 and merged with the source.
//!
//! The result is an ordinary [`Profile`] with signed values, so every
//! report works on it unchanged.

mod merge;

use std::collections::{HashMap, HashSet};

use crate::decode::{decode, DecodeOptions};
use crate::error::Error;
use crate::model::{Profile, ValueType};
use crate::proto;
use prost::Message as _;

use merge::{Input, Merger};

/// How a base profile is taken away from the source.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum BaseMode {
    /// `-diff_base`: the base is subtracted and marked, percentages are of
    /// the base total, and the page shows the change by sign.
    #[default]
    Diff,
    /// `-base`: the base is subtracted; percentages are of the result.
    Subtract,
}

/// What to combine.
#[derive(Clone, Copy, Debug, Default)]
pub struct Combine<'a> {
    /// The profiles to show; several are merged.
    pub sources: &'a [Profile],
    /// Profiles to subtract; several are merged first.
    pub bases: &'a [Profile],
    /// How the bases are subtracted.
    pub mode: BaseMode,
    /// Scale the sources so their totals equal the bases' (`-normalize`).
    pub normalize: bool,
}

/// Combines profiles as pprof's driver does for its command line: merges
/// the sources, and subtracts the merged bases when there are any. A
/// single source and no base comes back unchanged.
pub fn combine(request: &Combine<'_>) -> Result<Profile, Error> {
    let source = merge_group(request.sources, "profile")?;
    if request.bases.is_empty() {
        return Ok(source.into_owned());
    }
    let base = merge_group(request.bases, "base profile")?;
    let (source, base) = (source.as_ref(), base.as_ref());
    let ratios = if request.normalize {
        normalizing_ratios(source, base)?
    } else {
        vec![1.0; source.sample_types.len()]
    };
    let pair = [source, base];
    let columns = common_columns(&pair)?;
    check_compatible(&pair, &columns)?;
    let mut merger = Merger::new();
    combined_header(&pair, &columns[0], &mut merger);
    let source_scale: Vec<f64> = columns[0].iter().map(|&c| ratios[c]).collect();
    merger.add(&Input { profile: source, columns: &columns[0], scale: &source_scale, mark_base: false });
    let base_scale = vec![-1.0; columns[1].len()];
    merger.add(&Input {
        profile: base,
        columns: &columns[1],
        scale: &base_scale,
        mark_base: request.mode == BaseMode::Diff,
    });
    finish(merger)
}

/// Merges several profiles into one (`go tool pprof a.pb.gz b.pb.gz`):
/// samples with the same stack and labels add up; only the sample types
/// every profile has are kept.
pub fn merge(profiles: &[Profile]) -> Result<Profile, Error> {
    merge_group(profiles, "profile").map(std::borrow::Cow::into_owned)
}

fn merge_group<'a>(profiles: &'a [Profile], what: &str) -> Result<std::borrow::Cow<'a, Profile>, Error> {
    match profiles {
        [] => Err(Error::Incompatible { detail: format!("no {what} to read") }),
        // pprof leaves a lone profile as it is (no merge, no sample types dropped).
        [one] => Ok(std::borrow::Cow::Borrowed(one)),
        many => {
            let all: Vec<&Profile> = many.iter().collect();
            let columns = common_columns(&all)?;
            check_compatible(&all, &columns)?;
            let mut merger = Merger::new();
            combined_header(&all, &columns[0], &mut merger);
            for (p, cols) in all.iter().zip(&columns) {
                let scale = vec![1.0; cols.len()];
                merger.add(&Input { profile: p, columns: cols, scale: &scale, mark_base: false });
            }
            finish(merger).map(std::borrow::Cow::Owned)
        }
    }
}

fn finish(merger: Merger) -> Result<Profile, Error> {
    let bytes = merger.finish().encode_to_vec();
    decode(&bytes, &DecodeOptions { all_frames: true, ..DecodeOptions::default() })
}

/// For each profile, the indices of the sample types (by name) that all
/// profiles have, in the first profile's order.
fn common_columns(profiles: &[&Profile]) -> Result<Vec<Vec<usize>>, Error> {
    let first = profiles[0];
    // Each profile's first column of each name (a profile may list
    // thousands of types: no scan per name).
    let columns: Vec<HashMap<&str, usize>> = profiles
        .iter()
        .map(|p| {
            let mut by_name = HashMap::new();
            for (i, t) in p.sample_types.iter().enumerate() {
                by_name.entry(p.str(t.kind)).or_insert(i);
            }
            by_name
        })
        .collect();
    let names: Vec<&str> = first
        .sample_types
        .iter()
        .map(|t| first.str(t.kind))
        .filter(|name| columns.iter().all(|c| c.contains_key(name)))
        .collect();
    if names.is_empty() {
        return Err(Error::Incompatible {
            detail: format!(
                "they share no sample type ({}); a CPU profile and a heap profile cannot be compared",
                profiles.iter().map(|p| type_list(p)).collect::<Vec<_>>().join(" vs ")
            ),
        });
    }
    Ok(columns.iter().map(|c| names.iter().map(|name| c[name]).collect()).collect())
}

fn type_list(p: &Profile) -> String {
    p.sample_types
        .iter()
        .map(|t| format!("{}/{}", p.str(t.kind), p.str(t.unit)))
        .collect::<Vec<_>>()
        .join(", ")
}

fn value_type(p: &Profile, t: Option<ValueType>) -> (String, String) {
    t.map(|t| (p.str(t.kind).to_string(), p.str(t.unit).to_string())).unwrap_or_default()
}

/// pprof's `compatible`: the same period type, and the kept sample types
/// in the same units.
fn check_compatible(profiles: &[&Profile], columns: &[Vec<usize>]) -> Result<(), Error> {
    let first = profiles[0];
    let period = value_type(first, first.period_type);
    for (p, cols) in profiles.iter().zip(columns).skip(1) {
        let other = value_type(p, p.period_type);
        if other != period {
            return Err(Error::Incompatible {
                detail: format!(
                    "their period types differ ({}/{} and {}/{}): they are different kinds of profile",
                    period.0, period.1, other.0, other.1
                ),
            });
        }
        for (&a, &b) in columns[0].iter().zip(cols) {
            let (ta, tb) =
                (value_type(first, Some(first.sample_types[a])), value_type(p, Some(p.sample_types[b])));
            if ta.1 != tb.1 {
                return Err(Error::Incompatible {
                    detail: format!("{} is in {} in one profile and in {} in another", ta.0, ta.1, tb.1),
                });
            }
        }
    }
    Ok(())
}

/// pprof's `Normalize`: per sample type, the base total over the source
/// total (0 when the source total is 0). It needs identical sample types.
fn normalizing_ratios(source: &Profile, base: &Profile) -> Result<Vec<f64>, Error> {
    let types = |p: &Profile| -> Vec<(String, String)> {
        p.sample_types.iter().map(|&t| value_type(p, Some(t))).collect()
    };
    if types(source) != types(base)
        || value_type(source, source.period_type) != value_type(base, base.period_type)
    {
        return Err(Error::Incompatible {
            detail: format!(
                "-normalize needs the same sample types in both ({} vs {})",
                type_list(source),
                type_list(base)
            ),
        });
    }
    let totals = |p: &Profile| -> Vec<i64> {
        let n = p.sample_types.len();
        let mut sums = vec![0i64; n];
        for s in 0..p.samples.len() {
            for (sum, &v) in sums.iter_mut().zip(p.samples.values(s)) {
                *sum = crate::gomath::add(*sum, v);
            }
        }
        sums
    };
    let (src, base_totals) = (totals(source), totals(base));
    Ok(src.iter().zip(&base_totals).map(|(&s, &b)| if s == 0 { 0.0 } else { b as f64 / s as f64 }).collect())
}

/// pprof's `combineHeaders`, written into `merger`'s output: the earliest
/// time, the summed durations, the largest period, the comments once each,
/// and the first profile's types, drop/keep frames, default sample type
/// and doc URL.
fn combined_header(profiles: &[&Profile], columns: &[usize], merger: &mut Merger) {
    let first = profiles[0];
    let mut time = 0i64;
    let mut duration = 0i64;
    let mut period = 0i64;
    let mut comments: Vec<&str> = Vec::new();
    let mut seen_comments: HashSet<&str> = HashSet::new();
    let mut default_type = "";
    let mut doc_url = "";
    for p in profiles {
        if time == 0 || p.time_nanos < time {
            time = p.time_nanos;
        }
        duration = crate::gomath::add(duration, p.duration_nanos);
        if period == 0 || period < p.period {
            period = p.period;
        }
        for &c in &p.comments {
            let c = p.str(c);
            if seen_comments.insert(c) {
                comments.push(c);
            }
        }
        if default_type.is_empty() {
            default_type = p.str(p.default_sample_type);
        }
        if doc_url.is_empty() {
            doc_url = p.str(p.doc_url);
        }
    }
    let mut value_type = |t: ValueType| proto::ValueType {
        r#type: merger.string(first.str(t.kind)),
        unit: merger.string(first.str(t.unit)),
    };
    let sample_type = columns.iter().map(|&c| value_type(first.sample_types[c])).collect();
    let period_type = first.period_type.map(&mut value_type);
    let header = proto::Profile {
        sample_type,
        period_type,
        drop_frames: merger.string(first.str(first.drop_frames)),
        keep_frames: merger.string(first.str(first.keep_frames)),
        comment: comments.iter().map(|c| merger.string(c)).collect(),
        default_sample_type: merger.string(default_type),
        doc_url: merger.string(doc_url),
        time_nanos: time,
        duration_nanos: duration,
        period,
        ..proto::Profile::default()
    };
    merger.set_header(header);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{top, ReportOptions};
    use crate::synth::heap_series;

    const MIB: i64 = 1 << 20;

    fn snapshot(i: usize) -> Profile {
        decode(&heap_series(i).encode(), &DecodeOptions::default()).unwrap()
    }

    /// name -> flat for `sample_index` of `p`, every node.
    fn flats(p: &Profile, sample_index: &str) -> Vec<(String, i64)> {
        let options =
            ReportOptions { sample_index: sample_index.into(), trim: false, ..ReportOptions::default() };
        let mut rows: Vec<(String, i64)> = top(p, &options)
            .unwrap()
            .rows
            .into_iter()
            .filter(|r| r.flat != 0)
            .map(|r| (r.name, r.flat))
            .collect();
        rows.sort();
        rows
    }

    #[test]
    fn diff_base_subtracts_and_takes_percentages_of_the_base() {
        let (before, after) = ([snapshot(0)], [snapshot(2)]);
        let diff = combine(&Combine { sources: &after, bases: &before, ..Combine::default() }).unwrap();
        let expected = vec![
            ("main.(*buffer).grow".to_string(), 3 * MIB / 2),
            ("main.loadConfig".to_string(), -2 * MIB),
            ("main.newEntry".to_string(), 2 * MIB),
            ("main.render".to_string(), MIB),
            ("main.warmup".to_string(), MIB / 4),
        ];
        assert_eq!(flats(&diff, "inuse_space"), expected);
        // The base total: 1 + 0.5 + 5 + 1 + 0 + 2 MiB.
        let options = ReportOptions { sample_index: "inuse_space".into(), ..ReportOptions::default() };
        assert_eq!(top(&diff, &options).unwrap().total, 19 * MIB / 2);
        // The same mapping at another address is one mapping.
        assert_eq!(diff.mappings.len(), 1);
        // -base: the same values, percentages of the result.
        let subtracted =
            combine(&Combine { sources: &after, bases: &before, mode: BaseMode::Subtract, normalize: false })
                .unwrap();
        assert_eq!(flats(&subtracted, "inuse_space"), expected);
        assert_eq!(
            top(&subtracted, &options).unwrap().total,
            2 * MIB + 3 * MIB / 2 + MIB + MIB / 4 + 2 * MIB
        );
    }

    #[test]
    fn identical_profiles_cancel_out() {
        let (a, b) = ([snapshot(1)], [snapshot(1)]);
        let diff =
            combine(&Combine { sources: &a, bases: &b, mode: BaseMode::Subtract, normalize: false }).unwrap();
        assert!(diff.samples.is_empty(), "equal samples sum to zero and are dropped");
    }

    #[test]
    fn merging_adds_samples_up() {
        let merged = merge(&[snapshot(0), snapshot(2)]).unwrap();
        let flat = flats(&merged, "inuse_space");
        let get = |name: &str| flat.iter().find(|(n, _)| n == name).map(|r| r.1);
        assert_eq!(get("main.newEntry"), Some(4 * MIB));
        assert_eq!(get("main.parse"), Some(10 * MIB));
        assert_eq!(merged.samples.len(), 6, "the same stacks merge into one sample each");
        assert_eq!(merged.time_nanos, snapshot(0).time_nanos, "the earliest time");
    }

    #[test]
    fn normalize_scales_the_source_to_the_base_total() {
        let (before, after) = ([snapshot(0)], [snapshot(2)]);
        let diff =
            combine(&Combine { sources: &after, bases: &before, mode: BaseMode::Diff, normalize: true })
                .unwrap();
        let options =
            ReportOptions { sample_index: "inuse_space".into(), trim: false, ..ReportOptions::default() };
        let sum: i64 = top(&diff, &options).unwrap().rows.iter().map(|r| r.flat).sum();
        // Scaled totals equal: what is left is rounding.
        assert!(sum.abs() <= 6, "sum {sum}");
    }

    #[test]
    fn different_kinds_are_refused() {
        let mut cpu = crate::encode::ProfileWriter::new(&[("samples", "count"), ("cpu", "nanoseconds")]);
        let f = cpu.add_function("main.spin", "main.go", 1);
        let l = cpu.add_location(None, 0x10, &[(f, 2)]);
        cpu.add_sample(&[l], &[1, 10_000_000], &[]);
        let cpu = [decode(&cpu.encode(), &DecodeOptions::default()).unwrap()];
        let heap = [snapshot(0)];
        let err =
            combine(&Combine { sources: &cpu, bases: &heap, ..Combine::default() }).unwrap_err().to_string();
        assert!(err.contains("share no sample type"), "{err}");
        assert!(merge(&[]).is_err());
    }
}
