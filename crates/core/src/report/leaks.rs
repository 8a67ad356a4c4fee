//! Leak suspects: allocation sites whose in-use memory grows across a
//! series of heap profiles. No pprof viewer has this report; it answers
//! "what is leaking?" from two or more `/debug/pprof/heap` snapshots.
//!
//! A site is an allocating (leaf) function with its whole call chain, at
//! function granularity with inlined frames expanded. For each site the
//! report takes inuse_space and inuse_objects in every snapshot, then:
//! - ranks sites by inuse_space growth (last minus first), and separately
//!   by inuse_objects growth;
//! - flags sites that grew in every interval (monotonic) and sites absent
//!   from the first snapshot (new);
//! - tells "bytes up, objects flat" (a growing buffer) from "objects up"
//!   (objects kept alive);
//! - gives the growth per minute when the profiles carry their times, and
//!   each site's share of all growth.
//!
//! Only sites that grew (in bytes or objects) are suspects, so identical
//! snapshots give none.

use std::fmt::Write as _;

use crate::error::Error;
use crate::model::{Profile, StackNode};
use crate::{gomath, units};

use super::format_time;

/// One heap profile of the series, with the name to show for it.
#[derive(Clone, Copy, Debug)]
pub struct LeakInput<'a> {
    /// A short name, usually the file name.
    pub name: &'a str,
    /// The decoded heap profile.
    pub profile: &'a Profile,
}

/// A snapshot as the report shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct LeakSnapshot {
    /// Its name.
    pub name: String,
    /// When it was taken (nanoseconds since the epoch), 0 when unknown.
    pub time_nanos: i64,
    /// Total in-use bytes.
    pub inuse_space: i64,
    /// Total in-use objects.
    pub inuse_objects: i64,
}

/// How a suspect's memory grows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GrowthKind {
    /// More live objects: something keeps references to them.
    ObjectsKeptAlive,
    /// More bytes but not more objects: a buffer or collection that keeps
    /// growing.
    GrowingBuffer,
}

impl GrowthKind {
    /// A short label: "objects kept alive" or "growing buffer".
    pub fn label(self) -> &'static str {
        match self {
            GrowthKind::ObjectsKeptAlive => "objects kept alive",
            GrowthKind::GrowingBuffer => "growing buffer",
        }
    }
}

/// A site whose in-use memory grew.
#[derive(Clone, Debug, PartialEq)]
pub struct Suspect {
    /// 1-based rank by inuse_space growth (the report's order).
    pub rank: usize,
    /// 1-based rank by inuse_objects growth among the suspects.
    pub objects_rank: usize,
    /// The allocating function (the leaf of the chain).
    pub function: String,
    /// The call chain, leaf first.
    pub chain: Vec<String>,
    /// In-use bytes in each snapshot, oldest first.
    pub space: Vec<i64>,
    /// In-use objects in each snapshot, oldest first.
    pub objects: Vec<i64>,
    /// Last minus first in-use bytes.
    pub space_growth: i64,
    /// Last minus first in-use objects.
    pub objects_growth: i64,
    /// Bytes per minute, when the snapshots' times are known.
    pub space_per_minute: Option<f64>,
    /// Share of the summed positive byte growth of all sites, 0 to 1.
    pub share: f64,
    /// Grew in bytes in every interval.
    pub monotonic: bool,
    /// Absent from the first snapshot.
    pub new: bool,
    /// How it grows.
    pub kind: GrowthKind,
    /// One sentence: why it ranks where it does.
    pub explanation: String,
}

impl Suspect {
    /// Bytes per minute, signed and rounded to the byte ("+202.92MB/min");
    /// None when the snapshots' times are unknown.
    pub fn rate_text(&self) -> Option<String> {
        self.space_per_minute.map(|r| format!("{}/min", signed_bytes(gomath::f64_to_i64(r.round()))))
    }

    /// Its share of all growth, to a tenth of a percent ("46.7%").
    pub fn share_text(&self) -> String {
        format!("{:.1}%", self.share * 100.0)
    }
}

/// Whether `profile` can be a snapshot of the series: it has inuse_space
/// and inuse_objects (a Go heap profile). [`leak_suspects`] refuses others.
pub fn is_leak_snapshot(profile: &Profile) -> bool {
    ["inuse_space", "inuse_objects"]
        .iter()
        .all(|&name| profile.sample_types.iter().any(|t| profile.str(t.kind) == name))
}

/// The leak report.
#[derive(Clone, Debug, PartialEq)]
pub struct LeakReport {
    /// The snapshots, oldest first.
    pub snapshots: Vec<LeakSnapshot>,
    /// Suspects, by inuse_space growth, largest first.
    pub suspects: Vec<Suspect>,
    /// Minutes from the first snapshot to the last, when known.
    pub minutes: Option<f64>,
    /// Total in-use bytes, last minus first.
    pub space_growth: i64,
    /// Total in-use objects, last minus first.
    pub objects_growth: i64,
}

/// One sample's share of a site: (chain, snapshot, objects, bytes).
type SiteRow = (Vec<String>, usize, i64, i64);

/// Finds the leak suspects of two or more heap profiles.
pub fn leak_suspects(inputs: &[LeakInput<'_>]) -> Result<LeakReport, Error> {
    if inputs.len() < 2 {
        return Err(Error::InvalidOption {
            option: "leaks",
            detail: format!("leak suspects compare two or more heap profiles; got {}", inputs.len()),
        });
    }
    // Oldest first when every profile has a time; else as given.
    let mut order: Vec<usize> = (0..inputs.len()).collect();
    if inputs.iter().all(|i| i.profile.time_nanos != 0) {
        order.sort_by_key(|&i| inputs[i].profile.time_nanos);
    }
    let mut snapshots = Vec::new();
    let mut rows: Vec<SiteRow> = Vec::new();
    for (k, &i) in order.iter().enumerate() {
        let input = inputs[i];
        let before = rows.len();
        site_rows(input, k, &mut rows)?;
        let (objects, space) =
            rows[before..].iter().fold((0i64, 0i64), |(o, s), r| (gomath::add(o, r.2), gomath::add(s, r.3)));
        snapshots.push(LeakSnapshot {
            name: input.name.to_string(),
            time_nanos: input.profile.time_nanos,
            inuse_space: space,
            inuse_objects: objects,
        });
    }
    let (first, last) = (&snapshots[0], &snapshots[snapshots.len() - 1]);
    let minutes = (first.time_nanos != 0 && last.time_nanos > first.time_nanos)
        .then(|| (last.time_nanos as f64 - first.time_nanos as f64) / 60e9);
    let space_growth = gomath::sub(last.inuse_space, first.inuse_space);
    let objects_growth = gomath::sub(last.inuse_objects, first.inuse_objects);

    let mut suspects = collect_suspects(rows, snapshots.len(), minutes);
    rank(&mut suspects);
    Ok(LeakReport { snapshots, suspects, minutes, space_growth, objects_growth })
}

/// Appends a row per sample of snapshot `k` with in-use memory.
fn site_rows(input: LeakInput<'_>, k: usize, rows: &mut Vec<SiteRow>) -> Result<(), Error> {
    let p = input.profile;
    let column = |name: &str| {
        p.sample_types.iter().position(|t| p.str(t.kind) == name).ok_or_else(|| Error::InvalidOption {
            option: "leaks",
            detail: format!(
                "{} is not a heap profile with inuse_space and inuse_objects (it has {})",
                input.name,
                p.sample_type_names().join(", ")
            ),
        })
    };
    let (space, objects) = (column("inuse_space")?, column("inuse_objects")?);
    for s in 0..p.samples.len() {
        let (o, b) = (p.samples.value(s, objects), p.samples.value(s, space));
        if o != 0 || b != 0 {
            rows.push((chain_of(p, p.samples.stack[s]), k, o, b));
        }
    }
    Ok(())
}

/// Function names of a stack, leaf first, inlined frames expanded.
fn chain_of(p: &Profile, node: StackNode) -> Vec<String> {
    let mut chain = Vec::new();
    for loc in p.stacks.frames(node) {
        let lines = p.location_lines(loc);
        if lines.is_empty() {
            chain.push(format!("{:#x}", p.locations[loc].address));
        }
        for line in lines {
            let f = &p.functions[line.function];
            let name = if p.str(f.name).is_empty() { p.str(f.system_name) } else { p.str(f.name) };
            chain.push(name.to_string());
        }
    }
    chain
}

/// Sums the rows by site and snapshot, and keeps the sites that grew.
/// (Sorting rather than hashing: the report is small, and so is its code
/// in the page's wasm.)
fn collect_suspects(mut rows: Vec<SiteRow>, snapshots: usize, minutes: Option<f64>) -> Vec<Suspect> {
    rows.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let mut suspects = Vec::new();
    let mut at = 0;
    while at < rows.len() {
        let end = at + rows[at..].iter().take_while(|r| r.0 == rows[at].0).count();
        let (mut space, mut objects) = (vec![0i64; snapshots], vec![0i64; snapshots]);
        for r in &rows[at..end] {
            objects[r.1] = gomath::add(objects[r.1], r.2);
            space[r.1] = gomath::add(space[r.1], r.3);
        }
        let chain = std::mem::take(&mut rows[at].0);
        at = end;
        let space_growth = gomath::sub(space[space.len() - 1], space[0]);
        let objects_growth = gomath::sub(objects[objects.len() - 1], objects[0]);
        if space_growth <= 0 && objects_growth <= 0 {
            continue;
        }
        suspects.push(Suspect {
            rank: 0,
            objects_rank: 0,
            function: chain.first().cloned().unwrap_or_default(),
            chain,
            monotonic: space.windows(2).all(|w| w[1] > w[0]),
            new: space[0] == 0 && objects[0] == 0,
            kind: if objects_growth > 0 { GrowthKind::ObjectsKeptAlive } else { GrowthKind::GrowingBuffer },
            space_per_minute: minutes.map(|m| space_growth as f64 / m),
            share: 0.0,
            explanation: String::new(),
            space,
            objects,
            space_growth,
            objects_growth,
        });
    }
    suspects
}

/// Orders the suspects, numbers them, and writes their shares and reasons.
fn rank(suspects: &mut [Suspect]) {
    let positive = gomath::sum(suspects.iter().map(|s| s.space_growth.max(0)));
    // By objects growth first, to number that ranking.
    suspects
        .sort_unstable_by(|a, b| b.objects_growth.cmp(&a.objects_growth).then_with(|| a.chain.cmp(&b.chain)));
    for (i, s) in suspects.iter_mut().enumerate() {
        s.objects_rank = i + 1;
    }
    // Then the report's order: bytes, growing in every interval first on
    // ties, then objects, then the chain for a stable order.
    suspects.sort_unstable_by(|a, b| {
        b.space_growth
            .cmp(&a.space_growth)
            .then_with(|| b.monotonic.cmp(&a.monotonic))
            .then_with(|| b.objects_growth.cmp(&a.objects_growth))
            .then_with(|| a.chain.cmp(&b.chain))
    });
    let count = suspects.len();
    for (i, s) in suspects.iter_mut().enumerate() {
        s.rank = i + 1;
        s.share = if positive > 0 { s.space_growth.max(0) as f64 / positive as f64 } else { 0.0 };
        s.explanation = explain(s, count);
    }
}

/// A change in bytes with its sign, auto-scaled: "+17MB", "-512kB".
pub fn signed_bytes(v: i64) -> String {
    let text = units::scaled_label(v.saturating_abs(), "bytes", "auto");
    if v < 0 {
        format!("-{text}")
    } else {
        format!("+{text}")
    }
}

/// A change in a count with its sign: "+371387", "-3", "0".
pub fn signed_count(v: i64) -> String {
    if v > 0 {
        format!("+{v}")
    } else {
        v.to_string()
    }
}

/// One sentence on why a suspect ranks where it does.
fn explain(s: &Suspect, count: usize) -> String {
    let intervals = s.space.len() - 1;
    let mut why = String::new();
    let place =
        if s.rank == 1 { "Ranked first".to_string() } else { format!("Ranked {} of {count}", s.rank) };
    if s.space_growth > 0 {
        let grown = units::scaled_label(s.space_growth, "bytes", "auto");
        let _ = write!(why, "{place}: its in-use memory grew by {grown}");
        if s.share > 0.0 {
            let _ = write!(why, " ({:.0}% of all growth)", s.share * 100.0);
        }
    } else {
        let _ = write!(why, "{place}: its memory did not grow, but its live objects did");
    }
    if s.new {
        why.push_str(", from nothing in the first snapshot");
    }
    if s.monotonic && intervals > 1 {
        let _ = write!(why, ", in every one of the {intervals} intervals");
    } else if !s.monotonic && s.space_growth > 0 && intervals > 1 {
        why.push_str(", but not in every interval (it may be churn)");
    }
    match s.kind {
        GrowthKind::ObjectsKeptAlive => {
            let _ = write!(
                why,
                ", with {} live objects: objects are being kept alive.",
                signed_count(s.objects_growth)
            );
        }
        GrowthKind::GrowingBuffer => {
            why.push_str(", while its object count did not grow: a buffer or collection that keeps growing.");
        }
    }
    why
}

impl LeakReport {
    /// The whole change in one line, as the CLI prints it and the page
    /// shows it: "Total in-use change: +35.93MB and +1013317 objects over
    /// 5s (+428.90MB/min)". The rate is rounded to the byte.
    pub fn summary_line(&self) -> String {
        let span = match self.minutes {
            Some(m) => {
                let rate = signed_bytes(gomath::f64_to_i64((self.space_growth as f64 / m).round()));
                if m < 1.0 {
                    format!(" over {:.0}s ({rate}/min)", m * 60.0)
                } else {
                    format!(" over {m:.1} min ({rate}/min)")
                }
            }
            None => String::new(),
        };
        format!(
            "Total in-use change: {} and {} objects{span}",
            signed_bytes(self.space_growth),
            signed_count(self.objects_growth)
        )
    }

    /// The report as text (`proflens leaks`): the snapshots, then each
    /// suspect with its numbers, flags, chain and reason.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let w = &mut out;
        let tz = jiff::tz::TimeZone::UTC;
        let _ = writeln!(w, "Leak suspects across {} heap profiles, oldest first:", self.snapshots.len());
        for (i, s) in self.snapshots.iter().enumerate() {
            let time = if s.time_nanos != 0 { format_time(s.time_nanos, &tz) } else { "time unknown".into() };
            let _ = writeln!(
                w,
                "  {}. {}  {}  inuse {} in {} objects",
                i + 1,
                s.name,
                time,
                units::scaled_label(s.inuse_space, "bytes", "auto"),
                s.inuse_objects
            );
        }
        let _ = writeln!(w, "{}", self.summary_line());
        if self.suspects.is_empty() {
            let _ = writeln!(w, "\nNo suspects: no allocation site grew.");
            return out;
        }
        let _ = writeln!(w, "\n{} suspects, by in-use bytes growth:", self.suspects.len());
        for s in &self.suspects {
            let mut flags = vec![s.kind.label()];
            if s.monotonic {
                flags.push("monotonic");
            }
            if s.new {
                flags.push("new");
            }
            let rate = s.rate_text().map(|r| format!(", {r}")).unwrap_or_default();
            let _ = writeln!(
                w,
                "\n#{} {}\n   bytes {}{rate}, {} of growth; objects {} (rank {}); {}",
                s.rank,
                s.function,
                signed_bytes(s.space_growth),
                s.share_text(),
                signed_count(s.objects_growth),
                s.objects_rank,
                flags.join(", ")
            );
            let series: Vec<String> =
                s.space.iter().map(|&v| units::scaled_label(v, "bytes", "auto")).collect();
            let _ = writeln!(w, "   inuse: {}", series.join(" -> "));
            for (depth, f) in s.chain.iter().enumerate() {
                let arrow = if depth == 0 { "" } else { "<- " };
                let _ = writeln!(w, "   {arrow}{f}");
            }
            let _ = writeln!(w, "   {}", s.explanation);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth::heap_series;
    use crate::{decode, DecodeOptions};

    const MIB: i64 = 1 << 20;

    fn series() -> Vec<Profile> {
        (0..3).map(|i| decode(&heap_series(i).encode(), &DecodeOptions::default()).unwrap()).collect()
    }

    fn report(profiles: &[Profile]) -> LeakReport {
        let names = ["a", "b", "c", "d"];
        let inputs: Vec<LeakInput<'_>> =
            profiles.iter().zip(names).map(|(profile, name)| LeakInput { name, profile }).collect();
        leak_suspects(&inputs).unwrap()
    }

    fn find<'a>(r: &'a LeakReport, function: &str) -> Option<&'a Suspect> {
        r.suspects.iter().find(|s| s.function == function)
    }

    #[test]
    fn the_planted_leak_ranks_first() {
        let r = report(&series());
        let top = &r.suspects[0];
        assert_eq!(top.function, "main.newEntry");
        assert_eq!(top.chain, ["main.newEntry", "main.remember", "main.handle", "main.main"]);
        assert_eq!((top.space_growth, top.objects_growth), (2 * MIB, 200));
        assert!(top.monotonic && !top.new);
        assert_eq!(top.kind, GrowthKind::ObjectsKeptAlive);
        assert_eq!(top.space_per_minute, Some(MIB as f64));
        assert_eq!(top.objects_rank, 1);
        assert_eq!(r.minutes, Some(2.0));
    }

    #[test]
    fn rates_are_rounded_in_the_summary_and_per_site() {
        let r = report(&series());
        assert_eq!(r.suspects[0].rate_text().as_deref(), Some("+1MB/min"));
        assert_eq!(
            r.summary_line(),
            "Total in-use change: +2.75MB and +175 objects over 2.0 min (+1.38MB/min)"
        );
        // 2 bytes over 3 minutes: 0.67 B/min, rounded (not truncated) to 1.
        let slow = LeakReport {
            snapshots: Vec::new(),
            suspects: Vec::new(),
            minutes: Some(3.0),
            space_growth: 2,
            objects_growth: -1,
        };
        assert_eq!(slow.summary_line(), "Total in-use change: +2B and -1 objects over 3.0 min (+1B/min)");
        let site = Suspect { space_per_minute: Some(0.67), ..r.suspects[0].clone() };
        assert_eq!(site.rate_text().as_deref(), Some("+1B/min"));
        assert_eq!(Suspect { share: 0.4666, ..site.clone() }.share_text(), "46.7%");
        assert_eq!(Suspect { space_per_minute: None, ..site }.rate_text(), None);
        let untimed = LeakReport { minutes: None, ..slow };
        assert_eq!(untimed.summary_line(), "Total in-use change: +2B and -1 objects");
    }

    #[test]
    fn only_heap_profiles_are_snapshots() {
        assert!(is_leak_snapshot(&series()[0]));
        let mut w = crate::encode::ProfileWriter::new(&[("samples", "count"), ("inuse_space", "bytes")]);
        let f = w.add_function("main.f", "main.go", 1);
        let l = w.add_location(None, 0x10, &[(f, 2)]);
        w.add_sample(&[l], &[1, 10], &[]);
        assert!(!is_leak_snapshot(&decode(&w.encode(), &DecodeOptions::default()).unwrap()));
    }

    #[test]
    fn flags_tell_sites_apart() {
        let r = report(&series());
        let buffer = find(&r, "main.(*buffer).grow").unwrap();
        assert_eq!(buffer.kind, GrowthKind::GrowingBuffer);
        assert!(buffer.monotonic);
        let render = find(&r, "main.render").unwrap();
        assert!(!render.monotonic, "grew then shrank");
        assert!(find(&r, "main.warmup").unwrap().new);
        assert!(find(&r, "main.parse").is_none(), "steady churn is no suspect");
        assert!(find(&r, "main.loadConfig").is_none(), "a freed site is no suspect");
        let shares: f64 = r.suspects.iter().map(|s| s.share).sum();
        assert!((shares - 1.0).abs() < 1e-9);
    }

    #[test]
    fn time_orders_the_snapshots() {
        let mut profiles = series();
        profiles.reverse();
        let r = report(&profiles);
        assert_eq!(r.suspects[0].function, "main.newEntry");
        assert_eq!(r.snapshots[0].name, "c", "the oldest, given last");
    }

    #[test]
    fn identical_snapshots_give_no_suspects() {
        let one = series().remove(1);
        let r = report(&[one.clone(), one]);
        assert!(r.suspects.is_empty());
        assert!(r.to_text().contains("No suspects"));
    }

    #[test]
    fn a_cpu_profile_is_refused() {
        let mut w = crate::encode::ProfileWriter::new(&[("samples", "count"), ("cpu", "nanoseconds")]);
        let f = w.add_function("main.spin", "main.go", 1);
        let l = w.add_location(None, 0x10, &[(f, 2)]);
        w.add_sample(&[l], &[1, 10], &[]);
        let cpu = decode(&w.encode(), &DecodeOptions::default()).unwrap();
        let heap = series().remove(0);
        let err = leak_suspects(&[
            LeakInput { name: "heap", profile: &heap },
            LeakInput { name: "cpu", profile: &cpu },
        ])
        .unwrap_err()
        .to_string();
        assert!(err.contains("cpu is not a heap profile"), "{err}");
        assert!(leak_suspects(&[LeakInput { name: "heap", profile: &heap }]).is_err());
    }
}
