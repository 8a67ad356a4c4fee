//! The worker's side: holds the decoded profile and answers queries with
//! proflens-core. Pure Rust, so it is tested natively.

use proflens_core::decode::{decode_with_progress, Progress, Stage as CoreStage};
use proflens_core::graph::Granularity;
use proflens_core::report::{top, ReportOptions, Sort};
use proflens_core::{DecodeOptions, Profile};

use crate::protocol::{Query, Response, SampleType, Stage, Summary, TopRow, TopTable};

/// The largest decompressed profile the page accepts: wasm32 memory is 4 GiB
/// at most and the model needs room beside the bytes.
pub const PAGE_MAX_DECOMPRESSED: u64 = 1 << 30;

/// A loaded profile and what it was called.
pub struct Engine {
    profile: Profile,
    file_name: String,
}

impl Engine {
    /// Decodes `bytes`, reporting progress through `progress`.
    pub fn load(file_name: &str, bytes: &[u8], progress: &mut dyn FnMut(Response)) -> Result<Engine, String> {
        let mut options = DecodeOptions::default();
        options.limits.max_decompressed_bytes = PAGE_MAX_DECOMPRESSED;
        let total = bytes.len() as u64;
        let mut on_progress = |p: Progress| {
            let stage = match p.stage {
                CoreStage::Decode => Stage::Decode,
                CoreStage::Resolve => Stage::Resolve,
            };
            progress(Response::Progress { stage, done: p.done, total });
        };
        let profile = decode_with_progress(bytes, &options, &mut on_progress).map_err(|e| e.to_string())?;
        Ok(Engine { profile, file_name: file_name.to_string() })
    }

    /// What the page shows about the profile before any report.
    pub fn summary(&self) -> Summary {
        let p = &self.profile;
        Summary {
            file_name: self.file_name.clone(),
            sample_types: p
                .sample_types
                .iter()
                .map(|t| SampleType { name: p.str(t.kind).to_string(), unit: p.str(t.unit).to_string() })
                .collect(),
            default_index: proflens_core::report::sample_index(p, "").unwrap_or(0),
            samples: p.samples.len(),
            functions: p.functions.len(),
            time_nanos: p.time_nanos,
        }
    }

    /// The top report for `query`, every node (no node count limit unless
    /// the query sets one).
    pub fn top(&self, query: &Query) -> Result<TopTable, String> {
        let options = report_options(query)?;
        let report = top(&self.profile, &options).map_err(|e| e.to_string())?;
        let rows = report
            .rows
            .iter()
            .map(|r| TopRow {
                name: r.name.clone(),
                flat: r.flat,
                cum: r.cum,
                flat_text: r.flat_text.clone(),
                flat_pct: report.percent(r.flat).trim().to_string(),
                sum_pct: report.percent(r.flat_sum).trim().to_string(),
                cum_text: r.cum_text.clone(),
                cum_pct: report.percent(r.cum).trim().to_string(),
                inline: r.inline.label().to_string(),
            })
            .collect();
        Ok(TopTable { legend: report.legend, rows, sample_type: report.sample_type })
    }
}

/// Report options for a query, with pprof's defaults for what it leaves out.
pub fn report_options(q: &Query) -> Result<ReportOptions, String> {
    let mut o = ReportOptions { sample_index: q.si.clone(), ..ReportOptions::default() };
    o.sort = match q.sort.as_str() {
        "" | "flat" => Sort::Flat,
        "cum" => Sort::Cum,
        other => return Err(format!("unknown sort {other:?}; use flat or cum")),
    };
    o.granularity = if q.g.is_empty() {
        Granularity::Functions
    } else {
        Granularity::parse(&q.g).ok_or_else(|| format!("unknown granularity {:?}", q.g))?
    };
    o.focus = q.f.clone();
    o.ignore = q.i.clone();
    o.hide = q.h.clone();
    o.show = q.s.clone();
    o.show_from = q.sf.clone();
    o.node_count = q.n;
    if let Some(nf) = q.nf {
        o.node_fraction = nf;
    }
    if let Some(ef) = q.ef {
        o.edge_fraction = ef;
    }
    o.time_zone = jiff::tz::TimeZone::fixed(
        jiff::tz::Offset::from_seconds(q.tz_offset_seconds).unwrap_or(jiff::tz::Offset::UTC),
    );
    Ok(o)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn heap2() -> Vec<u8> {
        std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/go/heap2.pb.gz")).unwrap()
    }

    #[test]
    fn top_rows_are_cores_top_report() {
        let mut stages = Vec::new();
        let engine = Engine::load("heap2.pb.gz", &heap2(), &mut |r| stages.push(r)).unwrap();
        assert!(matches!(stages.last(), Some(Response::Progress { stage: Stage::Resolve, .. })));
        let summary = engine.summary();
        assert_eq!(summary.sample_types.len(), 4);
        assert_eq!(summary.sample_types[summary.default_index].name, "inuse_space");

        let table = engine.top(&Query::default()).unwrap();
        let expected = top(&engine.profile, &ReportOptions::default()).unwrap();
        assert_eq!(table.legend, expected.legend);
        assert_eq!(table.rows.len(), expected.rows.len());
        assert_eq!(table.rows[0].name, "context.WithValue");
        assert_eq!(table.rows[0].flat_text, "44.50MB");
        assert_eq!(table.rows[0].flat_pct, "46.19%");

        let alloc =
            engine.top(&Query { si: "alloc_space".into(), sort: "cum".into(), ..Query::default() }).unwrap();
        assert_eq!(alloc.sample_type, "alloc_space");
        assert!(alloc.rows.windows(2).all(|w| w[0].cum.abs() >= w[1].cum.abs()));
    }

    #[test]
    fn bad_queries_and_bytes_are_errors() {
        let engine = Engine::load("heap2.pb.gz", &heap2(), &mut |_| {}).unwrap();
        assert!(engine.top(&Query { si: "nope".into(), ..Query::default() }).unwrap_err().contains("nope"));
        assert!(engine.top(&Query { f: "(".into(), ..Query::default() }).unwrap_err().contains("focus"));
        assert!(Engine::load("x", b"hello world, not a profile", &mut |_| {}).is_err());
    }
}
