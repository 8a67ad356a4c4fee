//! drop_frames / keep_frames: frames a profile asks viewers to remove at
//! load time (allocator internals, signal handlers), with pprof's rules.

use crate::error::Error;
use crate::pattern::{Pattern, PatternError};

use crate::model::{ArenaFull, Function, Line, Location, StackNode, StackTreeBuilder, Strings};

/// The compiled drop_frames and keep_frames regexps.
pub(crate) struct DropRules {
    drop: Pattern,
    keep: Option<Pattern>,
}

/// The longest drop_frames or keep_frames regexp compiled, in bytes. Real
/// ones are a few hundred bytes; a hostile one could take minutes and
/// gigabytes to parse.
pub const MAX_FRAME_REGEXP_LEN: usize = 64 << 10;
/// The largest compiled drop_frames or keep_frames program, in bytes.
pub const MAX_FRAME_REGEXP_PROGRAM: usize = 2 << 20;

impl DropRules {
    /// Compiles the rules as whole-name matches. pprof ignores a profile's
    /// drop_frames (and keep_frames) when they do not compile, so a syntax
    /// error gives None; one too large to compile safely is an error naming
    /// the field.
    pub(crate) fn compile(drop: &str, keep: &str) -> Result<Option<Self>, Error> {
        let Some(drop) = compile_rule("drop_frames", drop)? else { return Ok(None) };
        let keep = if keep.is_empty() {
            None
        } else {
            match compile_rule("keep_frames", keep)? {
                Some(keep) => Some(keep),
                None => return Ok(None),
            }
        };
        Ok(Some(DropRules { drop, keep }))
    }

    fn drops(&self, name: &str) -> bool {
        let name = simplify_function_name(name);
        self.drop.is_match(name) && !self.keep.as_ref().is_some_and(|k| k.is_match(name))
    }
}

/// One rule as a whole-name match: None for a syntax error (ignored, as
/// pprof does), an error when it is too large.
fn compile_rule(field: &'static str, rule: &str) -> Result<Option<Pattern>, Error> {
    if rule.len() > MAX_FRAME_REGEXP_LEN {
        let detail = PatternError::TooLong(rule.len(), MAX_FRAME_REGEXP_LEN).to_string();
        return Err(Error::FrameRegexp { field, detail });
    }
    match Pattern::bounded(&format!("^({rule})$"), usize::MAX, Some(MAX_FRAME_REGEXP_PROGRAM)) {
        Ok(p) => Ok(Some(p)),
        Err(PatternError::Invalid(_)) => Ok(None),
        Err(_) => Err(Error::FrameRegexp {
            field,
            detail: format!("it is too large: it compiles to more than {MAX_FRAME_REGEXP_PROGRAM} bytes"),
        }),
    }
}

/// Strips an argument list from a function name so that a rule written for
/// `malloc` also matches `malloc(unsigned long)`. Parentheses that belong to
/// `(anonymous namespace)` and `operator()` are not argument lists.
pub(crate) fn simplify_function_name(name: &str) -> &str {
    let name = name.strip_prefix('.').unwrap_or(name);
    let mut from = 0;
    while let Some(pos) = name[from..].find(['(', 'o']).map(|p| p + from) {
        let rest = &name[pos..];
        if rest.starts_with("(anonymous namespace)") {
            from = pos + "(anonymous namespace)".len();
        } else if rest.starts_with("operator()") {
            from = pos + "operator()".len();
        } else if rest.starts_with('(') {
            return &name[..pos];
        } else {
            from = pos + 1;
        }
    }
    name
}

/// What the rules do to one location.
#[derive(Clone, Copy, PartialEq, Eq)]
enum LocationCut {
    /// No frame matches.
    Keep,
    /// The outermost frame matches: the whole location goes.
    Whole,
    /// An inner frame matches: the location stays, trimmed to its callers.
    Beneath,
}

/// Applies the rules: trims matching locations to the frames outside the
/// match, and cuts each sample's stack at the first matching location below
/// its first non-matching ("user") frame.
pub(crate) fn apply(
    rules: &DropRules,
    strings: &Strings,
    functions: &[Function],
    locations: &mut [Location],
    lines: &[Line],
    stacks: &mut StackTreeBuilder,
    sample_nodes: &mut [StackNode],
) -> Result<(), ArenaFull> {
    // By name, not by function: many functions may share one (huge) name.
    let mut cache: Vec<Option<bool>> = vec![None; strings.len()];
    let mut cut = vec![LocationCut::Keep; locations.len()];
    for (li, loc) in locations.iter_mut().enumerate() {
        let frames = &lines[loc.lines.start as usize..loc.lines.end as usize];
        // Scan from the outermost frame inwards for the first match.
        let hit = (0..frames.len()).rev().find(|&i| {
            let name = functions[frames[i].function].name;
            !name.is_empty() && *cache[name.0 as usize].get_or_insert_with(|| rules.drops(strings.get(name)))
        });
        if let Some(i) = hit {
            if i == frames.len() - 1 {
                cut[li] = LocationCut::Whole;
            } else {
                cut[li] = LocationCut::Beneath;
                loc.lines.start += i as u32 + 1;
            }
        }
    }
    let mut stack = Vec::new();
    for node in sample_nodes.iter_mut() {
        stacks.stack(*node, &mut stack);
        // Scan from the root for the first cut below a user frame.
        let mut found_user = false;
        let mut keep = stack.len();
        for (i, &loc) in stack.iter().enumerate() {
            match cut[loc as usize] {
                LocationCut::Keep => found_user = true,
                _ if !found_user => {}
                LocationCut::Whole => {
                    keep = i;
                    break;
                }
                LocationCut::Beneath => {
                    keep = i + 1;
                    break;
                }
            }
        }
        if keep < stack.len() {
            *node = stacks.insert(&stack[..keep])?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simplify_strips_arguments_but_not_reserved_parens() {
        assert_eq!(simplify_function_name("malloc(unsigned long)"), "malloc");
        assert_eq!(simplify_function_name(".foo"), "foo");
        assert_eq!(simplify_function_name("(anonymous namespace)::f(int)"), "(anonymous namespace)::f");
        assert_eq!(simplify_function_name("A::operator()(int)"), "A::operator()");
        assert_eq!(simplify_function_name("main.main"), "main.main");
    }
}
