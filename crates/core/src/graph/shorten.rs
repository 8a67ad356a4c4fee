//! pprof's ShortenFunctionName: the short names drawn in graph nodes
//! ("http.(*conn).serve" for "net/http.(*conn).serve").

use std::sync::OnceLock;

use proflens_profile::pattern::Regex;

struct Patterns {
    cpp_anonymous: Regex,
    go_version: Regex,
    shorteners: [Regex; 3],
}

/// Go's \w is ASCII only; so is this.
const W: &str = "[0-9A-Za-z_]";

fn patterns() -> &'static Patterns {
    static P: OnceLock<Patterns> = OnceLock::new();
    P.get_or_init(|| {
        let re = |p: String| Regex::new(&p).expect("the shortening patterns are valid");
        Patterns {
            cpp_anonymous: re(r"^\(anonymous namespace\)::".to_string()),
            go_version: re(r"^(.*?)/v(?:[2-9]|[1-9][0-9]+)([./].*)$".to_string()),
            shorteners: [
                // Go: drop the package path.
                re(format!(r"^(?:[{w}\-\.]+/)+([^.]+\..+)", w = &W[1..W.len() - 1])),
                // Java: drop the package and the arguments.
                re(format!(
                    r"^(?:[a-z]{W}*\.)*([A-Z][{w}\$]*\.(?:<init>|[a-z][{w}\$]*(?:\$[0-9]+)?))(?:(?:\()|$)",
                    w = &W[1..W.len() - 1]
                )),
                // C++: drop the namespaces, keep template arguments.
                re(format!(r"^(?:[_a-zA-Z]{W}*::)+(_*[A-Z]{W}*::~?[_a-zA-Z]{W}*(?:<.*>)?)")),
            ],
        }
    })
}

/// The short form of a function name, as pprof draws it.
pub fn shorten_function_name(name: &str) -> String {
    let p = patterns();
    let name = p.cpp_anonymous.replace_all(name, "");
    let name = p.go_version.replace_all(&name, "${1}${2}");
    for re in &p.shorteners {
        if let Some(caps) = re.captures(&name) {
            if caps.len() >= 2 {
                return caps.iter().skip(1).map(|m| m.map_or("", |m| m.as_str())).collect();
            }
        }
    }
    name.into_owned()
}

#[cfg(test)]
mod tests {
    use super::shorten_function_name as s;

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
    }
}
