//! Function names that stay distinct and readable in `go tool pprof` and
//! proflens.
//!
//! A Rust symbol demangles to names like
//! `<alloc::vec::Vec<T> as core::iter::traits::collect::FromIterator<T>>::from_iter`
//! or `core::slice::<impl [T]>::chunks`. Written as they are, pprof's
//! symbolizer treats them as demangled C++ (a function whose name equals
//! its system name, with `::` or `<>` in it) and removes every `<...>`:
//! they become `::from_iter` and `core::slice::::chunks`, and different
//! functions merge. So each function gets two names:
//!
//! - `system_name`: the full demangled name (without the legacy hash);
//! - `name`, the one displayed: the same path with generic arguments left
//!   out, trait paths cut to the trait's own name and `impl` blocks written
//!   as their type, e.g. `<alloc::vec::Vec as FromIterator>::from_iter`,
//!   `[T]::chunks`, `usize::count_ones`, `alloc::raw_vec::RawVecInner::finish_grow`.
//!
//! The two differ whenever the full name has brackets, so pprof keeps the
//! displayed name as written (its simplification applies only to names
//! equal to their system name), and the legacy and v0 manglings of a
//! function get the same displayed name.

/// The displayed name for `full`, a demangled name without its hash.
pub(crate) fn display_name(full: &str) -> String {
    let full = full.trim();
    let segments = split_path(full);
    let shown = path_display(&segments, false);
    if shown.is_empty() || shown.starts_with("::") || shown.contains("::::") || !balanced(full) {
        // Not a name this parser understands: keep it whole.
        return full.to_string();
    }
    shown
}

/// Whether brackets in `s` pair up (an arrow's `>` does not count).
fn balanced(s: &str) -> bool {
    let mut depth = 0i32;
    let mut prev = ' ';
    for c in s.chars() {
        match c {
            '<' | '(' | '[' | '{' => depth += 1,
            '>' if prev == '-' => {}
            '>' | ')' | ']' | '}' => depth -= 1,
            _ => {}
        }
        if depth < 0 {
            return false;
        }
        prev = c;
    }
    depth == 0
}

/// Splits a path at the `::` outside brackets.
fn split_path(s: &str) -> Vec<&str> {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let (mut depth, mut start, mut i) = (0i32, 0usize, 0usize);
    while i < bytes.len() {
        match bytes[i] {
            b'<' | b'(' | b'[' | b'{' => depth += 1,
            b'>' if i > 0 && bytes[i - 1] == b'-' => {}
            b'>' | b')' | b']' | b'}' => depth -= 1,
            b':' if depth == 0 && bytes.get(i + 1) == Some(&b':') => {
                out.push(&s[start..i]);
                i += 2;
                start = i;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    out.push(&s[start..]);
    out
}

/// Splits `s` at the first occurrence of `sep` outside brackets.
fn split_top<'a>(s: &'a str, sep: &str) -> Option<(&'a str, &'a str)> {
    let bytes = s.as_bytes();
    let mut depth = 0i32;
    for i in 0..bytes.len() {
        match bytes[i] {
            b'<' | b'(' | b'[' | b'{' => depth += 1,
            b'>' if i > 0 && bytes[i - 1] == b'-' => {}
            b'>' | b')' | b']' | b'}' => depth -= 1,
            _ if depth == 0 && bytes[i..].starts_with(sep.as_bytes()) => {
                return Some((&s[..i], &s[i + sep.len()..]))
            }
            _ => {}
        }
    }
    None
}

/// The part of a path segment before its generic arguments, and the
/// arguments (without the brackets) if there are any.
fn split_args(seg: &str) -> (&str, Option<&str>) {
    match seg.find('<') {
        Some(i) if seg.ends_with('>') && i > 0 => (&seg[..i], Some(&seg[i + 1..seg.len() - 1])),
        _ => (seg, None),
    }
}

/// The inside of a segment that is one bracketed group, `<...>`.
fn bracketed(seg: &str) -> Option<&str> {
    let inner = seg.strip_prefix('<')?.strip_suffix('>')?;
    balanced(inner).then_some(inner)
}

/// The displayed form of a path's segments. `drop_last_args`: the path
/// names a type, whose generic arguments are left out everywhere.
fn path_display(segments: &[&str], drop_last_args: bool) -> String {
    let mut out: Vec<String> = Vec::new();
    let n = segments.len();
    for (i, seg) in segments.iter().enumerate() {
        let last = i + 1 == n;
        if seg.is_empty() {
            continue;
        }
        if let Some(inner) = bracketed(seg) {
            if let Some(body) = inner.strip_prefix("impl ") {
                // An impl block inside a path (legacy mangling): the module
                // it sits in says less than its type and trait.
                out.clear();
                out.push(match split_top(body, " for ") {
                    Some((tr, ty)) => qualified(ty, tr),
                    None => inherent(body),
                });
            } else if i == 0 {
                out.push(match split_top(inner, " as ") {
                    Some((ty, tr)) => qualified(ty, tr),
                    None => inherent(inner),
                });
            } else if last && segments[i - 1] == "drop_in_place" {
                // v0's drop glue: the type is what tells one from another.
                if let Some(prev) = out.last_mut() {
                    prev.push('<');
                    prev.push_str(&compact_type(inner, true));
                    prev.push('>');
                }
            }
            // Otherwise the generic arguments of a function (v0): left out.
            continue;
        }
        let (name, args) = split_args(seg);
        match args {
            // Only shims (drop glue) carry arguments on the function itself.
            Some(args) if last && !drop_last_args => {
                out.push(format!("{name}<{}>", compact_type(args, true)))
            }
            _ => out.push(name.to_string()),
        }
    }
    out.join("::")
}

/// `<Type as Trait>`: the type (paths kept), the trait's own name.
fn qualified(ty: &str, tr: &str) -> String {
    format!("<{} as {}>", self_type(ty.trim()), trait_name(tr.trim()))
}

/// An inherent impl's type, written bare: `usize`, `[T]`, `alloc::raw_vec::RawVecInner`.
fn inherent(ty: &str) -> String {
    self_type(ty.trim())
}

/// A type in `Self` position: a path keeps its path without generic
/// arguments; other types (`&T`, `[T]`, `dyn Fn() + Send`) are compacted.
fn self_type(ty: &str) -> String {
    if is_path(ty) {
        path_display(&split_path(ty), true)
    } else {
        compact_type(ty, false)
    }
}

/// The last segment of a trait path, without generic arguments.
fn trait_name(tr: &str) -> String {
    let segments = split_path(tr);
    let last = segments.last().copied().unwrap_or(tr);
    split_args(last).0.to_string()
}

const KEYWORDS: &[&str] = &["dyn", "impl", "fn", "unsafe", "extern", "for", "mut", "const"];

/// Whether `ty` is a plain path (`a::b::C<T>`), not a reference, pointer,
/// slice, tuple, trait object or function type.
fn is_path(ty: &str) -> bool {
    let first = ty.split(|c: char| !(c.is_alphanumeric() || c == '_')).next().unwrap_or("");
    ty.starts_with(|c: char| c.is_alphabetic() || c == '_')
        && !KEYWORDS.contains(&first)
        && split_top(ty, " ").is_none()
        && split_top(ty, "(").is_none()
}

/// A type with each path cut to its last segment (`&mut alloc::string::String`
/// → `&mut String`); generic arguments kept (compacted) or left out.
fn compact_type(t: &str, keep_args: bool) -> String {
    let bytes = t.as_bytes();
    let mut out = String::with_capacity(t.len());
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c.is_ascii_alphabetic() || c == b'_' {
            let (end, last, args) = read_path(t, i);
            out.push_str(last);
            if let (true, Some(args)) = (keep_args, args) {
                out.push('<');
                out.push_str(&compact_type(args, keep_args));
                out.push('>');
            }
            i = end;
        } else if c == b'<' {
            // A qualified path inside a type: `<T as Trait>::Item`.
            let Some(end) = close_angle(t, i) else {
                out.push_str(&t[i..]);
                break;
            };
            out.push('<');
            out.push_str(&compact_type(t.get(i + 1..end - 1).unwrap_or(""), keep_args));
            out.push('>');
            i = end;
        } else {
            let ch = t[i..].chars().next().unwrap_or(' ');
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    out
}

/// Reads the path starting at `i`: (end, last segment, its generic
/// arguments without brackets).
fn read_path(t: &str, mut i: usize) -> (usize, &str, Option<&str>) {
    let bytes = t.as_bytes();
    let ident_end = |from: usize| {
        let mut j = from;
        while j < bytes.len() && (bytes[j].is_ascii_alphanumeric() || bytes[j] == b'_') {
            j += 1;
        }
        j
    };
    let mut end = ident_end(i);
    let mut last = &t[i..end];
    let mut args = None;
    i = end;
    loop {
        if bytes.get(i) == Some(&b'<') {
            let close = close_angle(t, i).unwrap_or(t.len());
            args = t.get(i + 1..close.saturating_sub(1));
            i = close;
            end = i;
        }
        if t[i..].starts_with("::") {
            match bytes.get(i + 2) {
                Some(b) if b.is_ascii_alphabetic() || *b == b'_' => {
                    let e = ident_end(i + 2);
                    last = &t[i + 2..e];
                    args = None;
                    i = e;
                    end = e;
                    continue;
                }
                Some(b'<') => {
                    // A turbofish: the arguments of a generic function.
                    i = close_angle(t, i + 2).unwrap_or(t.len());
                    end = i;
                    continue;
                }
                Some(b'{') => {
                    let close = t[i + 2..].find("}}").map_or(t.len(), |p| i + 2 + p + 2);
                    last = &t[i + 2..close];
                    args = None;
                    i = close;
                    end = i;
                    continue;
                }
                _ => {}
            }
        }
        return (end, last, args);
    }
}

/// The index just after the `>` closing the `<` at `open`; `None` when it
/// is not closed.
fn close_angle(t: &str, open: usize) -> Option<usize> {
    let bytes = t.as_bytes();
    let mut depth = 0i32;
    for (j, &b) in bytes.iter().enumerate().skip(open) {
        match b {
            b'<' => depth += 1,
            b'>' if j > 0 && bytes[j - 1] == b'-' => {}
            b'>' => {
                depth -= 1;
                if depth == 0 {
                    return Some(j + 1);
                }
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::display_name as d;

    /// Names as backtrace demangles them from this repository's own
    /// profiles (legacy and v0 manglings, DWARF names of inlined calls).
    #[test]
    fn real_names_read_well() {
        let cases = [
            ("leaky_service::with_value", "leaky_service::with_value"),
            ("leaky_service::main::{{closure}}", "leaky_service::main::{{closure}}"),
            (
                "<alloc::vec::Vec<T> as core::iter::traits::collect::FromIterator<T>>::from_iter",
                "<alloc::vec::Vec as FromIterator>::from_iter",
            ),
            (
                "<alloc::vec::Vec<T> as alloc::vec::spec_from_iter_nested::SpecFromIterNested<T,I>>::from_iter",
                "<alloc::vec::Vec as SpecFromIterNested>::from_iter",
            ),
            ("core::slice::<impl [T]>::chunks", "[T]::chunks"),
            ("core::ptr::const_ptr::<impl *const T>::is_aligned_to", "*const T::is_aligned_to"),
            ("core::num::<impl usize>::checked_mul", "usize::checked_mul"),
            ("<usize>::count_ones", "usize::count_ones"),
            ("<alloc::raw_vec::RawVecInner>::finish_grow", "alloc::raw_vec::RawVecInner::finish_grow"),
            ("alloc::raw_vec::RawVecInner<A>::finish_grow", "alloc::raw_vec::RawVecInner::finish_grow"),
            (
                "<alloc::raw_vec::RawVecInner<_>>::reserve::do_reserve_and_handle::<alloc::alloc::Global>",
                "alloc::raw_vec::RawVecInner::reserve::do_reserve_and_handle",
            ),
            ("<std::sys::thread::unix::Thread>::new::thread_start", "std::sys::thread::unix::Thread::new::thread_start"),
            ("alloc::vec::Vec<T,A>::push", "alloc::vec::Vec::push"),
            ("alloc::boxed::Box<T>::new", "alloc::boxed::Box::new"),
            ("alloc::sync::Arc<[T],A>::allocate_for_slice_in::{{closure}}", "alloc::sync::Arc::allocate_for_slice_in::{{closure}}"),
            (
                "<&dyn core::ops::function::Fn<(), Output = i32> + core::marker::Sync + core::panic::unwind_safe::RefUnwindSafe as core::ops::function::FnOnce<()>>::call_once",
                "<&dyn Fn + Sync + RefUnwindSafe as FnOnce>::call_once",
            ),
            (
                "<alloc::boxed::Box<dyn core::ops::function::FnOnce<(), Output = ()> + core::marker::Send> as core::ops::function::FnOnce<()>>::call_once",
                "<alloc::boxed::Box as FnOnce>::call_once",
            ),
            ("core::slice::index::<impl core::ops::index::IndexMut<I> for [T]>::index_mut", "<[T] as IndexMut>::index_mut"),
            ("alloc::str::<impl alloc::borrow::ToOwned for str>::to_owned", "<str as ToOwned>::to_owned"),
            ("core::array::<impl core::ops::index::IndexMut<I> for [T; N]>::index_mut", "<[T; N] as IndexMut>::index_mut"),
            ("<T as alloc::slice::<impl [T]>::to_vec_in::ConvertVec>::to_vec", "<T as ConvertVec>::to_vec"),
            ("<F as axum::handler::Handler<(M,T1),S>>::call::{{closure}}", "<F as Handler>::call::{{closure}}"),
            (
                "std::panicking::catch_unwind::do_call::<&dyn core::ops::function::Fn<(), Output = i32> + core::marker::Sync + core::panic::unwind_safe::RefUnwindSafe, i32>",
                "std::panicking::catch_unwind::do_call",
            ),
            ("std::rt::lang_start_internal::{closure#0}", "std::rt::lang_start_internal::{closure#0}"),
            ("core::ops::function::FnOnce::call_once{{vtable.shim}}", "core::ops::function::FnOnce::call_once{{vtable.shim}}"),
            (
                "core::ptr::drop_in_place<alloc::vec::Vec<(alloc::string::String,u64)>>",
                "core::ptr::drop_in_place<Vec<(String,u64)>>",
            ),
            ("core::ptr::drop_in_place::<alloc::string::String>", "core::ptr::drop_in_place<String>"),
            (
                "<&mut alloc::string::String as core::fmt::Write::write_fmt::SpecWriteFmt>::spec_write_fmt",
                "<&mut String as SpecWriteFmt>::spec_write_fmt",
            ),
            (
                "<proflens_agent::heap::SamplingAllocator<A> as core::alloc::global::GlobalAlloc>::alloc",
                "<proflens_agent::heap::SamplingAllocator as GlobalAlloc>::alloc",
            ),
            ("<(http::status::StatusCode,R) as axum_core::response::into_response::IntoResponse>::into_response", "<(StatusCode,R) as IntoResponse>::into_response"),
            (
                "<serde_core::de::impls::<impl serde_core::de::Deserialize for std::collections::hash::map::HashMap<K,V,S>>::deserialize::MapVisitor<K,V,S> as serde_core::de::Visitor>::visit_map",
                "<<std::collections::hash::map::HashMap as Deserialize>::deserialize::MapVisitor as Visitor>::visit_map",
            ),
            ("__rustc::__rust_alloc", "__rustc::__rust_alloc"),
            ("start_thread", "start_thread"),
            ("<fn(A) -> B as core::ops::function::FnOnce<(A,)>>::call_once", "<fn(A) -> B as FnOnce>::call_once"),
        ];
        for (full, want) in cases {
            assert_eq!(d(full), want, "{full}");
        }
    }

    use proptest::prelude::*;

    /// A path of 1 to 3 lower-case segments, some with generic arguments.
    fn path() -> impl Strategy<Value = String> {
        prop::collection::vec(("[a-z_][a-z0-9_]{0,6}", prop::option::of("[A-Z]{1,2}")), 1..4).prop_map(
            |segs| {
                segs.into_iter()
                    .map(|(s, args)| match args {
                        Some(a) => format!("{s}<{a}>"),
                        None => s,
                    })
                    .collect::<Vec<_>>()
                    .join("::")
            },
        )
    }

    /// A type in `Self` position: a path, or a reference, slice or pointer to one.
    fn self_type() -> impl Strategy<Value = String> {
        (path(), 0..4u8).prop_map(|(p, form)| match form {
            0 => p,
            1 => format!("&{p}"),
            2 => format!("[{p}]"),
            _ => format!("*const {p}"),
        })
    }

    proptest! {
        /// Whatever the name, no panic, and the result never starts with
        /// `::` or doubles it unless the input did (it is then kept whole).
        #[test]
        fn any_text_is_handled(s in "[a-z<>:&\\[\\](){}, *#'é-]{0,40}") {
            let shown = d(&s);
            if shown != s.trim() {
                prop_assert!(!shown.starts_with("::") && !shown.contains("::::"), "{s:?} -> {shown:?}");
            }
        }

        /// Qualified and impl-block names keep their function and their
        /// trait's name, and differ when those differ.
        #[test]
        fn trait_methods_stay_distinct(
            ty in self_type(), tr in path(), tr2 in "[A-Z][a-z]{1,6}", f in "[a-z_][a-z0-9_]{0,8}", legacy in any::<bool>()
        ) {
            let name = |trait_name: &str| if legacy {
                format!("core::x::<impl {tr}::{trait_name} for {ty}>::{f}")
            } else {
                format!("<{ty} as {tr}::{trait_name}>::{f}")
            };
            let a = d(&name("Alpha"));
            let b = d(&name(&tr2));
            prop_assert!(a.ends_with(&format!(" as Alpha>::{f}")), "{a}");
            prop_assert!(!a.starts_with("::") && !a.contains("::::"), "{a}");
            prop_assert_eq!(a != b, tr2 != "Alpha", "{} / {}", a, b);
        }

        /// Inherent methods: the v0 and legacy manglings of one method show
        /// the same name.
        #[test]
        fn manglings_agree(p in path(), f in "[a-z_][a-z0-9_]{0,8}") {
            let v0 = d(&format!("<{p}>::{f}"));
            let legacy = d(&format!("{p}::{f}"));
            prop_assert_eq!(&v0, &legacy);
            prop_assert!(!v0.contains('<'), "{}", v0);
        }
    }

    #[test]
    fn nothing_starts_with_colons_or_doubles_them() {
        for full in ["<a as b>::", "::x", "<>::f", "a::<>::b", "<<>>", "x<", "core::>::f", ""] {
            let shown = d(full);
            assert!(!shown.starts_with("::") || full.starts_with("::"), "{full} -> {shown}");
            assert!(!shown.contains("::::") || full.contains("::::"), "{full} -> {shown}");
        }
    }
}
