//! Demangles symbol names the way pprof shows them by default: Rust paths
//! without the hash suffix, C++ names without parameters and return types.

use addr2line::gimli;

/// The display name of `raw` (a linkage or symbol name); `raw` itself when
/// it is not mangled.
pub(crate) fn demangle(raw: &str, language: Option<gimli::DwLang>) -> String {
    let rust_ok = language.is_none_or(|l| l == gimli::DW_LANG_Rust);
    if rust_ok {
        if let Ok(d) = rustc_demangle::try_demangle(raw) {
            return format!("{d:#}");
        }
    }
    if raw.starts_with("_Z") {
        if let Ok(sym) = cpp_demangle::Symbol::new(raw) {
            let options = cpp_demangle::DemangleOptions::new().no_params().no_return_type();
            if let Ok(d) = sym.demangle_with_options(&options) {
                return d;
            }
        }
    }
    raw.to_string()
}

#[cfg(test)]
mod tests {
    use super::demangle;

    #[test]
    fn rust_legacy_and_v0_lose_the_hash() {
        assert_eq!(
            demangle("_ZN4core3ptr13drop_in_place17h0123456789abcdefE", None),
            "core::ptr::drop_in_place"
        );
        assert_eq!(demangle("_RNvCs1234_7mycrate3foo", None), "mycrate::foo");
    }

    #[test]
    fn cpp_loses_parameters() {
        assert_eq!(demangle("_ZN3foo3barEi", None), "foo::bar");
    }

    #[test]
    fn plain_names_stay() {
        assert_eq!(demangle("main.main", None), "main.main");
        assert_eq!(demangle("malloc", None), "malloc");
    }
}
