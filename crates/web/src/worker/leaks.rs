//! The Leaks view's data: core's leak suspects over every loaded heap
//! profile, formatted for the page.

use proflens_core::report::{leak_suspects, signed_bytes, signed_count, LeakInput};
use proflens_core::units::scaled_label;

use crate::engine::Engine;
use crate::protocol::{LeakData, LeakSnapshot, LeakSuspect};

/// Whether a profile can be a leak snapshot: it has inuse_space and
/// inuse_objects (a Go heap profile).
pub fn is_heap(sample_types: &[&str]) -> bool {
    ["inuse_space", "inuse_objects"].iter().all(|t| sample_types.contains(t))
}

/// Leak suspects across the heap profiles among `loaded` (oldest first by
/// their times, else in load order).
pub fn report(loaded: &[Engine]) -> Result<LeakData, String> {
    let heaps: Vec<&Engine> = loaded
        .iter()
        .filter(|e| {
            let p = e.profile();
            let names: Vec<&str> = p.sample_types.iter().map(|t| p.str(t.kind)).collect();
            is_heap(&names)
        })
        .collect();
    let inputs: Vec<LeakInput<'_>> =
        heaps.iter().map(|e| LeakInput { name: e.file_name(), profile: e.profile() }).collect();
    let report = leak_suspects(&inputs).map_err(|e| e.to_string())?;
    let over = match report.minutes {
        Some(m) if m < 1.0 => format!(" over {:.0}s", m * 60.0),
        Some(m) => format!(" over {m:.1} minutes"),
        None => String::new(),
    };
    Ok(LeakData {
        summary: format!(
            "In use: {} and {} objects{over}, from {} to {}.",
            signed_bytes(report.space_growth),
            signed_count(report.objects_growth),
            report.snapshots.first().map_or("", |s| s.name.as_str()),
            report.snapshots.last().map_or("", |s| s.name.as_str()),
        ),
        snapshots: report
            .snapshots
            .iter()
            .map(|s| LeakSnapshot {
                name: s.name.clone(),
                time_nanos: s.time_nanos,
                space: scaled_label(s.inuse_space, "bytes", "auto"),
                objects: s.inuse_objects,
            })
            .collect(),
        suspects: report
            .suspects
            .iter()
            .map(|s| LeakSuspect {
                rank: s.rank,
                objects_rank: s.objects_rank,
                function: s.function.clone(),
                chain: s.chain.clone(),
                space: s.space.clone(),
                space_growth: signed_bytes(s.space_growth),
                per_minute: s
                    .space_per_minute
                    .map(|r| format!("{}/min", signed_bytes(r as i64)))
                    .unwrap_or_default(),
                share: format!("{:.1}%", s.share * 100.0),
                objects_growth: signed_count(s.objects_growth),
                monotonic: s.monotonic,
                new: s.new,
                kind: s.kind.label().to_string(),
                explanation: s.explanation.clone(),
            })
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(id: u32, name: &str) -> Engine {
        let path = format!("{}/../../tests/fixtures/go/{name}", env!("CARGO_MANIFEST_DIR"));
        Engine::load(id, name, &std::fs::read(path).unwrap(), &mut |_| {}).unwrap()
    }

    #[test]
    fn the_go_leak_is_the_first_suspect() {
        // Loaded newest first: the report still orders them by time.
        let data = report(&[load(0, "heap2.pb.gz"), load(1, "cpu.pb.gz"), load(2, "heap1.pb.gz")]).unwrap();
        let names: Vec<&str> = data.snapshots.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["heap1.pb.gz", "heap2.pb.gz"]);
        let top = &data.suspects[0];
        assert_eq!(top.function, "context.WithValue");
        assert_eq!(
            top.chain[..4],
            ["context.WithValue", "main.SetCtxValue", "main.ResetLogId", "main.flushEvent"]
        );
        assert_eq!(top.space_growth, "+17MB");
        assert!(top.per_minute.ends_with("/min"), "{}", top.per_minute);
        assert!(data.summary.contains("+35.93MB"), "{}", data.summary);
        // One heap profile is not a series.
        assert!(report(&[load(0, "heap2.pb.gz"), load(1, "cpu.pb.gz")]).is_err());
    }
}
