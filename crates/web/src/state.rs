//! The view state, kept in the URL fragment so that reload, back/forward
//! and shared links restore it: `#top?si=alloc_space&sort=cum&g=lines`.
//!
//! Parameter names are pprof's web UI names: si (sample index), sort, g
//! (granularity), f (focus), i (ignore), h (hide), s (show), sf (show from),
//! n (nodecount), nf (nodefraction), ef (edgefraction), p (pivot); plus
//! sel, the selection, which Peek and Source show; and the comparison:
//! src (the profile shown), base (the profile subtracted), mode=subtract
//! (pprof's -base rather than -diff_base), norm=1 (-normalize), and
//! pal=cb (the colour-blind-safe diff palette). Profiles are named by their
//! file names: the page cannot keep files across a reload, so dropping the
//! same files again restores the comparison.

use crate::protocol::Query;

/// The views of the page.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum View {
    /// The top table.
    #[default]
    Top,
    /// The call graph.
    Graph,
    /// The flame graph.
    Flame,
    /// Callers and callees.
    Peek,
    /// Annotated source.
    Source,
    /// Leak suspects across heap snapshots.
    Leaks,
}

impl View {
    /// The fragment's name for the view.
    pub fn name(self) -> &'static str {
        match self {
            View::Top => "top",
            View::Graph => "graph",
            View::Flame => "flamegraph",
            View::Peek => "peek",
            View::Source => "source",
            View::Leaks => "leaks",
        }
    }

    /// Every view, in the order of the view tabs (Leaks only shows with
    /// two or more heap profiles).
    pub const ALL: [View; 6] = [View::Top, View::Graph, View::Flame, View::Peek, View::Source, View::Leaks];

    /// The tab label.
    pub fn label(self) -> &'static str {
        match self {
            View::Top => "Top",
            View::Graph => "Graph",
            View::Flame => "Flame Graph",
            View::Peek => "Peek",
            View::Source => "Source",
            View::Leaks => "Leaks",
        }
    }

    fn parse(name: &str) -> Option<View> {
        View::ALL.into_iter().find(|v| v.name() == name)
    }
}

/// How the top table is ordered; flat and cum are pprof's orders, name is
/// alphabetical.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum SortKey {
    /// By |flat| (pprof's default).
    #[default]
    Flat,
    /// By |cum|.
    Cum,
    /// By name.
    Name,
}

impl SortKey {
    /// The fragment's name for the order.
    pub fn name(self) -> &'static str {
        match self {
            SortKey::Flat => "flat",
            SortKey::Cum => "cum",
            SortKey::Name => "name",
        }
    }
}

/// Everything the URL fragment records.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct ViewState {
    /// The view shown.
    pub view: View,
    /// Sample type; "" for the profile's default.
    pub si: String,
    /// Table order.
    pub sort: SortKey,
    /// Granularity; "" for functions.
    pub g: String,
    /// Focus regexp.
    pub f: String,
    /// Ignore regexp.
    pub i: String,
    /// Hide regexp.
    pub h: String,
    /// Show regexp.
    pub s: String,
    /// Show-from regexp.
    pub sf: String,
    /// Node count.
    pub n: Option<usize>,
    /// Node fraction.
    pub nf: Option<f64>,
    /// Edge fraction.
    pub ef: Option<f64>,
    /// Flame graph pivot.
    pub p: String,
    /// The selection, as an exact-match regexp over node names (a proflens
    /// addition, so Peek and Source links can be shared).
    pub sel: String,
    /// The file name of the profile shown, when several are loaded.
    pub src: String,
    /// The file name of the base profile; "" for none.
    pub base: String,
    /// Subtract the base as `-base` (true) rather than `-diff_base`.
    pub subtract: bool,
    /// Scale the source to the base's totals (`-normalize`).
    pub normalize: bool,
    /// Draw diffs in the colour-blind-safe palette.
    pub colorblind: bool,
}

impl ViewState {
    /// Parses a fragment (with or without the leading '#'). Unknown views
    /// and parameters are ignored; malformed numbers are dropped.
    pub fn from_fragment(fragment: &str) -> ViewState {
        let fragment = fragment.strip_prefix('#').unwrap_or(fragment);
        let (view, params) = fragment.split_once('?').unwrap_or((fragment, ""));
        let mut state = ViewState { view: View::parse(view).unwrap_or_default(), ..ViewState::default() };
        for pair in params.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let value = percent_decode(value);
            match key {
                "si" => state.si = value,
                "sort" => {
                    state.sort = match value.as_str() {
                        "cum" => SortKey::Cum,
                        "name" => SortKey::Name,
                        _ => SortKey::Flat,
                    }
                }
                "g" => state.g = value,
                "f" => state.f = value,
                "i" => state.i = value,
                "h" => state.h = value,
                "s" => state.s = value,
                "sf" => state.sf = value,
                "n" => state.n = value.parse().ok(),
                "nf" => state.nf = value.parse().ok().filter(|v: &f64| v.is_finite()),
                "ef" => state.ef = value.parse().ok().filter(|v: &f64| v.is_finite()),
                "p" => state.p = value,
                "sel" => state.sel = value,
                "src" => state.src = value,
                "base" => state.base = value,
                "mode" => state.subtract = value == "subtract",
                "norm" => state.normalize = value == "1",
                "pal" => state.colorblind = value == "cb",
                _ => {}
            }
        }
        state
    }

    /// The fragment for this state, without the '#'; defaults are left out.
    pub fn to_fragment(&self) -> String {
        let mut params: Vec<(&str, String)> = Vec::new();
        let mut text = |key, value: &str| {
            if !value.is_empty() {
                params.push((key, value.to_string()));
            }
        };
        text("si", &self.si);
        if self.sort != SortKey::Flat {
            text("sort", self.sort.name());
        }
        text("g", &self.g);
        text("f", &self.f);
        text("i", &self.i);
        text("h", &self.h);
        text("s", &self.s);
        text("sf", &self.sf);
        if let Some(n) = self.n {
            text("n", &n.to_string());
        }
        if let Some(nf) = self.nf {
            text("nf", &nf.to_string());
        }
        if let Some(ef) = self.ef {
            text("ef", &ef.to_string());
        }
        text("p", &self.p);
        text("sel", &self.sel);
        text("src", &self.src);
        text("base", &self.base);
        text("mode", if self.subtract { "subtract" } else { "" });
        text("norm", if self.normalize { "1" } else { "" });
        text("pal", if self.colorblind { "cb" } else { "" });
        let mut out = self.view.name().to_string();
        for (i, (k, v)) in params.iter().enumerate() {
            out.push(if i == 0 { '?' } else { '&' });
            out.push_str(k);
            out.push('=');
            out.push_str(&percent_encode(v));
        }
        out
    }

    /// The report query this state asks for (the page shows every node
    /// unless `n` says otherwise).
    pub fn query(&self, tz_offset_seconds: i32) -> Query {
        Query {
            si: self.si.clone(),
            sort: if self.sort == SortKey::Cum { "cum".into() } else { "flat".into() },
            g: self.g.clone(),
            f: self.f.clone(),
            i: self.i.clone(),
            h: self.h.clone(),
            s: self.s.clone(),
            sf: self.sf.clone(),
            n: self.n,
            nf: self.nf,
            ef: self.ef,
            tz_offset_seconds,
        }
    }
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
/// escapes are kept as they are.
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(v) => {
                        out.push(v);
                        i += 3;
                        continue;
                    }
                    None => out.push(b'%'),
                }
            }
            b'+' => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fragments_round_trip() {
        let state = ViewState {
            view: View::Top,
            si: "alloc_space".into(),
            sort: SortKey::Cum,
            g: "lines".into(),
            f: "main\\.(flush|Reset)&x y".into(),
            nf: Some(0.01),
            n: Some(20),
            ..ViewState::default()
        };
        let fragment = state.to_fragment();
        assert!(fragment.starts_with("top?si=alloc_space&sort=cum&g=lines&f="), "{fragment}");
        assert_eq!(ViewState::from_fragment(&format!("#{fragment}")), state);
    }

    #[test]
    fn comparisons_round_trip() {
        let state = ViewState {
            view: View::Leaks,
            src: "heap2.pb.gz".into(),
            base: "heap 1.pb.gz".into(),
            subtract: true,
            normalize: true,
            colorblind: true,
            ..ViewState::default()
        };
        let fragment = state.to_fragment();
        assert_eq!(fragment, "leaks?src=heap2.pb.gz&base=heap%201.pb.gz&mode=subtract&norm=1&pal=cb");
        assert_eq!(ViewState::from_fragment(&fragment), state);
    }

    #[test]
    fn pprof_style_fragments_parse() {
        let s = ViewState::from_fragment("#top?si=alloc_space&sort=cum&g=lines");
        assert_eq!(
            (s.view, s.si.as_str(), s.sort, s.g.as_str()),
            (View::Top, "alloc_space", SortKey::Cum, "lines")
        );
        let s = ViewState::from_fragment("flamegraph?p=main.flushEvent&nf=bad&bogus=1");
        assert_eq!((s.view, s.p.as_str(), s.nf), (View::Flame, "main.flushEvent", None));
        assert_eq!(ViewState::from_fragment(""), ViewState::default());
        assert_eq!(ViewState::default().to_fragment(), "top");
    }

    #[test]
    fn percent_coding() {
        assert_eq!(percent_decode("a%20b+c%zz%"), "a b c%zz%");
        assert_eq!(percent_decode(&percent_encode("é&=#?%")), "é&=#?%");
    }
}
