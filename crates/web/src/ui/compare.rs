//! The comparison the URL fragment asks for, in terms of loaded profiles:
//! file names to load ids and back, the default when several files are
//! dropped together, and the legend's line.

use crate::protocol::{BaseMode, Setup, Summary};
use crate::query::Query;

/// `setup` with the options that mean nothing without a base reset, so
/// equal setups compare equal.
pub fn canonical(setup: Setup) -> Setup {
    if setup.base.is_some() {
        setup
    } else {
        Setup { source: setup.source, ..Setup::default() }
    }
}

fn id_of(profiles: &[Summary], name: &str) -> Option<u32> {
    profiles.iter().find(|p| p.file_name == name).map(|p| p.id)
}

fn name_of(profiles: &[Summary], id: u32) -> &str {
    profiles.iter().find(|p| p.id == id).map_or("", |p| p.file_name.as_str())
}

/// `name`, or `name (2)`, `name (3)`… if `taken` has it: the fragment
/// names profiles by file name, so names are unique within a session.
pub fn unique_name(name: &str, taken: &[String]) -> String {
    let mut candidate = name.to_string();
    let mut n = 1;
    while taken.contains(&candidate) {
        n += 1;
        candidate = format!("{name} ({n})");
    }
    candidate
}

/// The setup the fragment names, if it names a source and every profile it
/// names is loaded.
pub fn resolve(query: &Query, profiles: &[Summary]) -> Option<Setup> {
    let wanted = &query.compare;
    if wanted.source.is_empty() {
        return None;
    }
    let source = id_of(profiles, &wanted.source)?;
    let base = match wanted.base.as_str() {
        "" => None,
        name => Some(id_of(profiles, name)?),
    };
    Some(canonical(Setup { source, base, mode: wanted.mode, normalize: wanted.normalize }))
}

/// The fragment's profile names that are not loaded.
pub fn missing(query: &Query, profiles: &[Summary]) -> Vec<String> {
    [&query.compare.base, &query.compare.source]
        .into_iter()
        .filter(|n| !n.is_empty() && id_of(profiles, n).is_none())
        .cloned()
        .collect()
}

/// Profiles oldest first: by time when every one has a time, else in load
/// order (as the leak report orders them).
pub fn by_time(profiles: &[Summary]) -> Vec<&Summary> {
    let mut order: Vec<(i64, usize)> = profiles.iter().enumerate().map(|(i, p)| (p.time_nanos, i)).collect();
    if order.iter().all(|&(t, _)| t != 0) {
        // The index breaks ties, so an unstable sort keeps load order.
        order.sort_unstable();
    }
    order.into_iter().map(|(_, i)| &profiles[i]).collect()
}

/// Whether two profiles have the same sample types, in any order.
fn same_types(a: &Summary, b: &Summary) -> bool {
    a.sample_types.len() == b.sample_types.len()
        && a.sample_types.iter().all(|t| b.sample_types.iter().any(|u| u.name == t.name))
}

/// What several files dropped together show: the newest, compared with
/// the oldest when they are the same kind of profile; a single file alone.
pub fn default_setup(profiles: &[Summary]) -> Setup {
    let order = by_time(profiles);
    let (Some(oldest), Some(newest)) = (order.first(), order.last()) else { return Setup::default() };
    let base = (oldest.id != newest.id && same_types(oldest, newest)).then_some(oldest.id);
    Setup { source: newest.id, base, ..Setup::default() }
}

/// The fragment's src and base for `setup`: empty with a single profile,
/// so a plain load keeps a plain URL.
pub fn fragment_names(setup: &Setup, profiles: &[Summary]) -> (String, String) {
    if profiles.len() < 2 {
        return (String::new(), String::new());
    }
    let base = setup.base.map_or(String::new(), |b| name_of(profiles, b).to_string());
    (name_of(profiles, setup.source).to_string(), base)
}

/// The legend's line for a comparison, e.g. "Comparing heap2.pb.gz with
/// base heap1.pb.gz (-diff_base)"; None without a base.
pub fn describe(setup: &Setup, profiles: &[Summary]) -> Option<String> {
    let base = setup.base?;
    let how = match setup.mode {
        BaseMode::Diff => "-diff_base",
        BaseMode::Subtract => "-base",
    };
    let normalized = if setup.normalize { ", normalized" } else { "" };
    Some(format!(
        "Comparing {} with base {} ({how}{normalized}): red grew, green shrank",
        name_of(profiles, setup.source),
        name_of(profiles, base)
    ))
}

/// The heap profiles the Leaks view compares.
pub fn heap_profiles(profiles: &[Summary]) -> usize {
    profiles.iter().filter(|p| p.is_heap()).count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::SampleType;
    use crate::query::Comparison;

    fn summary(id: u32, name: &str, time_nanos: i64, types: &[&str]) -> Summary {
        Summary {
            id,
            file_name: name.into(),
            sample_types: types
                .iter()
                .map(|t| SampleType { name: t.to_string(), unit: "x".into() })
                .collect(),
            default_index: 0,
            samples: 1,
            functions: 1,
            time_nanos,
        }
    }

    const HEAP: &[&str] = &["alloc_objects", "alloc_space", "inuse_objects", "inuse_space"];

    #[test]
    fn several_heaps_compare_newest_with_oldest() {
        let p = [summary(0, "b", 20, HEAP), summary(1, "a", 10, HEAP), summary(2, "c", 30, HEAP)];
        assert_eq!(default_setup(&p), Setup { source: 2, base: Some(1), ..Setup::default() });
        assert_eq!(heap_profiles(&p), 3);
        let cpu = [summary(0, "heap", 20, HEAP), summary(1, "cpu", 30, &["samples", "cpu"])];
        assert_eq!(default_setup(&cpu), Setup { source: 1, base: None, ..Setup::default() });
        assert_eq!(default_setup(&p[..1]), Setup { source: 0, base: None, ..Setup::default() });
        // Unknown times: load order.
        let untimed = [summary(0, "x", 0, HEAP), summary(1, "y", 5, HEAP)];
        assert_eq!(default_setup(&untimed).base, Some(0));
    }

    #[test]
    fn names_are_unique() {
        let taken = vec!["heap.pb.gz".to_string(), "heap.pb.gz (2)".to_string()];
        assert_eq!(unique_name("heap.pb.gz", &taken), "heap.pb.gz (3)");
        assert_eq!(unique_name("cpu.pb.gz", &taken), "cpu.pb.gz");
    }

    #[test]
    fn fragments_name_profiles_by_file() {
        let p = [summary(4, "heap1.pb.gz", 1, HEAP), summary(5, "heap2.pb.gz", 2, HEAP)];
        let mut state = Query {
            compare: Comparison {
                source: "heap2.pb.gz".into(),
                base: "heap1.pb.gz".into(),
                ..Comparison::default()
            },
            ..Query::default()
        };
        let setup = resolve(&state, &p).unwrap();
        assert_eq!(setup, Setup { source: 5, base: Some(4), ..Setup::default() });
        assert_eq!(fragment_names(&setup, &p), ("heap2.pb.gz".into(), "heap1.pb.gz".into()));
        assert_eq!(fragment_names(&setup, &p[..1]).0, "");
        assert!(describe(&setup, &p)
            .unwrap()
            .starts_with("Comparing heap2.pb.gz with base heap1.pb.gz (-diff_base)"));
        assert!(missing(&state, &p).is_empty());
        state.compare.base = "gone.pb.gz".into();
        assert_eq!(resolve(&state, &p), None);
        assert_eq!(missing(&state, &p), ["gone.pb.gz"]);
        state.compare.mode = BaseMode::Subtract;
        state.compare.base = "heap1.pb.gz".into();
        let subtract = Setup { source: 5, base: Some(4), mode: BaseMode::Subtract, normalize: false };
        assert_eq!(resolve(&state, &p), Some(subtract));
        // Without a base the options mean nothing, so the setups are equal.
        state.compare.base.clear();
        assert_eq!(resolve(&state, &p), Some(Setup { source: 5, ..Setup::default() }));
    }
}
