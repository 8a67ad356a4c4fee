//! The header lines of every report: what the profile is, and what the
//! report shows or dropped.

use jiff::tz::TimeZone;
use jiff::Timestamp;

use crate::graph::{abs_cutoff, base_name};
use crate::{gomath, units};

use super::context::ReportContext;

const MONTHS: [&str; 12] =
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// A profile time as pprof prints it, e.g. "Nov 26, 2026 at 6:25pm (UTC)".
pub fn format_time(nanos: i64, tz: &TimeZone) -> String {
    let ts = Timestamp::from_nanosecond(i128::from(nanos)).unwrap_or(Timestamp::UNIX_EPOCH);
    let info = tz.to_offset_info(ts);
    let dt = info.offset().to_datetime(ts);
    let hour = dt.hour();
    let h12 = if hour % 12 == 0 { 12 } else { hour % 12 };
    let ampm = if hour < 12 { "am" } else { "pm" };
    format!(
        "{} {}, {} at {}:{:02}{} ({})",
        MONTHS[(dt.month() - 1) as usize],
        dt.day(),
        dt.year(),
        h12,
        dt.minute(),
        ampm,
        info.abbreviation()
    )
}

/// The profile's legend lines (file, build id, comments, type, time,
/// duration) for the sample type and filters of `options`, as every pprof
/// view shows them.
pub fn profile_legend(
    profile: &crate::model::Profile,
    options: &super::ReportOptions,
) -> Result<Vec<String>, crate::error::Error> {
    let ctx = ReportContext::new(profile, options, super::context::ReportKind::Traces)?;
    Ok(profile_labels(&ctx))
}

/// pprof's ProfileLabels: file, build id, comments, type, time, duration.
pub(crate) fn profile_labels(ctx: &ReportContext<'_>) -> Vec<String> {
    let p = ctx.profile;
    let mut lines = Vec::new();
    if let Some(m) = p.mappings.first() {
        let file = p.str(m.file);
        if !file.is_empty() {
            lines.push(format!("File: {}", base_name(file)));
        }
        let build_id = p.str(m.build_id);
        if !build_id.is_empty() {
            lines.push(format!("Build ID: {build_id}"));
        }
    }
    let mut comments = p.comments.iter().map(|&c| p.str(c)).filter(|c| !c.starts_with('#'));
    let limit = ctx.options.legend_comments.unwrap_or(usize::MAX);
    lines.extend(comments.by_ref().take(limit).map(str::to_string));
    let more = comments.count();
    if more > 0 {
        lines.push(format!("({more} more comments not shown)"));
    }
    if !ctx.sample_type.is_empty() {
        lines.push(format!("Type: {}", ctx.sample_type));
    }
    if p.time_nanos != 0 {
        lines.push(format!("Time: {}", format_time(p.time_nanos, &ctx.options.time_zone)));
    }
    if p.duration_nanos != 0 {
        let duration = units::label(p.duration_nanos, "nanoseconds");
        let (total_ns, unit) = units::scale(ctx.total, &ctx.sample_unit, "nanoseconds");
        let ratio = if unit == "ns" && total_ns != 0.0 {
            format!("({})", units::percentage(gomath::f64_to_i64(total_ns), p.duration_nanos))
        } else {
            String::new()
        };
        lines.push(format!("Duration: {duration}, Total samples = {} {ratio}", ctx.format_value(ctx.total)));
    }
    lines
}

/// What pruning did, for the legend.
pub(crate) struct Shown {
    pub flat_sum: i64,
    pub node_count: usize,
    pub orig_count: usize,
    pub dropped_nodes: usize,
    pub dropped_edges: usize,
    /// Drawn graphs (DOT) add a line on how to read them.
    pub full_headers: bool,
}

/// pprof's reportLabels: the profile labels, the active filters, and the
/// "Showing nodes accounting for ..." lines.
pub(crate) fn report_labels(
    ctx: &ReportContext<'_>,
    shown: &Shown,
    node_fraction: f64,
    edge_fraction: f64,
) -> Vec<String> {
    let mut lines = profile_labels(ctx);
    let filters = ctx.options.active_filters();
    if !filters.is_empty() {
        lines.push("Active filters:".to_string());
        for f in filters {
            // pprof cuts at 80 bytes.
            let f =
                if f.len() > 80 { format!("{}…", String::from_utf8_lossy(&f.as_bytes()[..80])) } else { f };
            lines.push(format!("   {f}"));
        }
    }
    lines.push(format!(
        "Showing nodes accounting for {}, {} of {} total",
        ctx.format_value(shown.flat_sum),
        units::percentage(shown.flat_sum, ctx.total).trim(),
        ctx.format_value(ctx.total)
    ));
    if ctx.total != 0 {
        let plural = |n: usize, what: &str| {
            if n > 1 {
                format!("{what}s")
            } else {
                what.to_string()
            }
        };
        if shown.dropped_nodes > 0 {
            let cutoff = abs_cutoff(ctx.total, node_fraction);
            lines.push(format!(
                "Dropped {} {} (cum <= {})",
                shown.dropped_nodes,
                plural(shown.dropped_nodes, "node"),
                ctx.format_value(cutoff)
            ));
        }
        if shown.dropped_edges > 0 {
            let cutoff = abs_cutoff(ctx.total, edge_fraction);
            lines.push(format!(
                "Dropped {} {} (freq <= {})",
                shown.dropped_edges,
                plural(shown.dropped_edges, "edge"),
                ctx.format_value(cutoff)
            ));
        }
        if shown.node_count > 0 && shown.node_count < shown.orig_count {
            lines.push(format!("Showing top {} nodes out of {}", shown.node_count, shown.orig_count));
        }
    }
    if shown.full_headers {
        // pprof's pointer for new readers of drawn graphs.
        lines.push("\nSee https://git.io/JfYMW for how to read the graph".to_string());
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_like_go() {
        // 2026-11-26T18:25:55Z
        let nanos = 1_795_717_555_720_653_572;
        assert_eq!(format_time(nanos, &TimeZone::UTC), "Nov 26, 2026 at 6:25pm (UTC)");
        assert_eq!(format_time(0, &TimeZone::UTC), "Jan 1, 1970 at 12:00am (UTC)");
    }

    #[test]
    fn legend_comments_are_capped_when_asked() {
        let mut w = crate::encode::ProfileWriter::new(&[("samples", "count")]);
        for i in 0..5 {
            w.add_comment(&format!("comment {i}"));
        }
        w.add_comment("#hidden");
        let profile =
            crate::decode::decode(&w.encode_gzip(), &crate::decode::DecodeOptions::default()).unwrap();
        let all = profile_legend(&profile, &crate::report::ReportOptions::default()).unwrap();
        assert_eq!(all.iter().filter(|l| l.starts_with("comment")).count(), 5);
        let options = crate::report::ReportOptions { legend_comments: Some(2), ..Default::default() };
        let capped = profile_legend(&profile, &options).unwrap();
        assert_eq!(&capped[..3], ["comment 0", "comment 1", "(3 more comments not shown)"]);
    }
}
