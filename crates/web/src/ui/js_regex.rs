//! Regexps for highlighting on the page, compiled by the browser (as
//! pprof's web UI does with JavaScript's RegExp), so the page's own wasm
//! carries no regex engine. Invalid patterns are simply no match. The
//! RegExp constructor is called directly (no `new Function`), so the page
//! runs under a Content-Security-Policy without 'unsafe-eval'.

use js_sys::RegExp;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen]
extern "C" {
    /// JavaScript's RegExp, bound again here for a constructor that
    /// reports an invalid pattern as an error instead of throwing.
    #[wasm_bindgen(js_name = RegExp)]
    type CheckedRegExp;

    /// `new RegExp(pattern)`; Err when the pattern is invalid.
    #[wasm_bindgen(catch, constructor, js_class = "RegExp")]
    fn new(pattern: &str) -> Result<CheckedRegExp, JsValue>;
}

/// A compiled browser regexp.
#[derive(Clone, Debug)]
pub struct Matcher(RegExp);

impl PartialEq for Matcher {
    fn eq(&self, other: &Self) -> bool {
        self.0.source() == other.0.source()
    }
}

impl Matcher {
    /// Compiles `pattern`; None when it is empty or invalid.
    pub fn new(pattern: &str) -> Option<Matcher> {
        if pattern.is_empty() {
            return None;
        }
        CheckedRegExp::new(pattern).ok().map(|r| Matcher(r.unchecked_into()))
    }

    /// Whether `text` contains a match.
    pub fn is_match(&self, text: &str) -> bool {
        self.0.test(text)
    }
}

/// A regexp matching exactly the given names (pprof's selection regexp).
pub fn exact_names<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    let escaped: Vec<String> = names.into_iter().map(escape).collect();
    if escaped.is_empty() {
        return String::new();
    }
    format!("^({})$", escaped.join("|"))
}

/// Escapes regexp metacharacters (valid for RE2 and JavaScript alike).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selection_regexps() {
        assert_eq!(
            exact_names(["main.f", "net/http.(*conn).serve"]),
            r"^(main\.f|net/http\.\(\*conn\)\.serve)$"
        );
        assert_eq!(exact_names([]), "");
    }
}
