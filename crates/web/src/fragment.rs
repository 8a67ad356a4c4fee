//! The URL fragment codec: a [`Query`] as `#top?si=alloc_space&sort=cum&g=lines`,
//! so that reload, back/forward and shared links restore the view.
//!
//! This is the only place that knows the parameters' short names, pprof's
//! web UI names: si (sample index), sort, g (granularity), f (focus), i
//! (ignore), h (hide), s (show), sf (show from), n (nodecount), nf
//! (nodefraction), ef (edgefraction), tf (tagfocus), ti (tagignore), ts
//! (tagshow), th (taghide), tagroot, tagleaf (pprof has no short names for
//! these two), tagbase (proflens' own: the tag filter whose samples are
//! the diff base of tf's), p (pivot); the long names tagfocus, tagignore, tagshow and
//! taghide are read too; plus proflens' own: sel
//! (the selection, which Peek and Source show), src and base (the
//! comparison's file names), mode=subtract (pprof's -base rather than
//! -diff_base), norm=1 (-normalize) and pal=cb (the colour-blind-safe diff
//! palette). A parameter is one row of [`PARAMS`].

use crate::query::{BaseMode, Query, SortKey, View};
use proflens_core::graph::Granularity;

/// One fragment parameter: its name, how a query writes it ("" for the
/// default, which is left out) and how a value is read into a query.
/// Reading never fails: a malformed value leaves the default.
pub struct Param {
    /// The name in the fragment.
    pub key: &'static str,
    /// The value for a query; "" leaves the parameter out.
    pub write: fn(&Query) -> String,
    /// Sets the value in a query.
    pub read: fn(&mut Query, String),
}

fn finite(value: &str) -> Option<f64> {
    value.parse().ok().filter(|v: &f64| v.is_finite())
}

fn number_text<T: ToString>(value: Option<T>) -> String {
    value.map_or(String::new(), |v| v.to_string())
}

/// Every parameter, in the order the fragment writes them.
pub const PARAMS: &[Param] = &[
    Param { key: "si", write: |q| q.report.sample.clone(), read: |q, v| q.report.sample = v },
    Param {
        key: "sort",
        write: |q| if q.report.sort == SortKey::Flat { String::new() } else { q.report.sort.name().into() },
        read: |q, v| q.report.sort = SortKey::parse(&v).unwrap_or_default(),
    },
    Param {
        key: "g",
        write: |q| q.report.granularity.map_or(String::new(), |g| g.name().into()),
        read: |q, v| q.report.granularity = Granularity::parse(&v),
    },
    Param { key: "f", write: |q| q.report.filters.focus.clone(), read: |q, v| q.report.filters.focus = v },
    Param { key: "i", write: |q| q.report.filters.ignore.clone(), read: |q, v| q.report.filters.ignore = v },
    Param { key: "h", write: |q| q.report.filters.hide.clone(), read: |q, v| q.report.filters.hide = v },
    Param { key: "s", write: |q| q.report.filters.show.clone(), read: |q, v| q.report.filters.show = v },
    Param {
        key: "sf",
        write: |q| q.report.filters.show_from.clone(),
        read: |q, v| q.report.filters.show_from = v,
    },
    Param {
        key: "n",
        write: |q| number_text(q.report.pruning.node_count),
        read: |q, v| q.report.pruning.node_count = v.parse().ok(),
    },
    Param {
        key: "nf",
        write: |q| number_text(q.report.pruning.node_fraction),
        read: |q, v| q.report.pruning.node_fraction = finite(&v),
    },
    Param {
        key: "ef",
        write: |q| number_text(q.report.pruning.edge_fraction),
        read: |q, v| q.report.pruning.edge_fraction = finite(&v),
    },
    Param {
        key: "tf",
        write: |q| q.report.filters.tag_focus.clone(),
        read: |q, v| q.report.filters.tag_focus = v,
    },
    Param {
        key: "ti",
        write: |q| q.report.filters.tag_ignore.clone(),
        read: |q, v| q.report.filters.tag_ignore = v,
    },
    Param {
        key: "ts",
        write: |q| q.report.filters.tag_show.clone(),
        read: |q, v| q.report.filters.tag_show = v,
    },
    Param {
        key: "th",
        write: |q| q.report.filters.tag_hide.clone(),
        read: |q, v| q.report.filters.tag_hide = v,
    },
    Param {
        key: "tagroot",
        write: |q| q.report.filters.tag_root.clone(),
        read: |q, v| q.report.filters.tag_root = v,
    },
    Param {
        key: "tagleaf",
        write: |q| q.report.filters.tag_leaf.clone(),
        read: |q, v| q.report.filters.tag_leaf = v,
    },
    Param {
        key: "tagbase",
        write: |q| q.report.filters.tag_base.clone(),
        read: |q, v| q.report.filters.tag_base = v,
    },
    // pprof's long names, read only: links written by hand.
    Param { key: "tagfocus", write: |_| String::new(), read: |q, v| q.report.filters.tag_focus = v },
    Param { key: "tagignore", write: |_| String::new(), read: |q, v| q.report.filters.tag_ignore = v },
    Param { key: "tagshow", write: |_| String::new(), read: |q, v| q.report.filters.tag_show = v },
    Param { key: "taghide", write: |_| String::new(), read: |q, v| q.report.filters.tag_hide = v },
    Param { key: "p", write: |q| q.pivot.clone(), read: |q, v| q.pivot = v },
    Param { key: "sel", write: |q| q.selection.clone(), read: |q, v| q.selection = v },
    Param { key: "src", write: |q| q.compare.source.clone(), read: |q, v| q.compare.source = v },
    Param { key: "base", write: |q| q.compare.base.clone(), read: |q, v| q.compare.base = v },
    Param {
        key: "mode",
        write: |q| if q.compare.mode == BaseMode::Subtract { "subtract".into() } else { String::new() },
        read: |q, v| q.compare.mode = if v == "subtract" { BaseMode::Subtract } else { BaseMode::Diff },
    },
    Param {
        key: "norm",
        write: |q| if q.compare.normalize { "1".into() } else { String::new() },
        read: |q, v| q.compare.normalize = v == "1",
    },
    Param {
        key: "pal",
        write: |q| if q.colorblind { "cb".into() } else { String::new() },
        read: |q, v| q.colorblind = v == "cb",
    },
];

/// The query a fragment (with or without the leading '#') describes.
/// Unknown views and parameters are ignored; malformed values leave the
/// defaults.
pub fn parse(fragment: &str) -> Query {
    let fragment = fragment.strip_prefix('#').unwrap_or(fragment);
    let (view, params) = fragment.split_once('?').unwrap_or((fragment, ""));
    let mut query = Query { view: View::parse(view).unwrap_or_default(), ..Query::default() };
    for (key, value) in pairs(params) {
        if let Some(param) = PARAMS.iter().find(|p| p.key == key) {
            (param.read)(&mut query, percent_decode(value));
        }
    }
    query
}

/// The fragment for a query, without the '#'; defaults are left out.
pub fn write(query: &Query) -> String {
    let mut out = query.view.name().to_string();
    for param in PARAMS {
        let value = (param.write)(query);
        if !value.is_empty() {
            out.push(if out.contains('?') { '&' } else { '?' });
            out.push_str(param.key);
            out.push('=');
            out.push_str(&percent_encode(&value));
        }
    }
    out
}

/// The key=value pairs of a fragment's parameters, still percent-encoded
/// (a key without '=' has an empty value).
pub fn pairs(params: &str) -> impl Iterator<Item = (&str, &str)> {
    params.split('&').filter(|p| !p.is_empty()).map(|p| p.split_once('=').unwrap_or((p, "")))
}

/// Percent-encodes everything but unreserved characters and a few that are
/// safe in a fragment and common in regexps.
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~*()/:,|^$".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Decodes %XX escapes (and '+' as a space, as forms write it); invalid
/// escapes are kept as they are, invalid UTF-8 becomes U+FFFD.
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .filter(|h| bytes[i] == b'%' && h.iter().all(u8::is_ascii_hexdigit))
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (_, Some(v)) => {
                out.push(v);
                i += 3;
                continue;
            }
            (b'+', None) => out.push(b' '),
            (b, None) => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::{Comparison, Filters, Pruning, ReportQuery};

    #[test]
    fn fragments_round_trip() {
        let query = Query {
            view: View::Top,
            report: ReportQuery {
                sample: "alloc_space".into(),
                sort: SortKey::Cum,
                granularity: Some(Granularity::Lines),
                filters: Filters { focus: "main\\.(flush|Reset)&x y".into(), ..Filters::default() },
                pruning: Pruning { node_count: Some(20), node_fraction: Some(0.01), edge_fraction: None },
            },
            ..Query::default()
        };
        let fragment = write(&query);
        assert!(fragment.starts_with("top?si=alloc_space&sort=cum&g=lines&f="), "{fragment}");
        assert_eq!(parse(&format!("#{fragment}")), query);
    }

    #[test]
    fn comparisons_round_trip() {
        let query = Query {
            view: View::Leaks,
            compare: Comparison {
                source: "heap2.pb.gz".into(),
                base: "heap 1.pb.gz".into(),
                mode: BaseMode::Subtract,
                normalize: true,
            },
            colorblind: true,
            ..Query::default()
        };
        let fragment = write(&query);
        assert_eq!(fragment, "leaks?src=heap2.pb.gz&base=heap%201.pb.gz&mode=subtract&norm=1&pal=cb");
        assert_eq!(parse(&fragment), query);
    }

    #[test]
    fn pprof_style_fragments_parse() {
        let q = parse("#top?si=alloc_space&sort=cum&g=lines");
        assert_eq!(
            (q.view, q.report.sample.as_str(), q.report.sort, q.report.granularity),
            (View::Top, "alloc_space", SortKey::Cum, Some(Granularity::Lines))
        );
        let q = parse("flamegraph?p=main.flushEvent&nf=bad&bogus=1&g=nonsense&sort=up");
        assert_eq!(
            (q.view, q.pivot.as_str(), q.report.pruning.node_fraction),
            (View::Flame, "main.flushEvent", None)
        );
        assert_eq!((q.report.granularity, q.report.sort), (None, SortKey::Flat));
        assert_eq!(parse("flamegraph?g=functions").report.granularity, Some(Granularity::Functions));
        assert_eq!(parse(""), Query::default());
        assert_eq!(write(&Query::default()), "top");
        assert_eq!(parse("top?nf=inf&ef=NaN").report.pruning, Pruning::default());
    }

    #[test]
    fn tag_options_round_trip_with_pprofs_names() {
        let filters = Filters {
            tag_focus: "bytes=1kb:".into(),
            tag_ignore: "worker=hash,sort".into(),
            tag_show: "worker|id".into(),
            tag_hide: "^id$".into(),
            tag_root: "worker,id".into(),
            tag_leaf: "bytes".into(),
            tag_base: "worker=^hash$".into(),
            ..Filters::default()
        };
        let query = Query {
            view: View::Flame,
            report: ReportQuery { filters, ..ReportQuery::default() },
            ..Query::default()
        };
        let fragment = write(&query);
        assert_eq!(
            fragment,
            "flamegraph?tf=bytes%3D1kb:&ti=worker%3Dhash,sort&ts=worker|id&th=^id$&tagroot=worker,id&tagleaf=bytes&tagbase=worker%3D^hash$"
        );
        assert_eq!(parse(&fragment), query);
        let long = parse("top?tagfocus=worker%3Dsort&tagignore=id%3Dc1&tagshow=w&taghide=x");
        let f = &long.report.filters;
        assert_eq!(
            (f.tag_focus.as_str(), f.tag_ignore.as_str(), f.tag_show.as_str(), f.tag_hide.as_str()),
            ("worker=sort", "id=c1", "w", "x")
        );
    }

    #[test]
    fn percent_coding() {
        assert_eq!(percent_decode("a%20b+c%zz%"), "a b c%zz%");
        assert_eq!(percent_decode("%4"), "%4");
        assert_eq!(percent_decode("%+1%-1"), "% 1%-1", "no signs in escapes; '+' is a space");
        assert_eq!(percent_decode("%C3%A9%ff"), "é\u{fffd}");
        assert_eq!(percent_decode(&percent_encode("é&=#?%")), "é&=#?%");
    }

    #[test]
    fn every_param_has_its_own_name() {
        let mut keys: Vec<&str> = PARAMS.iter().map(|p| p.key).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), PARAMS.len());
    }
}
