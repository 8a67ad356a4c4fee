//! pprof's ShortenFunctionName: the short names drawn in graph nodes and
//! flame frames ("http.(*conn).serve" for "net/http.(*conn).serve").
//!
//! pprof does it with five regexps. Every frame of a Flame Graph and every
//! Graph node needs one, and a backtracking-free regexp engine (the page's
//! regex-lite) spent most of a small profile's Flame Graph on them. Each
//! pattern here is a direct scan that takes the same decisions the regexp's
//! leftmost-first search takes; the tests compare them with the regexps on
//! generated names.

/// Go's `\w`: ASCII only.
fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// The end of the run of bytes from `from` that satisfy `class`.
fn run_end(s: &[u8], from: usize, class: impl Fn(u8) -> bool) -> usize {
    from + s[from.min(s.len())..].iter().take_while(|&&b| class(b)).count()
}

/// The short form of a function name, as pprof draws it.
pub fn shorten_function_name(name: &str) -> String {
    // `^\(anonymous namespace\)::` replaced by nothing.
    let name = name.strip_prefix("(anonymous namespace)::").unwrap_or(name);
    let name = without_go_major_version(name);
    let name = name.as_ref();
    let short = go_short(name).or_else(|| java_short(name)).or_else(|| cpp_short(name));
    short.unwrap_or(name).to_string()
}

/// `^(.*?)/v(?:[2-9]|[1-9][0-9]+)([./].*)$` replaced by `${1}${2}`: the
/// first "/vN" (N ≥ 2, no leading zero, followed by '.' or '/') removed.
/// `.` does not match a newline, so a name holding one is left as is.
fn without_go_major_version(name: &str) -> std::borrow::Cow<'_, str> {
    let s = name.as_bytes();
    if s.contains(&b'\n') {
        return name.into();
    }
    let mut at = 0;
    while let Some(found) = name[at..].find("/v") {
        let start = at + found;
        let digits = start + 2;
        let end = run_end(s, digits, |b| b.is_ascii_digit());
        let version_ok = match end - digits {
            0 => false,
            1 => (b'2'..=b'9').contains(&s[digits]),
            _ => s[digits] != b'0',
        };
        if version_ok && matches!(s.get(end), Some(b'.' | b'/')) {
            return format!("{}{}", &name[..start], &name[end..]).into();
        }
        at = start + 1;
    }
    name.into()
}

/// Where each repetition of a `^(?:segment)+` prefix ends, in order;
/// `segment` gives the end of one starting at its argument. A greedy
/// repetition tries them last first.
fn repetition_ends(segment: impl Fn(usize) -> Option<usize>) -> Vec<usize> {
    let mut ends = Vec::new();
    let mut at = 0;
    while let Some(end) = segment(at) {
        ends.push(end);
        at = end;
    }
    ends
}

/// The end of `.+` from `from`: at least one byte, up to the first newline.
fn line_rest_end(s: &[u8], from: usize) -> Option<usize> {
    let end = run_end(s, from, |b| b != b'\n');
    (end > from).then_some(end)
}

/// Go: `^(?:[\w\-\.]+/)+([^.]+\..+)`, the package path dropped.
fn go_short(name: &str) -> Option<&str> {
    let s = name.as_bytes();
    let segment = |at: usize| {
        let end = run_end(s, at, |b| is_word(b) || b == b'-' || b == b'.');
        (end > at && s.get(end) == Some(&b'/')).then_some(end + 1)
    };
    repetition_ends(segment).into_iter().rev().find_map(|k| {
        // `[^.]+` runs to the first '.', which `\.` then takes.
        let dot = k + s.get(k..)?.iter().position(|&b| b == b'.')?;
        if dot == k {
            return None;
        }
        line_rest_end(s, dot + 1).map(|end| &name[k..end])
    })
}

/// Java: `^(?:[a-z]\w*\.)*([A-Z][\w\$]*\.(?:<init>|[a-z][\w\$]*(?:\$[0-9]+)?))(?:(?:\()|$)`,
/// the package and the arguments dropped.
fn java_short(name: &str) -> Option<&str> {
    let s = name.as_bytes();
    // Package segments; only the longest run can be followed by the
    // capital a class name needs (fewer would leave a lowercase start).
    let mut k = 0;
    while s.get(k).is_some_and(u8::is_ascii_lowercase) {
        let end = run_end(s, k + 1, is_word);
        if s.get(end) != Some(&b'.') {
            return None;
        }
        k = end + 1;
    }
    if !s.get(k)?.is_ascii_uppercase() {
        return None;
    }
    let is_member = |b: u8| is_word(b) || b == b'$';
    let dot = run_end(s, k + 1, is_member);
    if s.get(dot) != Some(&b'.') {
        return None;
    }
    let closes = |end: usize| matches!(s.get(end), None | Some(b'('));
    let method = dot + 1;
    if s[method..].starts_with(b"<init>") && closes(method + 6) {
        return Some(&name[k..method + 6]);
    }
    if !s.get(method)?.is_ascii_lowercase() {
        return None;
    }
    // `[\w\$]*` takes any `$N` suffix too; only '(' or the end may follow.
    let end = run_end(s, method + 1, is_member);
    closes(end).then(|| &name[k..end])
}

/// C++: `^(?:[_a-zA-Z]\w*::)+(_*[A-Z]\w*::~?[_a-zA-Z]\w*(?:<.*>)?)`, the
/// namespaces dropped, template arguments kept.
fn cpp_short(name: &str) -> Option<&str> {
    let s = name.as_bytes();
    let segment = |at: usize| {
        s.get(at).filter(|&&b| b.is_ascii_alphabetic() || b == b'_')?;
        let end = run_end(s, at + 1, is_word);
        s[end..].starts_with(b"::").then_some(end + 2)
    };
    repetition_ends(segment).into_iter().rev().find_map(|k| cpp_member(s, k).map(|end| &name[k..end]))
}

/// Where `_*[A-Z]\w*::~?[_a-zA-Z]\w*(?:<.*>)?` matching at `k` ends.
fn cpp_member(s: &[u8], k: usize) -> Option<usize> {
    let class = run_end(s, k, |b| b == b'_');
    if !s.get(class)?.is_ascii_uppercase() {
        return None;
    }
    let colons = run_end(s, class + 1, is_word);
    if !s[colons..].starts_with(b"::") {
        return None;
    }
    let mut member = colons + 2;
    let starts_member = |i: usize| s.get(i).is_some_and(|&b| b.is_ascii_alphabetic() || b == b'_');
    if s.get(member) == Some(&b'~') && starts_member(member + 1) {
        member += 1;
    }
    if !starts_member(member) {
        return None;
    }
    let end = run_end(s, member + 1, is_word);
    if s.get(end) != Some(&b'<') {
        return Some(end);
    }
    // `<.*>`: to the last '>' before a newline, if there is one.
    let line_end = run_end(s, end + 1, |b| b != b'\n');
    Some(s[end + 1..line_end].iter().rposition(|&b| b == b'>').map_or(end, |i| end + 1 + i + 1))
}

#[cfg(test)]
mod tests {
    use super::shorten_function_name as s;
    use proflens_profile::pattern::Regex;
    use proptest::prelude::*;
    use std::sync::OnceLock;

    #[test]
    fn shortens_like_pprof() {
        assert_eq!(s("net/http.(*conn).serve"), "http.(*conn).serve");
        assert_eq!(s("github.com/acme/svc/v2/pkg.Func"), "pkg.Func");
        assert_eq!(s("context.WithValue"), "context.WithValue");
        assert_eq!(s("main.main"), "main.main");
        assert_eq!(s("com.google.Foo.bar(int)"), "Foo.bar");
        assert_eq!(s("std::Foo::push_back"), "Foo::push_back");
        assert_eq!(s("std::vector<int>::push_back"), "std::vector<int>::push_back");
        assert_eq!(s("(anonymous namespace)::Foo::Bar"), "Foo::Bar");
        assert_eq!(s("ns::Foo::~Foo"), "Foo::~Foo");
        assert_eq!(s("ns::Foo::get<int, std::map<a, b>>"), "Foo::get<int, std::map<a, b>>");
        assert_eq!(s("a/b/v10/c.F"), "c.F");
        assert_eq!(s("org.Foo$Bar.run$1(x)"), "Foo$Bar.run$1");
    }

    /// pprof's patterns, as regexps: the reference the scans must equal.
    fn by_regexps(name: &str) -> String {
        static PATTERNS: OnceLock<[Regex; 5]> = OnceLock::new();
        let [anonymous, version, shorteners @ ..] = PATTERNS.get_or_init(|| {
            let w = "0-9A-Za-z_";
            let re = |p: &str| Regex::new(p).unwrap();
            [
                re(r"^\(anonymous namespace\)::"),
                re(r"^(.*?)/v(?:[2-9]|[1-9][0-9]+)([./].*)$"),
                re(&format!(r"^(?:[{w}\-\.]+/)+([^.]+\..+)")),
                re(&format!(
                    r"^(?:[a-z][{w}]*\.)*([A-Z][{w}\$]*\.(?:<init>|[a-z][{w}\$]*(?:\$[0-9]+)?))(?:(?:\()|$)"
                )),
                re(&format!(r"^(?:[_a-zA-Z][{w}]*::)+(_*[A-Z][{w}]*::~?[_a-zA-Z][{w}]*(?:<.*>)?)")),
            ]
        });
        let name = anonymous.replace_all(name, "");
        let name = version.replace_all(&name, "${1}${2}");
        for re in shorteners {
            if let Some(caps) = re.captures(&name) {
                return caps[1].to_string();
            }
        }
        name.into_owned()
    }

    /// Names made of the pieces the patterns care about.
    fn names() -> impl Strategy<Value = String> {
        let words = "a bc Z Foo _ _X . / :: : < > ( ) ~ $ $1 0 2 17 /v /v2 /v10 /v01 - é <init>";
        let pieces: Vec<&str> = words.split(' ').chain(["\n", " ", "(anonymous namespace)::"]).collect();
        prop::collection::vec(prop::sample::select(pieces), 0..14).prop_map(|p| p.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]
        #[test]
        fn equals_pprofs_regexps(name in names()) {
            prop_assert_eq!(s(&name), by_regexps(&name), "for {:?}", name);
        }
    }

    #[test]
    fn equals_pprofs_regexps_on_real_names() {
        for name in [
            "runtime.mallocgc",
            "github.com/google/pprof/v2/profile.(*Profile).Write",
            "gopkg.in/yaml.v3.(*parser).parse",
            "java.lang.Thread.run",
            "com.example.Foo.<init>(Foo.java:1)",
            "std::__1::basic_string<char>::append",
            "_ZN4core3fmt5write17h",
            "<alloc::vec::Vec<T> as core::ops::Drop>::drop",
            "leaky_service::with_value",
            "main.(*T).m.func1",
        ] {
            assert_eq!(s(name), by_regexps(name), "for {name:?}");
        }
    }
}
