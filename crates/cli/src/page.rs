//! The analyzer page built into the binary, and pages with a profile
//! inside (`proflens export`).

use proflens_core::encode::base64;

include!(concat!(env!("OUT_DIR"), "/page.rs"));

/// What `proflens serve` shows when the binary has no page: the profiles
/// are still served under profiles/.
pub const FALLBACK: &str = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
<title>proflens</title></head><body><h1>proflens</h1><p>This proflens binary was built without the \
analyzer page. Run <code>cargo xtask dist --single-file</code> in the repository and build proflens \
again; the profiles are served under <code>profiles/</code> meanwhile.</p></body></html>\n";

/// The single-file page, or how to build a binary that has it.
pub fn page() -> Result<&'static str, String> {
    PAGE.ok_or_else(|| {
        "this proflens binary was built without the analyzer page: run `cargo xtask dist --single-file` \
         in the repository, then build proflens again"
            .to_string()
    })
}

/// The page with `profile` inside: it opens the profile at start, with no
/// server and nothing to fetch.
pub fn page_with_profile(name: &str, profile: &[u8]) -> Result<String, String> {
    let page = page()?;
    let name: String = name.chars().filter(|c| !matches!(c, '"' | '<' | '>' | '&')).collect();
    let element = format!(
        "<script type=\"text/plain\" id=\"proflens-embedded\" data-name=\"{name}\">{}</script>\n",
        base64(profile)
    );
    // Before the bootstrap script that turns it into a blob URL.
    let at = page.find("<script>").ok_or("the built page has no bootstrap script")?;
    Ok(format!("{}{element}{}", &page[..at], &page[at..]))
}
