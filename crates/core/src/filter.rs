//! Name filters (focus, ignore, hide, show, show_from), resolved per
//! location with pprof's semantics, into the frames each location
//! contributes to a report.
//!
//! A regexp matches a location when it matches the name or file of any of its
//! functions, or its mapping's file. focus/ignore pick samples; hide/show
//! remove frames; show_from drops the frames above the highest match.

use crate::pattern::Pattern;

use crate::error::Error;
use crate::model::{LineIndex, LocationIndex, Profile, Str};

/// The compiled name filters of a report.
#[derive(Clone, Debug, Default)]
pub struct NameFilters {
    /// Keep samples with a frame matching this.
    pub focus: Option<Pattern>,
    /// Drop samples with a frame matching this.
    pub ignore: Option<Pattern>,
    /// Remove frames matching this.
    pub hide: Option<Pattern>,
    /// Remove frames not matching this.
    pub show: Option<Pattern>,
    /// Drop frames above the highest frame matching this.
    pub show_from: Option<Pattern>,
}

/// Compiles an optional regexp option; "" means unset.
pub(crate) fn compile_option(option: &'static str, pattern: &str) -> Result<Option<Pattern>, Error> {
    if pattern.is_empty() {
        return Ok(None);
    }
    Pattern::new(pattern).map(Some).map_err(|detail| Error::Regex { option, detail })
}

impl NameFilters {
    /// Compiles the five filters; empty strings mean unset.
    pub fn compile(
        focus: &str,
        ignore: &str,
        hide: &str,
        show: &str,
        show_from: &str,
    ) -> Result<Self, Error> {
        Ok(NameFilters {
            focus: compile_option("focus", focus)?,
            ignore: compile_option("ignore", ignore)?,
            hide: compile_option("hide", hide)?,
            show: compile_option("show", show)?,
            show_from: compile_option("show_from", show_from)?,
        })
    }

    /// True when focus, ignore, hide or show is set: then samples with no
    /// frames left are dropped, as pprof does.
    pub fn selects_samples(&self) -> bool {
        self.focus.is_some() || self.ignore.is_some() || self.hide.is_some() || self.show.is_some()
    }
}

/// How focus/ignore classify a location.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mark {
    /// Matches neither.
    None,
    /// Matches focus (or there is no focus and it is not ignored).
    Focused,
    /// Matches ignore.
    Ignored,
}

/// The frames of every location once the filters are applied.
pub(crate) struct FrameView {
    /// Removed from every stack by hide/show.
    pub hidden: Vec<bool>,
    /// The focus/ignore mark of each location.
    pub mark: Vec<Mark>,
    /// Matches show_from (only meaningful when show_from is set).
    pub show_from: Vec<bool>,
    /// Whether show_from is set.
    pub show_from_active: bool,
    /// Whether any location was hidden.
    pub any_hidden: bool,
    /// Each location's frames: `frames[starts[l]..starts[l + 1]]`.
    starts: Vec<u32>,
    /// Line indices, or `NO_LINE` for a location without lines.
    frames: Vec<u32>,
}

/// The frame of a location that has no line information.
pub(crate) const NO_LINE: u32 = u32::MAX;

/// A regexp's verdict on every function (name or file name) and mapping
/// file, computed once: locations share functions, so matching per line
/// would repeat the same work many times.
struct Verdicts<'p> {
    profile: &'p Profile,
    functions: Vec<bool>,
    mappings: Vec<bool>,
}

impl<'p> Verdicts<'p> {
    fn new(profile: &'p Profile, re: &Pattern) -> Self {
        // Matched once per distinct string: functions and mappings share
        // names and files, and a hostile profile can share a huge one.
        let mut by_string: Vec<Option<bool>> = vec![None; profile.strings.len()];
        let mut matches = |s: Str| *by_string[s.index()].get_or_insert_with(|| re.is_match(profile.str(s)));
        let functions = profile.functions.iter().map(|f| matches(f.name) || matches(f.filename)).collect();
        let mappings = profile.mappings.iter().map(|m| matches(m.file)).collect();
        Verdicts { profile, functions, mappings }
    }

    fn line(&self, line: LineIndex) -> bool {
        self.functions[self.profile.lines[line].function]
    }

    fn mapping(&self, loc: LocationIndex) -> bool {
        self.profile.locations[loc].mapping.is_some_and(|m| self.mappings[m])
    }

    /// pprof's matchesName: any frame's function, or the mapping file.
    fn location(&self, loc: LocationIndex, lines: &[LineIndex]) -> bool {
        lines.iter().any(|&l| self.line(l)) || self.mapping(loc)
    }
}

impl FrameView {
    /// Applies `filters` to every location; `inlines = false` keeps only
    /// each location's outermost frame (pprof's noinlines).
    pub(crate) fn new(profile: &Profile, filters: &NameFilters, inlines: bool) -> Self {
        let n = profile.locations.len();
        let mut view = FrameView {
            hidden: vec![false; n],
            mark: vec![Mark::None; n],
            show_from: vec![false; n],
            show_from_active: filters.show_from.is_some(),
            any_hidden: false,
            starts: Vec::with_capacity(n + 1),
            frames: Vec::with_capacity(profile.lines.len()),
        };
        let selects = filters.selects_samples();
        let verdicts = |re: &Option<Pattern>| re.as_ref().map(|re| Verdicts::new(profile, re));
        let (focus, ignore, hide, show, show_from) = (
            verdicts(&filters.focus),
            verdicts(&filters.ignore),
            verdicts(&filters.hide),
            verdicts(&filters.show),
            verdicts(&filters.show_from),
        );
        let mut lines: Vec<LineIndex> = Vec::new();
        for loc in 0..n {
            let range = &profile.locations[loc].lines;
            lines.clear();
            lines.extend(range.start as usize..range.end as usize);
            if selects {
                view.mark[loc] = match (&ignore, &focus) {
                    (Some(ignore), _) if ignore.location(loc, &lines) => Mark::Ignored,
                    (_, None) => Mark::Focused,
                    (_, Some(focus)) if focus.location(loc, &lines) => Mark::Focused,
                    _ => Mark::None,
                };
            }
            if let Some(hide) = &hide {
                if hide.location(loc, &lines) {
                    if hide.mapping(loc) {
                        lines.clear();
                    } else {
                        lines.retain(|&l| !hide.line(l));
                    }
                    if lines.is_empty() {
                        view.hidden[loc] = true;
                    }
                }
            }
            if let Some(show) = &show {
                if !show.mapping(loc) {
                    lines.retain(|&l| show.line(l));
                }
                if lines.is_empty() {
                    view.hidden[loc] = true;
                }
            }
            if let Some(show_from) = &show_from {
                if show_from.mapping(loc) {
                    view.show_from[loc] = true;
                } else if let Some(i) = lines.iter().rposition(|&l| show_from.line(l)) {
                    lines.truncate(i + 1);
                    view.show_from[loc] = true;
                }
            }
            view.any_hidden |= view.hidden[loc];
            view.starts.push(view.frames.len() as u32);
            if range.is_empty() {
                view.frames.push(NO_LINE);
            } else if !inlines && lines.len() > 1 {
                view.frames.push(*lines.last().expect("checked non-empty") as u32);
            } else {
                view.frames.extend(lines.iter().map(|&l| l as u32));
            }
        }
        view.starts.push(view.frames.len() as u32);
        view
    }

    /// The frames of `loc`, innermost first: line indices or `NO_LINE`.
    pub(crate) fn frames(&self, loc: LocationIndex) -> &[u32] {
        &self.frames[self.starts[loc] as usize..self.starts[loc + 1] as usize]
    }

    /// The range of `loc`'s frames in the flat frame list.
    pub(crate) fn frame_range(&self, loc: LocationIndex) -> std::ops::Range<usize> {
        self.starts[loc] as usize..self.starts[loc + 1] as usize
    }

    /// The locations of the stack at `node` a sample shows, leaf first:
    /// hidden ones left out, and with show_from every one above the
    /// highest (root-most) match dropped. Written into `out`.
    pub(crate) fn shown_locations(&self, profile: &Profile, node: u32, out: &mut Vec<LocationIndex>) {
        out.clear();
        out.extend(profile.stacks.frames(node).filter(|&l| !self.hidden[l]));
        if self.show_from_active {
            let keep = out.iter().rposition(|&l| self.show_from[l]).map_or(0, |i| i + 1);
            out.truncate(keep);
        }
    }

    /// All frames, location after location.
    pub(crate) fn all_frames(&self) -> &[u32] {
        &self.frames
    }
}
