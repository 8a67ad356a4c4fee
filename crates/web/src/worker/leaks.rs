//! The Leaks view's data: core's leak suspects over every loaded heap
//! profile, in the words `proflens leaks` prints.

use proflens_core::report::{is_leak_snapshot, leak_suspects, signed_bytes, signed_count, LeakInput};
use proflens_core::units::scaled_label;

use super::engine::Engine;
use crate::protocol::{LeakData, LeakSnapshot, LeakSuspect};

/// Leak suspects across the heap profiles among `loaded` (oldest first by
/// their times, else in load order).
pub fn report(loaded: &[Engine]) -> Result<LeakData, String> {
    let heaps: Vec<&Engine> = loaded.iter().filter(|e| is_leak_snapshot(e.profile())).collect();
    let inputs: Vec<LeakInput<'_>> =
        heaps.iter().map(|e| LeakInput { name: e.file_name(), profile: e.profile() }).collect();
    let report = leak_suspects(&inputs).map_err(|e| e.to_string())?;
    Ok(LeakData {
        summary: report.summary_line(),
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
                per_minute: s.rate_text().unwrap_or_default(),
                share: s.share_text(),
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
        Engine::load(id, name, &std::fs::read(path).unwrap(), 1 << 30, &mut |_| {}).unwrap()
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
        // The words and rounding of `proflens leaks` (tests/golden/leaks).
        assert_eq!(
            data.summary,
            "Total in-use change: +35.93MB and +1013317 objects over 5s (+428.90MB/min)"
        );
        assert_eq!(top.per_minute, "+202.92MB/min");
        // One heap profile is not a series.
        assert!(report(&[load(0, "heap2.pb.gz"), load(1, "cpu.pb.gz")]).is_err());
    }
}
