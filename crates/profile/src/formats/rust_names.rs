//! Rust symbols perf demangled only in part (`..` for `::`, `$LT$` for `<`,
//! a trailing `::h0123456789abcdef` hash), finished the way inferno does,
//! so perf stacks name Rust functions as the collapsed tools do.

use std::borrow::Cow;

/// `h` and 16 hex digits.
const HASH_LEN: usize = 17;

/// The legacy escapes and what they stand for.
const ESCAPES: &[(&str, &str)] = &[
    ("$SP$", "@"),
    ("$BP$", "*"),
    ("$RF$", "&"),
    ("$LT$", "<"),
    ("$GT$", ">"),
    ("$LP$", "("),
    ("$RP$", ")"),
    ("$C$", ","),
    ("$u7e$", "~"),
    ("$u20$", " "),
    ("$u27$", "'"),
    ("$u3d$", "="),
    ("$u5b$", "["),
    ("$u5d$", "]"),
    ("$u7b$", "{"),
    ("$u7d$", "}"),
    ("$u3b$", ";"),
    ("$u2b$", "+"),
    ("$u21$", "!"),
    ("$u22$", "\""),
];

/// The symbol with its hash dropped and escapes decoded; unchanged when it
/// does not end in a Rust hash.
pub(crate) fn undo_partial_demangling(symbol: &str) -> Cow<'_, str> {
    let Some(cut) = symbol.len().checked_sub(HASH_LEN) else { return Cow::Borrowed(symbol) };
    let Some(hash) = symbol.get(cut..) else { return Cow::Borrowed(symbol) };
    if !hash.starts_with('h') || !hash[1..].bytes().all(|b| b.is_ascii_hexdigit()) {
        return Cow::Borrowed(symbol);
    }
    let mut rest = &symbol[..cut];
    rest = rest.strip_suffix("::").unwrap_or(rest);
    if rest.starts_with("_$") {
        rest = &rest[1..];
    }
    let mut out = String::with_capacity(rest.len());
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("..") {
            out.push_str("::");
            rest = after;
        } else if let Some(after) = rest.strip_prefix('.') {
            out.push('.');
            rest = after;
        } else if rest.starts_with('$') {
            match ESCAPES.iter().find(|(from, _)| rest.starts_with(from)) {
                Some((from, to)) => {
                    out.push_str(to);
                    rest = &rest[from.len()..];
                }
                None => {
                    // An escape it does not know: keep the rest as it is.
                    out.push_str(rest);
                    break;
                }
            }
        } else {
            let end = rest.find(['$', '.']).unwrap_or(rest.len());
            out.push_str(&rest[..end]);
            rest = &rest[end..];
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finishes_what_perf_left() {
        let fix = |s| undo_partial_demangling(s).into_owned();
        assert_eq!(fix("app::store::Table::open::hb90e1c1c787080f0"), "app::store::Table::open");
        assert_eq!(
            fix("_$LT$app..store..Rows$u20$as$u20$core..iter..Iterator$GT$::next::hc14f1750ca79129b"),
            "<app::store::Rows as core::iter::Iterator>::next"
        );
        assert_eq!(fix("main"), "main");
        assert_eq!(fix("ééééééééééé"), "ééééééééééé");
    }
}
