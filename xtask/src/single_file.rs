//! `cargo xtask dist --single-file`: the built page as one HTML file,
//! dist/proflens.html, that works from file:// with no server.
//!
//! Trunk's dist/ loads a JS module, two wasm files, a worker script and a
//! stylesheet by URL, and browsers refuse most of that from file://. The
//! single file carries them inline instead:
//! - the stylesheet in a `<style>`;
//! - the page's wasm-bindgen module in an inline module script that starts
//!   the wasm from base64 bytes;
//! - the worker's script, with its wasm as base64, in a `text/plain`
//!   element that a bootstrap script turns into a blob URL
//!   (`window.__proflensWorkerUrl`, which the page's client prefers);
//! - the symbolizer's script and wasm likewise, in `#proflens-symbolizer-src`,
//!   which the page makes a blob URL of only when binaries are added;
//! - the sample profile, also as a blob URL (`window.__proflensSampleUrl`).
//!
//! `proflens export` adds one more element, `#proflens-embedded`, holding a
//! profile the page opens at start (see crates/web/src/ui/loading.rs).
//!
//! The page's Content-Security-Policy comes along, with the two inline
//! scripts that run allowed by their SHA-256 hashes instead of 'self' (the
//! `text/plain` ones never run).

use std::path::Path;

use sha2::{Digest, Sha256};

/// Builds dist/proflens.html from the files of a trunk build in `dist`.
pub fn write(dist: &Path) -> Result<std::path::PathBuf, String> {
    let read = |name: &str| {
        std::fs::read(dist.join(name)).map_err(|e| format!("{}: {e}", dist.join(name).display()))
    };
    let names: Vec<String> = std::fs::read_dir(dist)
        .map_err(|e| format!("{}: {e}", dist.display()))?
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .collect();
    let find = |prefix: &str, suffix: &str| -> Result<String, String> {
        names
            .iter()
            .find(|n| n.starts_with(prefix) && n.ends_with(suffix))
            .cloned()
            .ok_or_else(|| format!("dist/ has no {prefix}*{suffix}; run `cargo xtask dist` first"))
    };
    let css = String::from_utf8_lossy(&read(&find("styles", ".css")?)?).into_owned();
    let main_js = String::from_utf8_lossy(&read(&find("proflens-web", ".js")?)?).into_owned();
    let main_wasm = read(&find("proflens-web", "_bg.wasm")?)?;
    let worker_js = String::from_utf8_lossy(&read("proflens-worker.js")?).into_owned();
    let worker_wasm = read("proflens-worker_bg.wasm")?;
    let symbolizer_js = String::from_utf8_lossy(&read("proflens-symbolizer.js")?).into_owned();
    let symbolizer_wasm = read("proflens-symbolizer_bg.wasm")?;
    let sample = read("samples/heap2.pb.gz")?;
    let index = String::from_utf8_lossy(&read("index.html")?).into_owned();

    let b64 = proflens_core::encode::base64;
    // Inline, nothing imports the module: `export { ... }` lists go, and
    // exported declarations stay as plain ones (the init function is then
    // called directly).
    let main_module: String = main_js
        .lines()
        .filter(|l| !l.starts_with("export {"))
        .map(|l| l.strip_prefix("export ").unwrap_or(l))
        .collect::<Vec<_>>()
        .join("\n");
    if !main_js.contains("async function __wbg_init(") {
        return Err("the page's wasm-bindgen glue has no __wbg_init; has wasm-bindgen changed?".into());
    }
    let worker = format!(
        "{worker_js}\nwasm_bindgen({{ module_or_path: Uint8Array.from(atob(\"{}\"), (c) => c.charCodeAt(0)) }});\n",
        b64(&worker_wasm)
    );
    let symbolizer = format!(
        "{symbolizer_js}\nwasm_bindgen({{ module_or_path: Uint8Array.from(atob(\"{}\"), (c) => c.charCodeAt(0)) }});\n",
        b64(&symbolizer_wasm)
    );
    for (what, text) in [
        ("page module", &main_module),
        ("worker", &worker),
        ("symbolizer", &symbolizer),
        ("stylesheet", &css),
    ] {
        if text.to_ascii_lowercase().contains("</script") || text.to_ascii_lowercase().contains("</style") {
            return Err(format!("the {what} contains a closing tag and cannot be inlined"));
        }
    }
    let bootstrap = BOOTSTRAP;
    let module = format!(
        "\n{main_module}\nconst instance = await __wbg_init({{ module_or_path: Uint8Array.from(atob(\"{}\"), (c) => c.charCodeAt(0)) }});\n\
         dispatchEvent(new CustomEvent(\"TrunkApplicationStarted\", {{ detail: {{ wasm: instance }} }}));\n",
        b64(&main_wasm)
    );
    let policy = content_security_policy(&index, &[bootstrap, &module])?;
    let head = head_of(&index);
    let html = format!(
        r#"<!doctype html>
<html lang="en">
<head>
{head}
{policy}
<style>
{css}
</style>
<script type="text/plain" id="proflens-worker-src">{worker}</script>
<script type="text/plain" id="proflens-symbolizer-src">{symbolizer}</script>
<script type="text/plain" id="proflens-sample" data-name="heap2.pb.gz">{sample}</script>
<script>{bootstrap}</script>
<script type="module">{module}</script>
</head>
<body></body>
</html>
"#,
        sample = b64(&sample),
    );
    let out = dist.join("proflens.html");
    std::fs::write(&out, html).map_err(|e| format!("{}: {e}", out.display()))?;
    Ok(out)
}

/// Makes blob URLs of what dist/ would serve as files: the worker, the
/// sample and a profile `proflens export` put inside.
const BOOTSTRAP: &str = r#"
// Blob URLs for what dist/ would serve as files: the worker and the sample.
(function () {
  const bytes = (text) => Uint8Array.from(atob(text.trim()), (c) => c.charCodeAt(0));
  const blobUrl = (parts, type) => URL.createObjectURL(new Blob(parts, { type }));
  window.__proflensWorkerUrl = blobUrl([document.getElementById('proflens-worker-src').textContent], 'text/javascript');
  window.__proflensSampleUrl = blobUrl([bytes(document.getElementById('proflens-sample').textContent)], 'application/octet-stream');
  const embedded = document.getElementById('proflens-embedded');
  if (embedded) {
    window.__proflensEmbedded = {
      name: embedded.dataset.name || 'profile.pb.gz',
      url: blobUrl([bytes(embedded.textContent)], 'application/octet-stream'),
    };
  }
})();
"#;

/// Whether a line of index.html is the Content-Security-Policy meta tag.
fn is_policy(line: &str) -> bool {
    line.starts_with("<meta http-equiv=\"Content-Security-Policy\"")
}

/// The page's Content-Security-Policy meta tag for one file: script-src's
/// 'self' (the page's own script files) becomes the hashes of `scripts`,
/// the inline scripts that run.
fn content_security_policy(index: &str, scripts: &[&str]) -> Result<String, String> {
    let tag = index
        .lines()
        .map(str::trim)
        .find(|l| is_policy(l))
        .ok_or("dist/index.html has no Content-Security-Policy meta tag; see www/index.html")?;
    let hashes: Vec<String> = scripts
        .iter()
        .map(|s| format!("'sha256-{}'", proflens_core::encode::base64(&Sha256::digest(s.as_bytes()))))
        .collect();
    let with_hashes = tag.replacen("script-src 'self'", &format!("script-src {}", hashes.join(" ")), 1);
    if with_hashes == tag {
        return Err("the page's Content-Security-Policy has no script-src 'self' to replace".into());
    }
    Ok(with_hashes)
}

/// The `<head>` lines of trunk's index.html worth keeping: meta, icon and
/// title (not its script, stylesheet link or preloads, nor the
/// Content-Security-Policy, which the single file writes its own way).
fn head_of(index: &str) -> String {
    index
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("<meta") || l.starts_with("<title") || l.starts_with("<link rel=\"icon\""))
        .filter(|l| !is_policy(l))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_meta_title_and_icon_only() {
        let index =
            "<head>\n  <meta charset=\"utf-8\">\n  <link rel=\"icon\" href=\"x\">\n  <title>t</title>\n  \
                     <link rel=\"stylesheet\" href=\"s.css\"/>\n<script type=\"module\">x</script>\n</head>";
        assert_eq!(
            head_of(index),
            "<meta charset=\"utf-8\">\n<link rel=\"icon\" href=\"x\">\n<title>t</title>"
        );
    }

    #[test]
    fn the_policy_allows_the_inline_scripts_by_hash() {
        let index = "<head>\n  <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'self'; \
                     script-src 'self' 'wasm-unsafe-eval'; worker-src 'self' blob:\">\n<title>t</title>\n</head>";
        assert_eq!(head_of(index), "<title>t</title>");
        let policy = content_security_policy(index, &["alert(1)"]).unwrap();
        // echo -n 'alert(1)' | openssl dgst -sha256 -binary | base64
        assert!(
            policy.contains(
                "script-src 'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI=' 'wasm-unsafe-eval'"
            ),
            "{policy}"
        );
        assert!(!policy.contains("script-src 'self'"), "{policy}");
        assert!(content_security_policy("<title>t</title>", &[]).is_err());
    }
}
